"""Backups taken by an open TinyDB store: its files copied from one consistent instant,
and the day's first copy in a thread.

Functions the store calls with what they use (its layout, shards and lock); archive
writing, rotation and restore live in ``backup.py``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from assises_tui.clock import now_iso
from assises_tui.store import backup as backups
from assises_tui.store import migrations
from assises_tui.store.protocol import StoreError

if TYPE_CHECKING:
    from assises_tui.store.layout import Layout
    from assises_tui.store.shards import Shards


def snapshot_backup(
    layout: Layout,
    shards: Shards,
    lock: threading.RLock,
    *,
    read_only: bool,
    count: int,
    reason: str,
    dest: Path | None = None,
) -> Path:
    """A consistent tar.gz of the store files (rotated when in backups/)."""
    with lock:
        handles = _snapshot_handles(layout, shards, read_only)
        manifest = {
            "created_at": now_iso(),
            "reason": reason,
            "schema_version": migrations.SCHEMA_VERSION,
            "count": count,
            "files": [name for name, _ in handles],
        }
    try:
        target = dest or (layout.backups / backups.backup_name(reason))
        backups.write_archive(target, handles, manifest)
    finally:
        for _, handle in handles:
            handle.close()
    if dest is None:
        backups.rotate(layout.root)
    return target


def _snapshot_handles(
    layout: Layout, shards: Shards, read_only: bool
) -> list[tuple[str, BinaryIO]]:
    """Open handles on every store file, all from one consistent instant.

    Files are replaced, never rewritten, so an open handle keeps its content. The writer
    holds the store's lock so nothing moves; a read-only view checks afterwards that no
    path was replaced meanwhile (else retries) and includes a pending journal, which
    restore replays.
    """
    root = layout.root
    for _attempt in range(20):
        paths = [layout.journal, layout.meta, *shards.files(), layout.audit, layout.config]
        handles: list[tuple[str, BinaryIO]] = []
        for path in paths:
            try:
                handles.append((str(path.relative_to(root)), path.open("rb")))
            except FileNotFoundError:
                continue
        if not read_only or _unchanged(layout, shards, handles):
            return handles
        for _, handle in handles:
            handle.close()
    raise StoreError("La base change sans cesse : sauvegarde impossible pour l'instant.")


def _unchanged(layout: Layout, shards: Shards, handles: list[tuple[str, BinaryIO]]) -> bool:
    root = layout.root
    for name, handle in handles:
        try:
            if os.stat(root / name).st_ino != os.fstat(handle.fileno()).st_ino:
                return False
        except FileNotFoundError:
            if name != "store/journal.json":
                return False
    if layout.journal.exists() and not any(n == "store/journal.json" for n, _ in handles):
        return False
    return {str(p.relative_to(root)) for p in shards.files()} <= {n for n, _ in handles}


def start_daily_backup(backup: Callable[[str], Path], done: Callable[[], None]) -> threading.Thread:
    """The day's copy, in a thread: at 100,000 records compressing takes longer than
    opening. ``done`` records the day; a failed copy never breaks the session."""

    def run() -> None:
        try:
            backup("quotidienne")
            done()
        except Exception:  # a failed daily copy must never break the session
            pass

    thread = threading.Thread(target=run, name="assises-backup", daemon=True)
    thread.start()
    return thread
