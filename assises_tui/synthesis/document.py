"""The document model every exporter walks: a title page, then blocks.

Built by ``render.py`` from the draft; the exporters (Markdown, ODT, DOCX, PDF) only read
it, so the four documents say the same thing with the same typography.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assises_tui.synthesis.charts import Chart
from assises_tui.synthesis.figures import Table


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class HeadingBlock:
    level: int  # 1 = a "##" section of the draft, 2 = "###", …
    text: str
    line: int = field(default=0, compare=False)  # in the draft, for the check's messages


@dataclass(frozen=True)
class ParagraphBlock:
    runs: tuple[Run, ...]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class QuoteBlock:
    runs: tuple[Run, ...]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ListBlock:
    items: tuple[tuple[Run, ...], ...]
    numbers: tuple[int, ...] = ()  # proposal numbers when the list is numbered
    lines: tuple[int, ...] = field(default=(), compare=False)  # each item's

    @property
    def ordered(self) -> bool:
        return bool(self.numbers)


@dataclass(frozen=True)
class TableBlock:
    table: Table
    line: int = field(default=0, compare=False)  # of « {{tableaux}} »


@dataclass(frozen=True)
class ChartBlock:
    """A chart of the figures: drawn as an image by the office exporters, always followed
    by its table (the figures beside the picture, for readers who cannot see it)."""

    chart: Chart
    table: Table
    line: int = field(default=0, compare=False)  # of « {{tableaux}} »


Block = HeadingBlock | ParagraphBlock | QuoteBlock | ListBlock | TableBlock | ChartBlock


@dataclass(frozen=True)
class Issue:
    line: int
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.message}"


@dataclass
class Document:
    title: str
    consultation: str  # the subtitle: the consultation's title, unless the title says it
    authority: str  # « Préfecture de l'Allier »
    date_label: str
    blocks: list[Block] = field(default_factory=list)
    title_line: int = 0  # the draft's « # » line; 0 when the title is the consultation's

    def headings(self, max_level: int = 2) -> list[HeadingBlock]:
        return [b for b in self.blocks if isinstance(b, HeadingBlock) and b.level <= max_level]

    def texts(self) -> list[tuple[int, str]]:
        """What the reader of an export sees that comes from the draft and the store, as
        (draft line, text): the personal-data check reads it as rendered, where « Jean
        **D'**Artagnan » is one name again. The authority and the consultation's title
        come from the consultation's settings and are left out."""
        out = [(self.title_line, self.title)] if self.title_line else []
        for b in self.blocks:
            if isinstance(b, HeadingBlock):
                out.append((b.line, b.text))
            elif isinstance(b, ParagraphBlock | QuoteBlock):
                out.append((b.line, plain(b.runs)))
            elif isinstance(b, ListBlock):
                lines = b.lines or (0,) * len(b.items)
                out += [(n, plain(item)) for n, item in zip(lines, b.items, strict=True)]
            else:
                t = b.table
                cells = [cell for row in t.rows for cell in row]
                out += [(b.line, text) for text in (t.title, *t.headers, *cells)]
                if isinstance(b, ChartBlock):
                    out += [(b.line, b.chart.description()), (b.line, b.chart.note)]
                    out += [(b.line, name) for name, _values in b.chart.series]
        return out


@dataclass
class RenderResult:
    document: Document
    errors: list[Issue]
    #: Problems that do not block the export (an empty section): the check lists them.
    warnings: list[Issue] = field(default_factory=list)


def plain(runs: tuple[Run, ...]) -> str:
    return "".join(r.text for r in runs)
