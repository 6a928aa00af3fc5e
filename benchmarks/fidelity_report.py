"""Import fidelity: what the import recovers from real e-mail files, beside Python's ``email``.

    python -m benchmarks.fidelity_report [FOLDER ...] [--out docs/import-fidelity.md]

Default folders: ``tests/fixtures`` (the e-mail fixtures, the crashers, the ingest inputs)
and, when present, ``../shared/emails``. For every file: how many messages it holds, how
many became contributions (the rest is quarantined with a reason, or reported as not mail),
and the words of text recovered: body plus attachment texts (PDF, DOCX, ODT, RTF, HTML,
winmail.dat…), as the import stores them. The reference is the standard library on the same
files: ``email.message_from_bytes(data, policy=policy.default)`` (``mailbox.mbox`` for mbox
files), the body it picks (``get_body``, plain text preferred, HTML turned into text by the same
function) and its text attachments; a parse error, or a file without any mail header,
counts as nothing recovered. Words are ``\\w+`` runs.
"""

from __future__ import annotations

import argparse
import email
import mailbox
import re
import sys
from collections import defaultdict
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assises_tui.config import AttachmentLimits  # noqa: E402
from assises_tui.ingest.extract import Extractor  # noqa: E402
from assises_tui.ingest.html import html_to_text  # noqa: E402
from assises_tui.ingest.mime import ParsedMessage  # noqa: E402
from assises_tui.ingest.parallel import parse_one  # noqa: E402
from assises_tui.ingest.sources import iter_sources  # noqa: E402

_WORD = re.compile(r"\w+")
_KNOWN = {"from", "date", "subject", "message-id", "received", "to", "mime-version"}


def words(text: str | None) -> int:
    return len(_WORD.findall(text or ""))


def stdlib_words(path: Path) -> tuple[int, int]:
    """(messages the stdlib reads, words of text it gives) for one file."""
    data = path.read_bytes()
    if data.lstrip(b"\xef\xbb\xbf\r\n").startswith(b"From ") and not path.suffix == ".eml":
        try:
            messages = list(mailbox.mbox(str(path), factory=None, create=False))
        except Exception:
            return 0, 0
        messages = [email.message_from_bytes(m.as_bytes(), policy=policy.default) for m in messages]
    else:
        try:
            messages = [email.message_from_bytes(data, policy=policy.default)]
        except Exception:
            return 0, 0
    total = 0
    read = 0
    for msg in messages:
        try:
            if not {k.lower() for k in msg.keys()} & _KNOWN:
                continue  # not a mail for the stdlib either (an Outlook file, a text)
            read += 1
            parts = []
            body = msg.get_body(preferencelist=("plain", "html"))
            if body is not None:
                parts.append(body)
            parts += [p for p in msg.iter_attachments() if p.get_content_maintype() == "text"]
        except Exception:
            continue
        for part in parts:
            try:
                content = part.get_content()
                if not isinstance(content, str):
                    continue
                if part.get_content_subtype() == "html":
                    content = html_to_text(content)
                total += words(content)
            except Exception:
                continue
    return read, total


def ours(path: Path, extractor: Extractor, tz) -> tuple[int, int, int, int]:
    """(messages read, contributions, words recovered, skipped or quarantined) for one file."""
    read = contributions = recovered = set_aside = 0
    for raw in iter_sources([path]):
        if raw.kind == "skipped" or raw.problem is not None:
            set_aside += 1
            continue
        read += 1
        parsed = parse_one(raw, "", tz)
        if not isinstance(parsed, ParsedMessage):
            set_aside += 1
            continue
        contributions += 1
        extractor.extract_all(parsed.attachments)
        recovered += words(parsed.body) + sum(words(a.text) for a in parsed.attachments)
    return read, contributions, recovered, set_aside


def group_of(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    return f"{root.name}/{rel.parts[0]}" if len(rel.parts) > 1 else root.name


def main() -> None:
    from zoneinfo import ZoneInfo

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "import-fidelity.md")
    args = parser.parse_args()
    folders = args.folders or [ROOT / "tests" / "fixtures"]
    shared = ROOT.parent / "shared" / "emails"
    if not args.folders and shared.is_dir():
        folders.append(shared)
    tz = ZoneInfo("Europe/Paris")
    rows: dict[str, list[int]] = defaultdict(lambda: [0] * 7)
    fewer: list[tuple[str, int, int]] = []
    with Extractor(AttachmentLimits()) as extractor:
        for root in folders:
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                if path.suffix in (".md", ".py"):
                    continue  # the folders' READMEs and helpers
                std_msgs, std_words = stdlib_words(path)
                read, contribs, recovered, aside = ours(path, extractor, tz)
                row = rows[group_of(path, root)]
                for i, value in enumerate(
                    (1, read, contribs, aside, recovered, std_msgs, std_words)
                ):
                    row[i] += value
                if recovered < std_words:
                    fewer.append((str(path.relative_to(root.parent)), recovered, std_words))
    write_report(args.out, rows, fewer)
    print(args.out.read_text())


def write_report(out: Path, rows: dict[str, list[int]], fewer: list[tuple[str, int, int]]) -> None:
    lines = [
        "# Fidélité de l'import",
        "",
        "Produit par `python -m benchmarks.fidelity_report` (ne pas modifier à la main) : pour chaque",
        "dossier de courriels réels, les fichiers lus, les messages qu'ils contiennent, les",
        "contributions obtenues, ce qui est mis de côté (quarantaine avec sa raison, ou fichier qui",
        "n'est pas un courriel, signalé), et les mots de texte récupérés (corps et texte des pièces",
        "jointes, tels que l'import les enregistre), à côté de ce que donne le module `email` de",
        "Python sur les mêmes fichiers : le corps qu'il choisit (`get_body`, texte brut d'abord,",
        "HTML converti par la même fonction) et ses pièces jointes texte ; `mailbox.mbox` pour les",
        "boîtes mbox ; une erreur de lecture, ou un fichier sans en-tête de courriel, compte pour",
        "zéro. Les README des dossiers ne sont pas comptés.",
        "",
        "| dossier | fichiers | messages lus | contributions | mis de côté | mots (Assises) "
        "| messages (`email`) | mots (`email`) | rapport |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    total = [0] * 7
    for group in sorted(rows):
        row = rows[group]
        total = [a + b for a, b in zip(total, row, strict=True)]
        lines.append(_row(group, row))
    lines.append(_row("**total**", total))
    lines += [
        "",
        "Le rapport est mots (Assises) / mots (`email`). Au-delà de 1 : le texte des pièces",
        "jointes (PDF, DOCX, ODT, RTF, winmail.dat) et des parties que `email` ne décode pas",
        "(jeux de caractères inconnus ou faux, en-têtes 8 bits, uuencode, frontières cassées).",
        "",
        "## Fichiers où Assises récupère moins de mots que `email`",
        "",
    ]
    if not fewer:
        lines.append("Aucun.")
    else:
        lines += ["| fichier | mots (Assises) | mots (`email`) |", "|---|---|---|"]
        lines += [f"| `{name}` | {a:,} | {b:,} |".replace(",", " ") for name, a, b in fewer]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _row(group: str, row: list[int]) -> str:
    files, read, contribs, aside, recovered, std_msgs, std_words = row
    ratio = f"{recovered / std_words:.2f}" if std_words else "—"
    cells = [files, read, contribs, aside, recovered, std_msgs, std_words]
    shown = " | ".join(f"{c:,}".replace(",", " ") for c in cells)
    return f"| {group} | {shown} | {ratio} |"


if __name__ == "__main__":
    main()
