"""Inbox actions that only open another screen or a picker (views, saved searches,
import, codebook, synthesis). Kept apart so inbox.py stays about the list itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from assises_tui.screens.prompts import ChoiceScreen, TextPrompt
from assises_tui.screens.views import VIEWS

if TYPE_CHECKING:
    from assises_tui.services.session import Services


class InboxPickers:
    """Mixin for :class:`~assises_tui.screens.inbox.InboxScreen`."""

    services: Services

    def action_views(self) -> None:
        records = self.services.contributions.all()
        reviewer = self.services.reviewer
        items = []
        for i, view in enumerate(VIEWS):
            if view.predicate is None:
                n = len(self.services.contributions.quarantine())
            else:
                n = sum(1 for c in records if view.predicate(c, reviewer))
            items.append((view.key, Text(f"{i + 1}. {view.label} ({n})")))
        self.app.push_screen(
            ChoiceScreen("Vue", items, current=self.view.key, numbered=True),
            lambda key: self.set_view(key) if key else None,
        )

    def _step_view(self, step: int) -> None:
        keys = [v.key for v in VIEWS]
        self.set_view(keys[(keys.index(self.view.key) + step) % len(keys)])

    def action_next_view(self) -> None:
        self._step_view(1)

    def action_previous_view(self) -> None:
        self._step_view(-1)

    # -- saved searches ------------------------------------------------------------
    def action_save_search(self) -> None:
        if not self.query_text:
            self.app.notify("Aucune recherche en cours à enregistrer.", markup=False)
            return
        query = self.query_text

        def got(name: str | None) -> None:
            if name and name.strip():
                try:
                    self.services.saved_searches.save(name.strip(), query)
                except Exception as exc:  # read-only store, bad name…
                    self.app.notify(str(exc), severity="error", markup=False)
                    return
                self.app.notify(f"Recherche « {name.strip()} » enregistrée.", markup=False)

        self.app.push_screen(TextPrompt("Nom de la recherche :", value=""), got)

    def action_recall_search(self) -> None:
        saved = self.services.saved_searches.list()
        items = [(query, Text(f"{name} — {query}")) for name, query in saved]

        def got(query: str | None) -> None:
            if query is not None:
                self.search_input.value = query  # Input.Changed runs the search
                self.query_text = query
                self.run_search()
                self.list.focus()

        self.app.push_screen(
            ChoiceScreen("Recherches enregistrées", items, empty="Aucune recherche enregistrée."),
            got,
        )

    # -- other screens ------------------------------------------------------------------
    def action_import(self) -> None:
        if not self._writable():
            return
        from assises_tui.screens.import_screen import ImportScreen

        self.app.push_screen(ImportScreen(self.services), lambda _r: self.reload_view())

    def action_fetch(self) -> None:
        if not self._writable():
            return
        from assises_tui.screens.fetch_screen import FetchScreen

        self.app.push_screen(FetchScreen(self.services), lambda _r: self.reload_view())

    def action_codebook(self) -> None:
        try:
            from assises_tui.screens.codebook import CodebookScreen
        except ImportError:
            self.app.notify("Le livre de codes n'est pas disponible.", markup=False)
            return
        self.app.push_screen(CodebookScreen(self.services), lambda _r: self.reload_view())

    def action_statistics(self) -> None:
        from assises_tui.screens.statistics import StatisticsScreen

        self.app.push_screen(
            StatisticsScreen(
                self.services.contributions.all, self.services.config, self.services.tagging.label
            )
        )

    def action_synthesis(self) -> None:
        try:
            from assises_tui.screens.synthesis import SynthesisScreen
        except ImportError:
            self.app.notify("L'écran de synthèse n'est pas disponible.", markup=False)
            return
        self.app.push_screen(SynthesisScreen(self.services), lambda _r: self.reload_view())
