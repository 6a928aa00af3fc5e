"""The composition root: builds each service from the workspace, with what it uses.

Every service takes its dependencies explicitly (a store, the consultation, the reviewer,
the change log, another service); none takes this object. The app, its screens and the
CLI commands hold a ``Services`` to reach the services it built. Each service is built on
first use, so start-up only pays for what the first screen needs.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from assises_tui.services.changes import Changes, ChangeSet
from assises_tui.services.contributions import Contributions

if TYPE_CHECKING:
    from assises_tui.analysis.agreement import DoubleCoding
    from assises_tui.config import Consultation
    from assises_tui.search import SearchIndex
    from assises_tui.services.audit import AuditTrail
    from assises_tui.services.codebook import Codebook
    from assises_tui.services.mailbox_fetch import MailboxFetch
    from assises_tui.services.privacy import Privacy
    from assises_tui.services.purge import Purge
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
        self.contributions = Contributions(workspace.store)

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

        return Triage(self.contributions, self.config, self.changes)

    @cached_property
    def search(self) -> SearchIndex:
        from assises_tui.search import SearchIndex

        return SearchIndex(self.store, self.config, self.reviewer)

    @cached_property
    def saved_searches(self) -> SavedSearches:
        from assises_tui.services.saved_searches import SavedSearches

        return SavedSearches(self.store)

    @cached_property
    def codebook(self) -> Codebook:
        from assises_tui.services.codebook import Codebook

        return Codebook(self.store, self.config, self.changes)

    @cached_property
    def tagging(self) -> Tagging:
        from assises_tui.services.tagging import Tagging

        return Tagging(self.contributions, self.changes, self.codebook)

    @cached_property
    def suggester(self) -> Suggester:
        from assises_tui.suggest import Suggester, suggestions_dir

        root = getattr(self.workspace, "root", None)  # a workspace in memory has none
        suggester = Suggester(
            self.store,
            self.config.themes,
            self.codebook,
            cache_dir=suggestions_dir(root) if root is not None else None,
        )

        def learn(changeset: ChangeSet) -> None:
            # A theme decision (or its undo) makes the next check retrain the model.
            if any("themes" in after for after in changeset.after.values()):
                suggester.mark_stale()

        self.changes.listeners.append(learn)
        return suggester

    @cached_property
    def privacy(self) -> Privacy:
        from assises_tui.services.privacy import Privacy

        return Privacy(self.store, self.config, self.reviewer)

    @cached_property
    def purge(self) -> Purge:
        from assises_tui.services.purge import Purge

        return Purge(
            self.store,
            self.config,
            self.reviewer,
            search=self.search,
            forget_texts=lambda ids: self.suggester.forget(ids),
        )

    @cached_property
    def synthesis(self) -> SynthesisService:
        from assises_tui.services.synthesis import SynthesisService

        return SynthesisService(
            self.store,
            self.config,
            self.reviewer,
            self.workspace.synthesis_path,
            theme_label=lambda key: self.codebook.label(key),
        )

    @cached_property
    def audit(self) -> AuditTrail:
        from assises_tui.services.audit import AuditTrail

        return AuditTrail(self.store, self.config.tz)

    @cached_property
    def double_coding(self) -> DoubleCoding:
        from assises_tui.analysis.agreement import DoubleCoding

        return DoubleCoding(self.store, self.config, self.reviewer)

    @cached_property
    def mailbox_fetch(self) -> MailboxFetch:
        from assises_tui.services.mailbox_fetch import MailboxFetch

        return MailboxFetch(self.store, self.config, self.reviewer)
