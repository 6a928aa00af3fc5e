"""Three-way merge of a contribution changed by two reviewers at once.

``base`` is the record as this reviewer last saw it, ``mine`` the record this reviewer
wants to save (base + their change), ``theirs`` the record now stored (base + another
reviewer's change). Field by field:

* a field only one side changed takes that side's value;
* a field both changed to the same value is fine;
* list-like fields (themes, notes, excerpts) merge as sets: what each side added is kept,
  what each side removed is removed, so two reviewers adding different themes keep both;
* the history keeps every entry of both sides;
* any other field both changed to different values (two different statuses, two
  assignees) is a real conflict: :class:`StoreConflictError`, whose French message names
  the other reviewer's change. Nothing is overwritten silently.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from assises_tui.domain.models import Contribution, HistoryEntry, Status
from assises_tui.errors import StoreConflictError

#: Fields merged as sets of items (order: the stored order, then the additions).
SET_FIELDS = frozenset({"themes", "notes", "excerpts", "to_check"})
FIELD_LABELS = {
    "status": "le statut",
    "assignee": "l'attribution",
    "duplicate_of": "le doublon",
    "received_at": "la date de réception",
    "late": "le hors délai",
    "contributor_category": "la catégorie",
    "commune": "la commune",
    "cluster": "le regroupement",
}
_NAMES = tuple(f.name for f in fields(Contribution) if f.name not in {"id", "history"})


def _merge_items(base: tuple, mine: tuple, theirs: tuple) -> tuple:
    added = [x for x in mine if x not in base and x not in theirs]
    removed = [x for x in base if x not in mine]
    return tuple(x for x in theirs if x not in removed) + tuple(added)


def _shown(value: Any) -> str:
    if isinstance(value, Status):
        return value.label
    if value in (None, "", ()):
        return "(vide)"
    return str(value)


def _who_changed(theirs: Contribution, name: str, base_len: int) -> HistoryEntry | None:
    for entry in reversed(theirs.history[base_len:]):
        if entry.what == name or (isinstance(entry.after, dict) and name in entry.after):
            return entry
    return theirs.history[-1] if len(theirs.history) > base_len else None


def conflict_message(theirs: Contribution, name: str, mine_value: Any, base_len: int) -> str:
    entry = _who_changed(theirs, name, base_len)
    label = FIELD_LABELS.get(name, f"le champ « {name} »")
    by = f"{entry.who} ({entry.at[11:16] or entry.at})" if entry else "un autre relecteur"
    return (
        f"Conflit sur la contribution n° {theirs.id} : {by} vient de changer {label} en "
        f"« {_shown(getattr(theirs, name))} » ; votre changement en « {_shown(mine_value)} » "
        "n'a pas été enregistré."
    )


def merge(base: Contribution, mine: Contribution, theirs: Contribution) -> Contribution:
    """``theirs`` with ``mine``'s changes since ``base`` applied (or StoreConflictError)."""
    values: dict[str, Any] = {}
    for name in _NAMES:
        before, wanted, stored = getattr(base, name), getattr(mine, name), getattr(theirs, name)
        if wanted == before or wanted == stored:
            continue
        if stored == before:
            values[name] = wanted
        elif name in SET_FIELDS:
            values[name] = _merge_items(before, wanted, stored)
        else:
            raise StoreConflictError(conflict_message(theirs, name, wanted, len(base.history)))
    mine_new = mine.history[len(base.history) :]
    return replace(theirs, **values, history=theirs.history + tuple(mine_new))
