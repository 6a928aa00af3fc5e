"""Plain-mail import beside notmuch, on the same 10,000 messages, in one run.

    python -m benchmarks.bench_notmuch [--count 10000] [--rounds 2] [--kind plain]

Writes the messages once into a Maildir (the generator of ``bench_import.py``, fixed seed),
then, round after round, times ``notmuch new`` on a fresh notmuch database of that folder
and ``import_sources`` of the same folder into a fresh workspace (backup, parsing,
classification, fingerprints, campaigns, OCR check, blobs, records: everything an import
does). Both read every file and store what they index; notmuch is Debian's package, not a
dependency of the project (``apt-get install notmuch`` for this benchmark only). Wall time
and CPU time (the process and its children) are printed per round, with the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_import import documents, message  # noqa: E402


def children_cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def own_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def write_maildir(root: Path, count: int, kind: str) -> int:
    rng = random.Random(7)
    docs = documents(rng) if kind == "mix" else None
    kinds = ("plain", "html", "attachment")
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    size = 0
    for i in range(count):
        this = kinds[i % 3] if kind == "mix" else "plain"
        data = message(i, rng, this, docs)
        (root / "cur" / f"{i:06d}.bench:2,S").write_bytes(data)
        size += len(data)
    return size


def run_notmuch(maildir: Path, work: Path) -> tuple[float, float]:
    config = work / "notmuch-config"
    config.write_text(
        f"[database]\npath={maildir}\n[user]\nname=Banc\nprimary_email=banc@example.fr\n"
        "[new]\ntags=new\n[maildir]\nsynchronize_flags=false\n"
    )
    shutil.rmtree(maildir / ".notmuch", ignore_errors=True)
    env = dict(os.environ, NOTMUCH_CONFIG=str(config))
    cpu0, started = children_cpu(), time.perf_counter()
    subprocess.run(["notmuch", "new", "--quiet"], env=env, check=True)
    elapsed = time.perf_counter() - started
    cpu = children_cpu() - cpu0
    shutil.rmtree(maildir / ".notmuch", ignore_errors=True)
    return elapsed, cpu


def run_assises(maildir: Path, work: Path, round_no: int) -> tuple[float, float, int]:
    from assises_tui.services.importer import import_sources
    from assises_tui.workspace import Workspace

    root = work / f"ws-{round_no}"
    with Workspace.init(root) as ws:
        cpu0, kids0, started = own_cpu(), children_cpu(), time.perf_counter()
        report = import_sources(ws, [maildir])
        elapsed = time.perf_counter() - started
        cpu = own_cpu() - cpu0 + children_cpu() - kids0
    shutil.rmtree(root)
    return elapsed, cpu, report.imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--kind", choices=("plain", "mix"), default="plain")
    args = parser.parse_args()
    if shutil.which("notmuch") is None:
        sys.exit("notmuch introuvable : apt-get install notmuch (pour ce banc d'essai seulement)")
    with tempfile.TemporaryDirectory(prefix="bench-notmuch-") as tmp:
        work = Path(tmp)
        maildir = work / "maildir"
        size = write_maildir(maildir, args.count, args.kind)
        print(f"{args.count} messages ({args.kind}), {size / 1e6:.1f} Mo, Maildir")
        ratios = []
        for round_no in range(1, args.rounds + 1):
            load = os.getloadavg()[0]
            nm_wall, nm_cpu = run_notmuch(maildir, work)
            as_wall, as_cpu, imported = run_assises(maildir, work, round_no)
            assert imported == args.count, imported
            ratio = nm_wall / as_wall
            ratios.append(ratio)
            print(
                f"tour {round_no} (charge {load:.1f}) : notmuch {nm_wall:.1f} s "
                f"({args.count / nm_wall:,.0f} msg/s, CPU {nm_cpu:.1f} s) ; "
                f"assises {as_wall:.1f} s ({args.count / as_wall:,.0f} msg/s, CPU {as_cpu:.1f} s) "
                f"; rapport {ratio:.2f}"
            )
        ratios.sort()
        print(f"rapport médian assises / notmuch (débit) : {ratios[len(ratios) // 2]:.2f}")


if __name__ == "__main__":
    main()
