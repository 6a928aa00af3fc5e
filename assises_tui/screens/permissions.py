"""Coordinator-only actions (edit the codebook, export): refused, with the reason, in a
session opened as a reviewer account (``assises serve``). A terminal user is a coordinator.
"""

from __future__ import annotations

from textual.screen import Screen


def coordinator_only(screen: Screen, what: str) -> bool:
    """True when the session may ``what``; otherwise tells the user why not."""
    if screen.services.workspace.role == "coordinator":  # type: ignore[attr-defined]
        return True
    screen.notify(
        f"Réservé aux coordinateurs : {what}. Votre compte est un compte de relecteur.",
        severity="warning",
        markup=False,
    )
    return False
