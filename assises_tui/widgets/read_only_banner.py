"""The banner of a window opened read-only because another one holds the writer lock."""

from __future__ import annotations

import re

from textual.widgets import Static


def read_only_banner(read_only_reason: str | None) -> Static:
    """``read_only_reason``: the workspace's sentence, which names who holds the lock."""
    found = re.search(r"ouvert en écriture par (.+?)\s*;", read_only_reason or "")
    holder = found.group(1) if found else "un autre processus"
    return Static(
        f"Lecture seule — ouvert en écriture par {holder}",
        markup=False,
        classes="read-only-banner",
    )
