"""The store backends the contract suite runs on, one small class each.

A backend here knows how to open its store on a workspace folder (again and again: a
reopen is how durability is checked) and how to put a backup back. Add a backend by
writing such a class and one line in ``BACKENDS``; see ``test_store_contract.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import orjson
import psycopg
from fakes.memory_store import MemoryStore, MemoryVolume, lose_records, restore

from assises_tui.store.backup import restore_backup
from assises_tui.store.postgres.maintenance import restore as restore_database
from assises_tui.store.postgres.store import PostgresStore
from assises_tui.store.protocol import Store
from assises_tui.store.tinydb_store import TinyDBStore


class Backend(Protocol):
    def open(self, *, read_only: bool = False) -> Store:
        """A store on this backend's data (a new connection: as another process would)."""

    def restore(self, backup: Path) -> None:
        """Put ``backup`` (from ``Store.backup``) back, every store being closed."""

    def lose_records(self, ids: list[int]) -> None:
        """Damage the stored data behind the store's back (every store being closed):
        these records vanish, as when a file is deleted by mistake. Where the loss is
        found is ``loss_found_by``: "open" (the default: the next open refuses the
        store) or "verify" (a server's rows deleted by hand: ``verify`` reports them)."""


class TinyDBBackend:
    def __init__(self, root: Path) -> None:
        self.root = root
        TinyDBStore.create(root)

    def open(self, *, read_only: bool = False) -> Store:
        return TinyDBStore.open(self.root, read_only=read_only, daily_backup=False)

    def restore(self, backup: Path) -> None:
        restore_backup(self.root, backup)

    def lose_records(self, ids: list[int]) -> None:
        for path in (self.root / "store" / "contributions").glob("*.json"):
            data = orjson.loads(path.read_bytes())
            for cid in ids:
                data["contributions"].pop(str(cid), None)
            path.write_bytes(orjson.dumps(data))


class MemoryBackend:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.volume = MemoryVolume()

    def open(self, *, read_only: bool = False) -> Store:
        return MemoryStore(self.root, read_only, volume=self.volume)

    def restore(self, backup: Path) -> None:
        restore(self.volume, backup)

    def lose_records(self, ids: list[int]) -> None:
        lose_records(self.volume, ids)


class PostgresBackend:
    """A new database on the session's real PostgreSQL server (``pg_url`` fixture)."""

    fixtures = ("pg_url",)  # asked of pytest by the suite's fixture
    many_writers = True  # no writer lock: concurrent saves are merged field by field

    def __init__(self, root: Path, pg_url: str) -> None:
        self.root = root
        self.url = pg_url
        PostgresStore.create(pg_url)

    def open(self, *, read_only: bool = False) -> Store:
        return PostgresStore.open(self.root, self.url, read_only=read_only)

    #: A shared server cannot recount every row at each reviewer's open (a national
    #: roll-up holds a million): ``verify`` finds the shortfall against the count each
    #: write keeps.
    loss_found_by = "verify"

    def lose_records(self, ids: list[int]) -> None:
        """Rows deleted by hand (``psql``), behind Assises' back."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("DELETE FROM contributions WHERE id = ANY(%s)", (ids,))

    def restore(self, backup: Path) -> None:
        store = PostgresStore.open(self.root, self.url)
        try:
            restore_database(store, backup)
        finally:
            store.close()


class PostgresStreamingBackend(PostgresBackend):
    """The same database, opened as the app opens it: records read by a thread while the
    caller goes on (every read must give the same answers as after a full reading)."""

    def open(self, *, read_only: bool = False) -> Store:
        return PostgresStore.open(self.root, self.url, read_only=read_only, background=True)


#: name -> class taking the (empty, existing) workspace folder (and the pytest fixtures
#: it names in ``fixtures``).
BACKENDS: dict[str, type] = {
    "tinydb": TinyDBBackend,
    "memory": MemoryBackend,
    "postgres": PostgresBackend,
    "postgres-streaming": PostgresStreamingBackend,
}
