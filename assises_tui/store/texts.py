"""A record's texts (normalised body, extracted attachment texts), read through any Store.

Texts live in blobs, outside the records; these functions are the one way to read them,
for the services and for the layers below them (search, suggestions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assises_tui.domain.models import Contribution
    from assises_tui.store.protocol import Store


def body_text(store: Store, item: Contribution | None) -> str:
    """The normalised body text ('' when there is none)."""
    if item is None or not item.body_blob:
        return ""
    return store.get_blob(item.body_blob).decode("utf-8", "replace")


def attachment_texts(store: Store, item: Contribution | None) -> list[tuple[str, str]]:
    """(file name, extracted text) for each attachment with text."""
    if item is None:
        return []
    return [
        (a.filename, store.get_blob(a.text_blob).decode("utf-8", "replace"))
        for a in item.attachments
        if a.text_blob
    ]
