"""``verify``: re-read every store file from disk and check every blob's content hash.

It never trusts the in-memory cache: the point is to find what happened on disk since the
store was opened (a file edited by hand, a disk error, a blob deleted by mistake).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assises_tui.store.codec import decode
from assises_tui.store.json_files import UnreadableFileError, read_json
from assises_tui.store.meta import META_DOC_ID
from assises_tui.store.shard_records import restore_advice
from assises_tui.store.shards import TABLE, shortfall_sentence, shortfalls

if TYPE_CHECKING:
    from assises_tui.store.blobs import BlobStore
    from assises_tui.store.layout import Layout
    from assises_tui.store.meta import AuditLog
    from assises_tui.store.shards import Shards


def record_blobs(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(what, sha256) of every blob a stored record names (every backend verifies with it)."""
    refs = []
    if record.get("raw_blob"):
        refs.append(("le courriel brut", record["raw_blob"]))
    if record.get("body_blob"):
        refs.append(("le texte du message", record["body_blob"]))
    for att in record.get("attachments") or ():
        name = att.get("filename") or "sans nom"
        if att.get("blob"):
            refs.append((f"la pièce jointe « {name} »", att["blob"]))
        if att.get("text_blob"):
            refs.append((f"le texte extrait de « {name} »", att["text_blob"]))
    return refs


def verify_store(
    layout: Layout, shards: Shards, blobs: BlobStore, audit_log: AuditLog
) -> list[str]:
    """Every problem found in the files of a TinyDB store (French sentences)."""
    problems: list[str] = []
    checked: dict[str, str | None] = {}

    def check_blob(sha: str) -> str | None:
        if sha not in checked:
            checked[sha] = blobs.check(sha)
        return checked[sha]

    try:
        meta = read_json(layout.meta)
        if not isinstance(meta, dict) or "meta" not in meta:
            problems.append(f"Le fichier {layout.meta} ne contient pas la table « meta ».")
    except UnreadableFileError as exc:
        problems.append(f"Le fichier {exc.path} est illisible ({exc.detail}).")
        meta = None
    if _journal_stays(layout.journal):
        problems.append(
            f"Une écriture inachevée attend dans {layout.journal} ; elle sera rejouée à la "
            "prochaine ouverture en écriture."
        )

    seen: dict[int, str] = {}
    meta_doc = (meta.get("meta") or {}).get(str(META_DOC_ID)) if isinstance(meta, dict) else None
    next_id = int(meta_doc.get("next_id") or 1) if isinstance(meta_doc, dict) else None
    counts: dict[int, int] = {}
    unreadable = False  # then counting its records would only repeat the problem
    for index in shards.existing():
        path = shards.path_of(index)
        try:
            data = read_json(path)
        except UnreadableFileError as exc:
            problems.append(f"Le fichier {exc.path} est illisible ({exc.detail}).")
            unreadable = True
            continue
        table = data.get(TABLE, {}) if isinstance(data, dict) else None
        if not isinstance(table, dict):
            problems.append(f"Le fichier {path} n'a pas la forme attendue.")
            continue
        for key, record in table.items():
            where = f"{path.name}"
            try:
                cid = int(key)
            except ValueError:
                problems.append(f"{where} : identifiant invalide « {key} ».")
                continue
            if not isinstance(record, dict) or record.get("id") != cid:
                problems.append(f"{where} : l'enregistrement {key} ne porte pas le numéro {key}.")
                continue
            if cid in seen:
                problems.append(
                    f"La contribution n° {cid} figure deux fois ({seen[cid]}, {where})."
                )
            seen[cid] = where
            counts[index] = counts.get(index, 0) + 1
            if next_id is not None and cid >= next_id:
                problems.append(
                    f"La contribution n° {cid} ({where}) porte un numéro jamais attribué "
                    f"(le prochain est {next_id})."
                )
            if shards.index_of(cid) != index:
                problems.append(
                    f"La contribution n° {cid} est rangée dans le mauvais fichier ({where})."
                )
            try:
                decode(record)
            except Exception as exc:  # any shape problem is a finding, not a crash
                problems.append(f"La contribution n° {cid} est mal formée ({exc}).")
            for what, sha in record_blobs(record):
                issue = check_blob(sha)
                if issue:
                    problems.append(f"Contribution n° {cid}, {what} : {issue}.")

    if isinstance(meta_doc, dict) and not unreadable:
        for index, missing in shortfalls(meta_doc, counts, shards.shard_size).items():
            path = shards.path_of(index)
            problems.append(
                shortfall_sentence(path, index, missing, counts.get(index, 0), shards.shard_size)
                + f". {restore_advice(layout.root)}"
            )
    if isinstance(meta, dict):
        for entry in (meta.get("quarantine") or {}).values():
            sha = entry.get("raw_blob") if isinstance(entry, dict) else None
            if sha:
                issue = check_blob(sha)
                if issue:
                    problems.append(f"Quarantaine n° {entry.get('id')}, courriel brut : {issue}.")

    _events, bad = audit_log.read()
    total_lines = _audit_lines(layout.audit)
    for number in bad:
        if number != total_lines:  # a torn last line is an interrupted append, tolerated
            problems.append(f"Journal d'audit : la ligne {number} est illisible.")
    return problems


def _journal_stays(path: Path) -> bool:
    """A journal that is still there a moment later (a live writer removes it in ms)."""
    try:
        before = path.stat()
    except FileNotFoundError:
        return False
    time.sleep(0.5)
    try:
        after = path.stat()
    except FileNotFoundError:
        return False
    return (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def _audit_lines(path: Path) -> int:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    return len(data.rstrip(b"\n").split(b"\n")) if data.strip() else 0
