"""``StatisticsScreen``: where the consultation stands, in figures and text-drawn charts.

The summary line is ``domain.counting.summary`` (« 357 messages reçus, dont 342
contributions »), then the deadline split (dans les délais / hors délai / date incertaine)
and what is left to tag, then the charts of ``synthesis.charts`` drawn with text
characters (``widgets/text_chart.py``): contributions per day against the deadline, per
theme and sub-theme, per category, per commune, and the reviewers' progress. The same
numbers as ``assises stats`` and the synthesis annex, computed in a thread worker.

In a national roll-up, Ctrl+T restricts every figure to one département.

Dependencies are explicit: the records (a callable, read when the screen opens), the
consultation and the theme label function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from assises_tui.config import Consultation
from assises_tui.domain.counting import count, summary
from assises_tui.domain.models import Contribution
from assises_tui.keymap import STATISTICS_SCREEN_BINDINGS
from assises_tui.screens.department_filter import DepartmentFilter
from assises_tui.services.departments import departments, in_department
from assises_tui.synthesis.charts import Chart, all_charts
from assises_tui.widgets.text_chart import TextChart


def summary_lines(items: Sequence[Contribution]) -> str:
    counts = count(items)
    return (
        f"{summary(counts)} · {counts.on_time} dans les délais · {counts.late} hors délai · "
        f"{counts.date_uncertain} de date incertaine\n"
        f"{counts.not_contributions} hors contribution et {counts.duplicates} doublon(s) "
        f"écartés · {counts.untagged} contribution(s) sans thème · "
        f"{counts.off_topic} hors sujet"
    )


class StatisticsScreen(DepartmentFilter, Screen[None]):
    TITLE = HELP_TITLE = "Statistiques"  # the header's and the help's title
    DEFAULT_CSS = """
    StatisticsScreen {
        #stats-summary { height: auto; padding: 0 1; background: $boost; }
        #stats-charts { height: 1fr; padding: 1 1 0 1; }
    }
    """
    BINDINGS = STATISTICS_SCREEN_BINDINGS
    AUTO_FOCUS = "#stats-charts"

    def __init__(
        self,
        records: Callable[[], Sequence[Contribution]],
        config: Consultation,
        theme_label: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__()
        self.records = records
        self.config = config
        self.theme_label = theme_label

    def compose(self) -> ComposeResult:
        yield Static("Calcul des statistiques…", id="stats-summary", markup=False)
        yield VerticalScroll(id="stats-charts", can_focus=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self._compute()

    def show_department(self, name: str | None) -> None:
        self.department = name
        self._compute()

    @work(thread=True, exclusive=True, group="statistics")
    def _compute(self) -> None:
        home = self.config.department
        every = self.records()
        names = departments(every, home)
        items = in_department(every, self.department, home)
        text = summary_lines(items)
        if len(names) > 1:
            text = f"Département : {self.department or 'tous'} · {text}"
        charts = all_charts(items, self.config, self.theme_label)
        self.app.call_from_thread(self._show, text, charts, names)

    async def _show(self, text: str, charts: list[Chart], names: list[str]) -> None:
        self.set_department_names(names)
        self.query_one("#stats-summary", Static).update(text)
        scroll = self.query_one("#stats-charts", VerticalScroll)
        await scroll.remove_children()
        await scroll.mount_all(TextChart(chart, id=f"chart-{chart.key}") for chart in charts)
