"""Reading the TinyDB store's files into its records: at open, and when they change.

:class:`Loader` is the store's reading side (``tinydb_store.py`` is its writing side): it
opens ``meta.json`` and the shards, replays a pending journal (a writer) or lays it over
the records (a read-only view), migrates an older format, refuses a store that lost
records, and fills :class:`~assises_tui.store.records.Records`. A read-only view asks it
again (``reload_if_changed``) to follow the writer. What it needs of the store's write path
(a migration is committed and backed up like any write) is passed to :meth:`Loader.load`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from assises_tui.domain.models import Contribution
from assises_tui.durable import remove_durably, remove_temp_files
from assises_tui.store import migrations
from assises_tui.store.codec import SharePool, decode
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

    from assises_tui.store.blobs import BlobStore
    from assises_tui.store.layout import Layout
    from assises_tui.store.records import Records

T = TypeVar("T")

#: The store's journaled write: ``commit(records, meta_update, force_journal)``.
Commit = Callable[[dict[int, dict[str, Any]], dict[str, Any] | None, bool], None]


def guarded(root: Path, func: Callable[[], T]) -> T:
    """``func()``, a file it could not read told as a damaged store (French, with advice)."""
    try:
        return func()
    except UnreadableFileError as exc:
        raise corrupt_error(root, exc.path, exc.detail) from None


def journal_records(root: Path, journal_path: Path, journal: Any) -> dict[int, dict[str, Any]]:
    """The records a journal carries (committed, not yet in their shards)."""
    if not isinstance(journal, dict) or not isinstance(journal.get("records"), dict):
        raise corrupt_error(root, journal_path, "structure inattendue")
    return {int(k): v for k, v in journal["records"].items()}


class Loader:
    def __init__(
        self, layout: Layout, records: Records, lock: threading.RLock, *, read_only: bool
    ) -> None:
        self.layout = layout
        self.root = layout.root
        self.records = records
        self.read_only = read_only
        self._lock = lock  # the store's: a reload must not interleave with a read
        self._signatures: dict[str, Any] = {}
        self.meta_db: MetaDB  # set by open_files()
        self.shards: Shards

    def _guard(self, func: Callable[[], T]) -> T:
        return guarded(self.root, func)

    def journal_records(self, journal: Any) -> dict[int, dict[str, Any]]:
        return journal_records(self.root, self.layout.journal, journal)

    # -- open ----------------------------------------------------------------
    def open_files(self) -> tuple[MetaDB, Shards]:
        """The store's ``meta.json`` and shards, checked to exist (nothing read yet)."""
        layout = self.layout
        if not layout.meta.exists():
            message = f"Aucune base Assises dans {layout.root} (store/meta.json absent)."
            if layout.contributions.is_dir():  # it was there: lost, not never made
                message += " " + restore_advice(self.root)
            raise StoreError(message)
        self.meta_db = MetaDB(layout.meta, read_only=self.read_only)
        meta = self._guard(self.meta_db.meta)
        shard_size = int(meta.get("shard_size") or DEFAULT_SHARD_SIZE)
        self.shards = Shards(layout.contributions, shard_size, read_only=self.read_only)
        return self.meta_db, self.shards

    def load(self, blobs: BlobStore, *, commit: Commit, backup: Callable[[str], Path]) -> None:
        """Read every record into memory (after :meth:`open_files`)."""
        layout, meta_db, shards = self.layout, self.meta_db, self.shards
        meta = self._guard(meta_db.meta)
        journal = self._guard(lambda: read_json(layout.journal))
        if journal is not None and not self.read_only:
            self._guard(lambda: self._replay(journal))  # first: it may carry a migration
            journal = None
            meta = self._guard(meta_db.meta)
        version = int(meta.get("schema_version", 1))
        migrations.check_version(version, str(layout.store))
        if version < migrations.SCHEMA_VERSION:
            raw = self._load_shards(decoded=False)
            if journal is not None:  # read-only view: the pending records win
                raw.update(self.journal_records(journal))
                journal = None
            self._migrate(raw, meta, version, commit, backup)
        else:
            self._load_shards()
        self._check_nothing_lost(meta, pending=journal is not None)  # before the overlay
        if journal is not None:
            self._overlay(journal)
        records = self.records
        shards.source = lambda index: records.encoded_shard(index, shards.shard_size)
        self._signatures = self._current_signatures()
        if not self.read_only:
            remove_temp_files(layout.store)
            remove_temp_files(layout.contributions)
            remove_temp_files(layout.backups)  # a daily copy cut short by a crash
            blobs.cleanup()

    def _check_nothing_lost(self, meta: dict[str, Any], pending: bool) -> None:
        """Refuse a store that lost records (a shard file deleted, emptied, a record cut
        out) or whose id counter went back: the records would silently vanish, and a later
        import would bring their mails back as new, untriaged contributions."""
        shards = self.shards
        objs = self.records.objs
        counts: dict[int, int] = {}
        for cid in objs:
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
        if objs and not pending and max(objs) >= next_id:
            raise StoreCorruptError(
                f"Le compteur des numéros de {self.layout.meta} (prochain : {next_id}) est en "
                f"retard sur les contributions (jusqu'au n° {max(objs)}) : un import "
                f"donnerait des numéros déjà pris. {restore_advice(self.root)}"
            )
        if not self.read_only and not isinstance(meta.get(SHARDS_KEY), dict):
            # An older store: from now on the records of each shard are counted in meta.
            self.meta_db.set_meta({SHARDS_KEY: {str(i): n for i, n in sorted(counts.items())}})

    def _shard_objects(self, index: int, pool: SharePool | None = None) -> dict[int, Contribution]:
        return self._guard(lambda: shard_objects(self.shards, index, self.root, pool))

    def _load_shards(self, *, decoded: bool = True) -> dict[int, dict[str, Any]]:
        """Read every shard into the records (decoded at once, dicts dropped).

        With ``decoded=False`` (migrations) the stored dicts are returned instead, and the
        records are left empty until the migration decodes them.
        """
        objs: dict[int, Contribution] = {}
        raw: dict[int, dict[str, Any]] = {}
        pool = SharePool()  # values shared across every shard of this load
        # Millions of small objects are created here; the cyclic GC would rescan them
        # again and again for nothing (none of them form cycles).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for index in self.shards.existing():
                if decoded:
                    objs.update(self._shard_objects(index, pool))
                else:
                    raw.update(self._guard(lambda i=index: shard_dicts(self.shards, i, self.root)))
        finally:
            if gc_was_enabled:
                gc.enable()
        self.records.replace(objs)
        return raw

    def _replay(self, journal: Any) -> None:
        for index, part in self.shards.group(self.journal_records(journal)).items():
            self.shards.write(index, part)
        if journal.get("meta"):
            self.meta_db.set_meta(journal["meta"])
        remove_durably(self.layout.journal)

    def _overlay(self, journal: Any) -> None:
        objs = self.records.objs
        for cid, record in self.journal_records(journal).items():
            try:
                objs[cid] = decode(record)
            except Exception as exc:
                raise corrupt_error(
                    self.root, self.layout.journal, f"la contribution n° {cid} est mal formée"
                ) from exc
            self.records.overlaid.add(cid)
        self.records.changed()

    def _migrate(
        self,
        raw: dict[int, dict[str, Any]],
        meta: dict[str, Any],
        version: int,
        commit: Commit,
        backup: Callable[[str], Path],
    ) -> None:
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
        self.records.replace(objs)
        if not self.read_only:  # a read-only view migrates in memory only
            backup(f"avant migration format {version}")
            commit(raw, new_meta, True)

    # -- following the writer (read-only views) ----------------------------------
    def _current_signatures(self) -> dict[str, Any]:
        sigs: dict[str, Any] = {f"shard:{i}": s for i, s in self.shards.signatures().items()}
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
                self.meta_db.invalidate()
            changed = {
                int(k.split(":")[1])
                for k in set(current) | set(self._signatures)
                if k.startswith("shard:") and current.get(k) != self._signatures.get(k)
            }
            # Only the changed shards are parsed again, and only their records (and those
            # a previous journal overlay replaced) are rebuilt: the others keep their
            # decoded objects, so a read-only view stays cheap to refresh at 100,000.
            shards = self.shards
            records = self.records
            refresh = changed | {shards.index_of(cid) for cid in records.overlaid}
            for index in changed:
                shards.invalidate(index)
            for index in refresh:
                low = index * shards.shard_size + 1
                for cid in range(low, low + shards.shard_size):
                    records.objs.pop(cid, None)
                if shards.path_of(index).exists():
                    records.objs.update(self._shard_objects(index))
            records.overlaid = set()
            journal = self._guard(lambda: read_json(self.layout.journal))
            if journal is not None:
                self._overlay(journal)
            records.changed()
            self._signatures = current
            return True
