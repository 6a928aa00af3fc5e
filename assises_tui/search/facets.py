"""Metadata terms as sets of ids, cached while the records do not change.

At 100,000 records a predicate over every record costs 15-50 ms, and a ``from:`` term
with folding far more. While someone types, the metadata terms of the query stay the same
from one keystroke to the next, so the set of ids each term selects is kept and reused as
long as the store's ``generation`` (bumped on every change of records) is unchanged.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assises_tui.search.filters import FieldMatcher, theme_root
from assises_tui.search.query import Term

if TYPE_CHECKING:
    from assises_tui.store.protocol import Store

#: How many distinct terms keep their id set (each is at most one set of ids).
MAX_SETS = 24
#: Fields answered by grouping the records by value once per generation.
GROUPED = frozenset({"status", "late", "category", "cluster", "assignee", "theme", "has"})


class MetaSets:
    def __init__(self, store: Store, matcher: FieldMatcher) -> None:
        self.store = store
        self.matcher = matcher
        self._sets: OrderedDict[tuple, tuple[Any, frozenset[int]]] = OrderedDict()
        self._columns: tuple[Any, list[int], list[str], list[str]] | None = None
        self._grouped: dict[str, tuple[Any, dict[Any, list[int]]]] = {}

    def generation(self) -> Any:
        """A token that changes whenever the records change."""
        return self.store.generation

    def all_ids(self) -> list[int]:
        return self.store.ids()

    def ids_for(self, term: Term, gen: Any = None) -> frozenset[int]:
        """Ids of the records matching ``term`` taken positively (negation is the caller's).

        ``gen``: the current :meth:`generation`, when the caller already has it.
        """
        if gen is None:
            gen = self.generation()
        key = (term.field, term.values)
        hit = self._sets.get(key)
        if hit is not None and hit[0] == gen:
            self._sets.move_to_end(key)
            return hit[1]
        field, values = term.field, term.values
        if field in ("from", "subject"):
            ids, senders, subjects = self._text_columns(gen)
            needle = values[0]
            column = senders if field == "from" else subjects
            found = frozenset([i for i, text in zip(ids, column, strict=True) if needle in text])
        elif field in GROUPED:
            groups = self._groups(field, gen)
            if field == "theme":
                wanted: Any = self.matcher.theme_keys(values)
            elif field == "assignee":
                check = self.matcher.assignee_check(values)
                wanted = [who for who in groups if check(who)]
            else:
                wanted = values
            found = frozenset().union(*(groups.get(v, ()) for v in wanted))
        else:  # id ranges excluded by a negation: rare, a plain scan
            predicate = self.matcher.predicate(replace(term, negated=False))
            assert predicate is not None
            found = frozenset([c.id for c in self.store.all() if predicate(c)])
        self._sets[key] = (gen, found)
        if len(self._sets) > MAX_SETS:
            self._sets.popitem(last=False)
        return found

    def warm(self) -> None:
        """Build every per-field grouping and the folded text columns now (worker thread)."""
        gen = self.generation()
        for field in sorted(GROUPED):
            self._groups(field, gen)
        self._text_columns(gen)

    def _groups(self, field: str, gen: Any) -> dict[Any, list[int]]:
        """Ids of every record grouped by the value of ``field`` (one pass, then cached)."""
        hit = self._grouped.get(field)
        if hit is not None and hit[0] == gen:
            return hit[1]
        groups: defaultdict[Any, list[int]] = defaultdict(list)
        items = self.store.all()
        if field == "status":
            for c in items:
                groups[c.status].append(c.id)
        elif field == "late":
            for c in items:
                groups[bool(c.late)].append(c.id)
        elif field == "category":
            for c in items:
                groups[c.contributor_category or ""].append(c.id)
        elif field == "cluster":
            for c in items:
                groups[c.cluster].append(c.id)
        elif field == "assignee":
            who = self.matcher.folded_assignee
            for c in items:
                groups[who(c)].append(c.id)
        elif field == "theme":
            for c in items:
                if not c.themes:
                    groups[""].append(c.id)
                else:
                    for key in {theme_root(t) for t in c.themes}.union(c.themes):
                        groups[key].append(c.id)
        elif field == "has":
            for c in items:
                for name, present in (
                    ("attachment", c.attachments),
                    ("note", c.notes),
                    ("excerpt", c.excerpts),
                    ("theme", c.themes),
                    ("assignee", c.assignee),
                ):
                    if present:
                        groups[name].append(c.id)
        self._grouped[field] = (gen, groups)
        return groups

    def _text_columns(self, gen: Any) -> tuple[list[int], list[str], list[str]]:
        """Folded senders and subjects of every record, in id order."""
        if self._columns is not None and self._columns[0] == gen:
            return self._columns[1:]
        folded = self.matcher.folded
        ids: list[int] = []
        senders: list[str] = []
        subjects: list[str] = []
        for c in self.store.all():
            ids.append(c.id)
            senders.append(folded(c.sender_name) + "\n" + folded(c.sender_email))
            subjects.append(folded(c.subject))
        self._columns = (gen, ids, senders, subjects)
        return ids, senders, subjects
