"""Excerpts: select a passage of a contribution's body and file it under a theme.

The body is shown in a read-only ``TextArea`` so both the keyboard and the mouse select
text; the selection is read back as character offsets into the stored body text (the shown
text has the same length: unsafe characters are replaced one for one, see
``tagging.display_text``). Keys: j/k next/previous sentence, J/K next/previous paragraph,
+/- extend/shrink by a sentence (Shift+arrows and the mouse also select), f files the
selection with the theme, kind and note of the form below the text.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import Selection

from assises_tui.domain.models import EXCERPT_KINDS
from assises_tui.errors import AssisesError, StoreError
from assises_tui.keymap import EXCERPT_SCREEN_BINDINGS
from assises_tui.screens.prompts import ConfirmScreen
from assises_tui.services.tagging import (
    display_text,
    next_span,
    paragraph_spans,
    previous_span,
    sentence_spans,
    signature_start,
)
from assises_tui.text.safe import one_line
from assises_tui.widgets.suggestions import SuggestionBar


class ExcerptScreen(Screen[bool]):
    TITLE = HELP_TITLE = "Extraits"  # the header's and the help's title
    CSS_PATH = "excerpt.tcss"
    BINDINGS = EXCERPT_SCREEN_BINDINGS

    def __init__(self, services, contribution_id: int) -> None:
        super().__init__()
        self.services = services
        self.cid = contribution_id
        self.body = services.contributions.body_text(contribution_id)
        item = self.item = services.contributions.get(contribution_id)
        privacy = services.privacy
        # Pseudonymised: the text is shown masked; selections map back to the stored body's
        # offsets, so excerpts stay exact whoever files them.
        self.masked = privacy.masking(item, self.body) if item else None
        shown = self.masked.text if self.masked else self.body
        self.shown_body = display_text(shown)
        # The attachments' text follows the body, to be read (a letter is often attached);
        # excerpts are offsets into the body, so they are taken from the body only.
        self.attached = "".join(
            f"\n\n── Pièce jointe : {one_line(self._shown(name), 80)} (lecture seule) ──\n\n"
            + display_text(self._shown(text))
            for name, text in services.contributions.attachment_texts(contribution_id)
        )
        self.sentences = sentence_spans(self.body)
        self.paragraphs = paragraph_spans(self.body)
        self.signature = signature_start(self.body)
        self.changed = False
        self.subject = one_line(self._shown(item.subject), 70) if item else ""

    def _shown(self, text: str) -> str:
        return self.services.privacy.display_text(self.item, text) if self.item else text

    # -- layout --------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(f"Extraits — n° {self.cid} · {self.subject}", markup=False, id="excerpt-title")
        yield TextArea(
            self.shown_body + self.attached, read_only=True, soft_wrap=True, id="excerpt-body"
        )
        # Only "a" is shown: on this screen 1/2/3 choose the excerpt's kind, not a suggestion.
        yield SuggestionBar(self.services, self.cid, keys=("a",), id="excerpt-suggestions")
        with Horizontal(id="excerpt-form"):
            yield Select(
                self.theme_options(),
                allow_blank=False,
                value=self.default_theme(),
                id="excerpt-theme",
            )
            yield Select(
                [(label, key) for key, label in EXCERPT_KINDS.items()],
                allow_blank=False,
                value="constat",
                id="excerpt-kind",
            )
            yield Input(placeholder="Note (facultative)", id="excerpt-note")
        yield OptionList(id="excerpt-list", markup=False)
        # Compact and without the palette hint, as in the inbox: more keys fit in 80 columns.
        yield Footer(compact=True, show_command_palette=False)

    def theme_options(self) -> list[tuple[str, str]]:
        codebook = self.services.tagging.codebook
        return [(codebook.label(key), key) for key in codebook.active_keys()]

    def default_theme(self) -> str:
        item = self.services.contributions.get(self.cid)
        keys = self.services.tagging.codebook.active_keys()
        for key in item.themes if item else ():
            if key in keys:
                return key
        best = self.services.suggester.suggest(self.cid, exclude_tagged=False, train=False)
        return best[0].theme if best and best[0].theme in keys else keys[0]

    def on_mount(self) -> None:
        self.query_one("#excerpt-body", TextArea).focus()
        self.reload_excerpts()

    def reload_excerpts(self) -> None:
        lst = self.query_one("#excerpt-list", OptionList)
        previous = lst.highlighted
        lst.clear_options()
        item = self.services.contributions.get(self.cid)
        label = self.services.tagging.label
        for e in item.excerpts if item else ():
            line = Text(f"{EXCERPT_KINDS.get(e.kind, e.kind)} · ", style="bold")
            line.append(one_line(label(e.theme), 30) + " · ")
            line.append("« " + one_line(self._shown(e.text), 70) + " »")
            if e.note:
                line.append(" — " + one_line(e.note, 60), style="italic")
            lst.add_option(Option(line, id=e.id))
        if lst.option_count:
            # Always a highlighted row: "x" right after Tab deletes it instead of nothing.
            lst.highlighted = min(previous or 0, lst.option_count - 1)
        else:
            lst.add_option(
                Option(Text("Aucun extrait pour l'instant.", style="italic"), disabled=True)
            )

    # -- selection <-> offsets -----------------------------------------------
    @property
    def area(self) -> TextArea:
        return self.query_one("#excerpt-body", TextArea)

    def selected_offsets(self) -> tuple[int, int]:
        """The selection as offsets into the stored body (beyond its length: attachments)."""
        doc = self.area.document
        a, b = self.area.selection
        start, end = sorted((doc.get_index_from_location(a), doc.get_index_from_location(b)))
        return self._to_body(start), self._to_body(end, end=True)

    def select_offsets(self, start: int, end: int) -> None:
        doc = self.area.document
        self.area.selection = Selection(
            doc.get_location_from_index(self._to_shown(start)),
            doc.get_location_from_index(self._to_shown(end, end=True)),
        )
        self.area.scroll_cursor_visible()

    def _to_body(self, shown: int, *, end: bool = False) -> int:
        if shown > len(self.shown_body):  # in the attachments: same distance past the body
            return len(self.body) + shown - len(self.shown_body)
        return self.masked.original(shown, end=end) if self.masked else shown

    def _to_shown(self, body: int, *, end: bool = False) -> int:
        if body > len(self.body):
            return len(self.shown_body) + body - len(self.body)
        return self.masked.offset(body, end=end) if self.masked else body

    def _move(self, spans: list[tuple[int, int]], step: int) -> None:
        start, end = self.selected_offsets()
        span = next_span(spans, start, end) if step > 0 else previous_span(spans, start, end)
        if span is None:
            self.app.bell()
            return
        self.select_offsets(*span)
        self._warn_if_signature(*span)

    def in_signature(self, start: int, end: int) -> bool:
        """The passage reaches the closing formula or the sender's signature."""
        return self.signature is not None and end > self.signature and start < len(self.body)

    def _warn_if_signature(self, start: int, end: int) -> None:
        if self.in_signature(start, end):
            self.notify(
                "Ce passage est dans la formule de politesse ou la signature de "
                "l'expéditeur : ce n'est ni un constat ni une proposition.",
                severity="warning",
                markup=False,
            )

    def action_sentence(self, step: int) -> None:
        self._move(self.sentences, step)

    def action_paragraph(self, step: int) -> None:
        self._move(self.paragraphs, step)

    def action_extend(self, step: int) -> None:
        start, end = self.selected_offsets()
        if start == end:
            self._move(self.sentences, 1)
            return
        if step > 0:
            span = next_span(self.sentences, start, end)
            if span is None:
                self.app.bell()
                return
            self.select_offsets(start, span[1])
            self._warn_if_signature(start, span[1])
        else:
            inside = [(s, e) for s, e in self.sentences if s >= start and e <= end]
            if len(inside) < 2:
                self.app.bell()
                return
            self.select_offsets(start, inside[-2][1])

    # -- filing ----------------------------------------------------------------
    def action_kind(self, kind: str) -> None:
        self.query_one("#excerpt-kind", Select).value = kind

    def action_file(self) -> None:
        start, end = self.selected_offsets()
        if start == end:
            self.notify(
                "Sélectionnez d'abord un passage (j/k, J/K ou la souris).",
                severity="warning",
                markup=False,
            )
            return
        if end > len(self.body):
            self.notify(
                "Un extrait se prend dans le corps du message, pas dans une pièce "
                "jointe : recopiez le passage dans la synthèse avec sa référence.",
                severity="warning",
                markup=False,
            )
            return
        if self.in_signature(start, end):
            self.app.push_screen(
                ConfirmScreen(
                    "Classer un passage de la signature ?",
                    "Le passage sélectionné déborde sur la formule de politesse ou la "
                    "signature de l'expéditeur (son nom, ses coordonnées).",
                    yes="Classer quand même",
                ),
                lambda sure: self._file(start, end) if sure else None,
            )
            return
        self._file(start, end)

    def _file(self, start: int, end: int) -> None:
        theme = self.query_one("#excerpt-theme", Select).value
        kind = self.query_one("#excerpt-kind", Select).value
        note_input = self.query_one("#excerpt-note", Input)
        try:
            self.services.tagging.add_excerpt(
                self.cid, start, end, str(theme), str(kind), note_input.value
            )
        except (AssisesError, StoreError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.changed = True
        note_input.value = ""
        self.reload_excerpts()
        self.query_one(SuggestionBar).reload()
        label = self.services.tagging.label(str(theme))
        self.notify(f"Extrait classé : {EXCERPT_KINDS[str(kind)]} · {label}", markup=False)
        self.area.focus()

    @on(Input.Submitted, "#excerpt-note")
    def note_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_file()

    def action_delete_excerpt(self) -> None:
        lst = self.query_one("#excerpt-list", OptionList)
        if self.focused is not lst:
            self.notify(
                "Pour supprimer un extrait : Tab jusqu'à la liste des extraits, puis x.",
                markup=False,
            )
            return
        if lst.highlighted is None:
            return
        option = lst.get_option_at_index(lst.highlighted)
        if not option.id:
            return
        excerpt_id = option.id

        def delete(sure: bool | None) -> None:
            if not sure:
                return
            try:
                self.services.tagging.remove_excerpt(self.cid, excerpt_id)
            except (AssisesError, StoreError) as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.changed = True
            self.reload_excerpts()

        self.app.push_screen(
            ConfirmScreen(
                "Supprimer cet extrait ?",
                Text(str(option.prompt)),
                yes="Supprimer",
            ),
            delete,
        )

    def action_accept_suggestion(self) -> None:
        if self.query_one(SuggestionBar).accept(0):
            self.changed = True

    @on(SuggestionBar.Accepted)
    def suggestion_accepted(self, _event: SuggestionBar.Accepted) -> None:
        self.changed = True

    def action_close(self) -> None:
        self.dismiss(self.changed)
