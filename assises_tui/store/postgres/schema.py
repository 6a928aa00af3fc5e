"""Versioned schema of the team database, upgraded by ``assises db upgrade``.

``MIGRATIONS[n]`` is the SQL that takes the schema from version ``n - 1`` to ``n``. Each
runs in its own transaction with the version row, under an advisory lock, so two
upgraders at once do the work once and a failed step leaves the previous version whole.
A database whose version is newer than this code is refused; an older one asks for
``assises db upgrade`` (opening never changes a shared schema behind the team's back).
"""

from __future__ import annotations

import psycopg

from assises_tui.store.protocol import StoreError, StoreVersionError

#: The LISTEN/NOTIFY channel on which a writer tells the others that records changed.
CHANNEL = "assises_changes"

UPGRADE_LOCK = 0x4153_5301  # advisory lock key: one upgrader at a time
WRITE_LOCK = 0x4153_5302  # taken by every write just before it numbers its changes
#: The ``settings`` row counting the records Assises wrote: ``verify`` finds rows deleted
#: behind its back by the shortfall (``store.count_records``).
RECORD_COUNT = "record_count"

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE contributions (
        id integer PRIMARY KEY,
        version integer NOT NULL DEFAULT 1,
        -- change feed: numbered under WRITE_LOCK, so numbers appear in commit order
        seq bigint NOT NULL DEFAULT nextval('change_seq'),
        department text NOT NULL DEFAULT '',
        origin_id integer,
        status text NOT NULL,
        message_id text NOT NULL DEFAULT '',
        raw_sha256 text NOT NULL DEFAULT '',
        received_at timestamptz,
        assignee text NOT NULL DEFAULT '',
        updated_by text NOT NULL DEFAULT '',
        record jsonb NOT NULL
    );
    CREATE INDEX contributions_seq ON contributions (seq);
    CREATE INDEX contributions_message_id ON contributions (message_id) WHERE message_id <> '';
    CREATE INDEX contributions_raw_sha256 ON contributions (raw_sha256) WHERE raw_sha256 <> '';
    CREATE INDEX contributions_department ON contributions (department, status);
    CREATE TABLE blobs (sha256 text PRIMARY KEY, data bytea NOT NULL);
    CREATE TABLE quarantine (
        id serial PRIMARY KEY,
        source text NOT NULL DEFAULT '',
        reason text NOT NULL DEFAULT '',
        raw_blob text,
        at text NOT NULL DEFAULT '',
        raw_sha256 text
    );
    CREATE TABLE documents (name text PRIMARY KEY, value jsonb NOT NULL);
    CREATE TABLE audit (seq bigserial PRIMARY KEY, entry jsonb NOT NULL);
    CREATE TABLE settings (key text PRIMARY KEY, value jsonb NOT NULL);
    """,
    # The inbox's first screen before the records are read (``PostgresStore.ordered_ids``):
    # ids in date order with what views select by, read from the index alone.
    2: """
    CREATE INDEX contributions_by_date ON contributions (received_at, id)
        INCLUDE (status, assignee);
    """,
}
SCHEMA_VERSION = max(MIGRATIONS)

_PREAMBLE = """
CREATE TABLE IF NOT EXISTS assises_schema (
    version integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE IF NOT EXISTS change_seq;
CREATE SEQUENCE IF NOT EXISTS contribution_ids;
"""


def current_version(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "SELECT to_regclass('assises_schema') IS NOT NULL",
    ).fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute("SELECT coalesce(max(version), 0) FROM assises_schema").fetchone()
    return int(found[0]) if found else 0


def upgrade(conn: psycopg.Connection) -> list[int]:
    """Apply the missing migrations; the versions applied (empty when up to date)."""
    applied: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (UPGRADE_LOCK,))
        conn.execute(_PREAMBLE)
    for version in sorted(MIGRATIONS):
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (UPGRADE_LOCK,))
            found = current_version(conn)
            if found > SCHEMA_VERSION:
                raise _too_new(found)
            if version <= found:
                continue
            conn.execute(MIGRATIONS[version])
            conn.execute("INSERT INTO assises_schema (version) VALUES (%s)", (version,))
            applied.append(version)
    return applied


def _too_new(found: int) -> StoreVersionError:
    return StoreVersionError(
        f"La base PostgreSQL a été mise à jour par une version plus récente d'Assises "
        f"(schéma {found}, cette version connaît jusqu'au schéma {SCHEMA_VERSION}) : "
        "mettez Assises à jour."
    )


def check(conn: psycopg.Connection) -> None:
    """Refuse a database this code cannot use as it is (French message)."""
    found = current_version(conn)
    if found > SCHEMA_VERSION:
        raise _too_new(found)
    if found == 0:
        raise StoreError(
            "La base PostgreSQL ne contient pas d'espace de travail Assises : "
            "créez-le avec « assises init DOSSIER --postgres URL »."
        )
    if found < SCHEMA_VERSION:
        raise StoreError(
            f"La base PostgreSQL est au schéma {found}, cette version d'Assises attend le "
            f"schéma {SCHEMA_VERSION} : lancez « assises db upgrade »."
        )
