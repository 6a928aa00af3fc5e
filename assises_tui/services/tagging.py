"""Themes, contributor category, commune and excerpts on contributions.

Every change goes through ``services.changes`` (durable, in each record's history, undoable).
Theme changes are recorded with ``what="themes"``: the suggestion engine learns from them.

Sub-themes are ``"parent/sub"`` keys. Adding a sub-theme adds its parent too (a remark about
"accueil" is a remark about "service"); removing a main theme removes its sub-themes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assises_tui.domain.models import CATEGORY_LABELS, EXCERPT_KINDS, Excerpt
from assises_tui.services.changes import ChangeSet
from assises_tui.services.codebook import Codebook, CodebookError, parent_of
from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from assises_tui.domain.models import Contribution
    from assises_tui.services.session import Services

THEMES_WHAT = "themes"


class TaggingError(CodebookError):
    """Bad tagging request (unknown theme, bad offsets…): French message, exit code 2."""


def _with_added(themes: tuple[str, ...], keys: Iterable[str]) -> tuple[str, ...]:
    out = list(themes)
    for key in keys:
        for k in (parent_of(key), key):
            if k not in out:
                out.append(k)
    return tuple(out)


def _with_removed(themes: tuple[str, ...], keys: Iterable[str]) -> tuple[str, ...]:
    gone = set(keys)
    return tuple(k for k in themes if k not in gone and parent_of(k) not in gone)


class Tagging:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.codebook = Codebook(services)

    # -- themes ----------------------------------------------------------------
    def label(self, key: str) -> str:
        return self.codebook.label(key)

    def check_theme(self, key: str, *, for_adding: bool = True) -> str:
        """``key`` if it is a known (and, for adding, active) theme; else TaggingError."""
        known = {e.key: e for e in self.codebook.entries(counts=False)}
        entry = known.get(key)
        if entry is None:
            actives = ", ".join(k for k, e in known.items() if not e.retired)
            raise TaggingError(f"Thème inconnu : « {key} ». Thèmes possibles : {actives}.")
        if for_adding and entry.retired:
            raise TaggingError(f"Le sous-thème « {key} » est retiré du référentiel.")
        return key

    def update_themes(
        self, ids: Sequence[int], add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> ChangeSet:
        """Add and remove theme keys on every id in one undoable action."""
        add = [self.check_theme(k) for k in add]
        remove = list(remove)

        def change(item: Contribution) -> dict[str, Any]:
            return {"themes": _with_added(_with_removed(item.themes, remove), add)}

        result = self.services.changes.apply(list(ids), THEMES_WHAT, change)
        self._learned(result)
        return result

    def add(self, ids: Sequence[int], key: str) -> ChangeSet:
        return self.update_themes(ids, add=[key])

    def remove(self, ids: Sequence[int], key: str) -> ChangeSet:
        return self.update_themes(ids, remove=[key])

    def toggle(self, ids: Sequence[int], key: str) -> ChangeSet:
        """Remove ``key`` when every record has it, else add it to all."""
        items = [c for c in (self.services.store.get(i) for i in ids) if c is not None]
        if items and all(key in c.themes for c in items):
            return self.remove(ids, key)
        return self.add(ids, key)

    def theme_counts(self, ids: Sequence[int]) -> dict[str, int]:
        """How many of ``ids`` carry each key (the picker shows partial states)."""
        counts: dict[str, int] = {}
        for cid in ids:
            item = self.services.store.get(cid)
            for key in item.themes if item else ():
                counts[key] = counts.get(key, 0) + 1
        return counts

    # -- contributor -----------------------------------------------------------
    def set_category(self, ids: Sequence[int], category: str) -> ChangeSet:
        if category and category not in CATEGORY_LABELS:
            known = ", ".join(CATEGORY_LABELS)
            raise TaggingError(f"Catégorie inconnue : « {category} » (possibles : {known}).")
        return self.services.changes.set_fields(
            list(ids), "contributor_category", contributor_category=category
        )

    def set_commune(self, ids: Sequence[int], name: str) -> ChangeSet:
        return self.services.changes.set_fields(
            list(ids), "commune", commune=one_line(name, 120).strip()
        )

    # -- excerpts --------------------------------------------------------------
    def add_excerpt(
        self, cid: int, start: int, end: int, theme: str, kind: str, note: str = ""
    ) -> Excerpt:
        """File ``body[start:end]`` under ``theme``; the contribution gets the theme too."""
        self.check_theme(theme)
        if kind not in EXCERPT_KINDS:
            raise TaggingError(f"Nature d'extrait inconnue : « {kind} ».")
        body = self.services.body_text(cid)
        if not 0 <= start < end <= len(body):
            raise TaggingError("La sélection est vide ou sort du texte.")
        if not body[start:end].strip():
            raise TaggingError("La sélection ne contient que des blancs.")
        excerpt = Excerpt(
            id=uuid.uuid4().hex[:12],
            start=start,
            end=end,
            text=body[start:end],
            theme=theme,
            kind=kind,
            note=note.strip(),
            author=self.services.reviewer,
            created_at=self.services.changes.clock(),
        )

        def change(item: Contribution) -> dict[str, Any]:
            return {
                "excerpts": item.excerpts + (excerpt,),
                "themes": _with_added(item.themes, [theme]),
            }

        result = self.services.changes.apply([cid], "excerpt", change)
        if not result.ids:
            raise TaggingError(f"Contribution n° {cid} introuvable.")
        self._learned(result)
        return excerpt

    def remove_excerpt(self, cid: int, excerpt_id: str) -> ChangeSet:
        def change(item: Contribution) -> dict[str, Any]:
            return {"excerpts": tuple(e for e in item.excerpts if e.id != excerpt_id)}

        return self.services.changes.apply([cid], "excerpt", change)

    def edit_excerpt(self, cid: int, excerpt_id: str, **values: Any) -> ChangeSet:
        """Change theme, kind or note of an excerpt (offsets and text stay)."""
        allowed = {k: v for k, v in values.items() if k in ("theme", "kind", "note")}
        if "theme" in allowed:
            self.check_theme(allowed["theme"])

        def change(item: Contribution) -> dict[str, Any]:
            return {"excerpts": tuple(
                replace(e, **allowed) if e.id == excerpt_id else e for e in item.excerpts
            )}

        return self.services.changes.apply([cid], "excerpt", change)

    def excerpts_by_theme(self, theme: str) -> list[tuple[int, Excerpt]]:
        """Excerpts filed under ``theme`` (a main theme includes its sub-themes)."""
        out: list[tuple[int, Excerpt]] = []
        for item in self.services.store.all():
            for e in item.excerpts:
                if e.theme == theme or ("/" not in theme and parent_of(e.theme) == theme):
                    out.append((item.id, e))
        out.sort(key=lambda pair: (pair[0], pair[1].start))
        return out

    # -- internals -------------------------------------------------------------
    def _learned(self, result: ChangeSet) -> None:
        # The suggester (if built) refreshes its counts lazily; tell it now so the next
        # suggestion already reflects this decision.
        suggester = self.services.__dict__.get("suggester")
        if result.ids and suggester is not None:
            suggester.mark_stale()
