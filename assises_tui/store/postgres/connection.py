"""Reaching the team database: URL checks, French errors, the connection pool.

The URL names the server and the database, never the password: libpq takes it from
``PGPASSWORD`` or ``~/.pgpass``, or the CLI asks for it (``password=``) and keeps it in
memory only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from assises_tui.store.protocol import StoreError


def check_url(url: str) -> str:
    """``url`` if it is a PostgreSQL URL without a password (French error otherwise)."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise StoreError(
            f"Adresse de base invalide « {url} » : attendu postgresql://utilisateur@hôte/base."
        )
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise StoreError(f"Adresse de base invalide « {url} » : {exc}.") from None
    if parts.get("password"):
        raise StoreError(
            "L'adresse de la base ne doit pas contenir de mot de passe (il finirait dans "
            "consultation.toml) : utilisez PGPASSWORD, le fichier ~/.pgpass, ou laissez "
            "Assises le demander."
        )
    return url


class StorePasswordError(StoreError):
    """The server wants a password that neither PGPASSWORD nor ~/.pgpass gave."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


#: Passwords typed at the prompt, by URL: kept in this process's memory only.
_TYPED: dict[str, str] = {}


def remember_password(url: str, password: str) -> None:
    _TYPED[url] = password


def _needs_password(exc: BaseException) -> bool:
    text = str(exc)
    return "no password supplied" in text or "password authentication failed" in text


def connection_error(url: str, exc: BaseException) -> StoreError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if _needs_password(exc):
        return StorePasswordError(
            f"La base PostgreSQL {url} demande un mot de passe : donnez-le par PGPASSWORD, "
            f"le fichier ~/.pgpass, ou lancez la commande dans un terminal ({detail}).",
            url,
        )
    return StoreError(f"Impossible de joindre la base PostgreSQL {url} : {detail}.")


def connect(url: str, password: str | None = None, **kwargs: Any) -> psycopg.Connection:
    """One connection (French StoreError when the server cannot be reached)."""
    password = password or _TYPED.get(url)
    extra = {"password": password} if password else {}
    try:
        return psycopg.connect(url, **extra, **kwargs)
    except psycopg.OperationalError as exc:
        raise connection_error(url, exc) from None


class Pool:
    """A small pool of connections to one database, with French errors."""

    def __init__(self, url: str, password: str | None = None, size: int = 4) -> None:
        self.url = url
        password = password or _TYPED.get(url)
        kwargs = {"password": password} if password else {}
        self._pool = ConnectionPool(
            url, min_size=1, max_size=size, kwargs=kwargs, open=False, timeout=10
        )
        try:
            self._pool.open(wait=True, timeout=10)
        except PoolTimeout:
            self._pool.close()
            # the pool hides libpq's reason: ask once more, directly, to report it
            connect(url, password).close()
            raise StoreError(f"La base PostgreSQL {url} ne répond pas.") from None

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise connection_error(self.url, exc) from None

    def close(self) -> None:
        self._pool.close()
