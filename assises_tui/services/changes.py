"""Every reviewer change goes through here: saved durably, recorded in history, undoable.

A change is a function from a contribution to the fields it modifies. ``apply`` runs it on a
frozen list of ids (a bulk action never re-queries), saves all changed records in one
all-or-nothing store write, appends a :class:`HistoryEntry` per record, and pushes the
change on the undo stack. ``undo`` writes the previous values back (recorded too).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from assises_tui.clock import now_iso
from assises_tui.domain.models import Contribution, HistoryEntry, Status
from assises_tui.errors import StoreConflictError
from assises_tui.store.merge import SET_FIELDS, conflict_message
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
    #: The actions of a combined change (``Changes.together``), in the order applied.
    parts: tuple[ChangeSet, ...] = ()

    @classmethod
    def combined(cls, parts: Sequence[ChangeSet]) -> ChangeSet:
        before: dict[int, dict[str, Any]] = {}
        after: dict[int, dict[str, Any]] = {}
        for part in parts:
            for cid, values in part.before.items():
                earliest = before.setdefault(cid, {})
                for key, value in values.items():
                    earliest.setdefault(key, value)
                after.setdefault(cid, {}).update(part.after[cid])
        what = "+".join(dict.fromkeys(part.what for part in parts))
        return cls(what, before, after, tuple(parts))

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
        #: While ``together`` runs: the changed records not written yet, and the actions.
        self._pending: dict[int, Contribution] | None = None
        self._pending_sets: list[ChangeSet] = []

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    def _tell(self, changeset: ChangeSet) -> None:
        for listener in self.listeners:
            listener(changeset)

    @contextmanager
    def together(self) -> Iterator[None]:
        """Make every ``apply`` inside the block one change: one all-or-nothing store
        write when the block ends (none if it raises), undone as one action.

        ``assises tag +THÈME --status S`` and the theme picker's themes, category and
        commune are each one command: a crash or a full disk between two writes once
        left hundreds of records with the theme and without the status.
        """
        if self._pending is not None:  # already inside one: the outer block writes
            yield
            return
        self._pending, self._pending_sets = {}, []
        try:
            yield
            pending, sets = self._pending, self._pending_sets
        finally:
            self._pending, self._pending_sets = None, []
        if pending:
            self.store.save_many(list(pending.values()))
            self._push(ChangeSet.combined(sets))
            for part in sets:
                self._tell(part)

    def _current(self, cid: int) -> Contribution | None:
        pending = self._pending
        if pending is not None and cid in pending:
            return pending[cid]
        return self.store.get(cid)

    def _push(self, changeset: ChangeSet) -> None:
        self._undo.append(changeset)
        del self._undo[: -self._undo_depth]

    def apply(self, ids: Sequence[int], what: str, change: Change) -> ChangeSet:
        """Apply ``change`` to each id; records whose fields do not change are left alone."""
        at = self.clock()
        updated: list[Contribution] = []
        before: dict[int, dict[str, Any]] = {}
        after: dict[int, dict[str, Any]] = {}
        for cid in dict.fromkeys(ids):
            item = self._current(cid)
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
        if updated and self._pending is not None:
            self._pending.update((item.id, item) for item in updated)
            self._pending_sets.append(changeset)
        elif updated:
            self.store.save_many(updated)
            self._push(changeset)
            self._tell(changeset)
        return changeset

    def set_fields(self, ids: Sequence[int], what: str, **values: Any) -> ChangeSet:
        return self.apply(ids, what, lambda _c: dict(values))

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> ChangeSet | None:
        """Revert this reviewer's last action (a bulk action as a whole). None when nothing
        to undo.

        Only one's own change is undone: a theme another reviewer added since stays, and a
        field someone else changed since (a status) is not taken back: the undo is refused
        with a message naming the change (StoreConflictError), the action stays on the stack.
        """
        if not self._undo:
            return None
        last = self._undo[-1]
        at = self.clock()
        restored: dict[int, Contribution] = {}
        # A combined change is undone part by part, latest first, in one write.
        for part in reversed(last.parts or (last,)):
            for cid, old_values in part.before.items():
                item = restored.get(cid) or self.store.get(cid)
                if item is None:
                    continue
                current = {k: getattr(item, k) for k in old_values}
                values = {
                    k: _undone(item, k, old_values[k], part.after[cid][k]) for k in old_values
                }
                entry = HistoryEntry(
                    self.reviewer, at, f"undo:{part.what}", _plain(current), _plain(values)
                )
                restored[cid] = replace(item, **values, history=item.history + (entry,))
        if restored:
            self.store.save_many(list(restored.values()))
            for part in last.parts or (last,):
                self._tell(part)
        self._undo.pop()
        return last


def _undone(item: Contribution, name: str, before: Any, after: Any) -> Any:
    """The value ``name`` takes when this reviewer's change ``before → after`` is undone."""
    current = getattr(item, name)
    if name in SET_FIELDS:  # take back only what this change added or removed
        added = [x for x in after if x not in before]
        removed = [x for x in before if x not in after]
        return tuple(x for x in current if x not in added) + tuple(
            x for x in removed if x not in current
        )
    if current != after:  # someone else changed it since: theirs is not ours to undo
        raise StoreConflictError(
            conflict_message(item, name, before, _own_entries(item, name, after))
        )
    return before


def _own_entries(item: Contribution, name: str, after: Any) -> int:
    """History length up to the entry that set ``after`` (later entries are the others')."""
    for index in range(len(item.history) - 1, -1, -1):
        entry = item.history[index]
        if isinstance(entry.after, dict) and _plain(after) == entry.after.get(name):
            return index + 1
    return 0
