"""Printing for people and scripts. JSON goes to stdout, one document per command."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from assises_tui.text.safe import printable

_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def emit_json(value: Any) -> None:
    # Accents stay readable; json escapes C0 controls (ESC, BEL…) itself, and the C1
    # controls, bidi overrides and invisible characters are escaped here, so nothing from an
    # e-mail can act on the terminal or reorder what it shows.
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
    sys.stdout.write("\n")


def say(text: str) -> None:
    """Human output: untrusted text is stripped of terminal control sequences."""
    sys.stdout.write(printable(text) + "\n")


def add_department_option(parser: Any) -> None:
    """``--departement NOM``: the national roll-up's filter (stats, codebook, synthesis)."""
    parser.add_argument(
        "--departement",
        dest="department",
        metavar="NOM",
        help="seulement ce département (regroupement national ; nom, sans tenir compte "
        "des accents ni des majuscules)",
    )
