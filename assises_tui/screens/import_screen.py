"""Start an import from the app: choose a path, watch the progress, never freeze the UI.

The importer runs in a thread worker; progress comes back through ``call_from_thread``
and no widget is touched from the thread. The screen is a full screen (not a modal) so
the inbox underneath does not redraw from the store while the import writes to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from assises_tui.keymap import IMPORT_SCREEN_BINDINGS
from assises_tui.services.import_bridge import run_import, summary
from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from assises_tui.services.session import Services


class ImportScreen(Screen[bool]):
    HELP_TITLE = "Import"  # the help screen's title
    DEFAULT_CSS = """
    ImportScreen > Vertical { padding: 1 2; }
    ImportScreen #import-help { color: $text-muted; margin-bottom: 1; }
    ImportScreen ProgressBar { margin: 1 0; }
    ImportScreen #import-result { margin-top: 1; }
    """
    BINDINGS = IMPORT_SCREEN_BINDINGS

    def __init__(self, services: Services, path: str = "") -> None:
        super().__init__()
        self.services = services
        self.initial = path
        self.running = False
        self.imported = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical():
            yield Static("Importer des courriels", markup=False, classes="title")
            yield Static(
                "Chemin d'un fichier mbox, d'un dossier Maildir, d'un dossier de .eml/.msg ou "
                "d'un fichier .eml/.msg. Plusieurs chemins : séparés par « ; ». Entrée : lancer.",
                markup=False,
                id="import-help",
            )
            yield Input(self.initial, placeholder="/chemin/vers/boite.mbox", id="import-path")
            yield ProgressBar(total=None, show_eta=False, id="import-progress")
            yield Static("", markup=False, id="import-state")
            yield Static("", markup=False, id="import-result")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#import-progress").display = False
        self.query_one(Input).focus()

    @on(Input.Submitted, "#import-path")
    def start(self, event: Input.Submitted) -> None:
        if self.running:
            return
        paths = [Path(p.strip()).expanduser() for p in event.value.split(";") if p.strip()]
        missing = [p for p in paths if not p.exists()]
        state = self.query_one("#import-state", Static)
        if not paths:
            state.update("Indiquez au moins un chemin.")
            return
        if missing:
            state.update(f"Chemin introuvable : {one_line(str(missing[0]), 300)}")
            return
        self.running = True
        self.query_one(Input).disabled = True
        self.query_one("#import-progress").display = True
        state.update("Import en cours…")
        self._import(paths)

    @work(thread=True, exclusive=True, exit_on_error=False, group="import")
    def _import(self, paths: list[Path]) -> str:
        def progress(done: int, total: int | None, label: str) -> None:
            self.app.call_from_thread(self._progress, done, total, label)

        report = run_import(self.services.workspace, self.services.search, paths, progress)
        return summary(report)

    def _progress(self, done: int, total: int | None, label: str) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=total, progress=done)
        self.query_one("#import-state", Static).update(label)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "import":
            return
        state = self.query_one("#import-state", Static)
        result = self.query_one("#import-result", Static)
        if event.state == WorkerState.SUCCESS:
            self.imported = True
            state.update("Import terminé. Échap : revenir à la boîte de réception.")
            result.update(str(event.worker.result))
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            error = event.worker.error
            state.update("L'import a échoué ; rien n'est perdu de ce qui était déjà enregistré.")
            result.update(one_line(str(error) if error else "interrompu", 1000))
        else:
            return
        self.running = False
        self.query_one("#import-progress", ProgressBar).update(total=100, progress=100)
        self.query_one(Input).disabled = False

    def action_back(self) -> None:
        if self.running:
            self.notify("Import en cours : patientez jusqu'à la fin.", markup=False)
            return
        self.dismiss(self.imported)
