"""The one way the app writes "now": local time with its offset, to the second (ISO 8601).

History entries, audit events, backups and imports all use it, so their times sort and
compare as strings and read the same everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")
