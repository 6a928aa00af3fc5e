"""Backups taken by an open store: a consistent snapshot, and the daily copy.

A mixin of :class:`~assises_tui.store.tinydb_store.TinyDBStore`; archive writing,
rotation and restore live in ``backup.py``.
"""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from assises_tui.clock import now_iso
from assises_tui.store import backup as backups
from assises_tui.store import migrations
from assises_tui.store.protocol import StoreError

if TYPE_CHECKING:
    pass


class StoreBackups:
    def backup(self, reason: str, dest: Path | None = None) -> Path:
        """A consistent tar.gz of the store files (rotated when in backups/).

        Waits for the daily copy begun at open, so that once this returns no older
        archive is still being written (the purge replaces every backup after this one).
        """
        daily = getattr(self, "_backup_thread", None)
        if daily is not None and daily is not threading.current_thread():
            daily.join()
        with self._lock:
            handles = self._snapshot_handles()
            manifest = {
                "created_at": now_iso(),
                "reason": reason,
                "schema_version": migrations.SCHEMA_VERSION,
                "count": self.count(),
                "files": [name for name, _ in handles],
            }
        try:
            target = dest or (self.layout.backups / backups.backup_name(reason))
            backups.write_archive(target, handles, manifest)
        finally:
            for _, handle in handles:
                handle.close()
        if dest is None:
            backups.rotate(self.root)
        return target

    def _snapshot_handles(self) -> list[tuple[str, BinaryIO]]:
        """Open handles on every store file, all from one consistent instant.

        Files are replaced, never rewritten, so an open handle keeps its content. The writer
        holds ``self._lock`` so nothing moves; a read-only view checks afterwards that no
        path was replaced meanwhile (else retries) and includes a pending journal, which
        restore replays.
        """
        for _attempt in range(20):
            paths = [
                self.layout.journal,
                self.layout.meta,
                *self._shards.files(),
                self.layout.audit,
                self.layout.config,
            ]
            handles: list[tuple[str, BinaryIO]] = []
            for path in paths:
                try:
                    handles.append((str(path.relative_to(self.root)), path.open("rb")))
                except FileNotFoundError:
                    continue
            if not self.read_only or self._unchanged(handles):
                return handles
            for _, handle in handles:
                handle.close()
        raise StoreError("La base change sans cesse : sauvegarde impossible pour l'instant.")

    def _unchanged(self, handles: list[tuple[str, BinaryIO]]) -> bool:
        for name, handle in handles:
            try:
                if os.stat(self.root / name).st_ino != os.fstat(handle.fileno()).st_ino:
                    return False
            except FileNotFoundError:
                if name != "store/journal.json":
                    return False
        if self.layout.journal.exists() and not any(n == "store/journal.json" for n, _ in handles):
            return False
        return {str(p.relative_to(self.root)) for p in self._shards.files()} <= {
            n for n, _ in handles
        }

    def _maybe_daily_backup(self) -> None:
        today = date.today().isoformat()
        if not self._objs or self.meta().get("last_backup_day") == today:
            return

        def run() -> None:
            try:
                self.backup("quotidienne")
                with self._lock:
                    if not self._closed:
                        self._meta.set_meta({"last_backup_day": today})
            except Exception:  # a failed daily copy must never break the session
                pass

        # In a thread: at 100,000 records compressing takes longer than opening.
        self._backup_thread = threading.Thread(target=run, name="assises-backup", daemon=True)
        self._backup_thread.start()
