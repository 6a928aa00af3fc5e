"""Shared by every test folder: `tests/` on the path for the helpers that live here."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools  # noqa: E402

import pytest  # noqa: E402

_DATABASES = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL (Debian's package) in a temporary folder, for the whole session.

    Fails in CI (ASSISES_REQUIRE_SERVERS=1) when the package is missing, never skips there.
    """
    from pg_server import PostgresServer, find_bin_dir
    from system_tools import require_program

    server = PostgresServer(find_bin_dir(require_program)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgres_server) -> str:
    """The URL of a new, empty database on the session's server (one per test)."""
    return postgres_server.create_database(f"test_{os.getpid()}_{next(_DATABASES)}")
