"""From the Markdown draft to the document model shared by every exporter.

Four steps, one function each: :class:`_Resolver` turns citations into pseudonymous
references ("Contribution n° 42 — citoyen, Montluçon": category and commune, never a name
or an address) and fills the figure placeholders from the store; :class:`_BlockReader`
cuts the draft's lines into headings, paragraphs, quotes, lists (proposals numbered across
the whole document) and the figure tables; :func:`empty_sections` finds the headings with
nothing under them (a warning, and left out on request); :func:`typeset_document` applies
French typography. Every problem is reported with its draft line. Exporters only walk the
blocks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date

from assises_tui.config import Consultation
from assises_tui.domain.models import CATEGORY_LABELS, Contribution, Status
from assises_tui.synthesis.charts import UNKNOWN_COMMUNE, Chart
from assises_tui.synthesis.document import (  # noqa: F401 - the model, re-exported
    Block,
    ChartBlock,
    Document,
    HeadingBlock,
    Issue,
    ListBlock,
    ParagraphBlock,
    QuoteBlock,
    RenderResult,
    Run,
    TableBlock,
    plain,
)
from assises_tui.synthesis.draft import (
    BULLET_RE,
    CITATION_RE,
    HEADING_RE,
    PLACEHOLDER_RE,
    is_filler,
    parse_citation_ids,
)
from assises_tui.synthesis.figures import UNKNOWN_CATEGORY, Figures
from assises_tui.synthesis.typography import typeset, typeset_runs
from assises_tui.text.fold import fold
from assises_tui.text.safe import one_line, printable

MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()


def french_date(d: date) -> str:
    return f"{'1er' if d.day == 1 else d.day} {MONTHS[d.month - 1]} {d.year}"


def citation_label(item: Contribution, capital: bool = True, attached: bool = False) -> str:
    """ "Contribution n° 42 — citoyen, Montluçon" (category and commune only, when known);
    "Contribution n° 42, pièce jointe — …" for a passage of its attachment."""
    head = "Contribution" if capital else "contribution"
    parts = []
    if item.contributor_category:
        label = CATEGORY_LABELS.get(item.contributor_category, item.contributor_category)
        parts.append(one_line(label, 60).lower())
    if item.commune:
        parts.append(one_line(item.commune, 80))
    tail = f" — {', '.join(parts)}" if parts else ""
    where = ", pièce jointe" if attached else ""
    return f"{head} n° {item.id}{where}{tail}"


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


class _Resolver:
    """Citations and placeholders of one draft; collects the errors with their lines."""

    def __init__(self, contributions: Mapping[int, Contribution], figures: Figures) -> None:
        self.items = contributions
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
                attached = bool(m.group("attached"))
                labels.append(citation_label(item, capital=n == 0, attached=attached))
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


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


class _BlockReader:
    """The draft's lines → blocks. One method per kind of block; each returns the index of
    the first line it did not consume."""

    def __init__(self, lines: list[str], resolver: _Resolver, figure_blocks) -> None:
        self.lines = lines
        self.r = resolver
        self.figure_blocks = figure_blocks
        self.blocks: list[Block] = []
        self.title: str | None = None
        self.title_line = 0
        self.in_proposals = False
        self.proposal_no = 0

    def read(self) -> list[Block]:
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            stripped = line.strip()
            if not stripped:
                i += 1
            elif HEADING_RE.match(line):
                i = self.heading(i)
            elif stripped == "{{tableaux}}":
                self.blocks.extend(replace(b, line=i + 1) for b in self.figure_blocks())
                i += 1
            elif _is_quote(line):
                i = self.quote(i)
            elif BULLET_RE.match(line):
                i = self.bullets(i)
            else:
                i = self.paragraph(i)
        return self.blocks

    def _gather(self, start: int, keep: Callable[[str], bool]) -> tuple[list[str], int]:
        out, j = [], start
        while j < len(self.lines) and self.lines[j].strip() and keep(self.lines[j]):
            out.append(self.lines[j])
            j += 1
        return out, j

    def heading(self, i: int) -> int:
        m = HEADING_RE.match(self.lines[i])
        assert m is not None
        level = len(m.group(1))
        text = self.r.resolve(m.group(2), i + 1)
        if level == 1 and self.title is None:
            self.title, self.title_line = text, i + 1
        else:
            self.blocks.append(HeadingBlock(max(1, level - 1), text, i + 1))
            if level <= 3:
                self.in_proposals = fold(text).strip().startswith("proposition")
        return i + 1

    def quote(self, i: int) -> int:
        chunk, j = self._gather(i, _is_quote)
        body = " ".join(re.sub(r"^\s*>\s?", "", c).strip() for c in chunk).strip()
        self.blocks.append(QuoteBlock(self.r.runs(body, i + 1), i + 1))
        return j

    def bullets(self, i: int) -> int:
        lines = self.lines
        items: list[tuple[Run, ...]] = []
        numbers: list[int] = []
        item_lines: list[int] = []
        j = i
        while j < len(lines) and lines[j].strip():
            bm = BULLET_RE.match(lines[j])
            if not bm:
                break
            start_line = j
            parts = [lines[j][bm.end() :].strip()]
            j += 1
            while (
                j < len(lines)
                and lines[j].strip()
                and not BULLET_RE.match(lines[j])
                and not HEADING_RE.match(lines[j])
                and not _is_quote(lines[j])
            ):
                parts.append(lines[j].strip())
                j += 1
            if is_filler(" ".join(parts)):
                continue  # the template's "- …": nothing to export, no number
            items.append(self.r.runs(" ".join(parts), start_line + 1))
            item_lines.append(start_line + 1)
            if self.in_proposals:
                self.proposal_no += 1
                numbers.append(self.proposal_no)
        if items:
            self.blocks.append(ListBlock(tuple(items), tuple(numbers), tuple(item_lines)))
        return j

    def paragraph(self, i: int) -> int:
        chunk, j = self._gather(
            i,
            lambda s: not HEADING_RE.match(s) and not BULLET_RE.match(s) and not _is_quote(s),
        )
        body = " ".join(c.strip() for c in chunk)
        if not is_filler(body):  # the template's "…" paragraphs are left out
            self.blocks.append(ParagraphBlock(self.r.runs(body, i + 1), i + 1))
        return j


def _plain(block: Block) -> str:
    return "".join(r.text for r in block.runs).strip() if isinstance(block, ParagraphBlock) else ""


def empty_sections(blocks: list[Block], boilerplate: frozenset[str] = frozenset()) -> list[int]:
    """Indexes of the headings with no text, list, quote or table under them (their
    sub-sections included): what would be exported as a bare heading. A paragraph in
    ``boilerplate`` (a theme's description, copied by the template) is not content: a theme
    with nothing but its description says nothing to the reader."""
    empty = []
    for k, block in enumerate(blocks):
        if not isinstance(block, HeadingBlock):
            continue
        content = False
        for later in blocks[k + 1 :]:
            if isinstance(later, HeadingBlock):
                if later.level <= block.level:
                    break
                continue
            if _plain(later) and _plain(later) in boilerplate:
                continue
            content = True
            break
        if not content:
            empty.append(k)
    return empty


def _section_end(blocks: list[Block], k: int) -> int:
    """The index after the section that the heading at ``k`` opens."""
    level = blocks[k].level  # type: ignore[union-attr]
    j = k + 1
    while j < len(blocks) and not (
        isinstance(blocks[j], HeadingBlock) and blocks[j].level <= level  # type: ignore[union-attr]
    ):
        j += 1
    return j


def _empty_warnings(blocks: list[Block], empty: list[int]) -> list[Issue]:
    """One warning per outermost empty section (its empty sub-sections are named in it)."""
    warnings = []
    covered_until = -1
    for k in empty:
        if k <= covered_until:
            continue
        head = blocks[k]
        assert isinstance(head, HeadingBlock)
        end = _section_end(blocks, k)
        subs = [b.text for b in blocks[k + 1 : end] if isinstance(b, HeadingBlock)]
        covered_until = end - 1
        named = [f"« {s} »" for s in subs]
        listed = " ni ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
        inside = f" (rien dans {listed})" if subs else ""
        warnings.append(
            Issue(
                head.line,
                f"la section « {head.text} » est vide{inside} : écrivez-la ou "
                "omettez les sections vides à l'export",
            )
        )
    return warnings


def _typeset_block(block: Block) -> Block:
    def runs(rs: tuple[Run, ...]) -> tuple[Run, ...]:
        return typeset_runs(rs, lambda r, t: replace(r, text=t))

    if isinstance(block, HeadingBlock):
        return replace(block, text=typeset(block.text))
    if isinstance(block, ParagraphBlock | QuoteBlock):
        return replace(block, runs=runs(block.runs))
    if isinstance(block, ListBlock):
        return replace(block, items=tuple(runs(item) for item in block.items))
    table = block.table
    table = replace(
        table,
        title=typeset(table.title),
        headers=tuple(typeset(h) for h in table.headers),
        rows=tuple(tuple(typeset(c) for c in row) for row in table.rows),
    )
    if isinstance(block, ChartBlock):  # its caption, picture and alternative text too
        return replace(block, chart=_typeset_chart(block.chart), table=table)
    return replace(block, table=table)


def _typeset_chart(chart: Chart) -> Chart:
    return replace(
        chart,
        title=typeset(chart.title),
        labels=tuple(typeset(label) for label in chart.labels),
        series=tuple((typeset(name), values) for name, values in chart.series),
        value_label=typeset(chart.value_label),
        note=typeset(chart.note),
        label_heading=typeset(chart.label_heading),
    )


def typeset_document(doc: Document) -> None:
    """French typography on every text of the document, in place."""
    doc.title = typeset(doc.title)
    doc.consultation = typeset(doc.consultation)
    doc.authority = typeset(doc.authority)
    doc.blocks = [_typeset_block(b) for b in doc.blocks]


def figure_blocks(figures: Figures, charts: list[Chart]) -> list[Block]:
    """What ``{{tableaux}}`` becomes: the summary table, then each chart with its table
    (the contributions per day beside the table per week); without charts, the tables."""
    tables = figures.tables()
    if not charts:
        return [TableBlock(t) for t in tables]
    summary, by_week = tables[0], tables[-1]
    blocks: list[Block] = [TableBlock(summary)]
    for chart in charts:
        if _nothing_to_draw(chart):
            # One bar « Non renseignée » is not a chart: a sentence says it.
            said = f"aucune donnée renseignée pour les {chart.total} contributions."
            if not chart.total:
                said = "aucune donnée."
            blocks.append(ParagraphBlock((Run(chart.title, bold=True), Run(f" : {said}"))))
            continue
        blocks.append(ChartBlock(chart, by_week if chart.key == "per_day" else chart.table()))
    return blocks


def _nothing_to_draw(chart: Chart) -> bool:
    return not chart.total or (
        len(chart.labels) == 1 and chart.labels[0] in (UNKNOWN_CATEGORY, UNKNOWN_COMMUNE)
    )


def _subtitle(title: str, consultation: str) -> str:
    """The consultation's title under the document's, unless the title already says it."""
    return "" if fold(consultation).strip() in fold(title) else consultation


def render(
    text: str,
    config: Consultation,
    contributions: Mapping[int, Contribution],
    figures: Figures,
    today: date,
    *,
    omit_empty: bool = False,
    charts: list[Chart] | None = None,
    scope: str = "",
) -> RenderResult:
    """The draft as a document; ``scope`` (« Département : Cher ») says under the title
    what part of a national roll-up the figures are of."""
    resolver = _Resolver(contributions, figures)
    # A draft edited outside the app may hold control characters or escape sequences: no
    # document format wants them (DOCX refuses them, ODT XML becomes invalid, a Markdown
    # file would colour a terminal). Newlines are kept, so line numbers stay right.
    lines = printable(text.replace("\r\n", "\n")).split("\n")
    reader = _BlockReader(lines, resolver, lambda: figure_blocks(figures, charts or []))
    blocks = reader.read()
    title = reader.title or f"Synthèse — {config.title}"
    descriptions = frozenset(t.description.strip() for t in config.themes if t.description)
    empty = empty_sections(blocks, descriptions)
    warnings = _empty_warnings(blocks, empty)
    if omit_empty:  # the heading and all under it (a theme's description included)
        dropped = {j for k in empty for j in range(k, _section_end(blocks, k))}
        blocks = [b for k, b in enumerate(blocks) if k not in dropped]
    doc = Document(
        title=title,
        consultation=" — ".join(filter(None, (_subtitle(title, config.title), scope))),
        authority=config.signed_by,
        date_label=french_date(today),
        blocks=blocks,
        title_line=reader.title_line,
    )
    typeset_document(doc)
    return RenderResult(doc, resolver.errors, warnings)
