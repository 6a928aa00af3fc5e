"""Shared by every test folder: `tests/` on the path for the helpers that live here."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
