"""A one-line bar of theme suggestions for one contribution, with keys to accept them.

``a`` (or ``1``) accepts the best suggestion, ``2``/``3`` the next ones; the bar applies the
theme through ``services.tagging`` (undoable, in the record's history) and posts
:class:`SuggestionBar.Accepted`. The keys work when the bar has focus; a screen that keeps
focus elsewhere binds its own key to :meth:`SuggestionBar.accept`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static

from assises_tui.errors import AssisesError, StoreError
from assises_tui.keymap import SUGGESTION_BAR_BINDINGS
from assises_tui.suggest import Suggestion
from assises_tui.text.safe import one_line


class SuggestionBar(Static, can_focus=True):
    DEFAULT_CSS = """
    SuggestionBar {
        height: 1;
        padding: 0 1;
        background: $boost;
        color: $text-muted;
    }
    SuggestionBar:focus {
        background: $accent 30%;
        color: $text;
    }
    """
    BINDINGS = SUGGESTION_BAR_BINDINGS

    @dataclass
    class Accepted(Message):
        cid: int
        theme: str

    def __init__(
        self,
        services,
        cid: int | None,
        *,
        limit: int = 3,
        keys: tuple[str, ...] = ("a", "2", "3"),
        **kwargs,
    ) -> None:
        """``keys``: the key shown before each suggestion, as the hosting screen binds them
        (the reader binds only ``y``, its digits being theme keys)."""
        super().__init__("", markup=False, **kwargs)
        self.keys = keys
        self.services = services
        self.cid = cid
        self.limit = limit
        self.suggestions: list[Suggestion] = []

    def on_mount(self) -> None:
        self.reload()

    def set_contribution(self, cid: int | None) -> None:
        self.cid = cid
        self.reload()

    def reload(self) -> None:
        """Recompute now, on the event loop: with the model in use, never training one."""
        self._show(self.cid, self._compute(self.cid, train=False))

    def reload_in_background(self, cid: int | None) -> None:
        """Like :meth:`set_contribution`, computed in a thread: the first call may train
        the model on every tagged record, which must not hold up a key press."""
        self.cid = cid
        self.suggestions = []
        self.update(Text("Suggestions : …", style="italic"))
        self._load(cid)

    @work(thread=True, exclusive=True, group="suggestions", exit_on_error=False)
    def _load(self, cid: int | None) -> None:
        found = self._compute(cid, train=True)
        self.app.call_from_thread(self._show, cid, found)

    def _compute(self, cid: int | None, *, train: bool) -> list[Suggestion]:
        """``train``: in a worker, a first model may be trained (the suggester is
        thread-safe: it swaps whole models in)."""
        if cid is None:
            return []
        return self.services.suggester.suggest(cid, train=train)[: self.limit]

    def _show(self, cid: int | None, found: list[Suggestion]) -> None:
        if cid != self.cid:  # moved on meanwhile: a newer load is coming
            return
        self.suggestions = found
        self.update(self.render_text())

    def render_text(self) -> Text:
        text = Text("Suggestions : ", style="bold")
        if not self.suggestions:
            text.append("aucune", style="italic")
            return text
        labels = self.services.tagging.codebook
        for i, s in enumerate(self.suggestions):
            if i:
                text.append(" · ")
            if i < len(self.keys):
                text.append(f"[{self.keys[i]}] ", style="bold")
            text.append(one_line(labels.label(s.theme), 40))
            text.append(f" {round(s.confidence * 100)} %")
            if s.because:
                text.append(" (" + one_line(", ".join(s.because[:3]), 50) + ")", style="italic")
        return text

    def accept(self, index: int = 0) -> str | None:
        """Tag the contribution with suggestion ``index``; the theme, or None."""
        if self.cid is None or index >= len(self.suggestions):
            self.app.bell()
            return None
        theme = self.suggestions[index].theme
        try:
            self.services.tagging.add([self.cid], theme)
        except (AssisesError, StoreError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return None
        label = self.services.tagging.label(theme)
        self.notify(f"Thème ajouté : {label}", markup=False)
        self.post_message(self.Accepted(self.cid, theme))
        self.reload()
        return theme

    def action_accept(self, index: int) -> None:
        self.accept(index)
