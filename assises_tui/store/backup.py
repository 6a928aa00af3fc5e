"""Backups of the store (tar.gz of ``store/`` and ``consultation.toml``, not the blobs).

Blobs are immutable and content-addressed, so a backup only needs the JSON files. The
store opens every file under its lock and tars from those open descriptors: files are
replaced by rename, never rewritten, so the descriptors are a consistent snapshot even if
the writer carries on while the archive is compressed.

``restore_backup`` validates an archive completely before touching anything, then swaps
folders: the current ``store/`` is kept aside (``store.avant-restauration-…``), never deleted.
"""

from __future__ import annotations

import io
import os
import re
import tarfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import IO

import orjson

from assises_tui.durable import FILE_MODE, ensure_dir, fsync_dir, write_atomic
from assises_tui.store.layout import BACKUPS_KEPT, Layout
from assises_tui.store.lock import WriterLock
from assises_tui.store.protocol import StoreError

_NAME = re.compile(r"^\d{8}-\d{6}-\d{6}-[a-z0-9-]+\.tar\.gz$")


def _slug(reason: str) -> str:
    from assises_tui.text.fold import fold

    slug = re.sub(r"[^a-z0-9]+", "-", fold(reason)).strip("-")
    return slug[:40] or "sauvegarde"


def backup_name(reason: str) -> str:
    return f"{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}-{_slug(reason)}.tar.gz"


def write_archive(dest: Path, members: Sequence[tuple[str, IO[bytes]]], manifest: dict) -> Path:
    """Write ``members`` (archive name, open binary file) and a manifest to ``dest``, durably."""
    buffer = io.BytesIO()
    now = time.time()
    # compresslevel 1: backups happen before every import; speed matters more than size.
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as tar:
        info = tarfile.TarInfo("manifest.json")
        data = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
        info.size, info.mtime, info.mode = len(data), now, FILE_MODE
        tar.addfile(info, io.BytesIO(data))
        for name, handle in members:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(0)
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = size, now, FILE_MODE
            tar.addfile(info, handle)
    ensure_dir(dest.parent)
    write_atomic(dest, buffer.getvalue())
    return dest


def list_backups(root: Path) -> list[Path]:
    """Automatic backups of the workspace, newest first."""
    folder = Layout(root).backups
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if _NAME.match(p.name)), reverse=True)


def rotate(root: Path, keep: int = BACKUPS_KEPT) -> None:
    for old in list_backups(root)[keep:]:
        old.unlink(missing_ok=True)


def check_archive(path: Path) -> dict[str, bytes]:
    """Every store file of the archive, read and parsed; StoreError when unusable."""
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            files: dict[str, bytes] = {}
            for member in tar.getmembers():
                name = member.name
                if name == "manifest.json" or name == "consultation.toml":
                    continue
                parts = Path(name).parts
                if (
                    not member.isfile()
                    or name.startswith("/")
                    or ".." in parts
                    or not parts
                    or parts[0] != "store"
                ):
                    raise StoreError(
                        f"La sauvegarde {path} contient un élément inattendu : {name}."
                    )
                handle = tar.extractfile(member)
                assert handle is not None
                files[name] = handle.read()
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise StoreError(f"La sauvegarde {path} est illisible ({exc}).") from None
    if "store/meta.json" not in files:
        raise StoreError(f"La sauvegarde {path} ne contient pas store/meta.json.")
    parsed = {}
    for name, data in files.items():
        if name.endswith(".json"):
            try:
                parsed[name] = orjson.loads(data)
            except orjson.JSONDecodeError:
                raise StoreError(
                    f"La sauvegarde {path} contient un fichier abîmé : {name}."
                ) from None
    _check_complete(path, parsed)
    return files


def _check_complete(path: Path, parsed: dict[str, object]) -> None:
    """Every record the archive's meta counts is in the archive."""
    from assises_tui.store.meta import META_DOC_ID
    from assises_tui.store.shards import TABLE, shard_index, shortfalls

    meta = parsed.get("store/meta.json")
    doc = meta.get("meta", {}).get(str(META_DOC_ID)) if isinstance(meta, dict) else None
    if not isinstance(doc, dict):
        raise StoreError(f"La sauvegarde {path} a un store/meta.json mal formé.")
    counts = {}
    for name, data in parsed.items():
        index = shard_index(name)
        if index is not None:
            table = data.get(TABLE) if isinstance(data, dict) else None
            counts[index] = len(table) if isinstance(table, dict) else 0
    missing = shortfalls(doc, counts, int(doc.get("shard_size") or 1000))
    if missing:
        index = next(iter(missing))
        raise StoreError(
            f"La sauvegarde {path} est incomplète : il lui manque des contributions de "
            f"store/contributions/{index:04d}.json."
        )


def newest_good_backup(root: Path) -> Path | None:
    for candidate in list_backups(root):
        try:
            check_archive(candidate)
        except StoreError:
            continue
        return candidate
    return None


def resolve_backup(root: Path, name: str | Path) -> Path:
    """A path as given, or the name of a file in the workspace's backups folder."""
    path = Path(name)
    if path.exists():
        return path
    inside = Layout(root).backups / path.name
    if inside.exists():
        return inside
    raise StoreError(f"Sauvegarde introuvable : {name}.")


def restore_backup(root: Path, backup: str | Path) -> Path:
    """Put the backup's store in place; returns where the previous store was kept aside.

    Takes the writer lock itself (a corrupt store cannot be opened, yet must be restorable).
    """
    layout = Layout(root)
    source = resolve_backup(root, backup)
    files = check_archive(source)
    lock = WriterLock(layout.lock)
    lock.acquire()
    try:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        staging = root / f".store.restauration-{stamp}"
        aside = root / f"store.avant-restauration-{stamp}"
        ensure_dir(staging)
        for name, data in files.items():
            target = staging / Path(name).relative_to("store")
            ensure_dir(target.parent)
            write_atomic(target, data, sync_dir=False)
        for folder in {staging, *(p.parent for p in staging.rglob("*.json*"))}:
            fsync_dir(folder)
        if layout.store.exists():
            os.replace(layout.store, aside)  # kept, never deleted: it may hold the only copy
        os.replace(staging, layout.store)
        fsync_dir(root)
    finally:
        lock.release()
    return aside
