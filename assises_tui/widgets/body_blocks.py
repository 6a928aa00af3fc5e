"""Split an e-mail body into what the sender wrote, quoted replies and the signature.

Pure text work (no Textual): the reader folds "quote" and "signature" blocks so the
reviewer reads the contribution itself first. Rules, in French and English mail clients:
lines starting with ``>``; a "Le … a écrit :" / "On … wrote:" line (possibly wrapped over
two lines) and what follows it; "Message d'origine" / "Original Message" separators (the
rest of the mail); a signature from a ``-- `` line to the next quote or the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATTRIBUTION = re.compile(r"^\s*(le|on)\b.*\b(a\s+écrit|wrote)\s*:\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^\s*(le|on)\s+\S", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r"^\s*(a\s+)?(écrit|wrote)\s*:\s*$", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(message d'origine|message original|original message|"
    r"message transféré|forwarded message)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^--\s?$")


@dataclass(frozen=True)
class Block:
    kind: str  # "text" | "quote" | "signature"
    lines: tuple[str, ...]

    @property
    def foldable(self) -> bool:
        return self.kind != "text"

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _is_quote_start(lines: list[str], i: int) -> int:
    """Number of lines of an attribution/separator starting at ``i`` (0 when none)."""
    line = lines[i]
    if _ORIGINAL.match(line) or _ATTRIBUTION.match(line):
        return 1
    if (
        _ATTRIBUTION_START.match(line)
        and i + 1 < len(lines)
        and (_ATTRIBUTION_END.match(lines[i + 1]) or _ATTRIBUTION.match(line + " " + lines[i + 1]))
        and len(line) < 200
    ):
        return 2
    return 0


def split_blocks(body: str) -> list[Block]:
    lines = body.split("\n")
    blocks: list[Block] = []
    current: list[str] = []
    kind = "text"

    def flush(new_kind: str) -> None:
        nonlocal current, kind
        if current:
            # Merge with the previous block of the same kind (e.g. two quote runs).
            if blocks and blocks[-1].kind == kind:
                blocks[-1] = Block(kind, blocks[-1].lines + tuple(current))
            else:
                blocks.append(Block(kind, tuple(current)))
        current = []
        kind = new_kind

    i = 0
    while i < len(lines):
        line = lines[i]
        head = _is_quote_start(lines, i)
        if head:
            flush("quote")
            if _ORIGINAL.match(line):  # a forwarded/original message: the rest of the mail
                current.extend(lines[i:])
                break
            current.extend(lines[i : i + head])
            i += head
            rest = lines[i:]
            if not any(r.lstrip().startswith(">") for r in rest[:3] if r.strip()):
                current.extend(rest)  # attribution without ">" lines: the rest is quoted
                break
            continue
        if line.lstrip().startswith(">"):
            if kind != "quote":
                flush("quote")
            current.append(line)
        elif _SIGNATURE.match(line):
            flush("signature")
            current.append(line)
        elif kind == "quote" and not line.strip():
            current.append(line)  # blank lines inside a quote stay in it
        else:
            if kind == "quote":
                flush("text")
            current.append(line)
        i += 1
    flush("text")
    # Trailing blank lines of a quote that precede text belong to neither: keep them as text.
    return [b for b in blocks if any(ln.strip() for ln in b.lines) or b.kind == "text"]
