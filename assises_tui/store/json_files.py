"""The store's JSON files: reading them, and the TinyDB storage that writes them durably
(``durable.write_atomic``) — unlike TinyDB's stock ``JSONStorage``, which rewrites in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from assises_tui.durable import write_atomic
from assises_tui.errors import StoreError


class UnreadableFileError(Exception):
    """A store file exists but cannot be parsed. The store turns it into StoreCorruptError."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


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
