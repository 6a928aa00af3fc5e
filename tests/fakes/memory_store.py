"""The one in-memory ``Store`` of the tests: every method of the protocol, no disk.

It passes the same contract suite as the TinyDB store (``tests/contract/``), so a test
that uses it tests the services, not a toy. What a real backend keeps on disk lives in a
``MemoryVolume``: open a second ``MemoryStore`` on the same volume to "reopen" the store
or to get a read-only view of it, as a second process would.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assises_tui.domain.models import Contribution, QuarantineEntry, blob_refs, digests_in
from assises_tui.errors import StoreCorruptError, StoreError, StoreLockedError

READ_ONLY_MESSAGE = (
    "Espace de travail ouvert en lecture seule : aucune modification n'est possible."
)


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


@dataclass
class MemoryVolume:
    """What a backend keeps durably: records, counters, blobs, documents, audit."""

    records: dict[int, Contribution] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 1
    next_quarantine_id: int = 1
    added: int = 0  # records ever added (none is ever deleted): a loss is noticed
    version: int = 0  # bumped by every write of records (what a reader polls)
    writer_open: bool = False

    def state(self) -> dict[str, Any]:
        """What a backup holds: everything but the blobs (as the TinyDB backup)."""
        return {
            "records": self.records,
            "docs": self.docs,
            "quarantine": self.quarantine,
            "audit": self.audit,
            "next_id": self.next_id,
            "next_quarantine_id": self.next_quarantine_id,
            "added": self.added,
        }


class MemoryStore:
    def __init__(
        self,
        root: Path | None = None,
        read_only: bool = False,
        *,
        volume: MemoryVolume | None = None,
    ) -> None:
        self.root = Path(root) if root is not None else Path("/nonexistent")
        self.read_only = read_only
        self.volume = volume if volume is not None else MemoryVolume()
        self._closed = False
        self._seen_version = self.volume.version
        self._items = dict(self.volume.records)
        if len(self._items) < self.volume.added:
            raise StoreCorruptError(
                f"{self.volume.added - len(self._items)} contribution(s) ont disparu de la "
                "base ; restaurez une sauvegarde."
            )
        self.generation = 0
        #: How many record writes were made (tests check that a refused change wrote nothing).
        self.saves = 0
        if not read_only:
            if self.volume.writer_open:
                raise StoreLockedError(
                    "L'espace de travail est déjà ouvert en écriture par un autre programme."
                )
            self.volume.writer_open = True

    # -- lifecycle ---------------------------------------------------------
    def close(self) -> None:
        if not self.read_only and not self._closed:
            self.volume.writer_open = False
        self._closed = True

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(READ_ONLY_MESSAGE)
        if self._closed:
            raise StoreError("L'espace de travail est fermé.")

    def _commit(self, items: Iterable[Contribution]) -> None:
        for item in items:
            self._items[item.id] = item
            self.volume.records[item.id] = item
        self.volume.version += 1
        self._seen_version = self.volume.version
        self.generation += 1
        self.saves += 1

    # -- contributions -----------------------------------------------------
    def allocate_ids(self, count: int) -> list[int]:
        self._check_writable()
        if count < 0:
            raise StoreError("Nombre de numéros à réserver invalide.")
        first = self.volume.next_id
        self.volume.next_id += count
        return list(range(first, first + count))

    def add_many(self, items: Sequence[Contribution]) -> None:
        self._check_writable()
        if not items:
            return
        seen: set[int] = set()
        for item in items:
            if item.id in self._items or item.id in seen:
                raise StoreError(f"La contribution n° {item.id} existe déjà.")
            seen.add(item.id)
        self.volume.next_id = max(self.volume.next_id, max(seen) + 1)
        self.volume.added += len(items)
        self._commit(items)

    def save(self, item: Contribution) -> None:
        self.save_many([item])

    def save_many(self, items: Sequence[Contribution]) -> None:
        self._check_writable()
        if not items:
            return
        latest = {item.id: item for item in items}
        for cid in latest:
            if cid not in self._items:
                raise StoreError(f"La contribution n° {cid} n'existe pas.")
        self._commit(latest.values())

    def get(self, cid: int) -> Contribution | None:
        return self._items.get(cid)

    def ids(self) -> list[int]:
        return sorted(self._items)

    def all(self) -> list[Contribution]:
        return [self._items[k] for k in sorted(self._items)]

    def count(self) -> int:
        return len(self._items)

    def id_for_message_id(self, message_id: str) -> int | None:
        if not message_id:
            return None
        return next((c.id for c in self.all() if c.message_id == message_id), None)

    def id_for_raw_sha256(self, sha256: str) -> int | None:
        if not sha256:
            return None
        return next((c.id for c in self.all() if c.raw_sha256 == sha256), None)

    def reload_if_changed(self) -> bool:
        if self.volume.version == self._seen_version:
            return False
        self._seen_version = self.volume.version
        self._items = dict(self.volume.records)
        self.generation += 1
        return True

    def reload_changes(self) -> dict[int, Contribution | None] | None:
        return None if self.reload_if_changed() else {}

    # -- blobs ---------------------------------------------------------------
    def put_blob(self, data: bytes) -> str:
        return self.put_blobs([data])[0]

    def put_blobs(self, datas: Iterable[bytes]) -> list[str]:
        self._check_writable()
        keys = []
        for data in datas:
            key = hashlib.sha256(data).hexdigest()
            self.volume.blobs[key] = bytes(data)
            keys.append(key)
        return keys

    def get_blob(self, sha256: str) -> bytes:
        try:
            return self.volume.blobs[sha256]
        except KeyError:
            raise StoreError(f"Fichier enregistré introuvable : {sha256!r}.") from None

    def has_blob(self, sha256: str) -> bool:
        return sha256 in self.volume.blobs

    def blob_sizes(self, shas: Iterable[str]) -> dict[str, int]:
        return {sha: len(self.volume.blobs[sha]) for sha in set(shas) if sha in self.volume.blobs}

    def delete_blob(self, sha256: str) -> None:
        self._check_writable()
        self.volume.blobs.pop(sha256, None)

    # -- quarantine ----------------------------------------------------------
    def add_quarantine(self, source: str, reason: str, raw_blob: str | None) -> QuarantineEntry:
        self._check_writable()
        entry = {
            "id": self.volume.next_quarantine_id,
            "source": source,
            "reason": reason,
            "raw_blob": raw_blob,
            "at": _now(),
        }
        self.volume.next_quarantine_id += 1
        self.volume.quarantine.append(entry)
        return QuarantineEntry(entry["id"], source, reason, raw_blob, entry["at"])

    def quarantine(self) -> list[QuarantineEntry]:
        return [
            QuarantineEntry(
                e["id"], e["source"], e["reason"], e["raw_blob"], e["at"], e.get("raw_sha256")
            )
            for e in self.volume.quarantine
        ]

    def put_quarantine(self, entries: Sequence[QuarantineEntry]) -> None:
        self._check_writable()
        for e in entries:
            self.volume.quarantine.append(
                {
                    "id": e.id,
                    "source": e.source,
                    "reason": e.reason,
                    "raw_blob": e.raw_blob,
                    "at": e.at,
                    "raw_sha256": e.raw_sha256,
                }
            )
            self.volume.next_quarantine_id = max(self.volume.next_quarantine_id, e.id + 1)
        self.volume.quarantine.sort(key=lambda e: e["id"])

    def erase_quarantine_raw(self, ids: list[int], note: str) -> None:
        self._check_writable()
        wanted = set(ids)
        for e in self.volume.quarantine:
            if e["id"] in wanted:
                e["raw_sha256"] = e.get("raw_blob") or e.get("raw_sha256")
                e["raw_blob"] = None
                e["reason"] = f"{e['reason']} {note}".strip()

    # -- documents and audit -------------------------------------------------
    def get_doc(self, name: str) -> dict[str, Any]:
        return copy.deepcopy(self.volume.docs.get(name, {}))

    def put_doc(self, name: str, value: dict[str, Any]) -> None:
        self._check_writable()
        self.volume.docs[name] = copy.deepcopy(value)

    def doc_names(self) -> list[str]:
        return sorted(self.volume.docs)

    def append_audit(self, entries: Iterable[dict[str, Any]]) -> None:
        self._check_writable()
        self.volume.audit.extend(copy.deepcopy(list(entries)))

    def audit(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.volume.audit)

    # -- maintenance ---------------------------------------------------------
    def unreferenced_blobs(self, among: Iterable[str] | None = None) -> dict[str, int]:
        used = {q["raw_blob"] for q in self.volume.quarantine if q.get("raw_blob")}
        for item in self._items.values():
            used |= blob_refs(item)
        used |= digests_in(list(self.volume.docs.values()))
        candidates = self.volume.blobs if among is None else set(among) & set(self.volume.blobs)
        return {sha: len(self.volume.blobs[sha]) for sha in candidates if sha not in used}

    def verify(self) -> list[str]:
        problems = []
        for item in self.all():
            shas = [item.body_blob, item.raw_blob]
            shas += [s for a in item.attachments for s in (a.blob, a.text_blob)]
            problems += [
                f"contribution n° {item.id} : le fichier {sha} est absent"
                for sha in shas
                if sha and sha not in self.volume.blobs
            ]
        return problems

    def backup(self, reason: str, dest: Path | None = None) -> Path:
        if dest is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            dest = self.root / "backups" / f"{stamp}-{reason}.pickle"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(pickle.dumps(self.volume.state()))
        return dest


def lose_records(volume: MemoryVolume, ids: Iterable[int]) -> None:
    """Damage behind the store's back: these records vanish from the volume."""
    for cid in ids:
        volume.records.pop(cid, None)


def restore(volume: MemoryVolume, backup: Path) -> None:
    """Put a backup's records, counters, documents and audit back (blobs stay)."""
    if volume.writer_open:
        raise StoreLockedError("L'espace de travail est ouvert : fermez-le avant de restaurer.")
    for key, value in pickle.loads(backup.read_bytes()).items():  # noqa: S301 - our own file
        setattr(volume, key, value)
    volume.version += 1
