"""Preview of the synthesis as it will be exported, its figures, and the pre-export check.

Tabs: « Aperçu » (the rendered Markdown: citations resolved to pseudonymous references,
figures filled in), « Chiffres » (tables with small bars), « Vérification » (invalid
citations and personal data; ``a`` accepts the highlighted finding, recorded in the audit
trail). Export keys write into the workspace's ``exports/`` folder after the same check as
the command line; in a browser (``assises serve``) the file is then delivered to the browser.
Exporting is for coordinators (``screens/permissions.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Markdown,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option

from assises_tui.errors import AssisesError
from assises_tui.keymap import PREVIEW_SCREEN_BINDINGS
from assises_tui.screens.permissions import coordinator_only
from assises_tui.services.synthesis import ExportBlocked
from assises_tui.synthesis.export_md import to_markdown
from assises_tui.synthesis.figures import bar, week_label
from assises_tui.text.safe import one_line, printable

if TYPE_CHECKING:
    from assises_tui.services.session import Services
    from assises_tui.services.synthesis import CheckReport


class PreviewScreen(Screen[int | None]):
    """Dismissed with a draft line (1-based) when Enter is pressed on a check finding: the
    editor below puts its cursor there."""

    TITLE = HELP_TITLE = "Aperçu de la synthèse"  # the header's and the help's title
    # The document, not the tab bar: PageDown and the arrows scroll it at once.
    AUTO_FOCUS = "#preview-scroll"
    DEFAULT_CSS = """
    PreviewScreen {
        #preview-status { height: 1; padding: 0 1; background: $boost; }
        #preview-tabs { height: 1fr; }
        TabPane { height: 1fr; padding: 0; }
        #preview-scroll { height: 1fr; }
        #figures-scroll { height: 1fr; }
        .figure-table { height: auto; margin: 0 0 1 0; }
        .figure-title { text-style: bold; padding: 1 1 0 1; }
        #findings { height: 1fr; }
    }
    """
    BINDINGS = PREVIEW_SCREEN_BINDINGS
    #: What gets the focus when a tab is shown (so the arrows scroll or pick at once).
    TAB_FOCUS = {
        "tab-preview": "#preview-scroll",
        "tab-figures": "#figures-scroll",
        "tab-check": "#findings",
    }

    def __init__(self, services: Services, text: str) -> None:
        super().__init__()
        self.services = services
        self.text = text
        self.report: CheckReport | None = None
        self._lines: dict[str, int] = {}
        #: Leave the empty sections out of the exports (the check warns about them).
        self.omit_empty = False

    def compose(self) -> ComposeResult:
        yield Static("", id="preview-status", markup=False)
        with TabbedContent(id="preview-tabs"):
            with TabPane("Aperçu", id="tab-preview"):
                with VerticalScroll(id="preview-scroll"):
                    yield Markdown("", id="preview-md", open_links=False)
            with TabPane("Chiffres", id="tab-figures"):
                yield VerticalScroll(id="figures-scroll")
            with TabPane("Vérification", id="tab-check"):
                yield OptionList(id="findings")
        # Compact and without the palette hint, as in the inbox: more keys fit in 80 columns.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.refresh_check()
        # Building the Markdown widgets takes ~1 s for a full synthesis: done after the
        # first paint so the screen (status, tabs, check) answers at once.
        self.run_worker(self._fill(), exclusive=True, group="preview")

    async def _fill(self) -> None:
        result = self.services.synthesis.render(self.text)
        # The draft file may have been edited outside the app: no control sequence shown.
        shown = printable(to_markdown(result.document))
        await self._fill_figures()
        await self.query_one("#preview-md", Markdown).update(shown)

    async def _fill_figures(self) -> None:
        fig = self.services.synthesis.figures()
        scroll = self.query_one("#figures-scroll", VerticalScroll)
        sections = [
            (
                "Messages reçus",
                [
                    ("Messages reçus", fig.messages),
                    ("Contributions", fig.contributions),
                    ("dont dans les délais", fig.on_time),
                    ("dont hors délai", fig.late),
                    ("Messages sans contribution écartés", fig.not_contributions),
                    ("Doublons écartés", fig.duplicates),
                ],
            ),
            ("Par catégorie de contributeur", fig.by_category),
            ("Par thème", fig.by_theme),
            ("Par semaine d'arrivée", [(week_label(k), v) for k, v in fig.by_week]),
        ]
        for title, rows in sections:
            table: DataTable = DataTable(
                classes="figure-table", cursor_type="none", zebra_stripes=True
            )
            table.add_columns("", "Nombre", "")
            top = max((v for _k, v in rows), default=0)
            for label, value in rows:
                table.add_row(
                    Text(one_line(label, 60)),
                    Text(str(value), justify="right"),
                    Text(bar(value, top, 24), style="cyan"),
                )
            await scroll.mount(Static(title, classes="figure-title", markup=False), table)

    def refresh_check(self) -> None:
        self.report = self.services.synthesis.check(self.text)
        view = self.query_one("#findings", OptionList)
        view.clear_options()
        options = []
        #: option id → the draft line it is about (Enter goes there).
        self._lines: dict[str, int] = {}
        for e in self.report.errors:
            label = Text(f"ligne {e.line} · ", style="bold")
            label.append(one_line(e.message, 200), style="red")
            options.append(Option(label, id=f"error-{len(options)}"))
            self._lines[f"error-{len(options) - 1}"] = e.line
        for f in self.report.findings:
            accepted = f.id in self.report.accepted
            label = Text(f"ligne {f.line} · {f.label} « ", style="bold")
            label.append(one_line(f.text, 120))
            label.append(" »")
            label.append(
                "  accepté" if accepted else "  à corriger ou accepter (a)",
                style="green" if accepted else "yellow",
            )
            options.append(Option(label, id=f"finding-{f.id}"))
            self._lines[f"finding-{f.id}"] = f.line
        for n, w in enumerate(self.report.warnings):
            label = Text(f"ligne {w.line} · ", style="bold")
            label.append(one_line(w.message, 200))
            label.append(
                "  omise à l'export (e)" if self.omit_empty else "  avertissement (e : omettre)",
                style="green" if self.omit_empty else "yellow",
            )
            options.append(Option(label, id=f"warning-{n}"))
            self._lines[f"warning-{n}"] = w.line
        if not options:
            options.append(
                Option(
                    Text("Aucun problème : la synthèse peut être exportée."),
                    id="none",
                    disabled=True,
                )
            )
        view.add_options(options)
        n = len(self.report.lines())
        status = (
            "Vérification : aucun problème."
            if n == 0
            else f"Vérification : {n} problème(s) bloquent l'export (onglet Vérification)."
        )
        if self.report.warnings:
            empty = len(self.report.warnings)
            status += (
                f" {empty} section(s) vide(s) omise(s)."
                if self.omit_empty
                else f" {empty} section(s) vide(s) (e : les omettre)."
            )
        self.query_one("#preview-status", Static).update(status)

    def action_toggle_omit_empty(self) -> None:
        self.omit_empty = not self.omit_empty
        self.refresh_check()

    def action_accept(self) -> None:
        view = self.query_one("#findings", OptionList)
        if self.report is None or view.highlighted is None:
            return
        option_id = view.get_option_at_index(view.highlighted).id or ""
        if not option_id.startswith("finding-"):
            self.notify(
                "Seules les données personnelles peuvent être acceptées.",
                severity="warning",
                markup=False,
            )
            return
        finding_id = option_id.removeprefix("finding-")
        finding = next((f for f in self.report.findings if f.id == finding_id), None)
        if finding is None or finding.id in self.report.accepted:
            return
        try:
            self.services.synthesis.accept(finding)
        except AssisesError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"Signalement accepté (ligne {finding.line}).", markup=False)
        highlighted = view.highlighted
        self.refresh_check()
        view.highlighted = highlighted

    def action_export(self, fmt: str) -> None:
        if not coordinator_only(self, "exporter la synthèse"):
            return
        try:
            path = self.services.synthesis.export_to_workspace(
                fmt, self.text, omit_empty=self.omit_empty
            )
        except ExportBlocked as blocked:
            self.refresh_check()
            self.query_one(TabbedContent).active = "tab-check"
            self.notify(
                f"Export refusé : {len(blocked.report.lines())} problème(s).",
                severity="error",
                markup=False,
            )
            return
        except (AssisesError, OSError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        except Exception as exc:  # a bug in a document library must not close the app
            self.notify(
                f"Échec inattendu de l'export {fmt.upper()} : {one_line(str(exc), 200)}",
                severity="error",
                markup=False,
            )
            return
        if self.app.is_web:  # in a browser: the document goes to the browser's downloads
            self.app.deliver_binary(path, save_filename=path.name)
            self.notify(f"Exporté : {path.name} (téléchargement lancé).", markup=False)
            return
        self.notify(f"Exporté : {path}", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#findings")
    def _go_to_line(self, event: OptionList.OptionSelected) -> None:
        """Enter on a problem: back to the editor, on its line."""
        line = self._lines.get(event.option.id or "")
        if line is not None:
            self.dismiss(line)

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.query_one(self.TAB_FOCUS[tab]).focus()

    @on(TabbedContent.TabActivated)
    def _tab(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-check":
            self.query_one("#findings").focus()
