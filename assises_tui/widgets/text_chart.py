"""A chart drawn with text characters, for the statistics screen.

``chart_text(chart, width)`` is pure (Rich ``Text``, no Textual) so it is tested without a
terminal; ``TextChart`` draws it at the widget's width and redraws on resize. Horizontal
bars use eighth blocks (``█▉▊…``) with the figure after each bar; the days chart uses
columns of eighth blocks (``▁▂▃…█``) with the deadline as a ``┃`` column; the reviewers'
progress stacks statuses with distinct characters (never colour alone). Labels come from
the store (communes, reviewer names): they go through ``one_line`` and are drawn as plain
text, never as markup.
"""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual.widget import Widget

from assises_tui.synthesis.charts import Chart
from assises_tui.synthesis.figures import bar
from assises_tui.text.safe import one_line

LABEL_MAX = 26
COLUMN_HEIGHT = 6
_EIGHTHS = " ▁▂▃▄▅▆▇█"
#: Status series of the progress chart: (character, style), distinct by shape and colour.
STACK = (("█", "green"), ("▓", "yellow"), ("░", "bright_black"), ("▒", "magenta"))


def _label_width(chart: Chart, width: int) -> int:
    longest = max((len(one_line(label, LABEL_MAX)) for label in chart.labels), default=0)
    return max(6, min(longest, LABEL_MAX, width // 3))


def _bars(chart: Chart, width: int) -> Text:
    text = Text()
    label_w = _label_width(chart, width)
    number_w = max(len(str(v)) for v in chart.values)
    bar_w = max(4, width - label_w - number_w - 3)
    top = max(chart.values)
    for label, value in zip(chart.labels, chart.values, strict=True):
        shown = one_line(label, label_w)
        text.append(f"{shown:<{label_w}} ", style="bold" if not label.startswith(" ") else "")
        drawn = bar(value, top, bar_w)
        text.append(drawn, style="cyan")
        text.append(" " * (bar_w - len(drawn) + 1))
        text.append(f"{value:>{number_w}}\n")
    return text


def _stacked(chart: Chart, width: int) -> Text:
    text = Text()
    label_w = _label_width(chart, width)
    number_w = max(len(str(v)) for v in chart.values)
    bar_w = max(4, width - label_w - number_w - 3)
    top = max(chart.values) or 1
    for n, (label, total) in enumerate(zip(chart.labels, chart.values, strict=True)):
        text.append(f"{one_line(label, label_w):<{label_w}} ", style="bold")
        used = 0
        for (_name, values), (char, style) in zip(chart.series, STACK, strict=False):
            cells = round(values[n] / top * bar_w)
            text.append(char * cells, style=style)
            used += cells
        text.append(" " * max(1, bar_w - used + 1))
        text.append(f"{total:>{number_w}}\n")
    legend = " · ".join(
        f"{char} {name}" for (name, _v), (char, _s) in zip(chart.series, STACK, strict=False)
    )
    text.append(legend + "\n", style="dim")
    return text


def _buckets(chart: Chart, width: int) -> tuple[list[int], list[str], int | None, int]:
    """Days grouped so that one column fits each group: (values, first labels, deadline
    column, days per column)."""
    per = max(1, -(-len(chart.values) // max(1, width - 6)))
    values, labels = [], []
    deadline = None
    for start in range(0, len(chart.values), per):
        values.append(sum(chart.values[start : start + per]))
        labels.append(chart.labels[start])
        if chart.deadline_index is not None and start <= chart.deadline_index < start + per:
            deadline = len(values) - 1
    return values, labels, deadline, per


def _days(chart: Chart, width: int) -> Text:
    values, labels, deadline, per = _buckets(chart, width)
    top = max(values) or 1
    number_w = len(str(top))
    text = Text()
    for row in range(COLUMN_HEIGHT, 0, -1):
        text.append(f"{top if row == COLUMN_HEIGHT else '':>{number_w}} ┤", style="dim")
        for col, value in enumerate(values):
            eighths = value / top * COLUMN_HEIGHT * 8
            level = max(0, min(8, round(eighths - (row - 1) * 8)))
            if col == deadline and level == 0:
                text.append("┃", style="red")
            else:
                text.append(_EIGHTHS[level], style="red" if col == deadline else "cyan")
        text.append("\n")
    text.append(f"{'':>{number_w}} └" + "─" * len(values) + "\n", style="dim")
    under = f"{'':>{number_w}}  " + labels[0]
    if deadline is not None:
        mark = f"date limite {chart.labels[chart.deadline_index]}"
        pad = max(1, number_w + 2 + deadline - len(under))
        under += " " * pad + "┃ " + mark
    end = labels[-1]
    pad = max(1, number_w + 2 + len(values) - len(end) - len(under))
    under += " " * pad + end
    text.append(under[: max(width, 1)] + "\n")
    if per > 1:
        text.append(f"(une colonne = {per} jours)\n", style="dim")
    return text


def chart_text(chart: Chart, width: int) -> Text:
    """The chart as lines of text at most ``width`` cells wide: title, drawing, note."""
    out = Text()
    out.append(chart.title + "\n", style="bold underline")
    if not chart.values or not any(chart.values):
        out.append("Aucune donnée pour l'instant.\n", style="italic")
        return out
    if chart.kind == "days":
        out.append_text(_days(chart, width))
    elif chart.kind == "stacked":
        out.append_text(_stacked(chart, width))
    else:
        out.append_text(_bars(chart, width))
    if chart.note:
        for line in textwrap.wrap(one_line(chart.note, 400), max(20, width)):
            out.append(line + "\n", style="dim")
    return out


class TextChart(Widget):
    """One chart, as wide as the widget (its height follows the chart)."""

    DEFAULT_CSS = """
    TextChart { height: auto; margin: 0 0 1 0; }
    """

    def __init__(self, chart: Chart, **kwargs) -> None:
        super().__init__(**kwargs)
        self.chart = chart

    def render(self) -> Text:
        text = chart_text(self.chart, max(20, self.size.width))
        text.no_wrap = True
        text.overflow = "crop"
        return text

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(chart_text(self.chart, max(20, width)).plain.rstrip("\n").split("\n"))
