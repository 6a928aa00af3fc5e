"""The drafting screen: outline · Markdown editor · the current theme's material.

The editor is a TextArea (Markdown highlighting through tree-sitter, soft wrap, undo).
Beside it, for the theme whose section holds the cursor: its excerpts (space marks one,
enter quotes it with its citation, c/p or F9/F10 start a constat/proposition from the
marked ones) and the contributions tagged with it (enter opens one, i cites it). The
outline lists headings and each constat/proposition with how many distinct contributions
support it. Autosave is debounced; every save is a version (F8 lists, compares and restores them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from assises_tui.errors import AssisesError
from assises_tui.keymap import SYNTHESIS_SCREEN_BINDINGS
from assises_tui.screens.department_filter import DepartmentFilter
from assises_tui.screens.synthesis_material import ExcerptList, MaterialPanel, ThemeContributions
from assises_tui.synthesis.draft import (
    add_point,
    citation_at,
    format_citation,
    outline,
)
from assises_tui.text.safe import one_line, printable
from assises_tui.widgets.draft_editor import DraftEditor

if TYPE_CHECKING:
    from assises_tui.domain.models import Excerpt
    from assises_tui.services.session import Services

AUTOSAVE_SECONDS = 3.0
OUTLINE_SECONDS = 0.3


class SynthesisScreen(DepartmentFilter, MaterialPanel, Screen[None]):
    TITLE = HELP_TITLE = "Synthèse"  # the header's and the help's title
    #: Printable keys type text here: help is F1 (« ? » is a question mark in a draft).
    TYPING = True
    CSS_PATH = "synthesis.tcss"
    autosave_seconds = AUTOSAVE_SECONDS  # tests shorten it
    AUTO_FOCUS = "#draft"
    BINDINGS = SYNTHESIS_SCREEN_BINDINGS

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.synthesis = services.synthesis
        self.theme: str | None = None
        self.excerpts: list[tuple[int, Excerpt]] = []
        self.marked: list[tuple[int, str]] = []  # (contribution id, excerpt id), in order
        self.saved_text = ""
        self.latest_text = ""  # kept here too: saved on unmount, when widgets may be gone
        self._autosave: Timer | None = None
        self._outline_timer: Timer | None = None

    # -- layout ---------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="synthesis-title", markup=False)
        with Horizontal(id="synthesis-body"):
            yield OptionList(id="outline")
            yield DraftEditor(
                "", id="draft", language=self._language(), soft_wrap=True, tab_behavior="focus"
            )
            with Vertical(id="material"):
                yield Static("", id="theme-label", markup=False)
                yield ExcerptList(id="excerpts")
                yield Static("Contributions du thème", classes="material-title", markup=False)
                yield ThemeContributions(id="contributions")
        yield Static("", id="synthesis-status", markup=False)
        # Compact and without the palette hint, as in the inbox: more keys fit in 80 columns.
        yield Footer(compact=True, show_command_palette=False)

    def _title(self) -> str:
        c = self.services.config
        if self.synthesis.department:  # a national roll-up, scoped to one département
            return one_line(
                f"Synthèse — {c.title} — département : {self.synthesis.department}", 200
            )
        return one_line(f"Synthèse — {c.title} ({c.department})", 200)

    def show_department(self, name: str | None) -> None:
        """Figures, charts, material and exports of one département (None: all of them)."""
        self.department = self.synthesis.scope_to(name)
        self.query_one("#synthesis-title", Static).update(self._title())
        self.refresh_theme(force=True)
        self._status(f"Chiffres et matériau : {name or 'tous les départements'}.")

    def _language(self) -> str | None:
        # Markdown highlighting needs tree-sitter; without it the editor stays plain text.
        return "markdown" if "markdown" in TextArea().available_languages else None

    def on_mount(self) -> None:
        self.outline_view.border_title = "Plan"
        self.set_department_names(self.synthesis.departments())
        self.department = self.synthesis.department
        self.editor.border_title = "Brouillon"
        self.query_one("#excerpts").border_title = "Extraits"
        # A draft edited outside the app may hold control characters: never shown raw.
        text = printable(self.synthesis.load())
        self.saved_text = text if self.synthesis.versions.current() is not None else ""
        with self.prevent(TextArea.Changed):
            self.editor.load_text(text)
        self.latest_text = text
        self.refresh_outline()
        self.refresh_theme(force=True)
        self._status("Prêt." if self.saved_text else "Nouveau brouillon (modèle) : non enregistré.")
        self.on_resize()

    def on_resize(self, event=None) -> None:
        # Below 150 columns the outline is hidden (Ctrl+O shows it): at 120 the editor
        # keeps ~85 columns instead of ~46 between the outline and the material.
        self.set_class(self.size.width < 150, "narrow")

    def on_screen_resume(self) -> None:
        # Back from a contribution opened here: its excerpts or themes may have changed
        # (x and t work in the reader), so the side panel is read again.
        if self.is_mounted and self.editor.is_mounted:
            self.refresh_theme(force=True)

    @property
    def editor(self) -> TextArea:
        return self.query_one("#draft", TextArea)

    @property
    def outline_view(self) -> OptionList:
        return self.query_one("#outline", OptionList)

    # -- editing events -------------------------------------------------------
    @on(TextArea.Changed, "#draft")
    def _changed(self) -> None:
        self.latest_text = self.editor.text
        dirty = self.latest_text != self.saved_text
        self._status("Modifié — enregistrement automatique…" if dirty else "Enregistré.")
        for timer in (self._autosave, self._outline_timer):
            if timer is not None:
                timer.stop()
        self._outline_timer = self.set_timer(OUTLINE_SECONDS, self.refresh_outline)
        if dirty and not self.services.read_only:
            self._autosave = self.set_timer(self.autosave_seconds, self.save_now)

    @on(TextArea.SelectionChanged, "#draft")
    def _moved(self) -> None:
        self.refresh_theme()

    def save_now(self) -> bool:
        text = self.editor.text
        if text == self.saved_text:
            return True
        try:
            version = self.synthesis.save(text)
        except (AssisesError, OSError) as exc:
            self._status(f"Échec de l'enregistrement : {exc}")
            self.notify(str(exc), severity="error", markup=False)
            return False
        self.saved_text = text
        self._status(f"Enregistré (version {version.id})." if version else "Enregistré.")
        return True

    # -- outline and material ---------------------------------------------------
    def refresh_outline(self) -> None:
        result = outline(self.editor.text, self.services.config)
        entries: list[tuple[int, Text]] = []
        indent = "\u00a0\u00a0"  # no-break spaces: the option list keeps them when wrapping
        for h in result.headings:
            style = "bold" if h.level <= 2 else ""
            title = one_line(h.title, 40)
            entries.append((h.line, Text(indent * max(0, h.level - 2) + title, style=style)))
        for p in result.points:
            mark = "C" if p.kind == "constat" else "P"
            label = Text(f"{indent * 2}{mark}\u00a0", style="bold")
            label.append(f"{p.support}\u00a0✉\u00a0", style="cyan" if p.support else "red")
            label.append(one_line(printable(p.text), 40))
            entries.append((p.line, label))
        entries.sort(key=lambda e: e[0])
        view = self.outline_view
        highlighted = view.highlighted
        view.clear_options()
        view.add_options([Option(label, id=f"line-{line}") for line, label in entries])
        if highlighted is not None and view.option_count:
            view.highlighted = min(highlighted, view.option_count - 1)

    # -- actions ------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#outline")
    def _go_to_line(self, event: OptionList.OptionSelected) -> None:
        line = int((event.option.id or "line-1").split("-")[1])
        self.editor.move_cursor((line - 1, 0), center=True)
        self.editor.focus()

    @on(OptionList.OptionSelected, "#excerpts")
    def _excerpt_chosen(self) -> None:
        self.action_quote_excerpt()

    @on(OptionList.OptionSelected, "#contributions")
    def _contribution_chosen(self, event: OptionList.OptionSelected) -> None:
        if (event.option.id or "").isdigit():
            self.open_contribution(int(event.option.id))

    def action_new_point(self, kind: str) -> None:
        chosen = [(cid, e) for cid, e in self.excerpts if (cid, e.id) in self.marked]
        if not chosen:
            self.notify(
                "Marquez d'abord des extraits (espace ou F4), puis F9 ou F10.", severity="warning"
            )
            return
        theme = self.theme or chosen[0][1].theme.split("/")[0]
        first = " ".join(printable(chosen[0][1].text).split())
        body = first if len(first) <= 140 else first[:139] + "…"
        ids = [cid for cid, _e in chosen]
        new_text, line = add_point(self.editor.text, self.services.config, theme, kind, body, ids)
        self.replace_text(new_text)
        self.editor.move_cursor((line - 1, 2), center=True)
        self.marked.clear()
        self._fill_excerpts()
        self.editor.focus()
        done = "Constat ajouté" if kind == "constat" else "Proposition ajoutée"
        self.notify(f"{done} avec {format_citation(ids)}.", markup=False)

    def replace_text(self, new_text: str) -> None:
        """Apply ``new_text`` as one undoable edit of the changed middle part."""
        old = self.editor.text
        start = 0
        limit = min(len(old), len(new_text))
        while start < limit and old[start] == new_text[start]:
            start += 1
        end_old, end_new = len(old), len(new_text)
        while end_old > start and end_new > start and old[end_old - 1] == new_text[end_new - 1]:
            end_old -= 1
            end_new -= 1
        doc = self.editor.document
        self.editor.replace(
            new_text[start:end_new],
            doc.get_location_from_index(start),
            doc.get_location_from_index(end_old),
            maintain_selection_offset=False,
        )

    def action_open_citation(self) -> None:
        index = self.editor.document.get_index_from_location(self.editor.cursor_location)
        citation = citation_at(self.editor.text, index)
        if citation is None:
            self.notify("Le curseur n'est pas sur une citation [#…].", severity="warning")
            return
        self.open_contribution(citation.ids[0])

    def open_contribution(self, cid: int) -> None:
        if self.synthesis.contribution(cid) is None:
            self.notify(f"La contribution n° {cid} n'existe pas.", severity="error")
            return
        try:
            from assises_tui.screens.reader import ReaderScreen
        except ImportError:  # reader not available: say so rather than fail
            self.notify(f"Lecteur indisponible pour la contribution n° {cid}.")
            return
        self.app.push_screen(ReaderScreen(self.services, cid))

    def action_preview(self) -> None:
        from assises_tui.screens.preview import PreviewScreen

        self.app.push_screen(PreviewScreen(self.services, self.editor.text), self._go_to_line)

    def _go_to_line(self, line: int | None) -> None:
        """Back from the preview on a check finding: the cursor on its line."""
        if line is None:
            return
        row = max(0, min(line - 1, self.editor.document.line_count - 1))
        self.editor.move_cursor((row, 0), center=True)
        self.editor.focus()

    def action_versions(self) -> None:
        from assises_tui.screens.synthesis_versions import VersionsScreen

        if not self.save_now():
            return
        self.app.push_screen(VersionsScreen(self.services), self._restored)

    def _restored(self, text: str | None) -> None:
        if text is None:
            return
        self.saved_text = self.latest_text = text
        with self.prevent(TextArea.Changed):
            self.editor.load_text(text)
        self.refresh_outline()
        self.refresh_theme(force=True)
        self._status("Version restaurée.")

    def action_save(self) -> None:
        self.save_now()

    def action_toggle_outline(self) -> None:
        self.toggle_class("show-outline" if self.has_class("narrow") else "hide-outline")

    def on_unmount(self) -> None:
        # The app may quit before the debounced autosave fires: keep the last keystrokes.
        if self.latest_text != self.saved_text and not self.services.read_only:
            try:
                self.synthesis.save(self.latest_text)
            except (AssisesError, OSError):
                pass  # nowhere left to report it; the previous version is intact

    def action_close(self) -> None:
        if self.save_now() or self.services.read_only:
            self.dismiss(None)

    def _status(self, message: str) -> None:
        ro = " [lecture seule]" if self.services.read_only else ""
        self.query_one("#synthesis-status", Static).update(message + ro)
