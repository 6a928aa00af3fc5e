"""Masking personal data in a text while keeping track of offsets (for excerpts).

Used by the pseudonymised view and the purge (``services/privacy.py``). No textual/rich.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assises_tui.text.personal_data import MASKS, Finding, find_personal_data


@dataclass(frozen=True)
class Masked:
    """A masked text and how to move offsets of the original text into it."""

    text: str
    findings: tuple[Finding, ...]
    spans: tuple[tuple[int, int, int, int], ...]  # (old start, old end, new start, new end)

    def offset(self, old: int, *, end: bool = False) -> int:
        """Where ``old`` lands: inside a masked piece, a start snaps to the label's start
        and an end to the label's end, so an excerpt keeps covering what it covered."""
        shift = 0
        for os_, oe, ns, ne in self.spans:
            if old <= os_:
                break
            if old < oe:
                return ne if end else ns
            shift = ne - oe
        return old + shift

    def original(self, new: int, *, end: bool = False) -> int:
        """The inverse of :meth:`offset`: where ``new`` (in the masked text) comes from.
        Inside a mask label, a start snaps to the masked piece's start and an end to its
        end, so a selection made on the masked text covers whole pieces of the original."""
        shift = 0
        for os_, oe, ns, ne in self.spans:
            if new <= ns:
                break
            if new < ne:
                return oe if end else os_
            shift = oe - ne
        return new + shift


def mask_text(text: str, names: Iterable[str] = (), allowed: Iterable[str] = ()) -> Masked:
    findings = find_personal_data(text, [n for n in names if n], allowed=allowed)
    out: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    pos = new_len = 0
    for f in findings:  # sorted, without overlaps
        if f.start < pos:
            continue
        piece = text[pos : f.start]
        out.append(piece)
        new_len += len(piece)
        label = MASKS.get(f.kind, "[masqué]")
        out.append(label)
        spans.append((f.start, f.end, new_len, new_len + len(label)))
        new_len += len(label)
        pos = f.end
    out.append(text[pos:])
    return Masked("".join(out), tuple(findings), tuple(spans))


def mask_value(value: Any, names: list[str], allowed: list[str]) -> Any:
    """Mask every string inside a JSON-like value (history before/after)."""
    if isinstance(value, str):
        return mask_text(value, names, allowed).text
    if isinstance(value, list):
        return [mask_value(v, names, allowed) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v, names, allowed) for k, v in value.items()}
    return value
