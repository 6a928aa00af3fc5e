"""Charts drawn as PNG images for the ODT, DOCX and PDF exports (matplotlib, Agg backend).

French labels, the DejaVu Sans font matplotlib ships (nothing downloaded), the value
written at the end of each bar, and no timestamp in the file: the same figures give the
same bytes. Imported only when a document is exported, so the app and the command line
start without matplotlib.
"""

from __future__ import annotations

import io
from functools import lru_cache

from assises_tui.synthesis.charts import Chart

WIDTH_INCHES = 6.3  # 16 cm: the text width of an A4 page with 2.5 cm margins
DPI = 150
BAR = "#2b5d8a"
DEADLINE = "#b3261e"
STACK = ("#2e7d32", "#f9a825", "#9e9e9e", "#6d4c41")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot

    matplotlib.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 8,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "assises",
        }
    )
    return pyplot


def _integer_ticks(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _bars(ax, chart: Chart) -> None:
    positions = list(range(len(chart.labels)))[::-1]  # first label on top
    ax.barh(positions, chart.values, color=BAR, height=0.7)
    ax.set_yticks(positions, [label.strip() for label in chart.labels])
    top = max(chart.values, default=0) or 1
    for y, value in zip(positions, chart.values, strict=True):
        ax.text(value + top * 0.01, y, str(value), va="center", fontsize=7)
    ax.set_xlim(0, top * 1.12)
    _integer_ticks(ax.xaxis)
    ax.set_xlabel(chart.value_label)


def _days(ax, chart: Chart) -> None:
    positions = range(len(chart.values))
    ax.bar(positions, chart.values, color=BAR, width=0.85)
    step = max(1, len(chart.labels) // 12)
    ax.set_xticks(list(positions)[::step], list(chart.labels)[::step], rotation=45, ha="right")
    ax.set_ylabel("Contributions reçues")
    _integer_ticks(ax.yaxis)
    if chart.deadline_index is not None:
        ax.axvline(chart.deadline_index - 0.5, color=DEADLINE, linestyle="--", linewidth=1.2)
        ax.text(
            chart.deadline_index - 0.3,
            max(chart.values, default=1) * 0.95,
            "date limite",
            color=DEADLINE,
            fontsize=7,
        )


def _stacked(ax, chart: Chart) -> None:
    positions = list(range(len(chart.labels)))[::-1]
    left = [0] * len(chart.labels)
    for (name, values), colour in zip(chart.series, STACK, strict=False):
        ax.barh(positions, values, left=left, color=colour, height=0.7, label=name)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(positions, list(chart.labels))
    top = max(chart.values, default=0) or 1
    for y, value in zip(positions, chart.values, strict=True):
        ax.text(value + top * 0.01, y, str(value), va="center", fontsize=7)
    ax.set_xlim(0, top * 1.12)
    _integer_ticks(ax.xaxis)
    ax.set_xlabel("Contributions")
    ax.legend(loc="lower right", fontsize=7, frameon=False)


@lru_cache(maxsize=16)  # an export draws each chart twice (page layout, then document)
def render_png(chart: Chart) -> bytes:
    """The chart as PNG bytes (its title is the document's caption, not in the image)."""
    plt = _pyplot()
    rows = len(chart.labels)
    height = 2.6 if chart.kind == "days" else min(8.0, 0.9 + 0.22 * max(rows, 2))
    fig, ax = plt.subplots(figsize=(WIDTH_INCHES, height), dpi=DPI)
    try:
        if not chart.values:
            ax.text(0.5, 0.5, "Aucune donnée", ha="center", va="center")
            ax.set_axis_off()
        elif chart.kind == "days":
            _days(ax, chart)
        elif chart.kind == "stacked":
            _stacked(ax, chart)
        else:
            _bars(ax, chart)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()
    finally:
        plt.close(fig)


def image_size_mm(png: bytes) -> tuple[float, float]:
    """Width and height at the export's scale (16 cm wide)."""
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    return 160.0, 160.0 * height / width
