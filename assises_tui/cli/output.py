"""Printing for people and scripts. JSON goes to stdout, one document per command."""

from __future__ import annotations

import json
import sys
from typing import Any

from assises_tui.text.safe import printable


def emit_json(value: Any) -> None:
    # ensure_ascii keeps control characters from e-mails escaped in the output.
    sys.stdout.write(json.dumps(value, ensure_ascii=True, indent=2, default=str))
    sys.stdout.write("\n")


def say(text: str) -> None:
    """Human output: untrusted text is stripped of terminal control sequences."""
    sys.stdout.write(printable(text) + "\n")
