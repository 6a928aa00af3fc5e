"""``verify``, ``backup`` and ``restore`` of the team database.

A backup is a consistent snapshot: one ``REPEATABLE READ`` read-only transaction reads
every table (reviewers keep working meanwhile) into JSON lines in a ``.tar.gz`` written
atomically in the workspace's ``backups/`` folder, like the TinyDB store's. As there,
blobs are not copied (they are immutable and content-addressed; ``assises migrate`` copies
them). A restore checks the whole archive first, backs up the current content, then
replaces every table in one transaction: other reviewers see it as one big change.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson
import psycopg

from assises_tui.store.backup import backup_name, rotate, write_archive
from assises_tui.store.blobs import sha256_hex
from assises_tui.store.layout import Layout
from assises_tui.store.postgres import schema
from assises_tui.store.protocol import StoreError
from assises_tui.store.verify import record_blobs

if TYPE_CHECKING:
    from assises_tui.store.postgres.connection import Pool


class Database(Protocol):
    """What these functions use of a ``PostgresStore``: it calls them, they do not know it."""

    root: Path
    pool: Pool


FORMAT = "assises-postgres"
#: archive member -> (SELECT producing one JSON object per row, columns restored)
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "contributions": (
        "SELECT json_build_object('id', id, 'version', version, 'department', department, "
        "'origin_id', origin_id, 'record', record)::text FROM contributions ORDER BY id",
        ("id", "version", "department", "origin_id", "record"),
    ),
    "quarantine": (
        "SELECT row_to_json(q)::text FROM quarantine q ORDER BY id",
        ("id", "source", "reason", "raw_blob", "at", "raw_sha256"),
    ),
    "documents": (
        "SELECT row_to_json(d)::text FROM documents d ORDER BY name",
        ("name", "value"),
    ),
    "audit": ("SELECT row_to_json(a)::text FROM audit a ORDER BY seq", ("seq", "entry")),
    "settings": ("SELECT row_to_json(s)::text FROM settings s ORDER BY key", ("key", "value")),
}

_JSON_COLUMNS = frozenset({"value", "entry"})


def verify(store: Database) -> list[str]:
    """Re-read every record and blob from the database (never the memory copy)."""
    from assises_tui.store.codec import decode

    problems: list[str] = []
    wanted: dict[str, list[str]] = {}
    with store.pool.connection() as conn:
        found = schema.current_version(conn)
        if found != schema.SCHEMA_VERSION:
            problems.append(
                f"Le schéma de la base est à la version {found}, attendu "
                f"{schema.SCHEMA_VERSION} (« assises db upgrade »)."
            )
            return problems
        present_ids: list[int] = []
        with conn.cursor(name="verify_records") as cur:
            cur.execute("SELECT id, record::text FROM contributions ORDER BY id")
            for cid, text in cur:
                present_ids.append(cid)
                record = orjson.loads(text)
                if record.get("id") != cid:
                    problems.append(f"La contribution n° {cid} porte un autre numéro.")
                try:
                    decode(record)
                except Exception as exc:  # any shape problem is a finding, not a crash
                    problems.append(f"La contribution n° {cid} est mal formée ({exc}).")
                for what, sha in record_blobs(record):
                    wanted.setdefault(sha, []).append(f"Contribution n° {cid}, {what}")
        problems += _lost_records(conn, present_ids)
        for qid, sha in conn.execute(
            "SELECT id, raw_blob FROM quarantine WHERE raw_blob IS NOT NULL"
        ):
            wanted.setdefault(sha, []).append(f"Quarantaine n° {qid}, courriel brut")
        present: set[str] = set()
        with conn.cursor(name="verify_blobs") as cur:
            cur.execute("SELECT sha256, data FROM blobs WHERE sha256 = ANY(%s)", (list(wanted),))
            for sha, data in cur:
                present.add(sha)
                if sha256_hex(bytes(data)) != sha:
                    for where in wanted[sha]:
                        problems.append(f"{where} : le contenu a changé (empreinte différente).")
    for sha, places in wanted.items():
        if sha not in present:
            problems.extend(f"{where} : absent de la base." for where in places)
    return problems


def _lost_records(conn: psycopg.Connection, present: list[int]) -> list[str]:
    """Records are never deleted by Assises, and each write counts what it adds (in the
    same transaction): fewer rows than counted means rows deleted behind its back."""
    row = conn.execute("SELECT value::text FROM settings WHERE key = %s", (schema.RECORD_COUNT,))
    found = row.fetchone()
    expected = int(found[0]) if found else len(present)  # a database from before the count
    lost = expected - len(present)
    if lost <= 0:
        return []
    last = conn.execute("SELECT last_value FROM contribution_ids").fetchone()
    have = set(present)
    absent = [cid for cid in range(1, int(last[0]) + 1) if cid not in have] if last else []
    which = ""
    if len(absent) == lost:  # no number was reserved and left unused: these are the lost
        shown = ", ".join(map(str, absent[:20])) + (" …" if len(absent) > 20 else "")
        which = f" (n° {shown})"
    return [
        f"{lost} contribution(s) ont disparu de la base{which} : Assises en a enregistré "
        f"{expected}, la base en contient {len(present)}. Des lignes ont été supprimées en "
        "dehors d'Assises : restaurez la dernière sauvegarde (« assises restore »)."
    ]


def backup(store: Database, reason: str, dest: Path | None = None) -> Path:
    layout = Layout(store.root)
    members: list[tuple[str, io.BytesIO]] = []
    counts: dict[str, int] = {}
    with store.pool.connection() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        try:
            with conn.transaction():
                conn.execute("SET TRANSACTION READ ONLY")
                version = schema.current_version(conn)
                for name, (query, _columns) in TABLES.items():
                    buffer = io.BytesIO()
                    count = 0
                    with conn.cursor(name=f"backup_{name}") as cur:
                        cur.execute(query)
                        for (line,) in cur:
                            buffer.write(line.encode() + b"\n")
                            count += 1
                    members.append((f"postgres/{name}.jsonl", buffer))
                    counts[name] = count
        finally:
            conn.isolation_level = None
    manifest = {"format": FORMAT, "schema_version": version, "reason": reason, "rows": counts}
    if dest is None:
        dest = layout.backups / backup_name(reason)
        write_archive(dest, members, manifest)
        rotate(store.root)
        return dest
    return write_archive(dest, members, manifest)


def read_archive(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every table of a team backup, checked (French StoreError naming what is wrong)."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            files = {
                m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
                for m in tar.getmembers()
                if m.isfile()
            }
    except (OSError, tarfile.TarError) as exc:
        raise StoreError(f"La sauvegarde {path} est illisible ({exc}).") from None
    try:
        manifest = orjson.loads(files.get("manifest.json", b"{}"))
        if manifest.get("format") != FORMAT:
            raise StoreError(
                f"{path} n'est pas une sauvegarde d'une base PostgreSQL d'Assises "
                "(une sauvegarde d'un espace local se restaure dans un espace local)."
            )
        if int(manifest.get("schema_version", 0)) > schema.SCHEMA_VERSION:
            raise StoreError(f"{path} vient d'une version plus récente d'Assises.")
        tables = {}
        for name in TABLES:
            data = files.get(f"postgres/{name}.jsonl")
            if data is None:
                raise StoreError(f"La sauvegarde {path} est incomplète ({name} manque).")
            tables[name] = [orjson.loads(line) for line in data.splitlines() if line.strip()]
    except orjson.JSONDecodeError as exc:
        raise StoreError(f"La sauvegarde {path} est abîmée ({exc}).") from None
    return tables


def restore(store: Database, path: Path) -> Path:
    """Replace the database's content by the backup's; returns the backup of what was there."""

    tables = read_archive(path)
    aside = backup(store, "avant-restauration")
    with store.pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (schema.WRITE_LOCK,))
        current = dict(conn.execute("SELECT id, version FROM contributions").fetchall())
        conn.execute("TRUNCATE contributions, quarantine, documents, audit, settings")
        with conn.cursor().copy(
            "COPY contributions (id, version, department, origin_id, status, message_id, "
            "raw_sha256, assignee, record) FROM STDIN"
        ) as copy:
            for row in tables["contributions"]:
                record = row["record"]
                # a version above any a reviewer holds, so every open copy reloads it
                version = max(row["version"], current.get(row["id"], 0)) + 1
                copy.write_row(
                    (
                        row["id"],
                        version,
                        row["department"],
                        row["origin_id"],
                        record.get("status", "new"),
                        record.get("message_id", ""),
                        record.get("raw_sha256", ""),
                        record.get("assignee", ""),
                        orjson.dumps(record).decode(),
                    )
                )
        conn.execute(
            "UPDATE contributions SET received_at = (record->>'received_at')::timestamptz "
            "WHERE record ? 'received_at'"
        )
        for name in ("quarantine", "documents", "audit", "settings"):
            columns = TABLES[name][1]
            with conn.cursor().copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in tables[name]:
                    copy.write_row(
                        [
                            orjson.dumps(row[c]).decode() if c in _JSON_COLUMNS else row[c]
                            for c in columns
                        ]
                    )
        for sequence, table in (("quarantine_id_seq", "quarantine"), ("audit_seq_seq", "audit")):
            key = "id" if table == "quarantine" else "seq"
            conn.execute(
                f"SELECT setval('{sequence}', greatest(1, (SELECT coalesce(max({key}), 0) FROM {table})))"
            )
        conn.execute(
            "SELECT setval('contribution_ids', greatest((SELECT last_value FROM contribution_ids), "
            "(SELECT coalesce(max(id), 1) FROM contributions)))"
        )
        conn.execute("SELECT pg_notify(%s, 'restore')", (schema.CHANNEL,))
    return aside
