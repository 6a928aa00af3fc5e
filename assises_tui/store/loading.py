"""Loading the store: shards into memory, journal replay or overlay, migrations, reloads.

A mixin of :class:`~assises_tui.store.tinydb_store.TinyDBStore` (split out to keep each
file about one thing); it uses the attributes set in ``TinyDBStore.__init__``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from assises_tui.store import backup as backups
from assises_tui.store import migrations
from assises_tui.store.atomic import (
    UnreadableFileError,
    read_json,
    remove_durably,
    remove_temp_files,
)
from assises_tui.store.layout import DEFAULT_SHARD_SIZE
from assises_tui.store.meta import MetaDB
from assises_tui.store.protocol import StoreCorruptError, StoreError
from assises_tui.store.shards import Shards

if TYPE_CHECKING:
    from assises_tui.store.tinydb_store import TinyDBStore

T = TypeVar("T")


def corrupt_error(root: Path, path: Path, detail: str) -> StoreCorruptError:
    good = backups.newest_good_backup(root)
    advice = (
        f"Dernière sauvegarde valide : {good} ; pour la remettre en place : assises restore {good}."
        if good
        else "Aucune sauvegarde valide n'a été trouvée dans backups/."
    )
    return StoreCorruptError(
        f"Le fichier {path} est illisible ({detail}) ; il n'a pas été modifié. {advice}"
    )


class StoreLoading:
    def _guard(self: TinyDBStore, func: Callable[[], T]) -> T:
        try:
            return func()
        except UnreadableFileError as exc:
            raise corrupt_error(self.root, exc.path, exc.detail) from None

    def _load(self) -> None:
        layout = self.layout
        if not layout.meta.exists():
            raise StoreError(f"Aucune base Assises dans {layout.root} (store/meta.json absent).")
        self._meta = MetaDB(layout.meta, read_only=self.read_only)
        meta = self._guard(self._meta.meta)
        shard_size = int(meta.get("shard_size") or DEFAULT_SHARD_SIZE)
        self._shards = Shards(layout.contributions, shard_size, read_only=self.read_only)
        journal = self._guard(lambda: read_json(layout.journal))
        if journal is not None and not self.read_only:
            self._guard(lambda: self._replay(journal))  # first: it may carry a migration
            journal = None
            meta = self._guard(self._meta.meta)
        version = int(meta.get("schema_version", 1))
        migrations.check_version(version, str(layout.store))
        self._load_shards()
        if journal is not None:
            self._overlay(journal)
        if version < migrations.SCHEMA_VERSION:
            self._migrate(meta, version)
        self._rebuild_indexes()
        self._signatures = self._current_signatures()
        if not self.read_only:
            remove_temp_files(layout.store)
            remove_temp_files(layout.contributions)
            remove_temp_files(layout.backups)  # a daily copy cut short by a crash
            self.blobs.cleanup()

    def _load_shards(self) -> None:
        raw: dict[int, dict[str, Any]] = {}
        shards = self._shards
        # Millions of small objects are created here; the cyclic GC would rescan them
        # again and again for nothing (none of them form cycles).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for index in shards.existing():
                records = self._guard(lambda i=index: shards.load(i))
                low = index * shards.shard_size + 1
                high = low + shards.shard_size
                for cid, record in records.items():
                    if not low <= cid < high or record.get("id") != cid:
                        raise corrupt_error(
                            self.root,
                            shards.path_of(index),
                            f"la contribution n° {cid} n'est pas à sa place",
                        )
                raw.update(records)
        finally:
            if gc_was_enabled:
                gc.enable()
        # Move what was just loaded out of the collector's sight: a full collection over
        # millions of long-lived record objects would freeze the interface for ~0.5 s,
        # and they form no cycles (refcounting frees replaced records).
        gc.freeze()
        self._raw = raw
        self._objs = {}
        self._overlaid: set[int] = set()
        self._sorted_ids = None
        self.generation = getattr(self, "generation", 0) + 1  # records changed

    def _journal_records(self, journal: Any) -> dict[int, dict[str, Any]]:
        if not isinstance(journal, dict) or not isinstance(journal.get("records"), dict):
            raise corrupt_error(self.root, self.layout.journal, "structure inattendue")
        return {int(k): v for k, v in journal["records"].items()}

    def _replay(self, journal: Any) -> None:
        records = self._journal_records(journal)
        for index, part in self._by_shard(records).items():
            self._shards.write(index, part)
        if journal.get("meta"):
            self._meta.set_meta(journal["meta"])
        remove_durably(self.layout.journal)

    def _overlay(self, journal: Any) -> None:
        for cid, record in self._journal_records(journal).items():
            self._raw[cid] = record
            self._objs.pop(cid, None)
            self._overlaid.add(cid)
        self._sorted_ids = None
        self.generation = getattr(self, "generation", 0) + 1  # records changed

    def _migrate(self, meta: dict[str, Any], version: int) -> None:
        new_meta = dict(meta)
        migrations.migrate(self._raw, new_meta, version)
        self._objs = {}
        self.generation = getattr(self, "generation", 0) + 1  # records changed
        if self.read_only:
            return  # migrated in memory only; the writer will migrate the files
        self.backup(f"avant migration format {version}")
        self._commit(dict(self._raw), meta_update=new_meta, force_journal=True)

    def _rebuild_indexes(self) -> None:
        # Built on first use (the importer's lookups): hashing 200,000 long strings
        # would add a tenth of a second to every open, and browsing never needs them.
        self._indexes = None

    def _index(self) -> tuple[dict[str, int], dict[str, int]]:
        indexes = self._indexes
        if indexes is None:
            with self._lock:
                by_mid: dict[str, int] = {}
                by_sha: dict[str, int] = {}
                for cid, record in self._raw.items():
                    mid = record.get("message_id")
                    if mid:
                        by_mid.setdefault(mid, cid)
                    sha = record.get("raw_sha256")
                    if sha:
                        by_sha.setdefault(sha, cid)
                self._indexes = indexes = (by_mid, by_sha)
        return indexes

    def _current_signatures(self) -> dict[str, Any]:
        sigs: dict[str, Any] = {f"shard:{i}": s for i, s in self._shards.signatures().items()}
        for name, path in (("meta", self.layout.meta), ("journal", self.layout.journal)):
            try:
                st = path.stat()
                sigs[name] = (st.st_ino, st.st_size, st.st_mtime_ns)
            except FileNotFoundError:
                sigs[name] = None
        return sigs

    def reload_if_changed(self) -> bool:
        if not self.read_only:
            return False  # the writer is the only one changing things
        with self._lock:
            current = self._current_signatures()
            if current == self._signatures:
                return False
            if current.get("meta") != self._signatures.get("meta"):
                self._meta.invalidate()
            changed = {
                int(k.split(":")[1])
                for k in set(current) | set(self._signatures)
                if k.startswith("shard:") and current.get(k) != self._signatures.get(k)
            }
            # Only the changed shards are parsed again, and only their records (and those
            # a previous journal overlay replaced) are rebuilt: the others keep their
            # decoded objects, so a read-only view stays cheap to refresh at 100,000.
            shards = self._shards
            refresh = changed | {shards.index_of(cid) for cid in self._overlaid}
            for index in changed:
                shards.invalidate(index)
            for index in refresh:
                low = index * shards.shard_size + 1
                for cid in range(low, low + shards.shard_size):
                    if self._raw.pop(cid, None) is not None:
                        self._objs.pop(cid, None)
                if shards.path_of(index).exists():
                    self._raw.update(self._guard(lambda i=index: shards.load(i)))
            self._overlaid = set()
            self._sorted_ids = None
            journal = self._guard(lambda: read_json(self.layout.journal))
            if journal is not None:
                self._overlay(journal)
            self._rebuild_indexes()
            self._signatures = current
            self.generation = getattr(self, "generation", 0) + 1  # records changed
            return True
