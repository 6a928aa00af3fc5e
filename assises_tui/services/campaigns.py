"""Campaign groups over the whole store, updated incrementally after each import.

Band keys of every compared text are kept in small blobs listed in the workspace document
``ingest-campaigns`` (one blob per import), so a later import compares only its new texts
and reads the full text of an older contribution only when it is a candidate. Ids missing
from those lists (an import killed before this step) are treated as new, which repairs the
groups on the next run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from assises_tui.domain.models import Contribution, Status
from assises_tui.ingest.dedup import (
    CampaignIndex,
    TextSignature,
    UnionFind,
    band_keys,
    pack_signatures,
    shingles,
    unpack_signatures,
)
from assises_tui.store.protocol import Store

CAMPAIGN_DOC = "ingest-campaigns"
_SET_ASIDE = (Status.NOT_CONTRIBUTION, Status.DUPLICATE)


def text_of(store: Store, item: Contribution) -> str:
    """Body and attachment texts of a stored contribution."""
    parts = []
    for blob in [item.body_blob] + [a.text_blob for a in item.attachments]:
        if blob:
            try:
                parts.append(store.get_blob(blob).decode("utf-8", "replace"))
            except Exception:  # a missing blob is verify's business, not the import's
                pass
    return "\n\n".join(parts)


def _load_known(store: Store, chunks: list[str]) -> dict[int, list[int]]:
    known: dict[int, list[int]] = {}
    for sha in chunks:
        try:
            known.update(unpack_signatures(store.get_blob(sha)))
        except Exception:  # a lost chunk only means recomputing those texts
            pass
    return known


REASON_NEAR_DUPLICATE = "Texte presque identique à un envoi précédent du même expéditeur (n° {id})."


@dataclass
class CampaignResult:
    changed: int = 0  # records saved (cluster set or cleared, near-duplicates)
    near_duplicates: int = 0  # new texts marked as resent by the same sender


def assign_campaigns(store: Store, fresh: dict[int, TextSignature] | None = None) -> CampaignResult:
    """Set ``cluster`` (smallest id of the group) on campaign members.

    A new text near-identical to an earlier one *from the same sender* is a resend, not a
    campaign: it becomes a duplicate of the earliest one (status ``duplicate``), and only if
    nobody has triaged it yet. ``fresh`` holds the signatures of texts imported in this run
    (saves re-reading and re-hashing them).
    """
    fresh = fresh or {}
    result = CampaignResult()
    doc = store.get_doc(CAMPAIGN_DOC) or {}
    chunks = [c for c in doc.get("chunks", []) if isinstance(c, str)]
    known = _load_known(store, chunks)
    eligible = {c.id: c for c in store.all() if c.status not in _SET_ASIDE}
    new_ids = sorted(cid for cid in eligible if cid not in known)
    if not new_ids:
        return result

    def load(cid: int) -> set[int]:
        item = store.get(cid)
        return shingles(text_of(store, item)) if item is not None else set()

    index = CampaignIndex(load)
    for cid, keys in known.items():
        if cid in eligible:
            index.add_known(cid, keys)
    groups = UnionFind()
    for item in eligible.values():
        if item.cluster is not None:
            groups.union(item.id, item.cluster)
    signatures: dict[int, list[int]] = {}
    resent: list[Contribution] = []
    for cid in new_ids:
        item = eligible[cid]
        sig = fresh.get(cid)
        if sig is not None:
            sh, keys = sig.shingles, sig.band_keys
        else:
            sh = shingles(text_of(store, item))
            keys = band_keys(sh) if sh else []
        signatures[cid] = keys
        found = index.matches(sh, keys)
        sender = item.sender_email.lower()
        same = [o for o in found if sender and eligible[o].sender_email.lower() == sender]
        if same and item.status is Status.NEW and item.cluster is None:
            first = min(same)
            resent.append(
                replace(
                    item,
                    status=Status.DUPLICATE,
                    duplicate_of=first,
                    status_reason=REASON_NEAR_DUPLICATE.format(id=first),
                )
            )
            continue  # not indexed: later resends match the original instead
        index.insert(cid, sh, keys)
        for other in found:
            groups.union(cid, other)
    members = list(groups.parent)
    sizes = Counter(groups.find(cid) for cid in members)
    changed = list(resent)
    for cid in members:
        item = eligible.get(cid)
        if item is None:
            continue
        root = groups.find(cid)
        cluster = root if sizes[root] > 1 else None
        if item.cluster != cluster:
            changed.append(replace(item, cluster=cluster))
    if changed:
        store.save_many(changed)
    # Signatures last: if this step dies, these ids count as new next time.
    chunks.append(store.put_blob(pack_signatures(signatures)))
    store.put_doc(CAMPAIGN_DOC, {"version": 1, "chunks": chunks})
    return CampaignResult(len(changed), len(resent))
