"""The codebook view: main themes and their sub-themes with counts; coordinators add,
rename, merge and retire sub-themes here (each change audited; renames and merges rewrite
the tagged records through the change service, so they show in each record's history).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from assises_tui.errors import AssisesError, StoreError
from assises_tui.keymap import CODEBOOK_SCREEN_BINDINGS
from assises_tui.screens.department_filter import DepartmentFilter
from assises_tui.screens.permissions import coordinator_only
from assises_tui.screens.prompts import ChoiceScreen, ConfirmScreen, TextPrompt
from assises_tui.services.codebook import CodebookEntry, parent_of
from assises_tui.services.departments import departments
from assises_tui.text.safe import one_line


class CodebookScreen(DepartmentFilter, Screen[bool]):
    TITLE = HELP_TITLE = "Référentiel des thèmes"  # the header's and the help's title
    CSS_PATH = "codebook.tcss"
    BINDINGS = CODEBOOK_SCREEN_BINDINGS

    def __init__(self, services) -> None:
        super().__init__()
        self.services = services
        self.codebook = services.tagging.codebook
        self.entries: list[CodebookEntry] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Static("Référentiel des thèmes", id="codebook-title", markup=False)
        yield DataTable(id="codebook-table", cursor_type="row", zebra_stripes=True)
        yield Static(
            "Thèmes principaux : fixés par consultation.toml. Sous-thèmes : gérés ici.",
            id="codebook-help",
        )
        # Compact and without the palette hint, as in the inbox: more keys fit in 80 columns.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Thème", key="label")
        table.add_column("Clé", key="key")
        table.add_column("Contrib.", key="count")
        records = self.services.contributions.all()
        self.set_department_names(departments(records, self.services.config.department))
        self.reload()
        table.focus()

    def show_department(self, name: str | None) -> None:
        self.department = name
        title = "Référentiel des thèmes"
        if name:
            title += f" — effectifs du département : {name}"
        self.query_one("#codebook-title", Static).update(one_line(title, 200))
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        table = self.query_one(DataTable)
        current = keep or self.current_key()
        table.clear()
        self.entries = self.codebook.entries(department=self.department)
        for e in self.entries:
            label = Text("  └ " if e.is_sub else "", style="")
            label.append(
                one_line(e.label, 50), style="dim" if e.retired else ("" if e.is_sub else "bold")
            )
            if e.retired:
                label.append(" (retiré)", style="dim italic")
            table.add_row(label, Text(e.key), Text(str(e.count), justify="right"), key=e.key)
        keys = [e.key for e in self.entries]
        if current in keys:
            table.move_cursor(row=keys.index(current))

    def current_key(self) -> str | None:
        table = self.query_one(DataTable)
        if not self.entries or table.cursor_row is None:
            return None
        row = table.cursor_row
        return self.entries[row].key if 0 <= row < len(self.entries) else None

    def current(self) -> CodebookEntry | None:
        key = self.current_key()
        return next((e for e in self.entries if e.key == key), None)

    def _run(self, func, *args, keep: str | None = None) -> bool:
        try:
            result = func(*args)
        except (AssisesError, StoreError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return False
        self.changed = True
        self.reload(keep)
        return result is not None

    # -- actions ---------------------------------------------------------------
    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_add(self) -> None:
        entry = self.current()
        if entry is None or not coordinator_only(self, "ajouter un sous-thème"):
            return
        parent = parent_of(entry.key)
        label = self.codebook.label(parent)

        def done(value: str | None) -> None:
            if value:
                self._run(self.codebook.add, parent, value)

        self.app.push_screen(
            TextPrompt(f"Nouveau sous-thème de « {label} »", placeholder="Libellé"), done
        )

    def _require_sub(self) -> CodebookEntry | None:
        entry = self.current()
        if entry is None or not entry.is_sub:
            self.notify(
                "Choisissez un sous-thème (les thèmes principaux sont fixés).",
                severity="warning",
                markup=False,
            )
            return None
        return entry

    def action_rename(self) -> None:
        if not coordinator_only(self, "renommer un sous-thème"):
            return
        entry = self._require_sub()
        if entry is None:
            return

        def done(value: str | None) -> None:
            if value and value.strip() != entry.label:
                self._run(self.codebook.rename, entry.key, value, keep=entry.key)

        self.app.push_screen(TextPrompt("Nouveau libellé", value=entry.label), done)

    def action_merge(self) -> None:
        if not coordinator_only(self, "fusionner des sous-thèmes"):
            return
        entry = self._require_sub()
        if entry is None:
            return
        targets = [
            (e.key, ("  └ " if e.is_sub else "") + e.label)
            for e in self.entries
            if e.key != entry.key and not e.retired
        ]

        def done(target: str | None) -> None:
            # Only a merge that went through is announced (an error was notified already).
            if target and self._run(self.codebook.merge, entry.key, target, keep=target):
                self.notify(
                    f"« {entry.label} » fusionné dans « {self.codebook.label(target)} ».",
                    markup=False,
                )

        self.app.push_screen(
            ChoiceScreen(f"Fusionner « {entry.label} » ({entry.count}) dans…", targets), done
        )

    def action_retire(self) -> None:
        if not coordinator_only(self, "retirer un sous-thème"):
            return
        entry = self._require_sub()
        if entry is None or entry.retired:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._run(self.codebook.retire, entry.key, keep=entry.key)

        self.app.push_screen(
            ConfirmScreen(
                f"Retirer « {entry.label} » ?",
                "Il ne sera plus proposé ; les contributions déjà classées le gardent.",
                yes="Retirer",
            ),
            done,
        )

    def action_double_coding(self) -> None:
        from assises_tui.screens.double_coding import DoubleCodingScreen

        self.app.push_screen(DoubleCodingScreen(self.services), lambda _r: self.reload())

    def action_close(self) -> None:
        self.dismiss(self.changed)
