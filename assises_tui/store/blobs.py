"""Content-addressed blob store: ``blobs/ab/cdef…`` named by the sha256 of the bytes.

Raw e-mails, attachments and extracted texts live here, outside the JSON records, so a
status change never rewrites them. A blob is written once (temp file, fsync, rename,
folder fsync) and never modified; the only deletion is the RGPD purge.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
import secrets
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assises_tui.durable import FILE_MODE, ensure_dir, fsync_dir, remove_temp_files, write_all
from assises_tui.store.protocol import StoreError

#: A batch of at least this many blobs is written by ``WRITER_THREADS`` threads.
PARALLEL_MIN = 64
WRITER_THREADS = 4
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    def __init__(self, root: Path, *, read_only: bool = False) -> None:
        self.root = root
        self.read_only = read_only
        # Temporaries live in one folder (same file system) so a crashed writer's leftovers
        # are cleaned with one listing instead of scanning 256 folders.
        self.tmp_dir = root / "tmp"
        self._folders: set[str] = set()  # folders this object has seen exist
        self._token = secrets.token_hex(4)
        self._serial = itertools.count()

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256 or ""):
            raise StoreError(f"Empreinte de fichier invalide : « {sha256!r} ».")
        return self.root / sha256[:2] / sha256[2:]

    def put(self, data: bytes) -> str:
        return self.put_many([data])[0]

    def put_many(self, datas: Iterable[bytes]) -> list[str]:
        """Store several blobs; durable when it returns.

        One blob is fsync'd file by file. A batch (an import) writes every file first and
        then flushes them all with one ``os.sync()``: per-file fsyncs made a 100,000-message
        import take many minutes. Either way the records that name these blobs are saved
        after this returns, so a record never points at a blob that a crash could lose.
        """
        if self.read_only:
            raise StoreError(
                "Espace de travail ouvert en lecture seule : aucune modification n'est possible."
            )
        datas = list(datas)
        batch = len(datas) > 1
        digests = [sha256_hex(data) for data in datas]
        todo = list(dict(zip(digests, datas, strict=True)).items())  # each blob once
        if batch and len(todo) >= PARALLEL_MIN:
            # File creation waits on the file system, not on Python: a few threads keep
            # several creations in flight (an import's writer was its slowest stage).
            step = -(-len(todo) // WRITER_THREADS)
            slices = [todo[i : i + step] for i in range(0, len(todo), step)]
            with ThreadPoolExecutor(len(slices), thread_name_prefix="blob-writer") as pool:
                touched = set().union(*pool.map(self._store_some, slices))
        else:
            touched = self._store_some(todo, sync=not batch)
        if batch and touched:
            os.sync()
        elif touched:
            for folder in touched:
                fsync_dir(Path(folder))
        return digests

    def _store_some(self, todo: list[tuple[str, bytes]], sync: bool = False) -> set[str]:
        """Write the blobs of ``todo`` not already stored; the folders written to."""
        touched: set[str] = set()
        root = os.fspath(self.root)
        for digest, data in todo:
            # Plain strings, not Path objects: an import writes tens of thousands of blobs
            # and pathlib's joins cost more than the system calls (docs/benchmarks.md).
            folder = f"{root}/{digest[:2]}"
            final = f"{folder}/{digest[2:]}"
            try:
                if os.stat(final).st_size == len(data):
                    continue  # same bytes already stored: content addressing makes this free
                # Wrong size: a power cut kept the name but not the data; write it again.
            except FileNotFoundError:
                pass
            self._write_one(data, digest, folder, final, sync=sync)
            touched.add(folder)
        return touched

    def _ensure(self, folder: str) -> None:
        """Create ``folder`` (once per store object: it is never removed while open)."""
        if folder not in self._folders:
            ensure_dir(Path(folder))
            self._folders.add(folder)

    def _write_one(self, data: bytes, digest: str, folder: str, final: str, *, sync: bool) -> None:
        tmp_dir = os.fspath(self.tmp_dir)
        self._ensure(tmp_dir)
        self._ensure(folder)
        # Unique without asking the kernel for randomness per blob: one token per store
        # object, then a counter (O_EXCL refuses a clash anyway).
        serial = next(self._serial)  # atomic: writer threads never share a name
        tmp = f"{tmp_dir}/.{digest[:16]}.{os.getpid()}.{self._token}{serial}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        try:
            fd = os.open(tmp, flags, FILE_MODE)
        except FileNotFoundError:  # the folder was removed behind our back
            self._folders.discard(tmp_dir)
            self._ensure(tmp_dir)
            fd = os.open(tmp, flags, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            write_all(fd, data)
            if sync:
                os.fsync(fd)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        os.close(fd)
        try:
            os.replace(tmp, final)
        except FileNotFoundError:
            self._folders.discard(folder)
            self._ensure(folder)
            os.replace(tmp, final)

    def get(self, sha256: str) -> bytes:
        path = self.path_for(sha256)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise StoreError(
                f"Fichier enregistré introuvable : {path} (lancez « assises verify »)."
            ) from None

    def has(self, sha256: str) -> bool:
        try:
            return self.path_for(sha256).is_file()
        except StoreError:
            return False

    def delete(self, sha256: str) -> None:
        if self.read_only:
            raise StoreError(
                "Espace de travail ouvert en lecture seule : aucune modification n'est possible."
            )
        path = self.path_for(sha256)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        fsync_dir(path.parent)

    def check(self, sha256: str) -> str | None:
        """None when the blob exists and its content matches its name, else the problem."""
        try:
            path = self.path_for(sha256)
        except StoreError as exc:
            return str(exc)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return f"le fichier {path.relative_to(self.root.parent)} est absent"
        except OSError as exc:
            return f"le fichier {path.relative_to(self.root.parent)} est illisible ({exc.strerror})"
        if sha256_hex(data) != sha256:
            return (
                f"le fichier {path.relative_to(self.root.parent)} a été modifié "
                "(son empreinte ne correspond plus)"
            )
        return None

    def sizes(self) -> dict[str, int]:
        """Every stored blob (sha256 -> size in bytes), temporaries left out."""
        found: dict[str, int] = {}
        try:
            folders = [e for e in os.scandir(self.root) if len(e.name) == 2 and e.is_dir()]
        except FileNotFoundError:
            return found
        for folder in folders:
            for entry in os.scandir(folder.path):
                sha = folder.name + entry.name
                if _SHA256.match(sha):
                    found[sha] = entry.stat().st_size
        return found

    def cleanup(self) -> None:
        remove_temp_files(self.tmp_dir)
