"""Line numbers of character offsets (1-based), for messages that point into a text."""

from __future__ import annotations

import bisect


def line_starts(text: str) -> list[int]:
    """The offset where each line of ``text`` starts (the first is 0)."""
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def line_of(starts: list[int], offset: int) -> int:
    """The 1-based line holding ``offset``, given ``line_starts(text)``."""
    return max(bisect.bisect_right(starts, offset), 1)
