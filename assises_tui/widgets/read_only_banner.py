"""The banner of a window opened read-only because another one holds the writer lock."""

from __future__ import annotations

import re

from textual.widgets import Static


def read_only_banner(read_only_reason: str | None) -> Static:
    """``read_only_reason``: the workspace's sentence, which names who holds the lock."""
    reason = read_only_reason or ""
    found = re.search(r"ouvert en écriture par (.+?)\s*;", reason)
    if "disque" in reason and "lecture seule" in reason:
        why = "le disque de l'espace de travail n'accepte pas l'écriture"
    else:
        why = f"ouvert en écriture par {found.group(1) if found else 'un autre processus'}"
    return Static(
        f"Lecture seule — {why}",
        markup=False,
        classes="read-only-banner",
    )
