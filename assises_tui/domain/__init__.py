"""Domain model: plain data, no I/O, no textual/rich."""

from assises_tui.domain.models import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    Attachment,
    Contribution,
    Excerpt,
    HistoryEntry,
    Note,
    Status,
)

__all__ = [
    "CATEGORY_LABELS",
    "STATUS_LABELS",
    "Attachment",
    "Contribution",
    "Excerpt",
    "HistoryEntry",
    "Note",
    "Status",
]
