"""Contribution records split into TinyDB files of ``shard_size`` records by id range.

One JSON file for 100,000 records costs about a second to rewrite for one change; a shard
of 1,000 records costs about a millisecond. Only the shard holding a changed record is
rewritten (``store/contributions/0000.json`` holds ids 1-1000, ``0001.json`` 1001-2000…).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document

from assises_tui.store.atomic import AtomicJSONStorage, UnreadableFileError, ensure_dir
from assises_tui.store.protocol import StoreError

TABLE = "contributions"
_SHARD_NAME = re.compile(r"^(\d{4,})\.json$")

Signature = tuple[int, int, int]  # (inode, size, mtime_ns): changes on every replace


def _replace_in(records: dict[int, dict[str, Any]]):
    def replace(doc: dict[str, Any]) -> None:
        new = records[doc["id"]]
        if new is not doc:  # a migration hands back the cached dicts themselves
            doc.clear()
            doc.update(new)

    return replace


class Shards:
    def __init__(self, folder: Path, shard_size: int, *, read_only: bool = False) -> None:
        if shard_size < 1:
            raise StoreError("Taille de fichier de contributions invalide.")
        self.folder = folder
        self.shard_size = shard_size
        self.read_only = read_only
        self._dbs: dict[int, TinyDB] = {}

    def index_of(self, cid: int) -> int:
        if not isinstance(cid, int) or cid < 1:
            raise StoreError(f"Numéro de contribution invalide : {cid!r}.")
        return (cid - 1) // self.shard_size

    def path_of(self, index: int) -> Path:
        return self.folder / f"{index:04d}.json"

    def existing(self) -> list[int]:
        if not self.folder.is_dir():
            return []
        found = []
        for name in os.listdir(self.folder):
            match = _SHARD_NAME.match(name)
            if match:
                found.append(int(match.group(1)))
        return sorted(found)

    def db(self, index: int) -> TinyDB:
        db = self._dbs.get(index)
        if db is None:
            db = TinyDB(self.path_of(index), storage=AtomicJSONStorage, read_only=self.read_only)
            self._dbs[index] = db
        return db

    def storage(self, index: int) -> AtomicJSONStorage:
        return self.db(index).storage  # type: ignore[return-value]

    def load(self, index: int) -> dict[int, dict[str, Any]]:
        """Records of one shard (parsed once, then cached). Raises UnreadableFileError."""
        tables = self.storage(index).read() or {}
        raw = tables.get(TABLE, {})
        if not isinstance(raw, dict):
            raise UnreadableFileError(self.path_of(index), f"la table « {TABLE} » est mal formée")
        try:
            records = {int(k): v for k, v in raw.items()}
        except ValueError:
            raise UnreadableFileError(
                self.path_of(index), "un identifiant n'est pas un nombre"
            ) from None
        if not all(isinstance(v, dict) for v in records.values()):
            raise UnreadableFileError(self.path_of(index), "un enregistrement n'est pas un objet")
        return records

    def write(self, index: int, records: dict[int, dict[str, Any]]) -> None:
        """Insert or replace ``records`` (all in shard ``index``) in one durable flush."""
        ensure_dir(self.folder)
        db = self.db(index)
        storage = self.storage(index)
        table = db.table(TABLE)
        present = (storage.read() or {}).get(TABLE, {})
        existing = [cid for cid in records if str(cid) in present]
        new = [cid for cid in records if str(cid) not in present]
        with storage.deferred():
            if existing:
                table.update(_replace_in(records), doc_ids=existing)
            if new:
                table.insert_multiple(Document(records[cid], doc_id=cid) for cid in new)

    def invalidate(self, index: int) -> None:
        db = self._dbs.pop(index, None)
        if db is not None:
            db.storage.invalidate()  # type: ignore[attr-defined]

    def signature(self, index: int) -> Signature | None:
        try:
            st = os.stat(self.path_of(index))
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def signatures(self) -> dict[int, Signature | None]:
        return {index: self.signature(index) for index in self.existing()}

    def files(self) -> list[Path]:
        return [self.path_of(i) for i in self.existing()]
