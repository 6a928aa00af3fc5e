"""Triage actions a reviewer takes on contributions (status, notes, assignment, themes…).

Every action goes through :class:`~assises_tui.services.changes.Changes`, so it is saved
durably before returning, recorded in each record's history and undoable (a bulk action
undoes as a whole). Ids are frozen by the caller: a bulk action never re-queries.
No textual/rich here: the inbox, the reader and the CLI all call this.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from assises_tui.domain.models import OPEN_STATUSES, Note, Status
from assises_tui.errors import AssisesError
from assises_tui.services.changes import ChangeSet

if TYPE_CHECKING:
    from assises_tui.config import Consultation
    from assises_tui.services.changes import Changes
    from assises_tui.services.contributions import Contributions


class TriageError(AssisesError):
    """A triage request that cannot be honoured (unknown id, read-only workspace…)."""


class Triage:
    def __init__(
        self, contributions: Contributions, consultation: Consultation, changes: Changes
    ) -> None:
        self.contributions = contributions
        self.config = consultation
        self.changes = changes

    def _writable(self) -> None:
        if self.changes.read_only:
            raise TriageError(
                "Espace de travail ouvert en lecture seule : aucune modification possible."
            )

    # -- status ------------------------------------------------------------
    def set_status(self, ids: Sequence[int], status: Status | str) -> ChangeSet:
        self._writable()
        status = Status(status)

        def change(item):
            values = {"status": status}
            # Leaving "duplicate" or "not a contribution" drops what justified it.
            if status != Status.DUPLICATE and item.duplicate_of is not None:
                values["duplicate_of"] = None
            if status != Status.NOT_CONTRIBUTION and item.status_reason:
                values["status_reason"] = ""
            return values

        return self.changes.apply(ids, "status", change)

    def mark_duplicate(self, cid: int, of_id: int) -> ChangeSet:
        self._writable()
        if cid == of_id:
            raise TriageError("Une contribution ne peut pas être le doublon d'elle-même.")
        original = self.contributions.get(of_id)
        if original is None:
            raise TriageError(f"La contribution n° {of_id} n'existe pas.")
        # The citizen's message would leave the counts for a message that is not counted
        # either (the prefecture's acknowledgement, an auto-reply): nothing would remain.
        if original.status == Status.NOT_CONTRIBUTION:
            raise TriageError(
                f"Le message n° {of_id} est classé « hors contribution » : il ne peut pas "
                f"être l'original du n° {cid}, qui sortirait alors des décomptes. Indiquez "
                "la contribution d'origine, ou reclassez d'abord le n° "
                f"{of_id}."
            )
        if original.status == Status.DUPLICATE and original.duplicate_of is not None:
            raise TriageError(
                f"Le n° {of_id} est lui-même un doublon du n° {original.duplicate_of} : "
                f"indiquez le n° {original.duplicate_of}."
            )
        return self.changes.set_fields(
            [cid], "duplicate", status=Status.DUPLICATE, duplicate_of=of_id
        )

    def mark_not_contribution(self, ids: Sequence[int], reason: str) -> ChangeSet:
        self._writable()
        reason = " ".join(reason.split())
        return self.changes.set_fields(
            ids,
            "not_contribution",
            status=Status.NOT_CONTRIBUTION,
            status_reason=reason,
            duplicate_of=None,
        )

    # -- notes and assignment ------------------------------------------------
    def add_note(self, cid: int, text: str) -> ChangeSet:
        self._writable()
        text = text.strip()
        if not text:
            raise TriageError("Une note vide n'est pas enregistrée.")
        note = Note(self.changes.reviewer, self.changes.clock(), text)
        return self.changes.apply([cid], "note", lambda item: {"notes": item.notes + (note,)})

    def assign(self, ids: Sequence[int], who: str) -> ChangeSet:
        self._writable()
        return self.changes.set_fields(ids, "assignee", assignee=who.strip())

    def spread(self, ids: Sequence[int], reviewers: Sequence[str]) -> ChangeSet:
        """Share ``ids`` among ``reviewers``: each next one (in the given order) goes to
        whoever has the fewest open contributions assigned so far. One write."""
        self._writable()
        names = list(dict.fromkeys(r.strip() for r in reviewers if r.strip()))
        if not names:
            raise TriageError("Nommez au moins un relecteur à qui attribuer.")
        load = dict.fromkeys(names, 0)
        for item in self.contributions.all():
            if item.assignee in load and item.status in OPEN_STATUSES:
                load[item.assignee] += 1
        plan: dict[int, str] = {}
        for cid in dict.fromkeys(ids):
            who = min(names, key=lambda name: load[name])  # ties: the first named
            plan[cid] = who
            load[who] += 1
        return self.changes.apply(list(plan), "assignee", lambda item: {"assignee": plan[item.id]})

    # -- themes ----------------------------------------------------------------
    def toggle_theme(self, ids: Sequence[int], key: str) -> ChangeSet:
        """Add ``key`` to every record unless all already carry it; then remove it from all.

        One rule for one record and for a bulk action, so the result never depends on
        the order of the marked set.
        """
        self._writable()
        if key not in self.config.theme_keys:
            raise TriageError(f"Thème inconnu : « {key} ».")
        items = [c for c in (self.contributions.get(i) for i in ids) if c is not None]
        remove = bool(items) and all(key in c.themes for c in items)
        order = self.config.theme_keys

        def change(item):
            themes = set(item.themes)
            if remove:
                themes.discard(key)
            else:
                themes.add(key)
            # Keep the config order, then any other (sub)theme keys as they were.
            ordered = tuple(k for k in order if k in themes)
            ordered += tuple(k for k in item.themes if k in themes and k not in order)
            return {"themes": ordered}

        return self.changes.apply([c.id for c in items], "themes", change)

    # -- date and lateness -------------------------------------------------------
    def set_date(self, cid: int, when: datetime) -> ChangeSet:
        """Correct the reception date; lateness follows the consultation deadline."""
        self._writable()
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.config.tz)
        late = when > self.config.deadline
        return self.changes.set_fields(
            [cid], "received_at", received_at=when, date_uncertain=False, late=late
        )

    def set_late(self, cid: int, late: bool) -> ChangeSet:
        self._writable()
        return self.changes.set_fields([cid], "late", late=bool(late))

    # -- undo ----------------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return self.changes.can_undo

    def undo(self) -> ChangeSet | None:
        self._writable()
        return self.changes.undo()
