"""The synthesis draft: a Markdown text with citations ``[#42]`` / ``[#42, #57]``.

This module only reads and edits text: the template, the outline (headings, constats and
propositions with how many distinct contributions support each), the theme a line belongs
to, and the small edits the drafting screen makes (a quotation, a new bullet filed under
the right sub-section). Figures are never typed: the draft holds placeholders such as
``{{contributions}}`` that the renderer fills from the store at export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assises_tui.config import Consultation
from assises_tui.text.fold import fold
from assises_tui.text.lines import line_of, line_starts

# "[#42]", "[#42, #57]"; "[#42 pj]" cites the attachment of n° 42 (an excerpt of its text).
CITATION_RE = re.compile(
    r"\[#\s*(\d+)((?:\s*[,;]\s*#?\s*\d+)*)(?P<attached>\s*,?\s*pj)?\s*\]", re.IGNORECASE
)
ATTACHED = " pj"
PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET_RE = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+")

#: What the template puts where the coordinator has to write ("- …"): left out of every
#: export and never numbered as a proposal.
TEMPLATE_FILLERS = frozenset({"…", "...", "[…]"})

CONSTATS = "Constats"
PROPOSITIONS = "Propositions"
FIGURES_ANNEX = "Annexe : chiffres"


@dataclass(frozen=True)
class Citation:
    ids: tuple[int, ...]
    start: int  # offsets into the draft text
    end: int
    line: int  # 1-based


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    line: int  # 1-based
    theme: str | None = None  # theme key when this heading or a parent is a theme section


@dataclass(frozen=True)
class Point:
    """A constat or proposition bullet and the contributions it cites."""

    kind: str  # constat | proposition
    theme: str | None
    line: int  # 1-based line of the bullet
    text: str  # the bullet's first line, without its marker
    ids: tuple[int, ...] = ()

    @property
    def support(self) -> int:
        """How many distinct contributions support this point."""
        return len(self.ids)


@dataclass
class Outline:
    headings: list[Heading] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)


def is_filler(text: str) -> bool:
    """True for a template placeholder left as is ("…"), not for text that ends with one."""
    return text.strip() in TEMPLATE_FILLERS


def parse_citation_ids(match: re.Match[str]) -> tuple[int, ...]:
    first = int(match.group(1))
    rest = [int(n) for n in re.findall(r"\d+", match.group(2) or "")]
    return tuple(dict.fromkeys([first, *rest]))


def find_citations(text: str) -> list[Citation]:
    starts = line_starts(text)
    return [
        Citation(parse_citation_ids(m), m.start(), m.end(), line_of(starts, m.start()))
        for m in CITATION_RE.finditer(text)
    ]


def citation_at(text: str, offset: int) -> Citation | None:
    """The citation covering ``offset`` (or touching it, so a cursor just after works)."""
    for c in find_citations(text):
        if c.start <= offset <= c.end:
            return c
    return None


def format_citation(ids: list[int] | tuple[int, ...]) -> str:
    unique = list(dict.fromkeys(ids))
    return "[" + ", ".join(f"#{i}" for i in unique) + "]"


def _theme_for_title(title: str, config: Consultation) -> str | None:
    key = fold(title).strip()
    for theme in config.themes:
        if key in (fold(theme.label).strip(), fold(theme.key)):
            return theme.key
    return None


def _in_fence(lines: list[str]) -> list[bool]:
    inside, flags = False, []
    for ln in lines:
        if ln.lstrip().startswith("```"):
            flags.append(True)
            inside = not inside
        else:
            flags.append(inside)
    return flags


def outline(text: str, config: Consultation) -> Outline:
    """Headings (with the theme they belong to) and every constat/proposition bullet."""
    lines = text.split("\n")
    fenced = _in_fence(lines)
    result = Outline()
    theme: str | None = None
    theme_level = 0
    kind: str | None = None
    kind_level = 0
    current: dict | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            ids = tuple(dict.fromkeys(current["ids"]))
            result.points.append(
                Point(current["kind"], current["theme"], current["line"], current["text"], ids)
            )
        current = None

    for n, ln in enumerate(lines, start=1):
        if fenced[n - 1]:
            continue
        m = HEADING_RE.match(ln)
        if m:
            close()
            level, title = len(m.group(1)), m.group(2)
            if theme is not None and level <= theme_level:
                theme = None
            if kind is not None and level <= kind_level:
                kind = None
            found = _theme_for_title(title, config)
            if found is not None:
                theme, theme_level = found, level
            folded = fold(title).strip()
            if folded.startswith("constat"):
                kind, kind_level = "constat", level
            elif folded.startswith("proposition"):
                kind, kind_level = "proposition", level
            result.headings.append(Heading(level, title, n, theme))
            continue
        bullet = BULLET_RE.match(ln)
        if kind is not None and bullet and not bullet.group(1):
            close()
            current = {
                "kind": kind,
                "theme": theme,
                "line": n,
                "text": ln[bullet.end() :].strip(),
                "ids": [],
            }
        if current is not None:
            for m2 in CITATION_RE.finditer(ln):
                current["ids"].extend(parse_citation_ids(m2))
    close()
    return result


def theme_at_line(text: str, line: int, config: Consultation) -> str | None:
    """The theme whose section contains 1-based ``line`` (None outside theme sections)."""
    theme = None
    for h in outline(text, config).headings:
        if h.line > line:
            break
        theme = h.theme
    return theme


def quotation(excerpt_text: str, cid: int, attached: bool = False) -> str:
    """A Markdown quote of the excerpt followed by its citation (``[#12 pj]`` when the
    excerpt comes from an attachment's text)."""
    body = " ".join(excerpt_text.split())
    cite = format_citation([cid])
    if attached:
        cite = cite[:-1] + ATTACHED + "]"
    return f"> « {body} » {cite}\n"


def insert_at_line(text: str, line: int, block: str) -> tuple[str, int]:
    """Insert ``block`` as its own paragraph before 1-based ``line``; returns (text, line)."""
    lines = text.split("\n")
    index = max(0, min(line - 1, len(lines)))
    chunk = block.rstrip("\n").split("\n")
    if index > 0 and lines[index - 1].strip():
        chunk = ["", *chunk]
    if index < len(lines) and lines[index].strip():
        chunk = [*chunk, ""]
    lines[index:index] = chunk
    first = index + 1 + (1 if chunk and chunk[0] == "" else 0)
    return "\n".join(lines), first


def add_point(
    text: str, config: Consultation, theme: str, kind: str, body: str, ids: list[int]
) -> tuple[str, int]:
    """File a new bullet under the theme's Constats/Propositions; returns (text, its line).

    The sub-section (and the theme section) are created when missing, so the coordinator
    can start from an empty draft.
    """
    bullet = f"- {' '.join(body.split())} {format_citation(ids)}".rstrip()
    lines = text.split("\n")
    fenced = _in_fence(lines)
    theme_label = config.theme(theme).label if config.theme(theme) else theme
    want = "constat" if kind == "constat" else "proposition"
    theme_start = theme_end = None
    theme_level = 0
    for i, ln in enumerate(lines):
        m = HEADING_RE.match(ln) if not fenced[i] else None
        if not m:
            continue
        level = len(m.group(1))
        if theme_start is None:
            if _theme_for_title(m.group(2), config) == theme:
                theme_start, theme_level = i, level
        elif level <= theme_level:
            theme_end = i
            break
    if theme_start is None:  # no section for the theme: add one before the conclusion/annex
        anchor = next(
            (
                i
                for i, ln in enumerate(lines)
                if (m := HEADING_RE.match(ln))
                and len(m.group(1)) == 2
                and fold(m.group(2)).startswith(("conclusion", "annexe"))
            ),
            len(lines),
        )
        title = CONSTATS if kind == "constat" else PROPOSITIONS
        block = f"## {theme_label}\n\n### {title}\n\n{bullet}"
        new, first = insert_at_line(text, anchor + 1, block)
        return new, first + 4
    if theme_end is None:
        theme_end = len(lines)
    sub_start = sub_end = None
    for i in range(theme_start + 1, theme_end):
        m = HEADING_RE.match(lines[i]) if not fenced[i] else None
        if not m:
            continue
        if sub_start is None and fold(m.group(2)).strip().startswith(want):
            sub_start = i
        elif sub_start is not None:
            sub_end = i
            break
    if sub_start is None:
        title = CONSTATS if kind == "constat" else PROPOSITIONS
        # Constats come before propositions in the template order.
        insert_before = theme_end
        if kind == "constat":
            insert_before = next(
                (
                    i
                    for i in range(theme_start + 1, theme_end)
                    if (m := HEADING_RE.match(lines[i]))
                    and fold(m.group(2)).startswith("proposition")
                ),
                theme_end,
            )
        block = f"### {title}\n\n{bullet}"
        new, first = insert_at_line(text, insert_before + 1, block)
        return new, first + 2
    if sub_end is None:
        sub_end = theme_end
    last = sub_end - 1
    while last > sub_start and not lines[last].strip():
        last -= 1
    # Replace a lone template placeholder bullet ("- …") rather than leaving it behind.
    if last > sub_start and lines[last].strip() in ("- …", "- ..."):
        lines[last] = bullet
        return "\n".join(lines), last + 1
    lines.insert(last + 1, bullet)
    if last == sub_start:  # empty sub-section: keep a blank line after the heading
        lines.insert(last + 1, "")
        return "\n".join(lines), last + 3
    return "\n".join(lines), last + 2


def template(config: Consultation) -> str:
    """A first draft: every section in place, figures as placeholders, no typed number."""
    deadline = config.deadline.astimezone(config.tz).strftime("%d/%m/%Y")
    parts = [
        f"# Synthèse — {config.title}",
        "",
        "## Introduction",
        "",
        "…",
        "",
        "## Méthode",
        "",
        # One paragraph, one line: the editor wraps it at its width (a hard break would
        # leave a ragged short row in the middle of the paragraph).
        "La consultation a été annoncée par la préfecture, qui a invité les habitants, les élus, "
        f"les forces de sécurité et leurs partenaires à écrire à {config.mailbox} avant le "
        f"{deadline}.",
        "",
        "{{bilan}} entre le {{premiere_date}} et le {{derniere_date}}. Parmi les "
        "contributions, {{dans_les_delais}} sont arrivées dans les délais, {{hors_delai}} "
        "après la date limite et {{date_incertaine}} à une date incertaine. "
        "{{hors_contribution}} messages sans contribution (réponses automatiques, erreurs de "
        "distribution…) et {{doublons}} doublons ont été écartés.",
        "",
    ]
    for theme in config.themes:
        parts += [
            f"## {theme.label}",
            "",
            f"*{theme.description}*",
            "",
            f"### {CONSTATS}",
            "",
            "- …",
            "",
            f"### {PROPOSITIONS}",
            "",
            "- …",
            "",
        ]
    parts += ["## Conclusion", "", "…", "", f"## {FIGURES_ANNEX}", "", "{{tableaux}}", ""]
    return "\n".join(parts)
