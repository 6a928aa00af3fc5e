"""Inbox actions that only open another screen or a picker (views, saved searches,
import, codebook, synthesis). A part the inbox composes (see
:mod:`~assises_tui.screens.parts`), so inbox.py stays about the list itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from rich.text import Text

from assises_tui.screens.parts import ScreenBuilder, screen_builder
from assises_tui.screens.prompts import ChoiceScreen, TextPrompt
from assises_tui.screens.triage_actions import writable
from assises_tui.screens.views import VIEWS, View

if TYPE_CHECKING:
    from textual.app import App

    from assises_tui.config import Consultation
    from assises_tui.screens.inbox_search import InboxSearch
    from assises_tui.services.contributions import Contributions
    from assises_tui.services.saved_searches import SavedSearches
    from assises_tui.services.session import Services


class Inbox(Protocol):
    """What the pickers read and call on the inbox screen."""

    app: App
    view: View
    search: InboxSearch

    def set_view(self, key: str) -> None: ...
    def recall_search(self, query: str) -> None: ...
    def reload_view(self) -> None: ...


class InboxPickers:
    def __init__(
        self,
        inbox: Inbox,
        *,
        contributions: Contributions,
        saved_searches: SavedSearches,
        config: Consultation,
        reviewer: str,
        read_only: bool,
        theme_label: Callable[[str], str],
        build: ScreenBuilder,
    ) -> None:
        self.inbox = inbox
        self.contributions = contributions
        self.saved_searches = saved_searches
        self.config = config
        self.reviewer = reviewer
        self.read_only = read_only
        self.theme_label = theme_label
        self.build = build

    @classmethod
    def for_screen(cls, inbox: Inbox, services: Services) -> InboxPickers:
        """The part wired from the services it uses."""
        return cls(
            inbox,
            contributions=services.contributions,
            saved_searches=services.saved_searches,
            config=services.config,
            reviewer=services.reviewer,
            read_only=services.read_only,
            theme_label=lambda key: services.tagging.label(key),
            build=screen_builder(services),
        )

    @property
    def app(self) -> App:
        return self.inbox.app

    def action_views(self) -> None:
        # a team database still being read: the views without their counts, at once
        reading = self.contributions.loading() is not None
        records = [] if reading else self.contributions.all()
        reviewer = self.reviewer
        items = []
        for i, view in enumerate(VIEWS):
            if view.predicate is None:
                n: int | str = len(self.contributions.quarantine())
            elif reading:
                n = "…"
            else:
                n = sum(1 for c in records if view.predicate(c, reviewer))
            items.append((view.key, Text(f"{i + 1}. {view.label} ({n})")))
        self.app.push_screen(
            ChoiceScreen("Vue", items, current=self.inbox.view.key, numbered=True),
            lambda key: self.inbox.set_view(key) if key else None,
        )

    def _step_view(self, step: int) -> None:
        keys = [v.key for v in VIEWS]
        self.inbox.set_view(keys[(keys.index(self.inbox.view.key) + step) % len(keys)])

    def action_next_view(self) -> None:
        self._step_view(1)

    def action_previous_view(self) -> None:
        self._step_view(-1)

    # -- saved searches ------------------------------------------------------------
    def action_save_search(self) -> None:
        if not self.inbox.search.text:
            self.app.notify("Aucune recherche en cours à enregistrer.", markup=False)
            return
        query = self.inbox.search.text

        def got(name: str | None) -> None:
            if name and name.strip():
                try:
                    self.saved_searches.save(name.strip(), query)
                except Exception as exc:  # read-only store, bad name…
                    self.app.notify(str(exc), severity="error", markup=False)
                    return
                self.app.notify(f"Recherche « {name.strip()} » enregistrée.", markup=False)

        self.app.push_screen(TextPrompt("Nom de la recherche :", value=""), got)

    def action_recall_search(self) -> None:
        saved = self.saved_searches.list()
        items = [(query, Text(f"{name} — {query}")) for name, query in saved]

        def got(query: str | None) -> None:
            if query is not None:
                self.inbox.recall_search(query)

        self.app.push_screen(
            ChoiceScreen("Recherches enregistrées", items, empty="Aucune recherche enregistrée."),
            got,
        )

    # -- other screens ------------------------------------------------------------------
    def _records_read(self, screen_name: str) -> bool:
        """False, and says so, while a team database's records are still being read.

        These screens need every record: opened now, they would block the interface
        until the end of the reading (minutes for a national roll-up).
        """
        progress = self.contributions.loading()
        if progress is None:
            return True
        done, total = progress
        self.app.notify(
            f"« {screen_name} » : disponible à la fin du chargement "
            f"({done}/{total} contributions lues).",
            severity="warning",
        )
        return False

    def action_import(self) -> None:
        if not writable(self.app, self.read_only) or not self._records_read("Importer"):
            return
        from assises_tui.screens.import_screen import ImportScreen

        self.app.push_screen(self.build(ImportScreen), lambda _r: self.inbox.reload_view())

    def action_fetch(self) -> None:
        if not writable(self.app, self.read_only) or not self._records_read("Relever"):
            return
        from assises_tui.screens.fetch_screen import FetchScreen

        self.app.push_screen(self.build(FetchScreen), lambda _r: self.inbox.reload_view())

    def action_codebook(self) -> None:
        if not self._records_read("Livre de codes"):
            return
        from assises_tui.screens.codebook import CodebookScreen

        self.app.push_screen(self.build(CodebookScreen), lambda _r: self.inbox.reload_view())

    def action_statistics(self) -> None:
        if not self._records_read("Statistiques"):
            return
        from assises_tui.screens.statistics import StatisticsScreen

        self.app.push_screen(
            StatisticsScreen(self.contributions.all, self.config, self.theme_label)
        )

    def action_synthesis(self) -> None:
        if not self._records_read("Synthèse"):
            return
        from assises_tui.screens.synthesis import SynthesisScreen

        self.app.push_screen(self.build(SynthesisScreen), lambda _r: self.inbox.reload_view())
