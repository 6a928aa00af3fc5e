"""Durable file writes and the TinyDB storage built on them.

Every write goes to a temporary file in the same folder, is fsync'd, renamed over the old
file with ``os.replace`` (atomic on POSIX), then the folder itself is fsync'd so the rename
survives a power cut. A crash at any instant therefore leaves either the old or the new
file, never a mix — unlike TinyDB's stock ``JSONStorage``, which rewrites in place.

Permissions are set explicitly (0700 folders, 0600 files) so the user's umask does not
matter: the workspace holds personal data from e-mails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from assises_tui.store.protocol import StoreError

DIR_MODE = 0o700
FILE_MODE = 0o600


class UnreadableFileError(Exception):
    """A store file exists but cannot be parsed. The store turns it into StoreCorruptError."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(path: Path) -> None:
    """Create ``path`` (and parents) with mode 0700; fsync the parent of a new folder."""
    if path.is_dir():
        return
    ensure_dir(path.parent)
    try:
        os.mkdir(path, DIR_MODE)
    except FileExistsError:
        return
    os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask; chmod is not
    fsync_dir(path.parent)


def write_atomic(path: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Replace ``path`` with ``data`` durably (old or new content after any crash)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync_dir:
        fsync_dir(path.parent)


def remove_durably(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        return
    fsync_dir(path.parent)


def remove_temp_files(folder: Path) -> None:
    """Drop temporaries left by a writer killed between write and rename."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(".tmp"):
            entry.unlink(missing_ok=True)


def read_json(path: Path) -> Any:
    """Parse a JSON file; ``None`` when it does not exist; UnreadableFileError otherwise."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnreadableFileError(path, exc.strerror or str(exc)) from None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise UnreadableFileError(path, f"JSON invalide ({exc})") from None


def dump_json(value: Any) -> bytes:
    return orjson.dumps(value)


class AtomicJSONStorage(Storage):
    """TinyDB storage: orjson, in-memory cache, durable atomic writes.

    ``read`` serves the cached tables after the first parse (TinyDB re-reads the storage on
    every operation; parsing a shard each time would cost milliseconds). ``deferred()``
    groups several TinyDB operations into one flush. If a flush fails the cache is dropped,
    so the next read sees what is really on disk.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._cache: dict[str, dict[str, Any]] | None = None
        self._loaded = False
        self._defer_depth = 0
        self._dirty = False

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            data = read_json(self.path)
            if data is not None and not isinstance(data, dict):
                raise UnreadableFileError(self.path, "le contenu n'est pas un objet JSON")
            self._cache = data
            self._loaded = True
        return self._cache

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self.read_only:
            raise StoreError(
                "Espace de travail ouvert en lecture seule : aucune modification n'est possible."
            )
        self._cache = data
        self._loaded = True
        if self._defer_depth:
            self._dirty = True
            return
        self._flush()

    def _flush(self) -> None:
        try:
            write_atomic(self.path, dump_json(self._cache))
        except BaseException:
            self.invalidate()
            raise

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold writes until the block ends, then flush once (nothing is written on error)."""
        self._defer_depth += 1
        try:
            yield
        except BaseException:
            self._defer_depth -= 1
            if self._defer_depth == 0 and self._dirty:
                self._dirty = False
                self.invalidate()
            raise
        self._defer_depth -= 1
        if self._defer_depth == 0 and self._dirty:
            self._dirty = False
            self._flush()

    def invalidate(self) -> None:
        """Forget the cache; the next read parses the file again."""
        self._cache = None
        self._loaded = False

    def close(self) -> None:
        pass
