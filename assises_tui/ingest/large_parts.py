"""Large base64 parts are kept out of the ``email`` parser, and decoded from the raw bytes.

The ``email`` package turns a message into text, splits it into lines and joins them back:
a 55 MB mail with a 40 MB attachment took ~540 MB to import. For a message over
``BIG_MESSAGE``, every run of base64 lines longer than ``MIN_RUN_LINES`` is replaced by a
short token before parsing; when the MIME walker asks for a part's bytes and finds the token,
the bytes are decoded straight from the raw message (a memoryview: no copy of the run).
The tree the parser builds is then small whatever the attachments weigh.
"""

from __future__ import annotations

import binascii
import re
from contextvars import ContextVar
from email.message import Message

from assises_tui.ingest.decode import transfer_decode

BIG_MESSAGE = 4 * 1024 * 1024
MIN_RUN_LINES = 2048  # ~150 KB of base64 at 76 characters a line
# Up to 256 full lines at a time (a bounded repeat: the regex engine's stack stays small),
# then the shorter last line of the part if there is one, so that a run is a whole body.
_LINES = re.compile(rb"(?m)^(?:[A-Za-z0-9+/=]{40,}\r?\n){1,256}")
_LAST_LINE = re.compile(rb"[A-Za-z0-9+/=]{1,39}\r?\n")
_TOKEN = b"ASSISESASIDE%08dX\n"
_TOKEN_RE = re.compile(r"ASSISESASIDE(\d{8})X")


class SetAside:
    """The runs taken out of one message (offsets into its bytes)."""

    def __init__(self, data: bytes, runs: list[tuple[int, int]]) -> None:
        self.data = data
        self.runs = runs

    def part_bytes(self, part: Message, cte: str) -> bytes | None:
        """The decoded bytes of ``part`` when its body was set aside, else None."""
        try:
            payload = part.get_payload()
        except Exception:
            return None
        if not isinstance(payload, str) or len(payload) > 65536:
            return None
        found = _TOKEN_RE.search(payload)
        if found is None:
            return None
        start, end = self.runs[int(found.group(1))]
        before, after = payload[: found.start()], payload[found.end() :]
        run = memoryview(self.data)[start:end]
        if "base64" in cte and not before.strip():
            # The run's lines are whole base64 quanta when it holds a multiple of 4
            # characters: it then decodes on its own, the short last line after it too.
            breaks = self.data.count(b"\n", start, end) + self.data.count(b"\r", start, end)
            if (end - start - breaks) % 4 == 0:
                try:
                    head = binascii.a2b_base64(run)  # skips line breaks; no copy of the run
                    tail = after.encode("ascii", "surrogateescape")
                    return head + transfer_decode(tail, cte) if tail.strip() else head
                except (binascii.Error, ValueError):
                    pass
        whole = (
            before.encode("ascii", "surrogateescape")
            + bytes(run)
            + after.encode("ascii", "surrogateescape")
        )
        return transfer_decode(whole, cte) if cte else whole


#: The message being parsed in this context (set by ``mime._parse``).
CURRENT: ContextVar[SetAside | None] = ContextVar("assises_set_aside", default=None)


def set_aside(data: bytes) -> tuple[bytes, SetAside | None]:
    """``data`` with its long base64 runs replaced by tokens (unchanged when small)."""
    if len(data) <= BIG_MESSAGE:
        return data, None
    pieces: list[bytes] = []
    runs: list[tuple[int, int]] = []
    pos = 0
    for start, end in _runs(data):
        pieces.append(data[pos:start])
        pieces.append(_TOKEN % len(runs))
        runs.append((start, end))
        pos = end
    if not runs:
        return data, None
    pieces.append(data[pos:])
    return b"".join(pieces), SetAside(data, runs)


def _runs(data: bytes):
    """(start, end) of every run of at least ``MIN_RUN_LINES`` base64 lines."""
    start = end = -1
    lines = 0
    for block in _LINES.finditer(data):
        if block.start() != end:  # not contiguous with the run so far
            if lines >= MIN_RUN_LINES:
                yield start, _with_last_line(data, end)
            start, lines = block.start(), 0
        end = block.end()
        lines += data.count(b"\n", block.start(), end)
    if lines >= MIN_RUN_LINES:
        yield start, _with_last_line(data, end)


def _with_last_line(data: bytes, end: int) -> int:
    last = _LAST_LINE.match(data, end)
    return last.end() if last else end
