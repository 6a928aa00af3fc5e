"""Contributions and what reviewers attach to them.

Records are frozen dataclasses; a change builds a new record with ``dataclasses.replace``
and appends a :class:`HistoryEntry`. They use ``__slots__``: 100,000 contributions stay in
memory for a whole session, and a slotted record is ~240 bytes where one with a
``__dict__`` was ~900 (measured with 26 fields). Conversion to and from plain dicts (the
stored form) lives here so that every backend stores the same shape.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    OFF_TOPIC = "off_topic"
    DUPLICATE = "duplicate"
    NOT_CONTRIBUTION = "not_contribution"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.NEW: "Nouveau",
    Status.IN_PROGRESS: "En cours",
    Status.DONE: "Traité",
    Status.OFF_TOPIC: "Hors sujet",
    Status.DUPLICATE: "Doublon",
    Status.NOT_CONTRIBUTION: "Hors contribution",
}

#: Statuses that still need a reviewer ("what is left").
OPEN_STATUSES = frozenset({Status.NEW, Status.IN_PROGRESS})

CATEGORY_LABELS: dict[str, str] = {
    "citoyen": "Citoyen",
    "elu": "Élu",
    "police": "Police",
    "gendarmerie": "Gendarmerie",
    "association": "Association",
    "entreprise": "Entreprise",
    "autre": "Autre",
}

EXCERPT_KINDS: dict[str, str] = {
    "constat": "Constat",
    "proposition": "Proposition",
    "citation": "Citation",
}


def _dt_out(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt_in(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str  # as given by the sender: display only, never a path
    content_type: str
    size: int
    blob: str | None  # sha256 of the bytes in the blob store
    text_blob: str | None = None  # sha256 of the extracted text (utf-8)
    note: str | None = None  # why text is missing or cut (limits, unreadable…)
    recognised: bool = False  # text read from a scan by OCR: it may hold errors

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attachment:
        return cls(**{f.name: data.get(f.name) for f in fields(cls)})


@dataclass(frozen=True, slots=True)
class Excerpt:
    id: str
    start: int  # character offsets into the contribution's normalised body text
    end: int
    text: str
    theme: str
    kind: str  # constat | proposition | citation
    note: str = ""
    author: str = ""
    created_at: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Excerpt:
        return cls(**{f.name: data.get(f.name, "") for f in fields(cls)})


@dataclass(frozen=True, slots=True)
class Note:
    author: str
    at: str
    text: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Note:
        return cls(data.get("author", ""), data.get("at", ""), data.get("text", ""))


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    who: str
    at: str  # ISO 8601 with offset
    what: str  # field or action name: status, themes, note, excerpt, import…
    before: Any = None
    after: Any = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HistoryEntry:
        return cls(
            data.get("who", ""),
            data.get("at", ""),
            data.get("what", ""),
            data.get("before"),
            data.get("after"),
        )


@dataclass(frozen=True, slots=True)
class Contribution:
    id: int
    message_id: str
    received_at: datetime | None
    date_uncertain: bool
    sender_name: str
    sender_email: str
    subject: str
    body_blob: str | None  # sha256 of the normalised body text (utf-8)
    raw_blob: str | None  # sha256 of the raw e-mail bytes, byte for byte
    raw_sha256: str = ""
    attachments: tuple[Attachment, ...] = ()
    status: Status = Status.NEW
    status_reason: str = ""  # why the importer set aside (auto-reply, bounce…)
    themes: tuple[str, ...] = ()
    excerpts: tuple[Excerpt, ...] = ()
    notes: tuple[Note, ...] = ()
    assignee: str = ""
    late: bool = False
    duplicate_of: int | None = None
    cluster: int | None = None
    contributor_category: str = ""
    commune: str = ""
    source: str = ""  # where it was imported from (file name, not a path we reuse)
    snippet: str = ""  # first characters of the body, folded to one line, for lists
    text_fingerprint: str = ""  # hash of the folded text, for duplicates
    history: tuple[HistoryEntry, ...] = ()
    #: What a reviewer should check, set by the import (French sentences): a message relayed
    #: by a list, a new version of an earlier mail, an mbox split in doubt, parts not read.
    to_check: tuple[str, ...] = ()
    department: str = ""  # set in a national roll-up: the département it came from

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["received_at"] = _dt_out(self.received_at)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Contribution:
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values["received_at"] = _dt_in(data.get("received_at"))
        values["status"] = Status(data.get("status", "new"))
        values["attachments"] = tuple(Attachment.from_dict(a) for a in data.get("attachments", ()))
        values["excerpts"] = tuple(Excerpt.from_dict(e) for e in data.get("excerpts", ()))
        values["notes"] = tuple(Note.from_dict(n) for n in data.get("notes", ()))
        values["history"] = tuple(HistoryEntry.from_dict(h) for h in data.get("history", ()))
        values["themes"] = tuple(data.get("themes", ()))
        values["to_check"] = tuple(data.get("to_check", ()))
        return cls(**values)


def blob_refs(item: Contribution) -> set[str]:
    """Every blob a record names: raw mail, body, attachments and their texts."""
    refs = {b for b in (item.raw_blob, item.body_blob) if b}
    for a in item.attachments:
        refs.update(b for b in (a.blob, a.text_blob) if b)
    return refs


_SHA256 = re.compile("[0-9a-f]{64}")


def digests_in(value: Any) -> set[str]:
    """Every sha256 (64 hex digits) inside a JSON-like value: the blobs a document names."""
    if isinstance(value, str):
        return {value} if _SHA256.fullmatch(value) else set()
    if isinstance(value, dict):
        value = list(value.values())
    found: set[str] = set()
    if isinstance(value, list | tuple):
        for part in value:
            found |= digests_in(part)
    return found


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """A message that could not be understood at all, kept with its raw bytes."""

    id: int
    source: str
    reason: str
    raw_blob: str | None
    at: str
    #: Kept when a purge erases the raw mail, so that importing it again is recognised.
    raw_sha256: str | None = None


@dataclass
class ImportReport:
    read: int = 0
    imported: int = 0
    already_present: int = 0
    duplicates: int = 0
    not_contributions: int = 0
    late: int = 0
    quarantined: list[dict[str, str]] = field(default_factory=list)
    #: Files of a folder that are not mail, with why (``source``, ``reason``).
    skipped: list[dict[str, str]] = field(default_factory=list)
    #: Messages whose mbox split may be wrong (``source``, ``reason``).
    doubtful: list[dict[str, str]] = field(default_factory=list)
    #: Among the new: same Message-ID as an earlier mail but other content.
    new_versions: int = 0
    #: Among the new: left for a reviewer to check (``to_check`` not empty).
    to_check: int = 0
    #: Scanned documents whose text was recognised (OCR) during this import.
    recognised: int = 0
    #: Scanned documents left without text because OCR is not installed.
    ocr_missing: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
