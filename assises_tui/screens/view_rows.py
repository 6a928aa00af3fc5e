"""The rows of one inbox view, in order, kept up to date record by record. No Textual.

Recomputing a view filters and sorts every record: about a third of a second at 100,000,
on the event loop. Another reviewer's change touches a record or a few, so ``follow``
moves only those in or out of the rows, each at its place in the order (a bisection on
the sort key), and says how the count of what is left to do moved. A search keeps its
hits in the view's order (``among``) by their positions when they are few, instead of
scanning the whole view at every typed character.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Mapping
from typing import Any

from assises_tui.domain.models import Contribution
from assises_tui.screens.views import View, is_open, row_key, view_ids

#: Beyond this many changed records at once (an import by a colleague), recomputing the
#: view costs no more than placing each one.
FOLLOW_AT_MOST = 500

Lookup = Callable[[int], Contribution | None]


class ViewRows:
    """The ids a view shows, in its order, and what it takes to follow changes."""

    def __init__(
        self,
        ids: list[int],
        *,
        widest_id: int = 0,
        follows: tuple[View, str, str, bool] | None = None,
    ) -> None:
        self.ids = ids
        #: The largest number of the consultation: the list's number column fits it, so
        #: the columns do not move when a search or a view shows fewer rows.
        self.widest_id = max(widest_id, max(ids, default=0))
        #: (view, reviewer, sort, reverse) when the rows can follow changes one by one;
        #: None for an order that only a recompute gives (priority, the database's).
        self._follows = follows
        self._members: set[int] | None = None
        self._positions: dict[int, int] | None = None
        self._array: Any = None  # the ids as a numpy array, for searches finding many

    @classmethod
    def of(
        cls, records: list[Contribution], view: View, reviewer: str, sort: str, reverse: bool
    ) -> ViewRows:
        """The view's rows among ``records`` (every record, in id order)."""
        ids = view_ids(records, view, reviewer, sort, reverse)
        widest = records[-1].id if records else 0
        return cls(ids, widest_id=widest, follows=(view, reviewer, sort, reverse))

    def __len__(self) -> int:
        return len(self.ids)

    def among(self, hits: Collection[int]) -> list[int]:
        """The rows found by a search, in the view's order."""
        ids = self.ids
        if not hits or not ids:
            return []
        if len(hits) * 8 < len(ids):  # a few hits: put them in order
            positions = self._positions
            if positions is None:
                positions = self._positions = {cid: n for n, cid in enumerate(ids)}
            return sorted((i for i in hits if i in positions), key=positions.__getitem__)
        # Many: a scan of the view, vectorised (a Python loop over 66,000 rows of
        # scattered ints costs ~25 ms; this ~5 ms). numpy is imported by the first one.
        import numpy as np

        rows = self._array
        if rows is None:
            rows = self._array = np.array(ids, dtype=np.int64)
        found_ids = np.fromiter(hits, dtype=np.int64, count=len(hits))
        found = np.zeros(max(self.widest_id, int(found_ids.max())) + 1, dtype=bool)
        found[found_ids] = True
        return rows[found[rows]].tolist()

    def follow(self, changes: Mapping[int, Contribution | None], lookup: Lookup) -> int | None:
        """Move the changed records (``changes``: their previous versions) in or out of
        the rows. Returns how many more records are left to do, or None when the rows
        cannot follow (too many changes, an order only a recompute gives)."""
        if self._follows is None or len(changes) > FOLLOW_AT_MOST:
            return None
        view, reviewer, sort, reverse = self._follows
        predicate = view.predicate
        if predicate is None:
            return None
        key = row_key(sort, reverse)
        members = self._members
        if members is None:
            members = self._members = set(self.ids)
        left = 0
        for cid, before in changes.items():
            after = lookup(cid)
            if after is not None:
                self.widest_id = max(self.widest_id, cid)
            left += (after is not None and is_open(after)) - (
                before is not None and is_open(before)
            )
            belongs = after is not None and predicate(after, reviewer)
            if cid in members:
                if belongs and before is not None and key(before) == key(after):  # type: ignore[arg-type]
                    continue  # in the view before and after, at the same place
                self.ids.remove(cid)
                members.discard(cid)
            if belongs:
                self.ids.insert(self._place(key(after), key, lookup), cid)  # type: ignore[arg-type]
                members.add(cid)
        self._positions = self._array = None
        return left

    def _place(self, wanted: Any, key: Callable[[Contribution], Any], lookup: Lookup) -> int:
        def key_of(cid: int) -> Any:
            item = lookup(cid)
            return key(item) if item is not None else wanted  # deleted meanwhile: anywhere

        return bisect_left(self.ids, wanted, key=key_of)
