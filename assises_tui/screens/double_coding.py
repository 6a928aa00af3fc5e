"""Double coding: a second reviewer codes a sample blind, then the agreement report.

The screen never shows the first coder's themes (nor suggestions, which learn from them).
The second coding is stored apart (``agreement.DoubleCoding``), not on the records.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from assises_tui.analysis.agreement import AgreementReport, format_kappa, percent
from assises_tui.errors import AssisesError, StoreError
from assises_tui.keymap import AGREEMENT_REPORT_SCREEN_BINDINGS, DOUBLE_CODING_SCREEN_BINDINGS
from assises_tui.screens.prompts import TextPrompt
from assises_tui.services.tagging import display_text
from assises_tui.text.safe import one_line


def report_text(report: AgreementReport, labels: dict[str, str]) -> Text:
    text = Text()
    text.append(f"Échantillon : {report.sample_size} · recodées : {report.coded}\n\n", "bold")
    if report.coded == 0:  # percentages of nothing would mislead
        text.append(
            "Rien à comparer : « s » tire un échantillon, puis le second relecteur "
            "coche les thèmes de chaque contribution (Ctrl+S)."
        )
        return text
    for t in report.themes:
        kappa = format_kappa(t.kappa)
        text.append(f"{t.label}\n", "bold")
        text.append(
            f"  kappa {kappa} · accord observé {percent(t.observed)}"
            f" · attendu {percent(t.expected)}"
            f" · les deux {t.both}, 1er seul {t.first_only}, 2e seul {t.second_only}\n"
        )
    if report.pooled and report.pooled.kappa is not None:
        pooled = format_kappa(report.pooled.kappa)
        text.append(f"\nTous thèmes confondus : kappa {pooled}\n", "bold")
    text.append("\nDésaccords à trancher :\n", "bold")
    if not report.disagreements:
        text.append("  aucun\n", "italic")
    for d in report.disagreements:
        who = "1er codeur seulement" if d.first else "2e codeur seulement"
        text.append(f"  n° {d.id} — {labels.get(d.theme, d.theme)} : {who}\n")
    return text


class AgreementReportScreen(ModalScreen[None]):
    TITLE = HELP_TITLE = "Rapport d'accord"  # the header's and the help's title
    DEFAULT_CSS = """
    AgreementReportScreen { align: center middle; }
    AgreementReportScreen > VerticalScroll {
        width: 90%; height: 90%; border: thick $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = AGREEMENT_REPORT_SCREEN_BINDINGS

    def __init__(self, text: Text) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.text, markup=False, id="agreement-report")

    def action_close(self) -> None:
        self.dismiss(None)


class DoubleCodingScreen(Screen[None]):
    TITLE = HELP_TITLE = "Double codage"  # the header's and the help's title
    DEFAULT_CSS = """
    DoubleCodingScreen #dc-title { height: 1; background: $primary; text-style: bold;
                                   padding: 0 1; }
    DoubleCodingScreen #dc-body { height: 1fr; }
    DoubleCodingScreen #dc-themes { height: auto; max-height: 8; }
    """
    BINDINGS = DOUBLE_CODING_SCREEN_BINDINGS

    def __init__(self, services) -> None:
        super().__init__()
        self.services = services
        self.dc = services.double_coding
        self.ids = self.dc.sample_ids()
        self.index = 0

    def compose(self) -> ComposeResult:
        yield Static("", markup=False, id="dc-title")
        yield TextArea("", read_only=True, id="dc-body")
        yield SelectionList[str](id="dc-themes")
        # Compact and without the palette hint, as in the inbox: more keys fit in 80 columns.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.show()

    @property
    def cid(self) -> int | None:
        return self.ids[self.index] if self.ids else None

    def show(self) -> None:
        title = self.query_one("#dc-title", Static)
        body = self.query_one("#dc-body", TextArea)
        themes = self.query_one("#dc-themes", SelectionList)
        themes.clear_options()
        cid = self.cid
        if cid is None:
            title.update("Double codage — aucun échantillon : « s » pour en tirer un")
            body.load_text("")
            return
        item = self.services.contributions.get(cid)
        second = self.dc.second_themes(cid)
        state = "déjà recodée" if second is not None else "à coder"
        subject = one_line(item.subject, 50) if item else ""
        title.update(
            f"Double codage {self.index + 1}/{len(self.ids)} — n° {cid} {subject} ({state})"
        )
        body.load_text(self.coding_text(cid))
        themes.add_options(
            Selection(t.label, t.key, t.key in (second or set()))
            for t in self.services.config.themes
        )
        themes.highlighted = 0
        themes.focus()

    def coding_text(self, cid: int) -> str:
        """The body and then each attachment's text: many letters come as an attachment
        behind a two-line e-mail, and the second coder must read what the first one read."""
        parts = [display_text(self.services.contributions.body_text(cid))]
        for name, text in self.services.contributions.attachment_texts(cid):
            parts.append(f"── Pièce jointe : {one_line(name, 80)} ──\n\n{display_text(text)}")
        return "\n\n".join(parts)

    def action_move(self, step: int) -> None:
        if self.ids:
            self.index = (self.index + step) % len(self.ids)
            self.show()

    def action_save(self) -> None:
        if self.cid is None:
            return
        chosen = self.query_one("#dc-themes", SelectionList).selected
        try:
            self.dc.code(self.cid, chosen)
        except (AssisesError, StoreError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"Codage enregistré pour le n° {self.cid}.", markup=False)
        if self.index + 1 < len(self.ids):
            self.action_move(1)
        else:
            self.show()

    def action_sample(self) -> None:
        def done(value: str | None) -> None:
            if value is None:  # Escape
                return
            parts = value.split()
            try:
                n = int(parts[0])
                seed = int(parts[1]) if len(parts) > 1 else 1
                self.ids = self.dc.draw_sample(n, seed)
            except (ValueError, IndexError):
                self.notify(
                    "Indiquez une taille, puis éventuellement une graine : « 30 7 ».",
                    severity="error",
                    markup=False,
                )
                return
            except (AssisesError, StoreError) as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.index = 0
            self.show()
            if len(self.ids) < n:  # fewer coded contributions than asked for: say so
                self.notify(
                    f"Échantillon de {len(self.ids)} contribution(s) seulement : "
                    f"c'est tout ce qui est déjà codé (demandé : {n}).",
                    severity="warning",
                    markup=False,
                )

        self.app.push_screen(
            TextPrompt("Taille de l'échantillon et graine", placeholder="30 7"), done
        )

    def action_report(self) -> None:
        labels = {t.key: t.label for t in self.services.config.themes}
        self.app.push_screen(AgreementReportScreen(report_text(self.dc.report(), labels)))

    def action_close(self) -> None:
        self.dismiss(None)
