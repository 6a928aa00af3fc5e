"""Loading the store: shards into memory, journal replay or overlay, migrations, reloads.

A mixin of :class:`~assises_tui.store.tinydb_store.TinyDBStore`: reading the files into
the in-memory records is one job, writing them is the other (``tinydb_store.py``). What
it needs from the class it is mixed into is declared at the top of ``StoreLoading``, so
this module does not import the store back.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from assises_tui.domain.models import Contribution
from assises_tui.durable import remove_durably, remove_temp_files
from assises_tui.store import migrations
from assises_tui.store.codec import SharePool, decode, encode
from assises_tui.store.json_files import UnreadableFileError, read_json
from assises_tui.store.layout import DEFAULT_SHARD_SIZE
from assises_tui.store.meta import MetaDB
from assises_tui.store.protocol import StoreCorruptError, StoreError
from assises_tui.store.shard_records import (
    corrupt_error,
    restore_advice,
    shard_dicts,
    shard_objects,
)
from assises_tui.store.shards import SHARDS_KEY, Shards, shortfall_sentence, shortfalls

if TYPE_CHECKING:
    import threading
    from pathlib import Path

    from assises_tui.store.blobs import BlobStore
    from assises_tui.store.layout import Layout

T = TypeVar("T")


class StoreLoading:
    # Set by the store's __init__ (or by _load below).
    root: Path
    read_only: bool
    layout: Layout
    blobs: BlobStore
    generation: int
    _lock: threading.RLock
    _meta: MetaDB
    _shards: Shards
    _objs: dict[int, Contribution]
    _all: list[Contribution] | None
    _sorted_ids: list[int] | None
    _indexes: tuple[dict[str, int], dict[str, int]] | None
    _signatures: dict[str, Any]
    _overlaid: set[int]

    if TYPE_CHECKING:  # the store's own write path, used to replay a journal

        def _by_shard(self, records: dict[int, dict[str, Any]]) -> dict[int, dict[int, dict]]: ...

        def _commit(
            self,
            records: dict[int, dict[str, Any]],
            meta_update: dict[str, Any] | None = None,
            force_journal: bool = False,
        ) -> None: ...

        def backup(self, reason: str, dest: Path | None = None) -> Path: ...

    def _guard(self, func: Callable[[], T]) -> T:
        try:
            return func()
        except UnreadableFileError as exc:
            raise corrupt_error(self.root, exc.path, exc.detail) from None

    def _load(self) -> None:
        layout = self.layout
        if not layout.meta.exists():
            message = f"Aucune base Assises dans {layout.root} (store/meta.json absent)."
            if layout.contributions.is_dir():  # it was there: lost, not never made
                message += " " + restore_advice(self.root)
            raise StoreError(message)
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
        if version < migrations.SCHEMA_VERSION:
            raw = self._load_shards(decoded=False)
            if journal is not None:  # read-only view: the pending records win
                raw.update(self._journal_records(journal))
                journal = None
            self._migrate(raw, meta, version)
        else:
            self._load_shards()
        self._check_nothing_lost(meta, pending=journal is not None)  # before the overlay
        if journal is not None:
            self._overlay(journal)
        self._shards.source = self._stored_shard
        self._rebuild_indexes()
        self._signatures = self._current_signatures()
        if not self.read_only:
            remove_temp_files(layout.store)
            remove_temp_files(layout.contributions)
            remove_temp_files(layout.backups)  # a daily copy cut short by a crash
            self.blobs.cleanup()

    def _check_nothing_lost(self, meta: dict[str, Any], pending: bool) -> None:
        """Refuse a store that lost records (a shard file deleted, emptied, a record cut
        out) or whose id counter went back: the records would silently vanish, and a later
        import would bring their mails back as new, untriaged contributions."""
        shards = self._shards
        counts: dict[int, int] = {}
        for cid in self._objs:
            index = shards.index_of(cid)
            counts[index] = counts.get(index, 0) + 1
        for index, missing in shortfalls(meta, counts, shards.shard_size).items():
            found = counts.get(index, 0)
            raise StoreCorruptError(
                shortfall_sentence(shards.path_of(index), index, missing, found, shards.shard_size)
                + " : la base ne s'ouvre pas ainsi, sinon ces contributions seraient perdues et "
                f"un nouvel import les recréerait sans leur tri. {restore_advice(self.root)}"
            )
        next_id = int(meta.get("next_id") or 1)
        if self._objs and not pending and max(self._objs) >= next_id:
            raise StoreCorruptError(
                f"Le compteur des numéros de {self.layout.meta} (prochain : {next_id}) est en "
                f"retard sur les contributions (jusqu'au n° {max(self._objs)}) : un import "
                f"donnerait des numéros déjà pris. {restore_advice(self.root)}"
            )
        if not self.read_only and not isinstance(meta.get(SHARDS_KEY), dict):
            # An older store: from now on the records of each shard are counted in meta.
            self._meta.set_meta({SHARDS_KEY: {str(i): n for i, n in sorted(counts.items())}})

    def _shard_dicts(self, index: int) -> dict[int, dict[str, Any]]:
        return self._guard(lambda: shard_dicts(self._shards, index, self.root))

    def _shard_objects(self, index: int, pool: SharePool | None = None) -> dict[int, Contribution]:
        return self._guard(lambda: shard_objects(self._shards, index, self.root, pool))

    def _load_shards(self, *, decoded: bool = True) -> dict[int, dict[str, Any]]:
        """Read every shard into ``self._objs`` (records decoded at once, dicts dropped).

        With ``decoded=False`` (migrations) the stored dicts are returned instead, and
        ``self._objs`` is left empty until :meth:`_set_records`.
        """
        objs: dict[int, Contribution] = {}
        raw: dict[int, dict[str, Any]] = {}
        pool = SharePool()  # values shared across every shard of this load
        # Millions of small objects are created here; the cyclic GC would rescan them
        # again and again for nothing (none of them form cycles).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for index in self._shards.existing():
                if decoded:
                    objs.update(self._shard_objects(index, pool))
                else:
                    raw.update(self._shard_dicts(index))
        finally:
            if gc_was_enabled:
                gc.enable()
        self._set_records(objs)
        return raw

    def _set_records(self, objs: dict[int, Contribution]) -> None:
        # Move what was just loaded out of the collector's sight: a full collection over
        # millions of long-lived record objects would freeze the interface for ~0.5 s,
        # and they form no cycles (refcounting frees replaced records).
        gc.freeze()
        self._objs = objs
        self._overlaid = set()
        self._sorted_ids = None
        self._all = None
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
            try:
                self._objs[cid] = decode(record)
            except Exception as exc:
                raise corrupt_error(
                    self.root, self.layout.journal, f"la contribution n° {cid} est mal formée"
                ) from exc
            self._overlaid.add(cid)
        self._sorted_ids = None
        self._all = None
        self.generation = getattr(self, "generation", 0) + 1  # records changed

    def _migrate(self, raw: dict[int, dict[str, Any]], meta: dict[str, Any], version: int) -> None:
        """Upgrade the stored dicts, then decode them (the writer also rewrites the files)."""
        new_meta = dict(meta)
        migrations.migrate(raw, new_meta, version)
        objs = {}
        for cid, record in raw.items():
            try:
                objs[cid] = decode(record)
            except Exception as exc:
                raise StoreError(
                    f"La migration du format {version} a produit une contribution n° {cid} "
                    f"illisible ({exc}) ; rien n'a été modifié."
                ) from exc
        self._set_records(objs)
        if not self.read_only:  # a read-only view migrates in memory only
            self.backup(f"avant migration format {version}")
            self._commit(raw, meta_update=new_meta, force_journal=True)

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
                for cid, item in self._objs.items():
                    if item.message_id:
                        by_mid.setdefault(item.message_id, cid)
                    if item.raw_sha256:
                        by_sha.setdefault(item.raw_sha256, cid)
                self._indexes = indexes = (by_mid, by_sha)
        return indexes

    def _stored_shard(self, index: int) -> dict[int, dict[str, Any]]:
        """A shard's records encoded from memory (see ``Shards.source``)."""
        low = index * self._shards.shard_size + 1
        objs = self._objs
        return {
            cid: encode(objs[cid])
            for cid in range(low, low + self._shards.shard_size)
            if cid in objs
        }

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
                    self._objs.pop(cid, None)
                if shards.path_of(index).exists():
                    self._objs.update(self._shard_objects(index))
            self._overlaid = set()
            self._sorted_ids = None
            self._all = None
            journal = self._guard(lambda: read_json(self.layout.journal))
            if journal is not None:
                self._overlay(journal)
            self._rebuild_indexes()
            self._signatures = current
            self.generation = getattr(self, "generation", 0) + 1  # records changed
            return True
