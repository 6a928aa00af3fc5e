"""The archive of every contribution, as CSV (for a French spreadsheet) or JSON lines.

Personal data is masked in every text (subject, body, attachments' names and texts,
excerpts) unless the coordinator asks for it; the sender's own names are masked too
(signatures often end with a first name alone). The CSV opens with a double click in a
French spreadsheet: UTF-8 with a BOM, ``;`` between cells, French headers and values, and a
cell that would start a formula kept as text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from datetime import tzinfo
from pathlib import Path
from typing import Any

from assises_tui.clock import local_time
from assises_tui.domain.models import (
    CATEGORY_LABELS,
    EXCERPT_KINDS,
    STATUS_LABELS,
    Contribution,
    Status,
)
from assises_tui.durable import write_atomic
from assises_tui.text.personal_data import NameIndex, find_personal_data, mask

ARCHIVE_FORMATS = ("csv", "jsonl")

#: A contribution's body text and its attachments' (name, text), read from the store.
Texts = Callable[[Contribution], tuple[str, list[tuple[str, str]]]]


def write_archive(
    items: Iterable[Contribution],
    fmt: str,
    path: Path,
    *,
    texts: Texts,
    names: NameIndex,
    mailbox: str,
    tz: tzinfo,
    theme_label: Callable[[str], str],
    with_personal_data: bool,
) -> int:
    """Write the archive of ``items`` to ``path`` (atomically); returns how many."""
    allowed = [mailbox]
    rows = [archive_row(c, texts, names, allowed, with_personal_data) for c in items]
    if fmt == "jsonl":
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    else:
        # As French spreadsheets open it with a double click: UTF-8 with a BOM (else
        # Excel reads the accents as ANSI), ";" (the French list separator), CRLF.
        # French headers and values (« Reçue le », « oui », « Traité », theme labels).
        buffer = io.StringIO()
        french = [french_row(r, tz, theme_label) for r in rows]
        columns = list(french[0]) if french else [CSV_HEADERS[k] for k in _ARCHIVE_COLUMNS]
        writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=";")
        writer.writeheader()
        for r in french:
            writer.writerow({k: _csv_value(v) for k, v in r.items()})
        data = "\ufeff" + buffer.getvalue()
    write_atomic(path, data.encode("utf-8"))
    return len(rows)


def archive_row(
    c: Contribution, texts: Texts, names: NameIndex, allowed: list[str], personal: bool
) -> dict[str, Any]:
    """One contribution as the JSONL archive holds it (field names of docs/synthesis.md)."""
    # The sender's own first names too: signatures often end with "Agnès" alone.
    own = c.sender_name.split()

    def clean(text: str) -> str:
        if personal:
            return text
        return mask(text, find_personal_data(text, names, allowed=allowed, also_words=own))

    body, attachments = texts(c)
    row: dict[str, Any] = {
        "id": c.id,
        "received_at": c.received_at.isoformat() if c.received_at else "",
        "late": c.late,
        "status": c.status.value,
        "themes": list(c.themes),
        "contributor_category": c.contributor_category,
        "commune": c.commune,
        "duplicate_of": c.duplicate_of,
        "subject": clean(c.subject),
        "body": clean(body),
        # Many contributions are a letter attached to a two-line e-mail: without the
        # attachments' text the archive would lose what the citizen actually wrote.
        "attachments": [
            {"filename": clean(name), "text": clean(text)} for name, text in attachments
        ],
        "excerpts": [{"theme": e.theme, "kind": e.kind, "text": clean(e.text)} for e in c.excerpts],
    }
    if personal:
        row["sender_name"] = c.sender_name
        row["sender_email"] = c.sender_email
    return row


def french_row(row: dict[str, Any], tz: tzinfo, label: Callable[[str], str]) -> dict[str, str]:
    """An archive row as a French spreadsheet shows it: headers of ``CSV_HEADERS``,
    dates « 25/11/2019 10:00 » in the consultation's zone, « oui »/« non », labels."""
    values = {
        "id": str(row["id"]),
        "received_at": local_time(row["received_at"], tz) if row["received_at"] else "",
        "late": "oui" if row["late"] else "non",
        "status": STATUS_LABELS.get(Status(row["status"]), row["status"]),
        "themes": " ; ".join(label(t) for t in row["themes"]),
        "contributor_category": CATEGORY_LABELS.get(
            row["contributor_category"], row["contributor_category"]
        ),
        "commune": row["commune"],
        "duplicate_of": str(row["duplicate_of"]) if row["duplicate_of"] else "",
        "subject": row["subject"],
        "body": row["body"],
        "attachments": "\n\n".join(f"{a['filename']} : {a['text']}" for a in row["attachments"]),
        "excerpts": "\n".join(
            f"{EXCERPT_KINDS.get(e['kind'], e['kind'])} ({label(e['theme'])}) : {e['text']}"
            for e in row["excerpts"]
        ),
    }
    if "sender_name" in row:
        values["sender_name"] = row["sender_name"]
        values["sender_email"] = row["sender_email"]
    return {CSV_HEADERS[k]: v for k, v in values.items()}


#: The CSV archive's column headers (the JSONL keeps the field names of docs/synthesis.md).
CSV_HEADERS = {
    "id": "Numéro",
    "received_at": "Reçue le",
    "late": "Hors délai",
    "status": "Statut",
    "themes": "Thèmes",
    "contributor_category": "Catégorie de contributeur",
    "commune": "Commune",
    "duplicate_of": "Doublon de",
    "subject": "Objet",
    "body": "Texte",
    "attachments": "Pièces jointes",
    "excerpts": "Extraits",
    "sender_name": "Expéditeur",
    "sender_email": "Adresse de l'expéditeur",
}

_ARCHIVE_COLUMNS = (
    "id received_at late status themes contributor_category commune duplicate_of subject body "
    "attachments excerpts"
).split()


#: A cell starting with these is a formula to a spreadsheet ("=HYPERLINK(…)" in a citizen's
#: subject would become a live link): such cells get a leading apostrophe, kept as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        value = json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
