"""Saved searches: named queries kept in the workspace (``store.get_doc("saved_searches")``).

Names are compared without regard to case or accents, so "Urgent" replaces "urgent"
instead of creating a look-alike second entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assises_tui.errors import AssisesError
from assises_tui.text.fold import fold
from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from assises_tui.store.protocol import Store

DOC = "saved_searches"
MAX_NAME = 80


def _same(a: str, b: str) -> bool:
    return fold(a).strip() == fold(b).strip()


class SavedSearches:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _entries(self) -> list[dict[str, str]]:
        doc = self.store.get_doc(DOC) or {}
        entries = doc.get("searches", [])
        return [
            {"name": str(e["name"]), "query": str(e.get("query", ""))}
            for e in entries
            if isinstance(e, dict) and e.get("name")
        ]

    def _write(self, entries: list[dict[str, str]]) -> None:
        self.store.put_doc(DOC, {"version": 1, "searches": entries})

    def list(self) -> list[tuple[str, str]]:
        """(name, query) pairs, ordered by name (accents and case ignored)."""
        entries = sorted(self._entries(), key=lambda e: fold(e["name"]))
        return [(e["name"], e["query"]) for e in entries]

    def get(self, name: str) -> str | None:
        return next((e["query"] for e in self._entries() if _same(e["name"], name)), None)

    def save(self, name: str, query: str) -> None:
        """Add or replace the search called ``name``."""
        clean = one_line(name, 10_000).strip()
        if not clean:
            raise AssisesError("Donnez un nom à la recherche enregistrée.")
        if len(clean) > MAX_NAME:
            raise AssisesError(
                f"Le nom d'une recherche enregistrée tient en {MAX_NAME} caractères au plus."
            )
        entries = [e for e in self._entries() if not _same(e["name"], clean)]
        entries.append({"name": clean, "query": query.strip()})
        self._write(entries)

    def delete(self, name: str) -> bool:
        """Remove ``name``; False when there was no such search."""
        entries = self._entries()
        kept = [e for e in entries if not _same(e["name"], name)]
        if len(kept) == len(entries):
            return False
        self._write(kept)
        return True
