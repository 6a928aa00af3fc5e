"""Purge campaign: plant a contributor's personal data everywhere, purge, grep every byte.

    python -m benchmarks.purge_everywhere [--json]

A workspace receives, before the cut-off, the mail of a contributor whose name, address,
phone and e-mail are unusual enough to be searched for (and, after it, the mail of a
second contributor, who must stay untouched). A reviewer then puts that personal data
everywhere the application lets one put it: a note (also in obfuscated forms: zero-width
space, fullwidth digits and ``＠``), an excerpt, the theme suggestions' text cache, the assignee, a saved search
(``from:adresse``), the synthesis draft and several saved versions, a manual backup with a
name of one's own inside ``backups/``, the automatic backups, and a restore (which sets
the previous store aside in the workspace).

Then ``assises purge --before`` runs, and every byte of the workspace is searched, archives
unpacked (``.tar.gz``, and zip containers inside them), for every planted form. A file
is read three ways: as stored, with JSON ``\\uXXXX`` escapes decoded, and as a reader
sees it (format characters dropped, NFKC: so an obfuscated copy is found by its plain
form); the phone is also looked for with its separators removed. The same search before
the purge must find every planted place (the search can fail); after it, nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import re
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

CUTOFF = "2019-12-20"
NAME = "Albertine Vauquelin-Dufresne"
EMAIL = "albertine.vauquelin@exemple.fr"
PHONE = "06 39 98 76 54"
STREET = "17 rue des Capucines"
POSTCODE = "03110 Charmeil"
ZW_EMAIL = "albertine.vauquelin@exemple\u200b.fr"
FULLWIDTH_PHONE = "\uff10\uff16 \uff13\uff19 \uff19\uff18 \uff17\uff16 \uff15\uff14"
FULLWIDTH_AT = "albertine.vauquelin\uff20exemple.fr"
OTHER_EMAIL = "marcel.tournadre@exemple.fr"  # received after the cut-off: must stay

#: name -> (how it is searched for, in which view of the bytes)
FORMS: dict[str, str] = {
    "adresse électronique": EMAIL,
    "nom": "Vauquelin",
    "téléphone": PHONE,
    "téléphone (chiffres seuls)": "0639987654",
    "rue": "Capucines",
    "code postal et commune": "03110",
}


def _mail(sender: str, address: str, date: str, mid: str, body: str, attachment: str) -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = f"{sender} <{address}>"
    msg["To"] = "pref-assises-securite-interieure@allier.gouv.fr"
    msg["Subject"] = f"Contribution de {sender}"
    msg["Date"] = date
    msg["Message-ID"] = mid
    msg.set_content(body)
    msg.add_attachment(attachment.encode(), maintype="text", subtype="plain", filename="note.txt")
    return b"From x@y Mon Dec  2 10:00:00 2019\n" + msg.as_bytes() + b"\n"


def plant(root: Path, folder: Path) -> None:
    """The workspace, imported, then the personal data put everywhere a reviewer can."""
    from assises_tui.cli import main
    from assises_tui.services.importer import import_sources
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace

    box = folder / "boite.mbox"
    box.write_bytes(
        _mail(
            NAME,
            EMAIL,
            "Mon, 02 Dec 2019 10:00:00 +0100",
            "<albertine@exemple.fr>",
            f"Bonjour,\nPlus de patrouilles le soir.\nJoignable au {PHONE}.\n\n"
            f"{NAME}\n{STREET}\n{POSTCODE}\n",
            f"Annexe de {NAME} ({EMAIL}, {PHONE}).",
        )
        + _mail(
            "Marcel Tournadre",
            OTHER_EMAIL,
            "Mon, 06 Jan 2020 10:00:00 +0100",
            "<marcel@exemple.fr>",
            "Des caméras près de la gare.\n",
            "Annexe sans donnée.",
        )
    )
    with Workspace.init(root) as ws:
        import_sources(ws, [box], workers=1)
        services = Services(ws)
        cid = next(c.id for c in ws.store.all() if c.sender_email == EMAIL)
        body = services.contributions.body_text(cid)
        services.triage.add_note(
            cid, f"Rappeler {NAME} au {PHONE} ou {ZW_EMAIL} ; {FULLWIDTH_PHONE} ; {FULLWIDTH_AT}"
        )
        start = body.index("Joignable")
        services.tagging.add_excerpt(
            cid, start, start + len(f"Joignable au {PHONE}."), "lien", "constat"
        )
        services.triage.assign([cid], EMAIL)
        services.saved_searches.save(f"Courriels de {NAME}", f"from:{EMAIL}")
        draft = services.synthesis.load()
        for extra in (
            f"\nUne habitante ({EMAIL}) demande des patrouilles.\n",
            f"\nLa joindre au {PHONE} ou au {FULLWIDTH_PHONE}.\n",
            f"\nSelon {NAME}, écrire à {ZW_EMAIL} ou {FULLWIDTH_AT}.\n",
        ):
            draft += extra
            services.synthesis.save(draft)  # each save is a version
        services.search.refresh()  # the word index on disk holds the name too
        services.suggester.retrain()  # the suggestions' text cache holds its words too
        ws.store.backup("quotidienne")  # an automatic backup holding it all
    manual = root / "backups" / "ma-sauvegarde-avant-conge.tar.gz"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["--workspace", str(root), "backup", "-o", str(manual)]) == 0
        # A restore sets the current store aside in the workspace (it holds everything).
        assert main(["--workspace", str(root), "restore", str(manual)]) == 0


def _members(name: str, data: bytes, depth: int = 0) -> Iterator[tuple[str, bytes]]:
    """``data`` and, for archives, every member (unpacked, recursively)."""
    yield name, data
    if depth > 3:
        return
    if data[:2] == b"\x1f\x8b":
        with contextlib.suppress(OSError, EOFError, tarfile.TarError):
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
                for member in tar.getmembers():
                    if member.isfile():
                        inner = tar.extractfile(member).read()
                        yield from _members(f"{name}!{member.name}", inner, depth + 1)
                return
        with contextlib.suppress(OSError, EOFError):
            yield from _members(f"{name}!gunzip", gzip.decompress(data), depth + 1)
    elif data[:4] == b"PK\x03\x04":
        with contextlib.suppress(zipfile.BadZipFile):
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for info in zf.infolist():
                    yield from _members(f"{name}!{info.filename}", zf.read(info), depth + 1)


def _views(data: bytes) -> list[str]:
    from assises_tui.text.personal_data import as_read

    text = data.decode("utf-8", "replace")
    unescaped = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    shown = as_read(unescaped)
    return [text, unescaped, shown, re.sub(r"[\s.\-]", "", shown)]


def grep_workspace(root: Path) -> dict[str, list[str]]:
    """Planted form -> the files (archive members named ``archive!member``) holding it."""
    hits: dict[str, list[str]] = {form: [] for form in FORMS}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for name, data in _members(str(path.relative_to(root)), path.read_bytes()):
            views = [v.lower() for v in _views(data)]
            for form, needle in FORMS.items():
                if any(needle.lower() in view for view in views):
                    hits[form].append(name)
    return hits


def purge_everywhere(work: Path) -> dict[str, object]:
    from assises_tui.cli import main
    from assises_tui.workspace import Workspace

    root = work / "ws"
    plant(root, work)
    before = grep_workspace(root)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--workspace", str(root), "purge", "--before", CUTOFF, "--json"])
    report = json.loads(out.getvalue())
    after = grep_workspace(root)
    with Workspace.open(root, read_only=True) as ws:
        kept = [c.sender_email for c in ws.store.all() if c.sender_email]
        problems = ws.store.verify()
    return {
        "exit_code": code,
        "before": before,
        "after": after,
        "hits_before": sum(len(v) for v in before.values()),
        "hits_after": sum(len(v) for v in after.values()),
        "report": report,
        "kept_senders": kept,
        "verify": problems,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assises-purge-") as tmp:
        result = purge_everywhere(Path(tmp))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for form in FORMS:
        places = result["before"][form]
        print(
            f"{form:<28} avant : {len(places):>3} fichier(s)   après : {len(result['after'][form])}"
        )
    print(f"Total : {result['hits_before']} avant la purge, {result['hits_after']} après.")
    for form, places in result["after"].items():
        for place in places:
            print(f"  RESTE {form} : {place}")


if __name__ == "__main__":
    main()
