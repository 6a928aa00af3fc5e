"""One writer per workspace.

The writer holds ``fcntl.flock`` on the ``lock`` file for as long as the workspace is
open; the kernel releases it when the process dies, so a crash never leaves the
workspace locked. The file also records pid, host and since when, for the refusal
message. Where flock is not available (some network file systems), the recorded pid is
used: a dead pid on this host is a stale lock and is taken over.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import time
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from assises_tui.clock import local_time
from assises_tui.durable import FILE_MODE
from assises_tui.store.protocol import StoreError, StoreLockedError, StoreReadOnlyMediaError


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def read_lock_info(path: Path, *, wait: float = 0.5) -> dict[str, Any]:
    """The recorded owner. A writer that has just taken the lock may not have written it
    yet (the file is empty for a moment): it is read again for up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            info = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            info = {}
        if not isinstance(info, dict):
            info = {}
        if info.get("pid") or time.monotonic() >= deadline:
            return info
        time.sleep(0.02)


def _since_text(since: str, tz: tzinfo | None) -> str:
    try:
        moment = datetime.fromisoformat(since)
    except (TypeError, ValueError):
        return "une date inconnue"
    return local_time(moment, tz or moment.tzinfo or UTC)


def locked_message(info: dict[str, Any], tz: tzinfo | None = None) -> str:
    """The refusal, « depuis le 05/12/2026 19:14 » in ``tz`` (the consultation's time zone,
    which the workspace gives when it re-words the error; else the writer's own offset).
    What the record does not say (read while empty) is left out, never shown as « ? »."""
    pid, host = info.get("pid"), info.get("host")
    holder = f"le processus {pid}" if pid else "un autre processus"
    if host:
        holder += f" sur {host}"
    if info.get("since"):
        holder += f" depuis le {_since_text(str(info['since']), tz)}"
    return (
        f"L'espace de travail est déjà ouvert en écriture par {holder} ; "
        "fermez-le ou ouvrez celui-ci en lecture seule."
    )


class WriterLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            if exc.errno == errno.EROFS:
                raise StoreReadOnlyMediaError(
                    f"Le disque de l'espace de travail ({self.path.parent}) est en lecture "
                    "seule : il ne peut être ouvert qu'en lecture seule."
                ) from None
            raise StoreError(
                f"Impossible de verrouiller l'espace de travail ({self.path}) : "
                f"{exc.strerror or exc}."
            ) from None
        try:
            os.fchmod(fd, FILE_MODE)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                info = read_lock_info(self.path)
                raise StoreLockedError(locked_message(info), info) from None
            except OSError as exc:
                if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                    raise
                self._check_recorded_owner()
            self._fd = fd
            self._write_info()
        except BaseException:
            if self._fd is None:
                os.close(fd)
            raise

    def _check_recorded_owner(self) -> None:
        """No flock here: trust the recorded owner unless it is a dead process on this host."""
        info = read_lock_info(self.path)
        pid, host = info.get("pid"), info.get("host")
        if not isinstance(pid, int) or pid == os.getpid():
            return
        if host != socket.gethostname() or _pid_alive(pid):
            raise StoreLockedError(locked_message(info), info)
        # Stale: the recorded writer died on this host; taking over is safe.

    def _write_info(self) -> None:
        assert self._fd is not None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        }
        data = json.dumps(info).encode()
        # Written over the old record, then cut to length: never empty for a reader.
        os.pwrite(self._fd, data, 0)
        os.ftruncate(self._fd, len(data))
        os.fsync(self._fd)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            # Emptied rather than deleted: deleting would let two processes lock two inodes.
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
