"""The inbox views (what is left, all, mine…) and sort orders. Pure functions, no Textual."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from assises_tui.domain.models import Contribution, Status
from assises_tui.text.fold import fold

# Identity tests: hashing a StrEnum runs Python code, too slow 100,000 times per keystroke.
_NEW, _IN_PROGRESS = Status.NEW, Status.IN_PROGRESS


def is_open(c: Contribution) -> bool:
    return c.status is _NEW or c.status is _IN_PROGRESS


@dataclass(frozen=True)
class View:
    key: str
    label: str
    predicate: Callable[[Contribution, str], bool] | None  # (record, reviewer); None: quarantine


VIEWS: tuple[View, ...] = (
    View("left", "À traiter", lambda c, _r: c.status is _NEW or c.status is _IN_PROGRESS),
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


@lru_cache(maxsize=65536)
def _folded(name: str) -> str:
    return fold(name)


def sort_key(sort: str) -> Callable[[Contribution], tuple]:
    if sort == "sender":
        return lambda c: (_folded(c.sender_name or c.sender_email), c.id)
    if sort == "status":
        return lambda c: (_STATUS_ORDER[c.status], *_date_key(c))
    return _date_key


#: id -> (the datetime object seen, its timestamp). Comparing aware datetimes calls
#: utcoffset() twice per comparison (slow with ZoneInfo); floats computed once are not.
_TIMESTAMPS: dict[int, tuple[datetime, float]] = {}


def _timestamp(c: Contribution) -> float:
    when = c.received_at
    cached = _TIMESTAMPS.get(c.id)
    if cached is not None and cached[0] is when:
        return cached[1]
    value = when.timestamp()  # type: ignore[union-attr]
    _TIMESTAMPS[c.id] = (when, value)  # type: ignore[assignment]
    return value


def _by_date(chosen: list[Contribution], reverse: bool) -> list[Contribution]:
    """Date order; the list is in id order and the sort is stable, so equal dates stay in
    id order. Undated records go last."""
    dated = [c for c in chosen if c.received_at is not None]
    undated = [c for c in chosen if c.received_at is None]
    dated.sort(key=_timestamp, reverse=reverse)
    return dated + undated


def view_ids(
    records: list[Contribution], view: View, reviewer: str, sort: str, reverse: bool
) -> list[int]:
    """Ids of ``records`` in ``view``, sorted (ties broken by number, so the order is stable)."""
    pred = view.predicate
    if pred is None:
        return []
    chosen = [c for c in records if pred(c, reviewer)]
    if sort == "date":
        chosen = _by_date(chosen, reverse)
    else:
        chosen.sort(key=sort_key(sort), reverse=reverse)
    return [c.id for c in chosen]
