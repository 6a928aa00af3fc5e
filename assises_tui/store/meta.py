"""Workspace-level data beside the contributions.

``store/meta.json`` is a small TinyDB file (same atomic storage) with three tables:
``meta`` (schema version, next ids, shard size, last daily backup), ``quarantine`` and
``docs`` (saved searches, codebook, settings: one JSON value per name).

The audit trail is ``store/audit.jsonl``: one JSON object per line, appended and fsync'd.
Appending keeps each event O(1) however long the trail grows (rewriting a JSON file would
cost more with every event) and never rewrites past events. A crash mid-append can only
tear the last line; readers skip it, and the next append cuts it off before writing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from copy import deepcopy
from pathlib import Path
from typing import Any

import orjson
from tinydb import Query, TinyDB
from tinydb.table import Document

from assises_tui.durable import FILE_MODE
from assises_tui.store.json_files import AtomicJSONStorage, UnreadableFileError

META_DOC_ID = 1


class MetaDB:
    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.db = TinyDB(path, storage=AtomicJSONStorage, read_only=read_only)
        self.storage: AtomicJSONStorage = self.db.storage  # type: ignore[assignment]

    def exists(self) -> bool:
        return self.path.exists()

    def meta(self) -> dict[str, Any]:
        """The meta document (a copy). Raises UnreadableFileError."""
        try:
            doc = self.db.table("meta").get(doc_id=META_DOC_ID)
        except (AttributeError, TypeError, ValueError, KeyError):  # hand-edited into bad shape
            raise UnreadableFileError(self.path, "la table « meta » est mal formée") from None
        if doc is None:
            if self.storage.read() is None:
                return {}
            raise UnreadableFileError(self.path, "la table « meta » est absente")
        return dict(doc)

    def set_meta(self, values: dict[str, Any]) -> None:
        table = self.db.table("meta")
        if table.get(doc_id=META_DOC_ID) is None:
            table.insert(Document(values, doc_id=META_DOC_ID))
        else:
            table.update(values, doc_ids=[META_DOC_ID])

    def allocate(self, key: str, count: int) -> int:
        """Reserve ``count`` numbers from counter ``key``; returns the first (durable)."""
        first = int(self.meta().get(key, 1))
        self.set_meta({key: first + count})
        return first

    # -- quarantine ----------------------------------------------------------
    def add_quarantine(self, values: dict[str, Any]) -> int:
        with self.storage.deferred():  # counter and entry in one flush
            qid = self.allocate("next_quarantine_id", 1)
            self.db.table("quarantine").insert(Document({**values, "id": qid}, doc_id=qid))
        return qid

    def insert_quarantine(self, entries: list[dict[str, Any]]) -> None:
        """Entries copied from another store, with their numbers (one flush)."""
        if not entries:
            return
        table = self.db.table("quarantine")
        with self.storage.deferred():
            for entry in entries:
                table.upsert(Document(entry, doc_id=entry["id"]))
            top = max(entry["id"] for entry in entries) + 1
            if top > int(self.meta().get("next_quarantine_id", 1)):
                self.set_meta({"next_quarantine_id": top})

    def update_quarantine(self, changes: dict[int, dict[str, Any]]) -> None:
        """Several entries changed in one flush."""
        table = self.db.table("quarantine")
        with self.storage.deferred():
            for qid, values in changes.items():
                table.update(values, doc_ids=[qid])

    def quarantine(self) -> list[dict[str, Any]]:
        return sorted((dict(d) for d in self.db.table("quarantine").all()), key=lambda d: d["id"])

    # -- documents -----------------------------------------------------------
    def get_doc(self, name: str) -> dict[str, Any]:
        found = self.db.table("docs").get(Query().name == name)
        if found is None:
            return {}
        return deepcopy(found["value"])

    def put_doc(self, name: str, value: dict[str, Any]) -> None:
        # Round-trip through JSON now so a value that cannot be stored fails here, not later.
        plain = orjson.loads(orjson.dumps(value))
        self.db.table("docs").upsert({"name": name, "value": plain}, Query().name == name)

    def doc_names(self) -> list[str]:
        return sorted(d["name"] for d in self.db.table("docs").all())

    def invalidate(self) -> None:
        self.storage.invalidate()
        self.db.clear_cache()


def _last_line_end(fd: int, size: int) -> int:
    """Offset just after the last newline of the file (0 when there is none)."""
    end = size
    while end > 0:
        start = max(0, end - 65536)
        chunk = os.pread(fd, end - start, start)
        pos = chunk.rfind(b"\n")
        if pos >= 0:
            return start + pos + 1
        end = start
    return 0


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, entries: Iterable[dict[str, Any]]) -> None:
        lines = b"".join(orjson.dumps(e) + b"\n" for e in entries)
        if not lines:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                # A torn last line was never acknowledged (the append did not return): drop it.
                os.ftruncate(fd, _last_line_end(fd, size))
            os.write(fd, lines)
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> tuple[list[dict[str, Any]], list[int]]:
        """(events, numbers of the lines that did not parse)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return [], []
        events: list[dict[str, Any]] = []
        bad: list[int] = []
        for number, line in enumerate(data.split(b"\n"), start=1):
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                bad.append(number)
                continue
            if isinstance(value, dict):
                events.append(value)
            else:
                bad.append(number)
        return events, bad
