"""The TinyDB backend of :class:`assises_tui.store.protocol.Store`.

Records are sharded TinyDB files (see ``shards.py``) behind an in-memory cache filled at
open, so reads never touch the disk. A write that touches one shard is one atomic file
replacement. A write that touches several shards (bulk actions, imports) is made
all-or-nothing by a journal: the new records are first written durably to
``store/journal.json``, then each shard is replaced, then the journal is deleted. A
journal found on open is replayed (replacing a record twice is harmless), so after a
crash either none or all of the records are new. A read-only view overlays the journal in
memory instead of replaying it.

This module is the store's writing side and its face; it composes the rest: the records
in memory (``records.py``), the reading of the files (``loading.py``: open, journal,
migrations, reloads), the backup snapshot (``snapshot.py``), blobs, meta and audit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from assises_tui.clock import now_iso
from assises_tui.domain.models import Contribution, QuarantineEntry, blob_refs, digests_in
from assises_tui.durable import ensure_dir, remove_durably, write_atomic
from assises_tui.errors import os_error_message
from assises_tui.store import migrations
from assises_tui.store.blobs import BlobStore
from assises_tui.store.codec import decode, encode
from assises_tui.store.json_files import dump_json, read_json
from assises_tui.store.layout import DEFAULT_SHARD_SIZE, Layout
from assises_tui.store.loading import Loader, guarded, journal_records
from assises_tui.store.lock import WriterLock
from assises_tui.store.meta import AuditLog, MetaDB
from assises_tui.store.protocol import StoreError
from assises_tui.store.records import Records
from assises_tui.store.shards import SHARDS_KEY, Shards
from assises_tui.store.snapshot import snapshot_backup, start_daily_backup

T = TypeVar("T")

READ_ONLY_MESSAGE = (
    "Espace de travail ouvert en lecture seule : aucune modification n'est possible."
)


class TinyDBStore:
    read_only: bool
    root: Path
    _meta: MetaDB  # set at open, by the loader
    _shards: Shards

    # -- lifecycle ---------------------------------------------------------
    @classmethod
    def create(cls, root: Path, *, shard_size: int = DEFAULT_SHARD_SIZE) -> None:
        """Lay out an empty store in workspace ``root`` (which must exist)."""
        layout = Layout(root)
        if layout.meta.exists():
            raise StoreError(f"Une base existe déjà dans {layout.store}.")
        for folder in (layout.store, layout.contributions, layout.blobs, layout.backups):
            ensure_dir(folder)
        meta = MetaDB(layout.meta)
        meta.set_meta(
            {
                "schema_version": migrations.SCHEMA_VERSION,
                "next_id": 1,
                "next_quarantine_id": 1,
                "shard_size": shard_size,
                "created_at": now_iso(),
                "last_backup_day": "",
                SHARDS_KEY: {},
            }
        )

    @classmethod
    def open(cls, root: Path, *, read_only: bool = False, daily_backup: bool = True) -> TinyDBStore:
        """Open the store; a writer takes the workspace lock (StoreLockedError if held)."""
        store = cls(root, read_only=read_only)
        try:
            store._meta, store._shards = store._loader.open_files()
            store._loader.load(store.blobs, commit=store._commit, backup=store.backup)
        except BaseException:
            store.close()
            raise
        if not read_only and daily_backup:
            store._maybe_daily_backup()
        return store

    def __init__(self, root: Path, *, read_only: bool = False) -> None:
        self.root = root
        self.read_only = read_only
        self.layout = Layout(root)
        self._lock = threading.RLock()
        self._writer = None if read_only else WriterLock(self.layout.lock)
        self._broken: str | None = None
        self._closed = False
        self._backup_thread: threading.Thread | None = None
        self.blobs = BlobStore(self.layout.blobs, read_only=read_only)
        self.audit_log = AuditLog(self.layout.audit)
        # Every record, decoded at open; the stored dicts are not kept (see codec.py).
        self._records = Records(self._lock)
        self._loader = Loader(self.layout, self._records, self._lock, read_only=read_only)
        if self._writer is not None:
            if not root.is_dir():
                raise StoreError(f"Aucun espace de travail dans {root}.")
            self._writer.acquire()

    def close(self) -> None:
        thread = self._backup_thread
        if thread is not None:
            thread.join()
        if self._writer is not None:
            self._writer.release()
        self._closed = True

    def __enter__(self) -> TinyDBStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def generation(self) -> int:
        """Bumped whenever records change: caches (search) compare it instead of records."""
        return self._records.generation

    def _guard(self, func: Callable[[], T]) -> T:
        return guarded(self.root, func)

    # -- writing -------------------------------------------------------------
    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(READ_ONLY_MESSAGE)
        if self._closed:
            raise StoreError("L'espace de travail est fermé.")
        if self._broken:
            raise StoreError(self._broken)

    def _commit(
        self,
        records: dict[int, dict[str, Any]],
        meta_update: dict[str, Any] | None = None,
        force_journal: bool = False,
    ) -> None:
        grouped = self._shards.group(records)
        journaled = force_journal or len(grouped) > 1 or meta_update is not None
        if journaled:
            write_atomic(
                self.layout.journal,
                dump_json(
                    {"records": {str(k): v for k, v in records.items()}, "meta": meta_update}
                ),
            )
        try:
            for index, part in grouped.items():
                self._shards.write(index, part)
            if meta_update:
                self._meta.set_meta(meta_update)
        except BaseException as exc:
            for index in grouped:
                self._shards.invalidate(index)
            self._meta.invalidate()
            if journaled:
                # The journal is durable, so the change is committed: further writes now
                # would be overwritten by its replay. Refuse them until the next open.
                self._broken = (
                    "Une écriture n'a pas pu être achevée ; elle le sera à la prochaine "
                    f"ouverture de l'espace de travail. Fermez puis rouvrez Assises ({exc})."
                )
                raise StoreError(self._broken) from exc
            told = os_error_message(exc) if isinstance(exc, OSError) else None
            raise StoreError(told or f"Échec de l'enregistrement : {exc}.") from exc
        if journaled:
            remove_durably(self.layout.journal)

    def allocate_ids(self, count: int) -> list[int]:
        self._check_writable()
        if count < 0:
            raise StoreError("Nombre de numéros à réserver invalide.")
        with self._lock:
            first = self._meta.allocate("next_id", count)
        return list(range(first, first + count))

    def add_many(self, items: Sequence[Contribution]) -> None:
        self._check_writable()
        if not items:
            return
        with self._lock:
            seen: set[int] = set()
            for item in items:
                if item.id in self._records or item.id in seen:
                    raise StoreError(f"La contribution n° {item.id} existe déjà.")
                self._shards.index_of(item.id)
                seen.add(item.id)
            records = {item.id: encode(item) for item in items}
            meta = self._meta.meta()
            meta_update: dict[str, Any] = {}
            next_id = int(meta.get("next_id", 1))
            if max(seen) >= next_id:  # ids not reserved: never hand them out again
                meta_update["next_id"] = max(seen) + 1
            # Counted in the same all-or-nothing write: a record lost later is noticed.
            counts = dict(meta.get(SHARDS_KEY) or {})
            for cid in seen:
                key = str(self._shards.index_of(cid))
                counts[key] = counts.get(key, 0) + 1
            meta_update[SHARDS_KEY] = counts
            self._commit(records, meta_update)
            self._records.remember(items)

    def save(self, item: Contribution) -> None:
        self.save_many([item])

    def save_many(self, items: Sequence[Contribution]) -> None:
        self._check_writable()
        if not items:
            return
        with self._lock:
            latest = {item.id: item for item in items}  # last one wins, like sequential saves
            for cid in latest:
                if cid not in self._records:
                    raise StoreError(f"La contribution n° {cid} n'existe pas.")
            records = {cid: encode(item) for cid, item in latest.items()}
            self._commit(records)
            self._records.remember(latest.values())

    # -- reading -------------------------------------------------------------
    def get(self, cid: int) -> Contribution | None:
        return self._records.get(cid)

    def ids(self) -> list[int]:
        """Every contribution id, ascending."""
        return self._records.ids()

    def all(self) -> list[Contribution]:
        return self._records.all()

    def count(self) -> int:
        return self._records.count()

    def id_for_message_id(self, message_id: str) -> int | None:
        return self._records.id_for_message_id(message_id)

    def id_for_raw_sha256(self, sha256: str) -> int | None:
        return self._records.id_for_raw_sha256(sha256)

    def reload_if_changed(self) -> bool:
        return self._loader.reload_if_changed()

    def reload_changes(self) -> dict[int, Contribution | None] | None:
        # The files say that something changed, not what: the caller recomputes.
        return None if self._loader.reload_if_changed() else {}

    # -- blobs ---------------------------------------------------------------
    def put_blob(self, data: bytes) -> str:
        self._check_writable()
        return self.blobs.put(data)

    def put_blobs(self, datas: Iterable[bytes]) -> list[str]:
        """Several blobs at once, flushed together (imports): much faster than put_blob."""
        self._check_writable()
        return self.blobs.put_many(datas)

    def get_blob(self, sha256: str) -> bytes:
        return self.blobs.get(sha256)

    def has_blob(self, sha256: str) -> bool:
        return self.blobs.has(sha256)

    def blob_sizes(self, shas: Iterable[str]) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for sha in set(shas):
            try:
                sizes[sha] = self.blobs.path_for(sha).stat().st_size
            except (OSError, StoreError):  # missing, or not a digest: verify's business
                continue
        return sizes

    def delete_blob(self, sha256: str) -> None:
        self._check_writable()
        self.blobs.delete(sha256)

    def unreferenced_blobs(self, among: Iterable[str] | None = None) -> dict[str, int]:
        """Blobs (sha256 -> size) that no record, quarantine entry or pending write names:
        left by an import that failed between its blobs and its records (a full disk)."""
        with self._lock:
            stored = self.blobs.sizes()
            if among is not None:
                stored = {sha: stored[sha] for sha in set(among) if sha in stored}
            used: set[str] = set()
            for item in self._records.objs.values():
                used |= blob_refs(item)
            used |= {q.raw_blob for q in self.quarantine() if q.raw_blob}
            for name in self._guard(self._meta.doc_names):  # e.g. campaign signatures
                used |= digests_in(self._guard(lambda name=name: self._meta.get_doc(name)))
            journal = self._guard(lambda: read_json(self.layout.journal))
            if journal is not None:  # committed records a reopen will replay
                for record in journal_records(self.root, self.layout.journal, journal).values():
                    used |= blob_refs(decode(record))
        return {sha: size for sha, size in stored.items() if sha not in used}

    # -- quarantine ----------------------------------------------------------
    def add_quarantine(self, source: str, reason: str, raw_blob: str | None) -> QuarantineEntry:
        self._check_writable()
        at = now_iso()
        with self._lock:
            qid = self._meta.add_quarantine(
                {"source": source, "reason": reason, "raw_blob": raw_blob, "at": at}
            )
        return QuarantineEntry(qid, source, reason, raw_blob, at)

    def erase_quarantine_raw(self, ids: list[int], note: str) -> None:
        self._check_writable()
        wanted = set(ids)
        with self._lock:
            changes = {
                e["id"]: {
                    "raw_blob": None,
                    "raw_sha256": e.get("raw_blob") or e.get("raw_sha256"),
                    "reason": f"{e.get('reason', '')} {note}".strip(),
                }
                for e in self._guard(self._meta.quarantine)
                if e["id"] in wanted
            }
            self._guard(lambda: self._meta.update_quarantine(changes))

    def put_quarantine(self, entries: Sequence[QuarantineEntry]) -> None:
        """Entries copied verbatim from another store (``assises migrate``)."""
        self._check_writable()
        rows = [
            {
                "id": e.id,
                "source": e.source,
                "reason": e.reason,
                "raw_blob": e.raw_blob,
                "at": e.at,
                **({"raw_sha256": e.raw_sha256} if e.raw_sha256 else {}),
            }
            for e in entries
        ]
        with self._lock:
            self._meta.insert_quarantine(rows)

    def quarantine(self) -> list[QuarantineEntry]:
        with self._lock:
            entries = self._guard(self._meta.quarantine)
        return [
            QuarantineEntry(
                e["id"],
                e.get("source", ""),
                e.get("reason", ""),
                e.get("raw_blob"),
                e.get("at", ""),
                e.get("raw_sha256"),
            )
            for e in entries
        ]

    # -- documents and audit -------------------------------------------------
    def get_doc(self, name: str) -> dict[str, Any]:
        with self._lock:
            return self._guard(lambda: self._meta.get_doc(name))

    def put_doc(self, name: str, value: dict[str, Any]) -> None:
        self._check_writable()
        with self._lock:
            self._meta.put_doc(name, value)

    def doc_names(self) -> list[str]:
        with self._lock:
            return self._guard(self._meta.doc_names)

    def append_audit(self, entries: Iterable[dict[str, Any]]) -> None:
        self._check_writable()
        with self._lock:
            self.audit_log.append(entries)

    def audit(self) -> list[dict[str, Any]]:
        return self.audit_log.read()[0]

    # -- maintenance ---------------------------------------------------------
    def backup(self, reason: str, dest: Path | None = None) -> Path:
        """A consistent tar.gz of the store files (rotated when in backups/).

        Waits for the daily copy begun at open, so that once this returns no older
        archive is still being written (the purge replaces every backup after this one).
        """
        daily = self._backup_thread
        if daily is not None and daily is not threading.current_thread():
            daily.join()
        return snapshot_backup(
            self.layout,
            self._shards,
            self._lock,
            read_only=self.read_only,
            count=self.count(),
            reason=reason,
            dest=dest,
        )

    def _maybe_daily_backup(self) -> None:
        today = date.today().isoformat()
        if self.count() and self.meta().get("last_backup_day") != today:

            def done() -> None:
                with self._lock:
                    if not self._closed:
                        self._meta.set_meta({"last_backup_day": today})

            self._backup_thread = start_daily_backup(self.backup, done)

    def verify(self) -> list[str]:
        from assises_tui.store.verify import verify_store

        return verify_store(self.layout, self._shards, self.blobs, self.audit_log)

    def meta(self) -> dict[str, Any]:
        with self._lock:
            return self._guard(self._meta.meta)
