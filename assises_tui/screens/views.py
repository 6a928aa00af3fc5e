"""The inbox views (what is left, all, mine…) and sort orders. Pure functions, no Textual."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from assises_tui.domain.models import OPEN_STATUSES, Contribution, Status
from assises_tui.text.fold import fold


@dataclass(frozen=True)
class View:
    key: str
    label: str
    predicate: Callable[[Contribution, str], bool] | None  # (record, reviewer); None: quarantine


VIEWS: tuple[View, ...] = (
    View("left", "À traiter", lambda c, _r: c.status in OPEN_STATUSES),
    View("all", "Toutes", lambda c, _r: True),
    View("mine", "Mes contributions", lambda c, r: c.assignee == r),
    View(
        "untagged",
        "Sans thème",
        lambda c, _r: not c.themes
        and c.status not in (Status.NOT_CONTRIBUTION, Status.DUPLICATE, Status.OFF_TOPIC),
    ),
    View("late", "En retard", lambda c, _r: c.late),
    View("not_contribution", "Hors contribution",
         lambda c, _r: c.status == Status.NOT_CONTRIBUTION),
    View("duplicates", "Doublons",
         lambda c, _r: c.status == Status.DUPLICATE or c.duplicate_of is not None),
    View("quarantine", "Quarantaine", None),
)
VIEW_BY_KEY = {v.key: v for v in VIEWS}

SORTS: tuple[tuple[str, str], ...] = (
    ("date", "date"),
    ("sender", "expéditeur"),
    ("status", "statut"),
)
_STATUS_ORDER = {s: i for i, s in enumerate(Status)}
_NO_DATE = datetime.max.timestamp()


def _date_key(c: Contribution) -> tuple[float, int]:
    return (c.received_at.timestamp() if c.received_at else _NO_DATE, c.id)


def sort_key(sort: str) -> Callable[[Contribution], tuple]:
    if sort == "sender":
        return lambda c: (fold(c.sender_name or c.sender_email), c.id)
    if sort == "status":
        return lambda c: (_STATUS_ORDER[c.status], *_date_key(c))
    return _date_key


def view_ids(
    records: list[Contribution], view: View, reviewer: str, sort: str, reverse: bool
) -> list[int]:
    """Ids of ``records`` in ``view``, sorted (ties broken by number, so the order is stable)."""
    pred = view.predicate
    if pred is None:
        return []
    chosen = [c for c in records if pred(c, reviewer)]
    chosen.sort(key=sort_key(sort), reverse=reverse)
    return [c.id for c in chosen]
