"""Fetch the consultation's mailbox from the app (``r``): last fetch, password, progress.

The fetch runs in a thread worker (network and disk); progress comes back through
``call_from_thread``. The screen says when the mailbox was last fetched, asks for the
password only when neither ``ASSISES_IMAP_PASSWORD`` nor the keyring gives it (it is never
stored), and reports offline as a postponement, not an error. A full screen, like the
import, so the inbox does not redraw from the store while the fetch writes to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from assises_tui.errors import AssisesError
from assises_tui.mailbox.settings import ImapSettings, password
from assises_tui.services.import_bridge import summary
from assises_tui.services.mailbox_fetch import FetchResult, last_fetch_sentence
from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from assises_tui.services.importer import ImportProgress
    from assises_tui.services.session import Services


class FetchScreen(Screen[bool]):
    TITLE = "Relever la boîte"
    DEFAULT_CSS = """
    FetchScreen > Vertical { padding: 1 2; }
    FetchScreen .help { color: $text-muted; margin-bottom: 1; }
    FetchScreen ProgressBar { margin: 1 0; }
    FetchScreen #fetch-result { margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "back", "Retour", id="fetch.back")]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.fetcher = services.mailbox_fetch
        self.settings: ImapSettings | None = None
        self.running = False
        self.fetched = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical():
            yield Static("Relever la boîte de la consultation", markup=False, classes="title")
            yield Static("", markup=False, id="fetch-where", classes="help")
            yield Static("", markup=False, id="fetch-last")
            yield Input(password=True, id="fetch-password")
            yield ProgressBar(total=None, show_eta=False, id="fetch-progress")
            yield Static("", markup=False, id="fetch-state")
            yield Static("", markup=False, id="fetch-result")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#fetch-progress").display = False
        secret_input = self.query_one("#fetch-password", Input)
        secret_input.display = False
        self._show_last()
        try:
            self.settings = settings = self.fetcher.settings()
        except AssisesError as exc:
            self._state(str(exc))
            return
        self.query_one("#fetch-where", Static).update(
            f"Dossier « {one_line(settings.folder, 80)} » de {one_line(settings.user, 80)} "
            f"sur {one_line(settings.host, 80)}, en lecture seule : rien n'est marqué lu, "
            "déplacé ni supprimé sur le serveur."
        )
        if self.services.read_only:
            self._state("Espace ouvert en lecture seule : la relève est impossible ici.")
            return
        try:
            secret = password("imap", settings.user, settings.host, None)
        except AssisesError:
            secret_input.placeholder = f"Mot de passe IMAP de {one_line(settings.user, 60)}"
            secret_input.display = True
            secret_input.focus()
            self._state("Mot de passe (il n'est pas enregistré), puis Entrée.")
            return
        self._start(secret)

    def _show_last(self) -> None:
        sentence = last_fetch_sentence(self.fetcher.status())
        self.query_one("#fetch-last", Static).update(one_line(sentence, 600))

    def _state(self, text: str) -> None:
        self.query_one("#fetch-state", Static).update(one_line(text, 1000))

    @on(Input.Submitted, "#fetch-password")
    def submitted(self, event: Input.Submitted) -> None:
        if event.value and not self.running:
            event.input.display = False
            self._start(event.value)
            event.input.value = ""

    def _start(self, secret: str) -> None:
        self.running = True
        self.query_one("#fetch-progress").display = True
        self._state("Connexion au serveur…")
        self._fetch(secret)

    @work(thread=True, exclusive=True, exit_on_error=False, group="fetch")
    def _fetch(self, secret: str) -> FetchResult | AssisesError:
        def progress(p: ImportProgress) -> None:
            self.app.call_from_thread(self._progress, p.bytes_done, p.bytes_total, p.messages)

        try:
            result = self.fetcher.fetch(secret, progress, settings=self.settings)
        except AssisesError as exc:  # a sentence for the user, not a worker failure
            return exc
        if result.report.imported:
            self.app.call_from_thread(self._state, "Indexation pour la recherche…")
            try:
                self.services.search.refresh()
            except Exception:  # the index is a cache: search scans records not indexed yet
                pass
        return result

    def _progress(self, done: int, total: int, messages: int) -> None:
        self.query_one("#fetch-progress", ProgressBar).update(total=total or None, progress=done)
        self._state(f"Relève : {messages} message(s) lu(s)")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "fetch":
            return
        result_text = self.query_one("#fetch-result", Static)
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, AssisesError):
            self._state("La relève a échoué ; ce qui était déjà enregistré est conservé.")
            result_text.update(one_line(str(event.worker.result), 1000))
        elif event.state == WorkerState.SUCCESS:
            result: FetchResult = event.worker.result
            if result.offline:
                self._state(f"{result.note} Relève reportée ; rien n'est perdu.")
            else:
                self.fetched = True
                self._state("Relève terminée. Échap : revenir à la boîte de réception.")
                result_text.update(summary(result.report))
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            error = event.worker.error
            self._state("La relève a échoué ; ce qui était déjà enregistré est conservé.")
            detail = f"erreur inattendue ({type(error).__name__})" if error else "interrompue"
            result_text.update(detail)
        else:
            return
        self.running = False
        bar = self.query_one("#fetch-progress", ProgressBar)
        bar.update(total=100, progress=100)
        bar.display = self.fetched  # a full bar after a failure would say the opposite
        self._show_last()

    def action_back(self) -> None:
        if self.running:
            self.notify("Relève en cours : patientez jusqu'à la fin.", markup=False)
            return
        self.dismiss(self.fetched)
