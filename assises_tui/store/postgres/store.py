"""``PostgresStore``: the ``Store`` protocol on a PostgreSQL database shared by a team.

Reads are served from memory, as with the TinyDB store: opening loads every record once;
after that the **change feed** keeps the copy current. Every write numbers the rows it
changes from the ``change_seq`` sequence while holding an advisory lock until it commits,
so numbers become visible in order and "everything after the last number I read" never
misses a change. ``reload_if_changed`` reads that, and a listener thread wakes the app
(``on_change``) when a ``NOTIFY`` says another reviewer wrote something.

No writer lock: many reviewers write at once. Each record has a ``version``. A save whose
record changed in the database since this process read it is merged field by field with
the stored one (``store/merge.py``): different fields both win, a real conflict is
refused with a French message naming the other reviewer's change. Row locks are taken in
id order, so two bulk actions over the same records cannot deadlock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import orjson
import psycopg

from assises_tui.domain.models import Contribution, QuarantineEntry, blob_refs, digests_in
from assises_tui.errors import StoreConflictError
from assises_tui.store.blobs import sha256_hex
from assises_tui.store.codec import SharePool, encode, share_strings
from assises_tui.store.merge import merge
from assises_tui.store.postgres import schema
from assises_tui.store.postgres.connection import Pool, check_url, connect
from assises_tui.store.protocol import StoreError

CHANNEL = schema.CHANNEL
READ_ONLY_MESSAGE = (
    "Espace de travail ouvert en lecture seule : aucune modification n'est possible."
)
_DECODER = msgspec.json.Decoder(Contribution)
#: Rows read per round trip at open: a few MB of text, freed as soon as decoded.
LOAD_BATCH = 5_000
_COLUMNS = (
    "id, department, origin_id, status, message_id, raw_sha256, received_at, assignee, "
    "updated_by, record"
)


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def _author(item: Contribution) -> str:
    return item.history[-1].who if item.history else ""


def _row(item: Contribution, department: str, origin_id: int | None) -> tuple[Any, ...]:
    return (
        item.id,
        department,
        origin_id,
        item.status.value,
        item.message_id,
        item.raw_sha256,
        item.received_at,
        item.assignee,
        _author(item),
        orjson.dumps(encode(item)).decode(),
    )


class PostgresStore:
    read_only: bool
    root: Path

    # -- lifecycle ---------------------------------------------------------
    @classmethod
    def create(cls, url: str, *, department: str = "", password: str | None = None) -> int:
        """Lay out the schema in an empty database, or join the team's database when it
        already holds a workspace. Returns the number of contributions found there."""
        check_url(url)
        with connect(url, password, autocommit=True) as conn:
            found = _count(conn) if schema.current_version(conn) else 0
            if found:
                schema.check(conn)  # joining: never change the team's schema on the way
                return found
            schema.upgrade(conn)
            conn.execute(
                "INSERT INTO settings VALUES ('created_at', %s), ('department', %s) "
                "ON CONFLICT (key) DO NOTHING",
                (orjson.dumps(_now()).decode(), orjson.dumps(department).decode()),
            )
        return 0

    @classmethod
    def open(
        cls,
        root: Path,
        url: str,
        *,
        read_only: bool = False,
        password: str | None = None,
        department: str = "",
        background: bool = False,
    ) -> PostgresStore:
        """Open the team database. With ``background`` the records are read by a thread
        (``start_loading``, or the first read needing them all) while the caller goes on:
        ``get`` fetches a missing record from the database, ``all``/``ids``/``count`` wait
        for the end of the reading (``loading_progress``)."""
        store = cls(root, url, read_only=read_only, password=password, department=department)
        store._background = background
        try:
            store._load()
        except BaseException:
            store.close()
            raise
        return store

    def __init__(
        self,
        root: Path,
        url: str,
        *,
        read_only: bool = False,
        password: str | None = None,
        department: str = "",
    ) -> None:
        self.root = Path(root)
        self.url = check_url(url)
        self.read_only = read_only
        self.department = department
        self._password = password
        self._lock = threading.RLock()
        self._closed = False
        self._objs: dict[int, Contribution] = {}
        self._versions: dict[int, int] = {}
        self._sorted: list[int] | None = None
        self._indexes: tuple[dict[str, int], dict[str, int]] | None = None
        self._last_seq = 0
        self.generation = 0
        self._background = False
        self._loaded = threading.Event()
        self._loaded.set()
        self._load_error: StoreError | None = None
        self._progress = (0, 0)
        self._loader: threading.Thread | None = None
        #: Called from the listener thread when another process changed something.
        self.on_change: Callable[[], None] | None = None
        self._changed = threading.Event()
        self._listener: threading.Thread | None = None
        self._listen_conn: psycopg.Connection | None = None
        self.pool = Pool(self.url, password)

    def close(self) -> None:
        self._closed = True
        if self._loader is not None:
            self._loader.join(timeout=30)
        conn = self._listen_conn
        if conn is not None:
            try:
                conn.cancel_safe() if hasattr(conn, "cancel_safe") else conn.cancel()
            except psycopg.Error:
                pass
        if self._listener is not None:
            self._listener.join(timeout=5)
        self.pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- loading and the change feed ------------------------------------------
    def _load(self) -> None:
        """Read every record, in batches (a server-side cursor): the rows fetched are freed
        as they are decoded, so the peak is the records, not the records plus their text."""
        with self.pool.connection() as conn:
            schema.check(conn)
            if self._background:
                # the feed starts here: a change made before the reading's snapshot comes
                # twice (feed and reading), the newer version wins, none is missed
                row = conn.execute("SELECT coalesce(max(seq), 0) FROM contributions").fetchone()
                self._last_seq = int(row[0]) if row else 0
        self._loaded.clear()
        self._load_error = None
        self._progress = (0, 0)
        if not self._background:
            self._stream()
            if self._load_error is not None:
                raise self._load_error

    def start_loading(self) -> None:
        """Start reading the records in a thread (``background``: once the caller has
        drawn its first screen, so that the reading does not slow it down)."""
        with self._lock:
            if self._loader is None and not self._loaded.is_set():
                self._loader = threading.Thread(
                    target=self._stream, name="assises-load", daemon=True
                )
                self._loader.start()

    def _stream(self) -> None:
        batch = LOAD_BATCH
        try:
            with self.pool.connection() as conn:
                # one snapshot for the count, the feed position and every row
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                row = conn.execute(
                    "SELECT count(*), coalesce(max(seq), 0) FROM contributions"
                ).fetchone()
                assert row is not None
                total, snapshot_seq = int(row[0]), int(row[1])
                with self._lock:
                    if not self._background:  # else the feed started at open
                        self._last_seq = max(self._last_seq, snapshot_seq)
                    self._progress = (0, total)
                pool = SharePool()
                loaded = 0
                with conn.cursor(name="assises_load") as cur:
                    cur.itersize = batch
                    cur.execute("SELECT id, version, record::text FROM contributions")
                    while rows := cur.fetchmany(batch):
                        if self._closed:
                            return
                        self._absorb(rows, pool)
                        loaded += len(rows)
                        self._progress = (loaded, max(total, loaded))
        except (StoreError, psycopg.Error) as exc:
            message = str(exc) if isinstance(exc, StoreError) else str(exc).strip()
            self._load_error = StoreError(
                f"Lecture des contributions interrompue : {message}"
                if not isinstance(exc, StoreError)
                else message
            )
        finally:
            self._loaded.set()

    def _absorb(self, rows: list[tuple[int, int, str]], pool: SharePool) -> None:
        """Keep the records of a loading batch that the feed has not brought newer."""
        decode = _DECODER.decode
        decoded = [(cid, version, decode(text)) for cid, version, text in rows]
        share_strings((item for _cid, _version, item in decoded), pool)
        with self._lock:
            objs, versions = self._objs, self._versions
            for cid, version, item in decoded:
                if versions.get(cid, 0) < version:
                    objs[cid] = item
                    versions[cid] = version
            self._sorted = None
            self._indexes = None
            self.generation += 1

    @property
    def loading(self) -> bool:
        return not self._loaded.is_set()

    def loading_progress(self) -> tuple[int, int] | None:
        """(records read, records in the database) while the first reading runs, else None."""
        return None if self._loaded.is_set() else self._progress

    def wait_loaded(self) -> None:
        """Block until every record is in memory (StoreError when the reading failed)."""
        if not self._loaded.is_set():
            self.start_loading()  # no one asked for it yet: the reading starts now
            self._loaded.wait()
        if self._load_error is not None:
            raise self._load_error

    def start_listening(self, on_change: Callable[[], None] | None = None) -> None:
        """Wake ``on_change`` (from a thread) whenever another process writes."""
        self.on_change = on_change
        if self._listener is not None:
            return
        conn = connect(self.url, self._password, autocommit=True)
        conn.execute(f"LISTEN {CHANNEL}")
        self._listen_conn = conn
        self._listener = threading.Thread(target=self._listen, name="assises-listen", daemon=True)
        self._listener.start()

    def _listen(self) -> None:
        conn = self._listen_conn
        assert conn is not None
        try:
            while not self._closed:
                for _notify in conn.notifies(timeout=1.0, stop_after=1):
                    self._changed.set()
                    callback = self.on_change
                    if callback is not None and not self._closed:
                        callback()
        except psycopg.Error:
            pass  # closed under us, or the server went away: polling still works
        finally:
            conn.close()

    def reload_if_changed(self) -> bool:
        """Apply every change committed since the last read. True when records changed."""
        return self.reload_changes() != {}

    def reload_changes(self) -> dict[int, Contribution | None] | None:
        """Apply every change committed since the last read: the previous version of each
        record another process changed (None for one new here), by id; None while the
        first reading runs (a record not read yet has no previous version here)."""
        self._changed.clear()
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT id, version, seq, record::text FROM contributions "
                "WHERE seq > %s ORDER BY seq",
                (self._last_seq,),
            ).fetchall()
        previous: dict[int, Contribution | None] = {}
        with self._lock:
            for cid, version, seq, text in rows:
                self._last_seq = max(self._last_seq, seq)
                if self._versions.get(cid) == version:
                    continue  # our own write, already in memory
                previous.setdefault(cid, self._objs.get(cid))
                self._remember([_DECODER.decode(text)], {cid: version})
        if previous and not self._loaded.is_set():
            return None
        return previous

    def _remember(self, items: Iterable[Contribution], versions: dict[int, int]) -> None:
        indexes = self._indexes
        for item in items:
            old = self._objs.get(item.id)
            if old is None:
                self._sorted = None
            elif indexes is not None:
                if indexes[0].get(old.message_id) == item.id:
                    del indexes[0][old.message_id]
                if indexes[1].get(old.raw_sha256) == item.id:
                    del indexes[1][old.raw_sha256]
            self._objs[item.id] = item
            if indexes is not None:
                if item.message_id:
                    indexes[0].setdefault(item.message_id, item.id)
                if item.raw_sha256:
                    indexes[1].setdefault(item.raw_sha256, item.id)
        self._versions.update(versions)
        self.generation += 1

    # -- writing ---------------------------------------------------------------
    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(READ_ONLY_MESSAGE)
        if self._closed:
            raise StoreError("L'espace de travail est fermé.")

    def allocate_ids(self, count: int) -> list[int]:
        self._check_writable()
        if count < 0:
            raise StoreError("Nombre de numéros à réserver invalide.")
        if count == 0:
            return []
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT nextval('contribution_ids') FROM generate_series(1, %s)", (count,)
            ).fetchall()
        return [int(r[0]) for r in rows]

    def add_many(self, items: Sequence[Contribution]) -> None:
        self.insert(items)

    def insert(
        self,
        items: Sequence[Contribution],
        *,
        department: str | None = None,
        origin_ids: dict[int, int] | None = None,
    ) -> None:
        """``add_many``, with the département and original numbers of a roll-up."""
        self._check_writable()
        if not items:
            return
        ids = [item.id for item in items]
        if len(set(ids)) != len(ids):
            raise StoreError("Une contribution figure deux fois dans le même envoi.")
        department = self.department if department is None else department
        origin_ids = origin_ids or {}
        with self._lock, self.pool.connection() as conn, conn.transaction():
            found = conn.execute(
                "SELECT min(id) FROM contributions WHERE id = ANY(%s)", (ids,)
            ).fetchone()
            if found and found[0] is not None:
                raise StoreError(f"La contribution n° {found[0]} existe déjà.")
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (schema.WRITE_LOCK,))
            with conn.cursor().copy(f"COPY contributions ({_COLUMNS}) FROM STDIN") as copy:
                for item in items:
                    copy.write_row(_row(item, department, origin_ids.get(item.id, item.id)))
            # numbers given without allocate_ids are never handed out again
            conn.execute(
                "SELECT setval('contribution_ids', greatest(%s, "
                "(SELECT last_value FROM contribution_ids)))",
                (max(ids),),
            )
            count_records(conn, len(items))
            conn.execute("SELECT pg_notify(%s, 'add')", (CHANNEL,))
        with self._lock:
            self._remember(items, dict.fromkeys(ids, 1))

    def save(self, item: Contribution) -> None:
        self.save_many([item])

    def save_many(self, items: Sequence[Contribution]) -> None:
        """Save changed records all or nothing, merged with others' changes made meanwhile.

        A real conflict saves nothing and raises StoreConflictError; the records are then
        refreshed, so what the reviewer sees next is the other reviewer's change.
        """
        self._check_writable()
        if not items:
            return
        try:
            self._save_merged(items)
        except StoreConflictError:
            self.reload_if_changed()
            raise

    def _save_merged(self, items: Sequence[Contribution]) -> None:
        latest = {item.id: item for item in items}
        ids = sorted(latest)
        with self._lock:
            for cid in ids:
                if cid not in self._objs:
                    raise StoreError(f"La contribution n° {cid} n'existe pas.")
            with self.pool.connection() as conn, conn.transaction():
                stored = {
                    cid: (version, text)
                    for cid, version, text in conn.execute(
                        "SELECT id, version, record::text FROM contributions "
                        "WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                        (ids,),
                    )
                }
                final: dict[int, Contribution] = {}
                for cid in ids:
                    if cid not in stored:
                        raise StoreError(f"La contribution n° {cid} n'existe pas.")
                    version, text = stored[cid]
                    mine = latest[cid]
                    if version == self._versions.get(cid):
                        final[cid] = mine
                    else:  # someone else saved it since we read it
                        final[cid] = merge(self._objs[cid], mine, _DECODER.decode(text))
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (schema.WRITE_LOCK,))
                with conn.cursor() as cur:
                    cur.executemany(
                        "UPDATE contributions SET record = %s::jsonb, status = %s, "
                        "assignee = %s, updated_by = %s, version = version + 1, "
                        "seq = nextval('change_seq') WHERE id = %s",
                        [
                            (
                                orjson.dumps(encode(item)).decode(),
                                item.status.value,
                                item.assignee,
                                _author(item),
                                cid,
                            )
                            for cid, item in final.items()
                        ],
                    )
                conn.execute("SELECT pg_notify(%s, 'save')", (CHANNEL,))
            self._remember(final.values(), {cid: stored[cid][0] + 1 for cid in final})

    # -- reading ---------------------------------------------------------------
    def get(self, cid: int) -> Contribution | None:
        item = self._objs.get(cid)
        if item is None and not self._loaded.is_set():
            self.prefetch([cid])  # the reading has not reached it yet
            item = self._objs.get(cid)
        return item

    def prefetch(self, ids: Iterable[int]) -> None:
        """While the first reading runs: fetch now the records about to be shown."""
        if self._loaded.is_set():
            return
        missing = [cid for cid in ids if cid not in self._objs]
        if not missing:
            return
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT id, version, record::text FROM contributions WHERE id = ANY(%s)",
                (missing,),
            ).fetchall()
        self._absorb(rows, SharePool())

    def ordered_ids(
        self,
        statuses: Sequence[str] | None = None,
        assignee: str | None = None,
        *,
        reverse: bool = False,
    ) -> list[int]:
        """Ids by reception date (undated last, ties by number), from the database: the
        inbox's first screen while the records are still being read."""
        where, params = [], []
        if statuses is not None:
            where.append("status = ANY(%s)")
            params.append(list(statuses))
        if assignee is not None:
            where.append("assignee = %s")
            params.append(assignee)
        sql = "SELECT id FROM contributions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY received_at {'DESC' if reverse else 'ASC'} NULLS LAST, id"
        with self.pool.connection() as conn:
            return [row[0] for row in conn.execute(sql, params)]

    def status_counts(self) -> dict[str, int]:
        """Contributions per status, counted by the database."""
        with self.pool.connection() as conn:
            rows = conn.execute("SELECT status, count(*) FROM contributions GROUP BY status")
            return {status: int(n) for status, n in rows}

    def ids(self) -> list[int]:
        self.wait_loaded()
        with self._lock:
            if self._sorted is None:
                self._sorted = sorted(self._objs)
            return list(self._sorted)

    def all(self) -> list[Contribution]:
        objs = self._objs
        return [objs[cid] for cid in self.ids()]

    def count(self) -> int:
        self.wait_loaded()
        return len(self._objs)

    def version(self, cid: int) -> int | None:
        """The stored version of the record this process holds (None when unknown)."""
        return self._versions.get(cid)

    def _index(self) -> tuple[dict[str, int], dict[str, int]]:
        self.wait_loaded()
        with self._lock:
            if self._indexes is None:
                by_mid: dict[str, int] = {}
                by_sha: dict[str, int] = {}
                for cid in self.ids():
                    item = self._objs[cid]
                    if item.message_id:
                        by_mid.setdefault(item.message_id, cid)
                    if item.raw_sha256:
                        by_sha.setdefault(item.raw_sha256, cid)
                self._indexes = (by_mid, by_sha)
            return self._indexes

    def id_for_message_id(self, message_id: str) -> int | None:
        return self._index()[0].get(message_id) if message_id else None

    def id_for_raw_sha256(self, sha256: str) -> int | None:
        return self._index()[1].get(sha256) if sha256 else None

    # -- blobs -----------------------------------------------------------------
    def put_blob(self, data: bytes) -> str:
        return self.put_blobs([data])[0]

    def put_blobs(self, datas: Iterable[bytes]) -> list[str]:
        self._check_writable()
        pairs = [(sha256_hex(data), data) for data in datas]
        if pairs:
            with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO blobs VALUES (%s, %s) ON CONFLICT (sha256) DO NOTHING", pairs
                )
        return [sha for sha, _data in pairs]

    def get_blob(self, sha256: str) -> bytes:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT data FROM blobs WHERE sha256 = %s", (sha256,)).fetchone()
        if row is None:
            raise StoreError(
                f"Fichier enregistré introuvable dans la base : {sha256} (lancez « assises verify »)."
            )
        return bytes(row[0])

    def has_blob(self, sha256: str) -> bool:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT 1 FROM blobs WHERE sha256 = %s", (sha256,)).fetchone()
        return row is not None

    def delete_blob(self, sha256: str) -> None:
        self._check_writable()
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM blobs WHERE sha256 = %s", (sha256,))

    def blob_sizes(self, shas: Iterable[str]) -> dict[str, int]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT sha256, length(data) FROM blobs WHERE sha256 = ANY(%s)", (list(set(shas)),)
            ).fetchall()
        return {sha: int(size) for sha, size in rows}

    def unreferenced_blobs(self, among: Iterable[str] | None = None) -> dict[str, int]:
        """Blobs (sha256 -> size) no record, quarantine entry or document names."""
        with self.pool.connection() as conn:
            if among is None:
                rows = conn.execute("SELECT sha256, length(data) FROM blobs").fetchall()
            else:
                rows = conn.execute(
                    "SELECT sha256, length(data) FROM blobs WHERE sha256 = ANY(%s)",
                    (list(set(among)),),
                ).fetchall()
            quarantined = conn.execute(
                "SELECT raw_blob FROM quarantine WHERE raw_blob IS NOT NULL"
            ).fetchall()
            documents = conn.execute("SELECT value::text FROM documents").fetchall()
        if not rows:
            return {}
        self.wait_loaded()
        self.reload_if_changed()  # records written by others name blobs too
        used: set[str] = {sha for (sha,) in quarantined}
        for item in self._objs.values():
            used |= blob_refs(item)
        for (text,) in documents:
            used |= digests_in(orjson.loads(text))
        return {sha: int(size) for sha, size in rows if sha not in used}

    # -- quarantine --------------------------------------------------------------
    def add_quarantine(self, source: str, reason: str, raw_blob: str | None) -> QuarantineEntry:
        self._check_writable()
        at = _now()
        with self.pool.connection() as conn:
            row = conn.execute(
                "INSERT INTO quarantine (source, reason, raw_blob, at) VALUES (%s, %s, %s, %s) "
                "RETURNING id",
                (source, reason, raw_blob, at),
            ).fetchone()
        assert row is not None
        return QuarantineEntry(int(row[0]), source, reason, raw_blob, at)

    def quarantine(self) -> list[QuarantineEntry]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT id, source, reason, raw_blob, at, raw_sha256 FROM quarantine ORDER BY id"
            ).fetchall()
        return [QuarantineEntry(*row) for row in rows]

    def put_quarantine(self, entries: Sequence[QuarantineEntry]) -> None:
        """Entries copied verbatim from another store (``assises migrate``)."""
        self._check_writable()
        rows = [(e.id, e.source, e.reason, e.raw_blob, e.at, e.raw_sha256) for e in entries]
        if not rows:
            return
        with self.pool.connection() as conn, conn.transaction():
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO quarantine (id, source, reason, raw_blob, at, raw_sha256) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    rows,
                )
            conn.execute("SELECT setval('quarantine_id_seq', (SELECT max(id) FROM quarantine))")

    def erase_quarantine_raw(self, ids: list[int], note: str) -> None:
        self._check_writable()
        with self.pool.connection() as conn:
            conn.execute(
                "UPDATE quarantine SET raw_sha256 = coalesce(raw_blob, raw_sha256), "
                "raw_blob = NULL, reason = trim(reason || ' ' || %s) WHERE id = ANY(%s)",
                (note, list(ids)),
            )

    # -- documents and audit -------------------------------------------------------
    def get_doc(self, name: str) -> dict[str, Any]:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT value::text FROM documents WHERE name = %s", (name,)
            ).fetchone()
        return orjson.loads(row[0]) if row else {}

    def put_doc(self, name: str, value: dict[str, Any]) -> None:
        self._check_writable()
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO documents VALUES (%s, %s::jsonb) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, orjson.dumps(value).decode()),
            )

    def doc_names(self) -> list[str]:
        with self.pool.connection() as conn:
            return [r[0] for r in conn.execute("SELECT name FROM documents ORDER BY name")]

    def append_audit(self, entries: Iterable[dict[str, Any]]) -> None:
        self._check_writable()
        rows = [(orjson.dumps(entry).decode(),) for entry in entries]
        if rows:
            with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                cur.executemany("INSERT INTO audit (entry) VALUES (%s::jsonb)", rows)

    def audit(self) -> list[dict[str, Any]]:
        with self.pool.connection() as conn:
            rows = conn.execute("SELECT entry::text FROM audit ORDER BY seq").fetchall()
        return [orjson.loads(r[0]) for r in rows]

    # -- maintenance -----------------------------------------------------------------
    def verify(self) -> list[str]:
        from assises_tui.store.postgres.maintenance import verify

        return verify(self)

    def backup(self, reason: str, dest: Path | None = None) -> Path:
        from assises_tui.store.postgres.maintenance import backup

        return backup(self, reason, dest)

    def meta(self) -> dict[str, Any]:
        with self.pool.connection() as conn:
            rows = conn.execute("SELECT key, value::text FROM settings").fetchall()
            version = schema.current_version(conn)
        return {"schema_version": version, **{k: orjson.loads(v) for k, v in rows}}


def count_records(conn: psycopg.Connection, added: int) -> None:
    """Keep, with the records, how many there are: rows deleted behind Assises' back then
    show as a shortfall (``verify``). A database from before the count starts from its rows."""
    updated = conn.execute(
        "UPDATE settings SET value = to_jsonb(value::text::bigint + %s) WHERE key = %s",
        (added, schema.RECORD_COUNT),
    )
    if updated.rowcount == 0:
        conn.execute(
            "INSERT INTO settings SELECT %s, to_jsonb(count(*)) FROM contributions",
            (schema.RECORD_COUNT,),
        )


def _count(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT count(*) FROM contributions").fetchone()
    return int(row[0]) if row else 0
