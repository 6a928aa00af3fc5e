"""Triage actions shared by the inbox and the reader (same keys, same behaviour).

:class:`TriageActions` is a part the screen composes (see :mod:`~assises_tui.screens.parts`):
the screen gives it ``target()`` (the frozen ids an action applies to and whether they come
from the marked set) and ``after_change(changeset)`` (redraw). Bulk actions ask for
confirmation with the number of contributions that will change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from assises_tui.domain.models import STATUS_LABELS, Status
from assises_tui.errors import AssisesError, StoreError
from assises_tui.screens.parts import ScreenBuilder, screen_builder
from assises_tui.screens.prompts import ConfirmScreen, TextPrompt
from assises_tui.services.changes import ChangeSet
from assises_tui.widgets.formatting import plural

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from assises_tui.config import Consultation
    from assises_tui.services.contributions import Contributions
    from assises_tui.services.session import Services
    from assises_tui.services.triage import Triage


def writable(app: App, read_only: bool) -> bool:
    """False, with a notification, when the workspace is open read-only."""
    if read_only:
        app.notify(
            "Lecture seule : aucune modification possible.", severity="warning", markup=False
        )
        return False
    return True


def describe(changeset: ChangeSet) -> str:
    """« statut (n° 42) », « thèmes (3 contributions : n° 4, 7, 9) »: which ones, always,
    so an undo that changes another contribution than the one on screen says so."""
    what = {
        "status": "statut",
        "themes": "thèmes",
        "note": "note",
        "assignee": "attribution",
        "duplicate": "doublon",
        "not_contribution": "hors contribution",
        "received_at": "date",
        "late": "retard",
    }.get(changeset.what.removeprefix("undo:"), changeset.what)
    ids = sorted(changeset.ids)
    if len(ids) == 1:
        return f"{what} (n° {ids[0]})"
    shown = ", ".join(str(i) for i in ids[:6]) + ("…" if len(ids) > 6 else "")
    return f"{what} ({plural(len(ids), 'contribution')} : n° {shown})"


class TriageActions:
    """The triage keys of a screen that shows contributions (the inbox, the reader)."""

    def __init__(
        self,
        screen: Screen,
        *,
        triage: Triage,
        contributions: Contributions,
        config: Consultation,
        reviewer: str,
        read_only: bool,
        build: ScreenBuilder,
        target: Callable[[], tuple[list[int], bool]],
        after_change: Callable[[ChangeSet | None], None],
        clear_marks: Callable[[], None] = lambda: None,
    ) -> None:
        self.screen = screen  # notifies and pushes prompts through its app
        self.triage = triage
        self.contributions = contributions
        self.config = config
        self.reviewer = reviewer
        self.read_only = read_only
        self.build = build
        self.target = target
        self.after_change = after_change
        #: Forgets the marked set once a bulk action is applied (the inbox has one).
        self.clear_marks = clear_marks

    @classmethod
    def for_screen(
        cls,
        screen: Screen,
        services: Services,
        *,
        target: Callable[[], tuple[list[int], bool]],
        after_change: Callable[[ChangeSet | None], None],
        clear_marks: Callable[[], None] = lambda: None,
    ) -> TriageActions:
        """The part wired from the services it uses."""
        return cls(
            screen,
            triage=services.triage,
            contributions=services.contributions,
            config=services.config,
            reviewer=services.reviewer,
            read_only=services.read_only,
            build=screen_builder(services),
            target=target,
            after_change=after_change,
            clear_marks=clear_marks,
        )

    @property
    def app(self) -> App:
        return self.screen.app

    def current_id(self) -> int | None:
        ids, bulk = self.target()
        return ids[0] if ids and not bulk else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Theme keys exist for 9 themes; only those of the consultation are live.
        if action == "toggle_theme" and parameters:
            return int(parameters[0]) < len(self.config.themes)  # type: ignore[arg-type]
        return True

    # -- plumbing -------------------------------------------------------------
    def _run(self, label: str, fn: Callable[[], ChangeSet | None]) -> ChangeSet | None:
        try:
            changeset = fn()
        except (AssisesError, StoreError) as exc:
            self.app.notify(str(exc), severity="error", markup=False)
            return None
        if changeset is not None and len(changeset):
            self.app.notify(f"{label} : {describe(changeset)}", markup=False, timeout=3)
        elif changeset is not None:
            self.app.notify(f"{label} : rien n'a changé.", markup=False, timeout=2)
        self.after_change(changeset)
        return changeset

    def _writable(self) -> bool:
        return writable(self.app, self.read_only)

    def _with_targets(
        self,
        label: str,
        apply: Callable[[list[int]], ChangeSet],
        changing: Callable[[list[int]], int] | None = None,
    ) -> None:
        """Apply to the current row, or to the marked set after a confirmation."""
        if not self._writable():
            return
        ids, bulk = self.target()
        if not ids:
            self.app.notify("Aucune contribution sélectionnée.", markup=False, timeout=2)
            return
        if not bulk:
            self._run(label, lambda: apply(ids))
            return
        frozen = list(ids)  # the marked set as it is now: later marks do not join
        n_change = changing(frozen) if changing else len(frozen)
        message = (
            f"{plural(len(frozen), 'contribution marquée', 'contributions marquées')} ; "
            f"{plural(n_change, 'changera', 'changeront')}. Annulable avec u."
        )

        def done(ok: bool | None) -> None:
            if ok and self._run(label, lambda: apply(frozen)) is not None:
                # Applied: the next key acts on the row under the cursor again, not on
                # the same marked contributions.
                self.clear_marks()

        self.app.push_screen(ConfirmScreen(f"{label} ?", message, yes="Appliquer"), done)

    def _count(self, ids: list[int], predicate) -> int:
        get = self.contributions.get
        return sum(1 for i in ids if (c := get(i)) is not None and predicate(c))

    # -- actions ---------------------------------------------------------------
    def action_status(self, status: str) -> None:
        value = Status(status)
        self._with_targets(
            f"Statut « {STATUS_LABELS[value]} »",
            lambda ids: self.triage.set_status(ids, value),
            lambda ids: self._count(ids, lambda c: c.status != value),
        )

    def action_toggle_theme(self, index: int) -> None:
        themes = self.config.themes
        if index >= len(themes):
            return
        theme = themes[index]
        ids = self.target()[0]
        # Toggled as a whole: removed when every target has it, else added where missing.
        removing = bool(ids) and self._count(ids, lambda c: theme.key in c.themes) == len(ids)

        def changing(ids: list[int]) -> int:
            has = self._count(ids, lambda c: theme.key in c.themes)
            return has if removing else len(ids) - has

        self._with_targets(
            f"Thème « {theme.label} » {'retiré' if removing else 'ajouté'}",
            lambda ids: self.triage.toggle_theme(ids, theme.key),
            changing,
        )

    def action_not_contribution(self) -> None:
        if not self._writable() or not self.target()[0]:
            return

        def got(reason: str | None) -> None:
            if reason is None:
                return
            self._with_targets(
                "Hors contribution",
                lambda ids: self.triage.mark_not_contribution(ids, reason),
                lambda ids: self._count(ids, lambda c: c.status != Status.NOT_CONTRIBUTION),
            )

        self.app.push_screen(
            TextPrompt(
                "Pourquoi n'est-ce pas une contribution ?",
                placeholder="réponse automatique, publicité, message vide…",
            ),
            got,
        )

    def action_assign(self) -> None:
        if not self._writable() or not self.target()[0]:
            return

        def got(who: str | None) -> None:
            if who is None:
                return
            self._with_targets(
                "Attribution",
                lambda ids: self.triage.assign(ids, who),
                lambda ids: self._count(ids, lambda c: c.assignee != who.strip()),
            )

        self.app.push_screen(
            TextPrompt(
                "Attribuer à (laisser vide pour retirer l'attribution) :",
                value=self.reviewer,
            ),
            got,
        )

    def _single(self) -> int | None:
        cid = self.current_id()
        if cid is None:
            ids, bulk = self.target()
            if bulk:
                self.app.notify(
                    "Cette action porte sur une seule contribution : effacez les marques (E).",
                    markup=False,
                )
        return cid

    def action_duplicate(self) -> None:
        if not self._writable() or (cid := self._single()) is None:
            return
        contributions = self.contributions

        def check(value: str) -> str | None:
            value = value.strip().lstrip("#n°").strip()
            if not value.isdigit():
                return "Indiquez un numéro de contribution."
            if int(value) == cid:
                return "Une contribution ne peut pas être le doublon d'elle-même."
            if not contributions.exists(int(value)):
                return f"La contribution n° {value} n'existe pas."
            return None

        def got(value: str | None) -> None:
            if value is None:
                return
            of_id = int(value.strip().lstrip("#n°").strip())
            self._run("Doublon", lambda: self.triage.mark_duplicate(cid, of_id))

        self.app.push_screen(
            TextPrompt(f"La contribution n° {cid} est un doublon du n° :", validate=check), got
        )

    def action_note(self) -> None:
        if not self._writable() or (cid := self._single()) is None:
            return

        def got(text: str | None) -> None:
            if text and text.strip():
                self._run("Note", lambda: self.triage.add_note(cid, text))

        self.app.push_screen(TextPrompt(f"Note sur la contribution n° {cid} :"), got)

    def action_toggle_late(self) -> None:
        if not self._writable() or (cid := self._single()) is None:
            return
        item = self.contributions.get(cid)
        if item is None:
            return
        late = not item.late
        verdict = "hors délai" if late else "dans les délais"

        def done(ok: bool | None) -> None:
            if ok:
                self._run("Retard", lambda: self.triage.set_late(cid, late))

        self.app.push_screen(
            ConfirmScreen(
                f"Classer le n° {cid} {verdict} ?",
                "La date limite fixe ce classement à l'import ; le changer à la main est "
                "inscrit dans l'historique (annulable avec u).",
                yes="Classer",
            ),
            done,
        )

    def action_set_date(self) -> None:
        if not self._writable() or (cid := self._single()) is None:
            return
        item = self.contributions.get(cid)
        tz = self.config.tz
        current = item.received_at.astimezone(tz) if item and item.received_at else None

        def parse(value: str) -> datetime | None:
            for pattern in ("%d/%m/%Y %H:%M", "%d/%m/%Y"):
                try:
                    return datetime.strptime(value.strip(), pattern).replace(tzinfo=tz)
                except ValueError:
                    continue
            return None

        def got(value: str | None) -> None:
            if value is None:
                return
            when = parse(value)
            if when is not None:
                self._run("Date", lambda: self.triage.set_date(cid, when))

        self.app.push_screen(
            TextPrompt(
                f"Date de réception de la contribution n° {cid} (JJ/MM/AAAA HH:MM) :",
                value=current.strftime("%d/%m/%Y %H:%M") if current else "",
                validate=lambda v: None if parse(v) else "Format attendu : 13/01/2020 14:02.",
            ),
            got,
        )

    def action_undo(self) -> None:
        if not self._writable():
            return
        if not self.triage.can_undo:
            self.app.notify("Rien à annuler.", markup=False, timeout=2)
            return
        self._run("Annulé", self.triage.undo)

    # -- other people's screens, imported only when asked for --------------------
    def action_tags(self) -> None:
        if not self._writable():
            return
        ids, _bulk = self.target()
        if not ids:
            return
        from assises_tui.screens.tag_picker import TagPickerScreen

        self.app.push_screen(
            self.build(TagPickerScreen, list(ids)), lambda _changed: self.after_change(None)
        )

    def action_excerpt(self) -> None:
        cid = self._single()
        if cid is None:
            return
        from assises_tui.screens.excerpt import ExcerptScreen

        self.app.push_screen(
            self.build(ExcerptScreen, cid), lambda _result: self.after_change(None)
        )
