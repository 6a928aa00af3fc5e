"""Markdown export (also what the preview screen shows)."""

from __future__ import annotations

import re
from pathlib import Path

from assises_tui.durable import write_atomic
from assises_tui.synthesis.document import (
    ChartBlock,
    Document,
    HeadingBlock,
    ListBlock,
    ParagraphBlock,
    QuoteBlock,
    Run,
    TableBlock,
)

_SPECIAL = re.compile(r"([\\`*_\[\]<|])")


def escape(text: str) -> str:
    """Text that Markdown shows as typed (no emphasis, link or HTML from the content)."""
    text = _SPECIAL.sub(r"\\\1", text)
    return re.sub(r"^([#>+\-]|\d+[.)])", r"\\\1", text)


def _runs(runs: tuple[Run, ...]) -> str:
    out = []
    for r in runs:
        t = escape(r.text)
        if r.bold and t.strip():
            t = f"**{t}**"
        if r.italic and t.strip():
            t = f"*{t}*"
        out.append(t)
    return "".join(out)


def _slug(text: str) -> str:
    return re.sub(r"[^\w\- ]", "", text.lower()).strip().replace(" ", "-")


def to_markdown(doc: Document, *, toc: bool = True) -> str:
    parts = [f"**{escape(doc.authority)}**", "", f"# {escape(doc.title)}", ""]
    if doc.consultation:
        parts += [escape(doc.consultation), ""]
    parts += [f"*{escape(doc.date_label)}*", ""]
    if toc:
        parts += ["## Table des matières", ""]
        for h in doc.headings(2):
            indent = "  " * (h.level - 1)
            parts.append(f"{indent}- {escape(h.text)}")
        parts.append("")
    for block in doc.blocks:
        if isinstance(block, HeadingBlock):
            parts += [f"{'#' * min(6, block.level + 1)} {escape(block.text)}", ""]
        elif isinstance(block, ParagraphBlock):
            parts += [_runs(block.runs), ""]
        elif isinstance(block, QuoteBlock):
            parts += [f"> {_runs(block.runs)}", ""]
        elif isinstance(block, ListBlock):
            for n, item in enumerate(block.items):
                marker = f"{block.numbers[n]}." if block.ordered else "-"
                parts.append(f"{marker} {_runs(item)}")
            parts.append("")
        elif isinstance(block, TableBlock | ChartBlock):
            t = block.table
            parts += [f"**{escape(t.title)}**", ""]
            parts.append("| " + " | ".join(escape(h) for h in t.headers) + " |")
            parts.append("|" + "|".join(" --- " for _ in t.headers) + "|")
            for row in t.rows:
                parts.append("| " + " | ".join(escape(c) for c in row) + " |")
            parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def export_markdown(doc: Document, path: Path) -> None:
    write_atomic(path, to_markdown(doc).encode("utf-8"))
