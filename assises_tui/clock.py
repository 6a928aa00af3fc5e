"""The one way the app writes "now": local time with its offset, to the second (ISO 8601).

History entries, audit events, backups and imports all use it, so their times sort and
compare as strings and read the same everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def local_time(value: datetime | str | None, tz: tzinfo) -> str:
    """``25/11/2019 21:04``: how every time is shown (notes, history, versions, the lock
    message), always in the consultation's time zone. An ISO 8601 text is read first;
    a time without offset is taken as UTC; unreadable text is returned as it is."""
    if value is None or value == "":
        return "?"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz).strftime("%d/%m/%Y %H:%M")
