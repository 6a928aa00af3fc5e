"""Small modals: confirm, ask for a line of text, pick one item of a list.

Labels shown here may contain untrusted text (a saved search name, a sender): they are
always passed as ``Text``/``markup=False``, never as markup strings.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from assises_tui.keymap import CHOICE_SCREEN_BINDINGS, CONFIRM_SCREEN_BINDINGS, TEXT_PROMPT_BINDINGS

PROMPT_CSS = """
ConfirmScreen, TextPrompt, ChoiceScreen { align: center middle; }
ConfirmScreen > Vertical, TextPrompt > Vertical, ChoiceScreen > Vertical {
    width: 70; max-width: 95%; height: auto; max-height: 90%;
    border: thick $primary; background: $surface; padding: 1 2;
}
ConfirmScreen .prompt-title, TextPrompt .prompt-title, ChoiceScreen .prompt-title {
    text-style: bold; margin-bottom: 1;
}
ConfirmScreen Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
ConfirmScreen Button { margin-left: 2; }
TextPrompt .prompt-help, ChoiceScreen .prompt-help { color: $text-muted; margin-top: 1; }
TextPrompt .prompt-error { color: $error; }
ChoiceScreen OptionList { height: auto; max-height: 20; }
"""


class ConfirmScreen(ModalScreen[bool]):
    """Yes/no; Enter or ``o`` confirms, Escape or ``n`` cancels."""

    HELP_TITLE = "Confirmation"  # the help screen's title

    DEFAULT_CSS = PROMPT_CSS
    BINDINGS = CONFIRM_SCREEN_BINDINGS

    def __init__(self, title: str, message: str | Text = "", yes: str = "Confirmer") -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, markup=False, classes="prompt-title")
            if self.message:
                yield Static(self.message, markup=False)
            with Horizontal():
                yield Button("Annuler (n)", id="no")
                yield Button(f"{self.yes} (o)", id="yes", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class TextPrompt(ModalScreen[str | None]):
    """One line of text; Enter validates (``validate`` may refuse with a French sentence)."""

    HELP_TITLE = "Saisie"  # the help screen's title

    DEFAULT_CSS = PROMPT_CSS
    BINDINGS = TEXT_PROMPT_BINDINGS

    def __init__(
        self,
        title: str,
        *,
        value: str = "",
        placeholder: str = "",
        help_text: str = "",
        validate=None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.help_text = help_text
        self.validate_value = validate

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, markup=False, classes="prompt-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label("", markup=False, classes="prompt-error", id="prompt-error")
            yield Static(
                self.help_text or "Entrée : valider · Échap : annuler",
                markup=False,
                classes="prompt-help",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value
        if self.validate_value is not None:
            problem = self.validate_value(value)
            if problem:
                self.query_one("#prompt-error", Label).update(problem)
                return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[Any]):
    """Pick one item; each item is (value, label). Enter picks, Escape cancels. With
    ``numbered``, the labels say « 1. … » and the digit 1 to 9 picks that item at once."""

    HELP_TITLE = "Choix"  # the help screen's title

    DEFAULT_CSS = PROMPT_CSS
    BINDINGS = CHOICE_SCREEN_BINDINGS

    def __init__(
        self,
        title: str,
        items: list[tuple[Any, str | Text]],
        *,
        current: Any = None,
        help_text: str = "",
        empty: str = "Rien à choisir.",
        numbered: bool = False,
    ) -> None:
        super().__init__()
        self.numbered = numbered
        self.title_text = title
        self.items = items
        self.current = current
        self.help_text = help_text
        self.empty = empty

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, markup=False, classes="prompt-title")
            if not self.items:
                yield Static(self.empty, markup=False)
            options = [
                Option(label if isinstance(label, Text) else Text(label), id=str(i))
                for i, (_value, label) in enumerate(self.items)
            ]
            yield OptionList(*options, id="choices", markup=False)
            default_help = (
                "1 à 9 ou Entrée : choisir · Échap : annuler"
                if self.numbered
                else "Entrée : choisir · Échap : annuler"
            )
            yield Static(
                self.help_text or default_help,
                markup=False,
                classes="prompt-help",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        for i, (value, _label) in enumerate(self.items):
            if value == self.current:
                options.highlighted = i
                break

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.items[int(event.option.id or 0)][0])

    def on_key(self, event) -> None:
        if self.numbered and event.character and event.character in "123456789":
            index = int(event.character) - 1
            if index < len(self.items):
                event.stop()
                self.dismiss(self.items[index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
