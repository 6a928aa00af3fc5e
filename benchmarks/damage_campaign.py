"""Damage campaign: break a workspace in every way we know, check each is found.

    python -m benchmarks.damage_campaign [--messages 150] [--json]

A workspace holding an imported mailbox (shards of 50 records, so there are several, a
quarantined message, attachments, a backup) is copied once per kind of damage, damaged,
then checked the way a user would meet it:

* ``Workspace.open`` as the writer, as the app does (``fallback_read_only``), and as a
  read-only view: either it refuses with a French ``AssisesError`` naming the damage, or it
  opens and ``verify`` lists the damage; never another exception;
* ``assises verify`` (in-process, as from a shell): exit code 1 with the damage in its
  sentences, or 0 with a notice for blobs nobody names; never a traceback or « erreur
  inattendue »;
* nothing the open or the check did rewrote a store file (the damaged bytes are still
  there for whoever repairs them).

A damage neither refused at open nor reported by ``verify`` is *missed*. The goal is none.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from benchmarks.crash_campaign import SHARD_SIZE, write_mbox


def _shard(root: Path, index: int) -> Path:
    return root / f"store/contributions/{index:04d}.json"


def _edit_shard(root: Path, index: int, edit: Callable[[dict[str, Any]], None]) -> None:
    path = _shard(root, index)
    data = orjson.loads(path.read_bytes())
    edit(data["contributions"])
    path.write_bytes(orjson.dumps(data))


def _edit_meta(root: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = root / "store/meta.json"
    data = orjson.loads(path.read_bytes())
    edit(data)
    path.write_bytes(orjson.dumps(data))


def _first_blob(root: Path, field: str) -> Path:
    records = orjson.loads(_shard(root, 0).read_bytes())["contributions"]
    for record in records.values():
        sha = record.get(field) if field != "attachment" else None
        if field == "attachment":
            for att in record.get("attachments") or ():
                sha = att.get("blob")
                if sha:
                    break
        if sha:
            return root / "blobs" / sha[:2] / sha[2:]
    raise RuntimeError(f"no {field} blob in shard 0")


def _quarantine_blob(root: Path) -> Path:
    meta = orjson.loads((root / "store/meta.json").read_bytes())
    sha = next(e["raw_blob"] for e in meta["quarantine"].values() if e.get("raw_blob"))
    return root / "blobs" / sha[:2] / sha[2:]


def _set(record_id: str, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(records: dict[str, Any]) -> None:
        records[record_id][field] = value

    return edit


def _drop(record_id: str, field: str) -> Callable[[dict[str, Any]], None]:
    def edit(records: dict[str, Any]) -> None:
        del records[record_id][field]

    return edit


def _move_record(root: Path) -> None:
    record = orjson.loads(_shard(root, 0).read_bytes())["contributions"]["5"]
    _edit_shard(root, 0, lambda records: records.pop("5"))
    _edit_shard(root, 1, lambda records: records.__setitem__("5", record))


def _duplicate_record(root: Path) -> None:
    record = orjson.loads(_shard(root, 0).read_bytes())["contributions"]["5"]
    _edit_shard(root, 1, lambda records: records.__setitem__("5", record))


def _corrupt_audit_line(root: Path) -> None:
    """A line in the middle (a torn last line is an interrupted append, tolerated)."""
    path = root / "store/audit.jsonl"
    path.write_bytes(b'{"what": "cass\n' + path.read_bytes())


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _no_backups_and(damage: Callable[[Path], None]) -> Callable[[Path], None]:
    def both(root: Path) -> None:
        shutil.rmtree(root / "backups")
        damage(root)

    return both


def _legacy_meta_and_lost_shard(root: Path) -> None:
    _edit_meta(root, lambda data: data["meta"]["1"].pop("shard_counts"))
    _shard(root, 1).unlink()


def _shard_as_folder(root: Path) -> None:
    _shard(root, 2).unlink()
    _shard(root, 2).mkdir()


#: name -> (what a user would call it, how to do it)
DAMAGES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "shard-first-deleted": ("fichier 0000.json supprimé", lambda r: _shard(r, 0).unlink()),
    "shard-middle-deleted": ("fichier 0001.json supprimé", lambda r: _shard(r, 1).unlink()),
    "shard-last-deleted": ("dernier fichier supprimé", lambda r: _shard(r, 2).unlink()),
    "all-shards-deleted": (
        "dossier contributions/ supprimé",
        lambda r: shutil.rmtree(r / "store/contributions"),
    ),
    "shard-deleted-no-backup": (
        "fichier supprimé, aucune sauvegarde",
        _no_backups_and(lambda r: _shard(r, 0).unlink()),
    ),
    "shard-deleted-old-store": (
        "fichier supprimé dans une base d'avant la liste des fichiers",
        _legacy_meta_and_lost_shard,
    ),
    "shard-truncated": ("fichier coupé en deux", lambda r: _truncate(_shard(r, 1))),
    "shard-empty": ("fichier vidé (0 octet)", lambda r: _shard(r, 1).write_bytes(b"")),
    "shard-empty-object": ("fichier réduit à {}", lambda r: _shard(r, 1).write_bytes(b"{}")),
    "shard-empty-table": (
        "table vidée",
        lambda r: _shard(r, 1).write_bytes(b'{"contributions":{}}'),
    ),
    "shard-garbage": (
        "fichier remplacé par des octets au hasard",
        lambda r: _garbage(_shard(r, 0)),
    ),
    "shard-is-a-folder": ("fichier remplacé par un dossier", _shard_as_folder),
    "themes-a-string": (
        'themes: "lien" (une chaîne au lieu d\'une liste)',
        lambda r: _edit_shard(r, 0, _set("3", "themes", "lien")),
    ),
    "status-unknown": (
        "statut inconnu",
        lambda r: _edit_shard(r, 0, _set("3", "status", "fini")),
    ),
    "status-a-number": ("statut numérique", lambda r: _edit_shard(r, 0, _set("3", "status", 3))),
    "late-a-string": ('late: "oui"', lambda r: _edit_shard(r, 0, _set("3", "late", "oui"))),
    "date-not-a-date": (
        "date de réception illisible",
        lambda r: _edit_shard(r, 0, _set("3", "received_at", "hier soir")),
    ),
    "subject-missing": (
        "champ obligatoire supprimé",
        lambda r: _edit_shard(r, 0, _drop("3", "subject")),
    ),
    "notes-not-objects": (
        "notes: liste de textes",
        lambda r: _edit_shard(r, 0, _set("3", "notes", ["une note"])),
    ),
    "history-not-a-list": (
        "history: un objet",
        lambda r: _edit_shard(r, 0, _set("3", "history", {"who": "x"})),
    ),
    "record-not-an-object": (
        "enregistrement remplacé par un nombre",
        lambda r: _edit_shard(r, 0, lambda records: records.__setitem__("3", 3)),
    ),
    "record-id-mismatch": (
        "numéro d'enregistrement incohérent",
        lambda r: _edit_shard(r, 0, _set("3", "id", 4)),
    ),
    "record-wrong-shard": ("enregistrement déplacé dans un autre fichier", _move_record),
    "record-duplicated": ("enregistrement en double", _duplicate_record),
    "record-line-deleted": (
        "une contribution effacée de son fichier",
        lambda r: _edit_shard(r, 0, lambda records: records.pop("7")),
    ),
    "next-id-behind": (
        "compteur des numéros remis en arrière",
        lambda r: _edit_meta(r, lambda d: d["meta"]["1"].__setitem__("next_id", 20)),
    ),
    "meta-deleted": ("store/meta.json supprimé", lambda r: (r / "store/meta.json").unlink()),
    "meta-garbage": ("store/meta.json illisible", lambda r: _garbage(r / "store/meta.json")),
    "meta-table-missing": (
        "table meta supprimée",
        lambda r: _edit_meta(r, lambda d: d.pop("meta")),
    ),
    "journal-garbage": (
        "journal d'écriture illisible",
        lambda r: (r / "store/journal.json").write_bytes(b'{"records": {"1": '),
    ),
    "raw-mail-deleted": ("courriel brut supprimé", lambda r: _first_blob(r, "raw_blob").unlink()),
    "body-modified": (
        "texte d'un message modifié",
        lambda r: _first_blob(r, "body_blob").write_bytes(b"autre texte"),
    ),
    "attachment-deleted": (
        "pièce jointe supprimée",
        lambda r: _first_blob(r, "attachment").unlink(),
    ),
    "quarantine-raw-deleted": (
        "courriel en quarantaine supprimé",
        lambda r: _quarantine_blob(r).unlink(),
    ),
    "audit-line-corrupt": ("ligne du journal d'audit abîmée", _corrupt_audit_line),
}


@dataclass
class Finding:
    damage: str
    label: str
    refused_at_open: bool = False
    verify_code: int | None = None
    notice_only: bool = False  # found only as unreferenced blobs (a notice, exit 0)
    sentence: str = ""
    failures: list[str] = field(default_factory=list)

    @property
    def detected(self) -> bool:
        return self.refused_at_open or self.verify_code == 1 or self.notice_only

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "detected": self.detected}


def base_workspace(folder: Path, messages: int) -> Path:
    from assises_tui.services.importer import import_sources
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace

    box = folder / "boite.mbox"
    write_mbox(box, messages, seed=11)
    junk = folder / "illisible.eml"
    junk.write_bytes(b"\x00\x01 pas un courriel")
    root = folder / "base"
    with Workspace.init(root, shard_size=SHARD_SIZE) as ws:
        import_sources(ws, [box, junk], workers=1)
        Services(ws).triage.add_note(3, "Rappeler la mairie.")  # an audit of the trail
        ws.store.append_audit([{"what": "test", "who": "campagne"}])
        ws.store.backup("avant dommages")
    Workspace.open(root).close()  # today's automatic backup, so no damaged copy makes one
    return root


def _store_bytes(root: Path) -> dict[str, bytes]:
    """Every store file's bytes; meta.json without the day of the last daily backup,
    which a writer that could open the store rightly updates."""
    out = {}
    for path in sorted((root / "store").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "meta.json":
                with contextlib.suppress(orjson.JSONDecodeError, KeyError, TypeError):
                    meta = orjson.loads(data)
                    meta["meta"]["1"].pop("last_backup_day", None)
                    data = orjson.dumps(meta, option=orjson.OPT_SORT_KEYS)
            out[str(path.relative_to(root))] = data
    return out


def check(root: Path, name: str, label: str) -> Finding:
    from assises_tui.cli import main
    from assises_tui.errors import AssisesError
    from assises_tui.workspace import Workspace

    finding = Finding(name, label)
    before = _store_bytes(root)
    for how in ("writer", "app", "read-only"):
        try:
            ws = Workspace.open(root, read_only=how == "read-only", fallback_read_only=how == "app")
        except AssisesError as exc:
            finding.refused_at_open = True
            finding.sentence = finding.sentence or str(exc)
            continue
        except Exception as exc:  # noqa: BLE001 - the point: no other exception
            finding.failures.append(f"ouverture ({how}) : {type(exc).__name__} : {exc}")
            continue
        ws.close()
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            finding.verify_code = main(["--workspace", str(root), "verify"])
        except BaseException as exc:  # noqa: BLE001
            finding.failures.append(f"verify : {type(exc).__name__} : {exc}")
    text = out.getvalue() + err.getvalue()
    if "Traceback" in text or "inattendue" in text:
        finding.failures.append(f"verify : {text[:300]}")
    if finding.verify_code == 0 and "ne sont cités par aucune contribution" in text:
        finding.notice_only = True
    if not finding.sentence:
        lines = [line.strip("- ").strip() for line in out.getvalue().splitlines()[1:]]
        finding.sentence = next((line for line in lines if line), text.strip())
    after = _store_bytes(root)
    changed = [p for p in before if p in after and before[p] != after[p]]
    if changed:
        finding.failures.append(f"fichiers réécrits : {changed}")
    return finding


def damage_campaign(
    work: Path, messages: int = 150, only: list[str] | None = None
) -> list[Finding]:
    base = base_workspace(work, messages)
    findings = []
    for name, (label, damage) in DAMAGES.items():
        if only and name not in only:
            continue
        root = work / name
        shutil.copytree(base, root, symlinks=True)
        damage(root)
        findings.append(check(root, name, label))
        shutil.rmtree(root)
    return findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=150)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assises-damage-") as tmp:
        findings = damage_campaign(Path(tmp), args.messages)
    if args.json:
        print(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
        return
    missed = [f for f in findings if not f.detected or f.failures]
    for f in findings:
        where = (
            "refusé à l'ouverture"
            if f.refused_at_open
            else "signalé par verify"
            if f.verify_code == 1
            else "avis de verify (fichiers non cités)"
            if f.notice_only
            else "NON DÉTECTÉ"
        )
        print(f"{f.damage:<26} {where:<38} {f.sentence[:110]}")
        for failure in f.failures:
            print(f"    ÉCHEC : {failure}")
    print(f"{len(findings)} dommages, {len(findings) - len(missed)} détectés proprement.")


if __name__ == "__main__":
    main()
