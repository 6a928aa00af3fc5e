"""Contribution records split into JSON files of ``shard_size`` records by id range.

One JSON file for 100,000 records costs about a second to rewrite for one change; a shard
of 1,000 records costs about a millisecond. Only the shard holding a changed record is
rewritten (``store/contributions/0000.json`` holds ids 1-1000, ``0001.json`` 1001-2000…).

Each file is a TinyDB database (``{"contributions": {"<id>": {record}}}``) written with
one record per line::

    {"contributions":{
    "1":{"id":1,...},
    "2":{"id":2,...}
    }}

JSON strings cannot hold a raw line break, so every line is exactly one record, and a
change is spliced in: read the file, find and replace the changed lines, write it back.
Nothing of a shard stays in memory between writes (the store keeps decoded records only),
and a write never parses or re-encodes the shard's other 999 records. Measured at 100,000
records: keeping each shard's parsed dicts for TinyDB cost ~300 MB; re-encoding a shard
from the records ~4 ms of CPU per write, splitting it into lines ~2 ms; the splice keeps a
durable save at ~1 ms of CPU (TinyDB's re-dump of its cached shard: ~1.9 ms).

A file in any other layout (an older version wrote TinyDB's single line), or one that
changed on disk since this process read or wrote it, is parsed in full instead — or, when
the store can provide them (``Shards.source``), rebuilt from the records in memory, which
are the truth for the single writer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from assises_tui import durable
from assises_tui.durable import ensure_dir
from assises_tui.store.json_files import UnreadableFileError
from assises_tui.store.protocol import StoreError

TABLE = "contributions"
#: Key of the meta document counting the records of each shard ({"<index>": count}): a
#: shard file that goes missing, or loses records, is then known to (records are never
#: deleted).
SHARDS_KEY = "shard_counts"
_SHARD_NAME = re.compile(r"^(\d{4,})\.json$")
_HEAD = b'{"' + TABLE.encode() + b'":{\n'
_TAIL = b"\n}}\n"
_SEP = b",\n"

Signature = tuple[int, int, int]  # (inode, size, mtime_ns): changes on every replace
#: The records of one shard as the store holds them (id -> stored form), or None.
Source = Callable[[int], dict[int, dict[str, Any]] | None]


def _line(cid: int, record: dict[str, Any]) -> bytes:
    return b'"%d":%s' % (cid, orjson.dumps(record))


def _render_lines(lines: dict[int, bytes]) -> bytes:
    return _HEAD + _SEP.join([lines[cid] for cid in sorted(lines)]) + _TAIL


def _ours(data: bytes) -> bool:
    return data.startswith(_HEAD) and data.endswith(_TAIL)


def _splice(data: bytes, records: dict[int, dict[str, Any]]) -> bytes | None:
    """``data`` (a file in our layout) with the lines of ``records`` replaced; None when
    one of them is not in the file yet.

    Each line starts right after a line break with ``"<id>":``, and a line break cannot
    occur inside JSON text: one search per record finds its line (a few hundred
    microseconds for a 1 MB shard, where splitting every line cost a millisecond).
    """
    spans = []
    for cid in records:
        start = data.find(b'\n"%d":' % cid)
        if start < 0:
            return None
        start += 1
        end = data.index(b"\n", start)
        if data[end - 1] == 0x2C:  # the "," before the next line
            end -= 1
        spans.append((start, end, cid))
    spans.sort()
    parts = []
    pos = 0
    for start, end, cid in spans:
        parts += (data[pos:start], _line(cid, records[cid]))
        pos = end
    parts.append(data[pos:])
    return b"".join(parts)


def _split(data: bytes) -> dict[int, bytes] | None:
    """The record lines of a file in our layout, by id; None for any other layout."""
    if not _ours(data):
        return None
    body = data[len(_HEAD) : -len(_TAIL)]
    lines: dict[int, bytes] = {}
    if not body.strip():
        return lines
    for line in body.split(_SEP):
        end = line.find(b'":', 1)
        if not line.startswith(b'"') or end < 0 or b"\n" in line:
            return None
        try:
            lines[int(line[1:end])] = line
        except ValueError:
            return None
    return lines


def shard_index(path: str) -> int | None:
    """The index of a shard file (``store/contributions/0003.json`` → 3), else None."""
    folder, _, name = path.rpartition("/")
    match = _SHARD_NAME.match(name)
    return int(match.group(1)) if match and folder.endswith(TABLE) else None


def shortfalls(meta: dict[str, Any], counts: dict[int, int], shard_size: int) -> dict[int, int]:
    """Shards holding fewer records than the meta document says: index -> how many are
    missing (a missing file holds none). ``counts``: records found in each shard.

    Records are never deleted, so a shard can only lose records by damage. A store written
    before the counts were kept expects at least one record in every shard up to the one
    of the last id handed out: ids are reserved in batches of a few hundred, so a whole
    shard of ids never used is all but impossible there.
    """
    listed = meta.get(SHARDS_KEY)
    expected: dict[int, int] = {}
    if isinstance(listed, dict):
        for key, value in listed.items():
            try:
                expected[int(key)] = int(value)
            except (TypeError, ValueError):
                continue
    else:
        last_id = int(meta.get("next_id") or 1) - 1
        expected = dict.fromkeys(range((last_id - 1) // shard_size + 1), 1) if last_id else {}
    return {i: n - counts.get(i, 0) for i, n in sorted(expected.items()) if counts.get(i, 0) < n}


def shortfall_sentence(path: Path, index: int, missing: int, found: int, shard_size: int) -> str:
    low = index * shard_size + 1
    if not path.exists():
        return (
            f"Le fichier {path} a disparu (il contenait les contributions n° {low} à "
            f"{low + shard_size - 1})"
        )
    return (
        f"Le fichier {path} a perdu {missing} contribution(s) (la base lui en attribue "
        f"{found + missing}, il n'en contient que {found})"
    )


class Shards:
    def __init__(self, folder: Path, shard_size: int, *, read_only: bool = False) -> None:
        if shard_size < 1:
            raise StoreError("Taille de fichier de contributions invalide.")
        self.folder = folder
        self.shard_size = shard_size
        self.read_only = read_only
        #: Signature of each file as this process last read or wrote it.
        self._known: dict[int, Signature | None] = {}
        #: Set by the store once its records are loaded (see the module docstring).
        self.source: Source | None = None

    def index_of(self, cid: int) -> int:
        if not isinstance(cid, int) or cid < 1:
            raise StoreError(f"Numéro de contribution invalide : {cid!r}.")
        return (cid - 1) // self.shard_size

    def group(self, records: dict[int, dict[str, Any]]) -> dict[int, dict[int, dict[str, Any]]]:
        """``records`` by the shard that holds each (one write per shard)."""
        grouped: dict[int, dict[int, dict[str, Any]]] = {}
        for cid, record in records.items():
            grouped.setdefault(self.index_of(cid), {})[cid] = record
        return grouped

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

    def _read(self, index: int) -> tuple[bytes | None, Signature | None]:
        """The file's bytes and the signature of exactly those bytes (None: no file)."""
        path = self.path_of(index)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            raise UnreadableFileError(path, exc.strerror or str(exc)) from None
        try:
            st = os.fstat(fd)
            with os.fdopen(fd, "rb", closefd=False) as f:
                data = f.read()
        except OSError as exc:
            raise UnreadableFileError(path, exc.strerror or str(exc)) from None
        finally:
            os.close(fd)
        return data, (st.st_ino, st.st_size, st.st_mtime_ns)

    def _parse(self, index: int, data: bytes) -> dict[str, Any]:
        try:
            tables = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise UnreadableFileError(self.path_of(index), f"JSON invalide ({exc})") from None
        if not isinstance(tables, dict):
            raise UnreadableFileError(self.path_of(index), "le contenu n'est pas un objet JSON")
        table = tables.get(TABLE, {})
        if not isinstance(table, dict):
            raise UnreadableFileError(self.path_of(index), f"la table « {TABLE} » est mal formée")
        return table

    def load_bytes(self, index: int) -> bytes | None:
        """The file's content (None: no file), remembered as what this process has read."""
        data, sig = self._read(index)
        self._known[index] = sig
        return data

    def load(self, index: int) -> dict[str, Any]:
        """Parsed records of one shard, keyed by id as text (nothing is kept).

        Raises UnreadableFileError. Records are checked by the caller (ids, shape).
        """
        data = self.load_bytes(index)
        return self._parse(index, data) if data is not None else {}

    def _current_lines(
        self, index: int, data: bytes | None, sig: Signature | None
    ) -> dict[int, bytes]:
        known = self._known.get(index, ...)
        if data is not None and sig == known:
            lines = _split(data)
            if lines is not None:
                return lines
        if known is not ... and sig != known and self.source is not None:
            # Changed behind our back: the records in memory are what this writer holds.
            records = self.source(index)
            if records is not None:
                return {cid: _line(cid, records[cid]) for cid in records}
        if data is None:
            return {}
        table = self._parse(index, data)
        try:
            return {int(k): _line(int(k), v) for k, v in table.items()}
        except ValueError:
            raise UnreadableFileError(
                self.path_of(index), "un identifiant n'est pas un nombre"
            ) from None

    def write(self, index: int, records: dict[int, dict[str, Any]]) -> None:
        """Insert or replace ``records`` (all in shard ``index``) in one durable write."""
        if self.read_only:
            raise StoreError(
                "Espace de travail ouvert en lecture seule : aucune modification n'est possible."
            )
        ensure_dir(self.folder)
        data, sig = self._read(index)
        new = None
        if data is not None and sig == self._known.get(index, ...) and _ours(data):
            new = _splice(data, records)  # the usual case: a few records replaced
        if new is None:  # new ids, another layout, or a file changed behind our back
            lines = self._current_lines(index, data, sig)
            for cid, record in records.items():
                lines[cid] = _line(cid, record)
            new = _render_lines(lines)
        self._known.pop(index, None)  # unknown until the new file is in place
        durable.write_atomic(self.path_of(index), new)
        self._known[index] = self.signature(index)

    def invalidate(self, index: int) -> None:
        """Forget what this process knew of the file (the next write re-reads it)."""
        self._known.pop(index, None)

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
