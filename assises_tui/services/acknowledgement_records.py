"""The acknowledgements' address book, as the RGPD purge sees it.

``acknowledgements.py`` keeps one record per contribution number in the workspace
document ``ACK_DOC``, with the address the acknowledgement went to. A purge calls
``forget_addresses`` for the contributions it erases: the address (and the server's
reply, which may quote it) goes, the state stays so the contribution is never
acknowledged again. Kept apart, with no imports, so the purge needs nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assises_tui.store.protocol import Store

ACK_DOC = "acknowledgements"
PERSONAL_KEYS = ("to", "error")


def forget_addresses(store: Store, ids: Iterable[int]) -> int:
    """The purge's hook: drop the address from the acknowledgement records of ``ids``
    (the state stays, so a purged contribution is never acknowledged again). Returns how
    many records held one."""
    doc = store.get_doc(ACK_DOC) or {}
    records = doc.get("records")
    if not isinstance(records, dict):
        return 0
    forgotten = 0
    for cid in ids:
        record = records.get(str(cid))
        if isinstance(record, dict) and "to" in record:
            records[str(cid)] = {k: v for k, v in record.items() if k not in PERSONAL_KEYS}
            forgotten += 1
    if forgotten:
        store.put_doc(ACK_DOC, {**doc, "records": records})
    return forgotten
