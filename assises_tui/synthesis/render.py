"""From the Markdown draft to a small document model shared by every exporter.

The renderer resolves citations into pseudonymous references ("Contribution n° 42 —
citoyen, Montluçon": category and commune, never a name or an address), fills the figure
placeholders from the store, numbers the proposals across the whole document and reports
every problem with its line (a citation of a number that does not exist, or of a message
set aside as not a contribution, an unknown placeholder). Exporters only walk the blocks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from assises_tui.config import Consultation
from assises_tui.domain.models import CATEGORY_LABELS, Contribution, Status
from assises_tui.synthesis.draft import (
    BULLET_RE,
    CITATION_RE,
    HEADING_RE,
    PLACEHOLDER_RE,
    is_filler,
    parse_citation_ids,
)
from assises_tui.synthesis.figures import Figures, Table
from assises_tui.text.fold import fold
from assises_tui.text.safe import one_line, printable

MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class HeadingBlock:
    level: int  # 1 = a "##" section of the draft, 2 = "###", …
    text: str


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


Block = HeadingBlock | ParagraphBlock | QuoteBlock | ListBlock | TableBlock


@dataclass(frozen=True)
class Issue:
    line: int
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.message}"


@dataclass
class Document:
    title: str
    consultation: str
    department: str
    date_label: str
    blocks: list[Block] = field(default_factory=list)

    def headings(self, max_level: int = 2) -> list[HeadingBlock]:
        return [b for b in self.blocks if isinstance(b, HeadingBlock) and b.level <= max_level]


@dataclass
class RenderResult:
    document: Document
    errors: list[Issue]


def french_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def citation_label(item: Contribution, capital: bool = True) -> str:
    """ "Contribution n° 42 — citoyen, Montluçon" (category and commune only, when known)."""
    head = "Contribution" if capital else "contribution"
    parts = []
    if item.contributor_category:
        label = CATEGORY_LABELS.get(item.contributor_category, item.contributor_category)
        parts.append(one_line(label, 60).lower())
    if item.commune:
        parts.append(one_line(item.commune, 80))
    tail = f" — {', '.join(parts)}" if parts else ""
    return f"{head} n° {item.id}{tail}"


_INLINE = re.compile(
    r"\*\*(?P<b>.+?)\*\*|(?<![\w*])\*(?P<i>[^*\s][^*]*?)\*(?!\w)"
    r"|(?<!\w)_(?P<u>[^_\s][^_]*?)_(?!\w)|\[(?P<lt>[^\]]+)\]\((?P<lu>[^)\s]+)\)"
)


def inline_runs(text: str) -> tuple[Run, ...]:
    """Plain text with **bold**, *italic* / _italic_ and [links](url) as runs."""
    runs: list[Run] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            runs.append(Run(text[pos : m.start()]))
        if m.group("b") is not None:
            runs.append(Run(m.group("b"), bold=True))
        elif m.group("i") is not None:
            runs.append(Run(m.group("i"), italic=True))
        elif m.group("u") is not None:
            runs.append(Run(m.group("u"), italic=True))
        else:
            runs.append(Run(f"{m.group('lt')} ({m.group('lu')})"))
        pos = m.end()
    if pos < len(text):
        runs.append(Run(text[pos:]))
    return tuple(r for r in runs if r.text)


class _Renderer:
    def __init__(
        self,
        config: Consultation,
        contributions: Mapping[int, Contribution],
        figures: Figures,
    ) -> None:
        self.config = config
        self.items = contributions
        self.figures = figures
        self.values = figures.placeholders()
        self.errors: list[Issue] = []

    def resolve(self, text: str, line: int) -> str:
        return self.citations(self.placeholders(text, line), line)

    def citations(self, text: str, line: int) -> str:
        def citation(m: re.Match[str]) -> str:
            labels = []
            for n, cid in enumerate(parse_citation_ids(m)):
                item = self.items.get(cid)
                if item is None:
                    self.errors.append(Issue(line, f"la contribution n° {cid} n'existe pas"))
                    labels.append(f"{'Contribution' if n == 0 else 'contribution'} n° {cid}")
                    continue
                if item.status == Status.NOT_CONTRIBUTION:
                    self.errors.append(
                        Issue(line, f"le message n° {cid} est classé « hors contribution »")
                    )
                labels.append(citation_label(item, capital=n == 0))
            return "(" + " ; ".join(labels) + ")"

        return CITATION_RE.sub(citation, text)

    def placeholders(self, text: str, line: int) -> str:
        def placeholder(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in self.values:
                self.errors.append(Issue(line, f"chiffre inconnu « {{{{{name}}}}} »"))
                return m.group(0)
            return self.values[name]

        return PLACEHOLDER_RE.sub(placeholder, text)

    def runs(self, text: str, line: int) -> tuple[Run, ...]:
        # Emphasis and links come from the draft only: citations are resolved inside each
        # run afterwards, so text from the store (a commune…) is never read as Markdown.
        return tuple(
            Run(self.citations(r.text, line), r.bold, r.italic)
            for r in inline_runs(self.placeholders(text, line))
        )


def render(
    text: str,
    config: Consultation,
    contributions: Mapping[int, Contribution],
    figures: Figures,
    today: date,
) -> RenderResult:
    r = _Renderer(config, contributions, figures)
    doc = Document(
        title=f"Synthèse — {config.title}",
        consultation=config.title,
        department=config.department,
        date_label=french_date(today),
    )
    # A draft edited outside the app may hold control characters or escape sequences: no
    # document format wants them (DOCX refuses them, ODT XML becomes invalid, a Markdown
    # file would colour a terminal). Newlines are kept, so line numbers stay right.
    lines = printable(text.replace("\r\n", "\n")).split("\n")
    blocks = doc.blocks
    in_proposals = False
    proposal_no = 0
    title_taken = False
    i = 0

    def gather(start: int, keep) -> tuple[list[str], int]:
        out, j = [], start
        while j < len(lines) and lines[j].strip() and keep(lines[j]):
            out.append(lines[j])
            j += 1
        return out, j

    while i < len(lines):
        ln = lines[i]
        stripped = ln.strip()
        if not stripped:
            i += 1
            continue
        m = HEADING_RE.match(ln)
        if m:
            level = len(m.group(1))
            title = r.resolve(m.group(2), i + 1)
            if level == 1 and not title_taken:
                doc.title, title_taken = title, True
            else:
                blocks.append(HeadingBlock(max(1, level - 1), title))
                folded = fold(title).strip()
                if level <= 3:
                    in_proposals = folded.startswith("proposition")
            i += 1
            continue
        if stripped == "{{tableaux}}":
            blocks.extend(TableBlock(t) for t in figures.tables())
            i += 1
            continue
        if stripped.startswith(">"):
            chunk, j = gather(i, lambda s: s.lstrip().startswith(">"))
            body = " ".join(re.sub(r"^\s*>\s?", "", c).strip() for c in chunk).strip()
            blocks.append(QuoteBlock(r.runs(body, i + 1)))
            i = j
            continue
        if BULLET_RE.match(ln):
            items: list[tuple[Run, ...]] = []
            numbers: list[int] = []
            j = i
            while j < len(lines) and lines[j].strip():
                bm = BULLET_RE.match(lines[j])
                if bm:
                    start_line = j
                    parts = [lines[j][bm.end() :].strip()]
                    j += 1
                    while (
                        j < len(lines)
                        and lines[j].strip()
                        and not BULLET_RE.match(lines[j])
                        and not HEADING_RE.match(lines[j])
                        and not lines[j].lstrip().startswith(">")
                    ):
                        parts.append(lines[j].strip())
                        j += 1
                    if is_filler(" ".join(parts)):
                        continue  # the template's "- …": nothing to export, no number
                    items.append(r.runs(" ".join(parts), start_line + 1))
                    if in_proposals:
                        proposal_no += 1
                        numbers.append(proposal_no)
                else:
                    break
            if items:
                blocks.append(ListBlock(tuple(items), tuple(numbers)))
            i = j
            continue
        chunk, j = gather(
            i,
            lambda s: (
                not HEADING_RE.match(s)
                and not BULLET_RE.match(s)
                and not s.lstrip().startswith(">")
            ),
        )
        body = " ".join(c.strip() for c in chunk)
        if not is_filler(body):  # the template's "…" paragraphs are left out
            blocks.append(ParagraphBlock(r.runs(body, i + 1)))
        i = j
    return RenderResult(doc, r.errors)


def plain(runs: tuple[Run, ...]) -> str:
    return "".join(r.text for r in runs)
