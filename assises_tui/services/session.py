"""The bundle of services handed to the App and its screens (dependency injection).

Each service is built on first use, so start-up only pays for what the first screen needs.
Every service class takes this ``Services`` object in its constructor.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from assises_tui.services.changes import Changes

if TYPE_CHECKING:
    from assises_tui.config import Consultation
    from assises_tui.search import SearchIndex
    from assises_tui.services.privacy import Privacy
    from assises_tui.services.saved_searches import SavedSearches
    from assises_tui.services.synthesis import SynthesisService
    from assises_tui.services.tagging import Tagging
    from assises_tui.services.triage import Triage
    from assises_tui.store.protocol import Store
    from assises_tui.suggest import Suggester
    from assises_tui.workspace import Workspace


class Services:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.changes = Changes(workspace.store, workspace.reviewer)

    @property
    def store(self) -> Store:
        return self.workspace.store

    @property
    def config(self) -> Consultation:
        return self.workspace.config

    @property
    def reviewer(self) -> str:
        return self.workspace.reviewer

    @property
    def read_only(self) -> bool:
        return self.workspace.read_only

    @cached_property
    def triage(self) -> Triage:
        from assises_tui.services.triage import Triage

        return Triage(self)

    @cached_property
    def search(self) -> SearchIndex:
        from assises_tui.search import SearchIndex

        return SearchIndex(self)

    @cached_property
    def saved_searches(self) -> SavedSearches:
        from assises_tui.services.saved_searches import SavedSearches

        return SavedSearches(self)

    @cached_property
    def tagging(self) -> Tagging:
        from assises_tui.services.tagging import Tagging

        return Tagging(self)

    @cached_property
    def suggester(self) -> Suggester:
        from assises_tui.suggest import Suggester

        return Suggester(
            self.store,
            self.config.themes,
            self.tagging.codebook,
            self.body_text,
            self.attachment_texts,
        )

    @cached_property
    def privacy(self) -> Privacy:
        from assises_tui.services.privacy import Privacy

        return Privacy(self)

    @cached_property
    def synthesis(self) -> SynthesisService:
        from assises_tui.services.synthesis import SynthesisService

        return SynthesisService(self)

    def body_text(self, cid: int) -> str:
        """The normalised body text of a contribution ('' when it has none)."""
        item = self.store.get(cid)
        if item is None or not item.body_blob:
            return ""
        return self.store.get_blob(item.body_blob).decode("utf-8", "replace")

    def attachment_texts(self, cid: int) -> list[tuple[str, str]]:
        """(file name, extracted text) for each attachment with text."""
        item = self.store.get(cid)
        if item is None:
            return []
        return [
            (a.filename, self.store.get_blob(a.text_blob).decode("utf-8", "replace"))
            for a in item.attachments
            if a.text_blob
        ]
