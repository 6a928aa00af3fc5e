"""Where workspaces live by default. Nothing is created at import or by these functions."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_WORKSPACE = "ASSISES_WORKSPACE"


def default_workspace_dir() -> Path:
    """``$ASSISES_WORKSPACE`` if set, else ``<user data dir>/assises/workspace``."""
    configured = os.environ.get(ENV_WORKSPACE, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("assises", appauthor=False)) / "workspace"
