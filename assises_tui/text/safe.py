"""Make untrusted text safe to show: no terminal control sequence ever reaches a terminal.

E-mail fields can carry ESC sequences (colours, OSC 52 clipboard writes, OSC 8 links),
BEL, C1 controls, bidi overrides and zero-width characters. Display code passes every
untrusted string through :func:`printable` (and renders it without markup).
"""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other 2-byte.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, terminated or not
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]?"  # lone ESC or two-char sequences
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC
)
# Remaining C0 (but tab/newline), DEL, C1, bidi controls (U+061C ARABIC LETTER MARK is
# one too) and zero-width characters.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` without escape sequences or control characters (``\\r`` dropped)."""
    if not text:
        return ""
    text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", "\n")
    text = _CONTROLS.sub("", text.replace("\r", ""))
    if not keep_newlines:
        text = " ".join(text.split())
    return text


def one_line(text: str, limit: int = 500) -> str:
    """A single bounded line for lists and headers."""
    line = printable(text, keep_newlines=False)
    return line if len(line) <= limit else line[: limit - 1] + "…"
