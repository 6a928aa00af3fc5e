"""Peak memory of importing a big mail: alone, and in the middle of a long import.

    python -m benchmarks.bench_big_mail [--attachment-mb 40] [--among 1000]

Builds one mail holding a text body and a random attachment of ``--attachment-mb`` MB
(base64: the mail is ~1.37x that), then imports it in a fresh process, twice:

- **alone**: a folder holding only that mail (parsed in the importer's process);
- **among**: a Maildir of ``--among`` plain messages with the big mail in the middle,
  past the first few hundred, where the parallel parsing processes are running.

Prints the peak resident memory (``ru_maxrss``) of the importing process, before and at
the end of the import, and the largest of its parsing/extraction processes.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_import import message  # noqa: E402


def big_mail(attachment_mb: int) -> bytes:
    data = random.Random(5).randbytes(attachment_mb * 1024 * 1024)
    encoded = base64.encodebytes(data)  # 76-character lines
    head = (
        b"From: Mairie <mairie@example.fr>\r\nTo: consultation@example.fr\r\n"
        b"Subject: Dossier complet\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\n"
        b"Message-ID: <gros@example.fr>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Bonjour, voici le dossier de la commune.\r\n"
        b"--B\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="dossier.bin"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
    )
    return head + encoded.replace(b"\n", b"\r\n") + b"--B--\r\n"


def high_water_kb() -> int:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def write_folders(work: Path, attachment_mb: int, among: int) -> None:
    raw = big_mail(attachment_mb)
    print(f"mail de {len(raw) / 1e6:.1f} Mo (pièce jointe de {attachment_mb} Mo)")
    alone = work / "alone"
    alone.mkdir()
    (alone / "gros.eml").write_bytes(raw)
    maildir = work / "maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    rng = random.Random(7)
    for i in range(among):
        data = raw if i == among * 6 // 10 else message(i, rng, "plain", None)
        (maildir / "cur" / f"{i:06d}.bench:2,S").write_bytes(data)


def child(folder: str, workspace: str) -> None:
    from assises_tui.services.importer import import_sources
    from assises_tui.workspace import Workspace

    before = high_water_kb()
    with Workspace.init(Path(workspace)) as ws:
        report = import_sources(ws, [Path(folder)])
    peak = high_water_kb()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"before": before, "peak": peak, "kids": kids, "read": report.read}))


def measure(folder: Path, work: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(folder), str(work / "ws")],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attachment-mb", type=int, default=40)
    parser.add_argument("--among", type=int, default=1000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--write", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.write:
        write_folders(Path(args.write), args.attachment_mb, args.among)
        return
    with tempfile.TemporaryDirectory(prefix="bench-big-") as tmp:
        work = Path(tmp)
        # Written by another process: the children started here inherit this one's
        # ``ru_maxrss``, which must stay small.
        options = ["--attachment-mb", str(args.attachment_mb), "--among", str(args.among)]
        subprocess.run([sys.executable, __file__, "--write", tmp, *options], check=True)
        alone, maildir = work / "alone", work / "maildir"
        for label, folder in (("seul", alone), (f"parmi {args.among}", maildir)):
            found = measure(folder, work)
            print(
                f"{label} : mémoire du processus {found['before'] / 1024:.0f} Mo avant, "
                f"pic {found['peak'] / 1024:.0f} Mo ; plus gros processus auxiliaire "
                f"{found['kids'] / 1024:.0f} Mo ({found['read']} messages lus)"
            )
            subprocess.run(["rm", "-rf", str(work / "ws")], check=True)


if __name__ == "__main__":
    main()
