"""Tolerant e-mail date parsing, French-localised formats included.

"lun., 13 janv. 2020 14:02:11 +0100" is what some French clients write in Date headers;
RFC 5322 parsing fails on it, so month and day names are translated before dateutil.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from email.utils import parsedate_to_datetime

_FR_MONTHS = {
    "janvier": "Jan",
    "janv": "Jan",
    "jan": "Jan",
    "février": "Feb",
    "fevrier": "Feb",
    "févr": "Feb",
    "fevr": "Feb",
    "fév": "Feb",
    "fev": "Feb",
    "mars": "Mar",
    "avril": "Apr",
    "avr": "Apr",
    "mai": "May",
    "juin": "Jun",
    "juillet": "Jul",
    "juil": "Jul",
    "août": "Aug",
    "aout": "Aug",
    "aoû": "Aug",
    "septembre": "Sep",
    "sept": "Sep",
    "octobre": "Oct",
    "oct": "Oct",
    "novembre": "Nov",
    "nov": "Nov",
    "décembre": "Dec",
    "decembre": "Dec",
    "déc": "Dec",
    "dec": "Dec",
}
_FR_DAYS = re.compile(
    r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mar|mer|jeu|ven|sam|dim)\b\.?,?",
    re.IGNORECASE,
)
_MONTH_WORD = re.compile(
    r"\b(" + "|".join(sorted(_FR_MONTHS, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE
)
_COMMENT = re.compile(r"\([^)]*\)")
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_MIN_YEAR, _MAX_YEAR = 1990, 2100


def _plausible(value: datetime | None) -> datetime | None:
    if value is None or not (_MIN_YEAR <= value.year <= _MAX_YEAR):
        return None
    return value


def parse_date(value: str | None, default_tz: tzinfo) -> datetime | None:
    """An aware datetime for a Date-like header value, or None when it cannot be read.

    A date without a zone is taken as local time of the consultation (``default_tz``).
    """
    if not value or not value.strip():
        return None
    text = _COMMENT.sub(" ", value).strip()[:200]
    result: datetime | None = None
    try:
        result = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        result = None
    if result is None:
        result = _dateutil(text)
    if result is None:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=default_tz)
    return _plausible(result)


def _dateutil(text: str) -> datetime | None:
    from dateutil import parser as du

    if not _YEAR.search(text):  # dateutil would fill a missing year with today's
        return None
    english = _FR_DAYS.sub(" ", text)
    english = _MONTH_WORD.sub(lambda m: _FR_MONTHS[m.group(1).lower()], english)
    english = english.replace(" à ", " ").replace(" a ", " ")
    english = re.sub(r"(\d{1,2})\s*h\s*(\d{2})", r"\1:\2", english)
    try:
        return du.parse(english, fuzzy=True, dayfirst=True)
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
    except Exception:  # dateutil has raised odd things on hostile input
        return None


def received_date(received: str | None, default_tz: tzinfo) -> datetime | None:
    """The timestamp of a Received header (after its last ';')."""
    if not received or ";" not in received:
        return None
    return parse_date(received.rsplit(";", 1)[1], default_tz)
