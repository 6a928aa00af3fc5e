"""Every reviewer change goes through here: saved durably, recorded in history, undoable.

A change is a function from a contribution to the fields it modifies. ``apply`` runs it on a
frozen list of ids (a bulk action never re-queries), saves all changed records in one
all-or-nothing store write, appends a :class:`HistoryEntry` per record, and pushes the
change on the undo stack. ``undo`` writes the previous values back (recorded too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from assises_tui.clock import now_iso
from assises_tui.domain.models import Contribution, HistoryEntry, Status
from assises_tui.store.protocol import Store

Change = Callable[[Contribution], dict[str, Any]]


def _plain(value: Any) -> Any:
    """JSON-friendly form of a field value for the history."""
    if isinstance(value, Status):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):  # the changed fields: their values need converting too
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


@dataclass(frozen=True)
class ChangeSet:
    """What one action changed: enough to undo it."""

    what: str
    before: dict[int, dict[str, Any]]  # id -> previous values of the changed fields
    after: dict[int, dict[str, Any]]

    @property
    def ids(self) -> list[int]:
        return sorted(self.before)

    def __len__(self) -> int:
        return len(self.before)


class Changes:
    def __init__(
        self, store: Store, reviewer: str, clock: Callable[[], str] = now_iso, undo_depth: int = 100
    ) -> None:
        self.store = store
        self.reviewer = reviewer
        self.clock = clock
        self._undo: list[ChangeSet] = []
        self._undo_depth = undo_depth
        #: Called with every applied or undone ChangeSet (the suggester listens for themes).
        self.listeners: list[Callable[[ChangeSet], None]] = []

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    def _tell(self, changeset: ChangeSet) -> None:
        for listener in self.listeners:
            listener(changeset)

    def apply(self, ids: Sequence[int], what: str, change: Change) -> ChangeSet:
        """Apply ``change`` to each id; records whose fields do not change are left alone."""
        at = self.clock()
        updated: list[Contribution] = []
        before: dict[int, dict[str, Any]] = {}
        after: dict[int, dict[str, Any]] = {}
        for cid in dict.fromkeys(ids):
            item = self.store.get(cid)
            if item is None:
                continue
            new_values = {k: v for k, v in change(item).items() if getattr(item, k) != v}
            if not new_values:
                continue
            old_values = {k: getattr(item, k) for k in new_values}
            entry = HistoryEntry(self.reviewer, at, what, _plain(old_values), _plain(new_values))
            updated.append(replace(item, **new_values, history=item.history + (entry,)))
            before[cid], after[cid] = old_values, new_values
        changeset = ChangeSet(what, before, after)
        if updated:
            self.store.save_many(updated)
            self._undo.append(changeset)
            del self._undo[: -self._undo_depth]
            self._tell(changeset)
        return changeset

    def set_fields(self, ids: Sequence[int], what: str, **values: Any) -> ChangeSet:
        return self.apply(ids, what, lambda _c: dict(values))

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> ChangeSet | None:
        """Revert the last action (a bulk action as a whole). None when nothing to undo."""
        if not self._undo:
            return None
        last = self._undo.pop()
        at = self.clock()
        restored: list[Contribution] = []
        for cid, old_values in last.before.items():
            item = self.store.get(cid)
            if item is None:
                continue
            current = {k: getattr(item, k) for k in old_values}
            entry = HistoryEntry(
                self.reviewer, at, f"undo:{last.what}", _plain(current), _plain(old_values)
            )
            restored.append(replace(item, **old_values, history=item.history + (entry,)))
        if restored:
            self.store.save_many(restored)
            self._tell(last)
        return last
