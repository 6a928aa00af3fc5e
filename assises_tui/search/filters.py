"""Metadata conditions (``status:``, ``theme:``, ``from:``…) as predicates on records.

These run over the in-memory records, never over bodies, so a view can re-check one
changed record cheaply (:meth:`FieldMatcher.matches`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assises_tui.domain.models import Contribution
from assises_tui.search.query import NONE, Query, Term, resolve_themes
from assises_tui.text.fold import fold

if TYPE_CHECKING:
    from assises_tui.config import Consultation

Predicate = Callable[[Contribution], bool]

_HAS: dict[str, Predicate] = {
    "attachment": lambda c: bool(c.attachments),
    "note": lambda c: bool(c.notes),
    "excerpt": lambda c: bool(c.excerpts),
    "theme": lambda c: bool(c.themes),
    "assignee": lambda c: bool(c.assignee),
}


def theme_root(key: str) -> str:
    """ "service/accueil" or "service.accueil" (a sub-theme) belongs to "service"."""
    for sep in "/.:":
        key = key.partition(sep)[0]
    return key


class FieldMatcher:
    """Turns the field terms of a query into predicates, with folded text memoised."""

    def __init__(self, config: Consultation | None, reviewer: str) -> None:
        self.config = config
        self.reviewer = reviewer
        # Senders and subjects are fixed at import: fold each distinct string once.
        self._folded: dict[str, str] = {}

    def folded(self, text: str) -> str:
        value = self._folded.get(text)
        if value is None:
            if len(self._folded) > 500_000:  # bound memory if strings keep changing
                self._folded.clear()
            value = self._folded[text] = fold(text)
        return value

    def predicate(self, term: Term) -> Predicate | None:
        """The condition of one field term (negation applied); None for free text."""
        p = self._positive(term)
        if p is None or not term.negated:
            return p
        return lambda c: not p(c)

    def _positive(self, term: Term) -> Predicate | None:
        f, values = term.field, term.values
        if f is None:
            return None
        if f == "id":
            ranges = values
            if all(a == b for a, b in ranges):
                wanted = frozenset(a for a, _b in ranges)
                return lambda c: c.id in wanted
            return lambda c: any(a <= c.id <= b for a, b in ranges)
        if f == "from":
            needle = values[0]
            folded = self.folded
            return lambda c: needle in folded(c.sender_name) or needle in folded(c.sender_email)
        if f == "subject":
            needle = values[0]
            folded = self.folded
            return lambda c: needle in folded(c.subject)
        if f == "status":
            statuses = frozenset(values)
            return lambda c: c.status in statuses
        if f == "late":
            late = values[0]
            return lambda c: c.late is late or bool(c.late) == late
        if f == "has":
            checks = tuple(_HAS[v] for v in values)
            return lambda c: any(check(c) for check in checks)
        if f == "assignee":
            return self._assignee(values)
        if f == "cluster":
            clusters = frozenset(values)
            return lambda c: c.cluster in clusters
        if f == "category":
            categories = frozenset(values)
            return lambda c: (c.contributor_category or "") in categories
        if f == "theme":
            return self._theme(values)
        if f == "department":
            wanted = frozenset(values)
            folded = self.folded
            return lambda c: folded(c.department).strip() in wanted
        return None  # pragma: no cover - parse_query only builds known fields

    def assignee_check(self, values: tuple[str, ...]) -> Callable[[str], bool]:
        """Test on a folded assignee ('' for nobody): ``@me``, ``''`` or a name part."""
        me = fold(self.reviewer).strip()
        exact = tuple(me for v in values if v == "@me")
        parts = tuple(v for v in values if v not in ("@me", ""))
        nobody = "" in values

        def check(who: str) -> bool:
            if not who:
                return nobody
            return who in exact or any(v in who for v in parts)

        return check

    def folded_assignee(self, item: Contribution) -> str:
        return self.folded(item.assignee).strip() if item.assignee else ""

    def _assignee(self, values: tuple[str, ...]) -> Predicate:
        check = self.assignee_check(values)
        return lambda c: check(self.folded_assignee(c))

    def theme_keys(self, values: tuple[str, ...]) -> frozenset[str]:
        """Theme keys named by ``theme:`` values ('' = no theme)."""
        if self.config is not None:
            return resolve_themes(values, self.config)[0]
        # no configuration: only exact keys can be understood
        return frozenset("" if v in NONE else v for v in values)

    def _theme(self, values: tuple[str, ...]) -> Predicate:
        keys = self.theme_keys(values)
        untagged = "" in keys

        def check(c: Contribution) -> bool:
            if not c.themes:
                return untagged
            return any(t in keys or theme_root(t) in keys for t in c.themes)

        return check

    def predicates(self, query: Query) -> list[Predicate]:
        out = []
        for term in query.field_terms:
            p = self.predicate(term)
            if p is not None:
                out.append(p)
        return out

    def matches(self, query: Query, item: Contribution) -> bool:
        return all(p(item) for p in self.predicates(query))
