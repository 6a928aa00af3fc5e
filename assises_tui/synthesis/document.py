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


@dataclass(frozen=True)
class QuoteBlock:
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class ListBlock:
    items: tuple[tuple[Run, ...], ...]
    numbers: tuple[int, ...] = ()  # proposal numbers when the list is numbered

    @property
    def ordered(self) -> bool:
        return bool(self.numbers)


@dataclass(frozen=True)
class TableBlock:
    table: Table


@dataclass(frozen=True)
class ChartBlock:
    """A chart of the figures: drawn as an image by the office exporters, always followed
    by its table (the figures beside the picture, for readers who cannot see it)."""

    chart: Chart
    table: Table


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

    def headings(self, max_level: int = 2) -> list[HeadingBlock]:
        return [b for b in self.blocks if isinstance(b, HeadingBlock) and b.level <= max_level]


@dataclass
class RenderResult:
    document: Document
    errors: list[Issue]
    #: Problems that do not block the export (an empty section): the check lists them.
    warnings: list[Issue] = field(default_factory=list)


def plain(runs: tuple[Run, ...]) -> str:
    return "".join(r.text for r in runs)
