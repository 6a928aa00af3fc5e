"""Fetch throughput: 10,000 messages over IMAP (a real Dovecot on loopback) against importing
the same messages from an mbox.

    python benchmarks/bench_fetch.py [--count 10000] [--kind plain|mix] [--workers N]

The messages are those of ``bench_import.py`` (same generator, same seed). They are written
once as an mbox and once as Maildir files served by Dovecot (STARTTLS, the test suite's
configuration). Measured, each into a fresh workspace:

- **import**: ``import_sources`` on the mbox (backup, splitting, the whole pipeline);
- **fetch**: ``MailboxFetch.fetch`` — EXAMINE, UID SEARCH, Message-IDs, sizes, then
  ``BODY.PEEK[]`` in groups of 100 through the same pipeline, a durable checkpoint after
  each group;
- **download only**: the same IMAP reads without importing (the protocol's own cost);
- **fetch again**: nothing new (one UID SEARCH);
- **fetch after import**: the mbox imported first, then a fetch that recognises every
  message by its Message-ID (headers only, no body downloaded).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from mail_servers import PASSWORD, Dovecot  # noqa: E402
from mailbox_support import imap_table, mailbox_workspace  # noqa: E402

from assises_tui.mailbox.imap import ImapFolder  # noqa: E402
from assises_tui.services.importer import import_sources  # noqa: E402
from assises_tui.services.mailbox_fetch import MailboxFetch  # noqa: E402
from assises_tui.workspace import Workspace  # noqa: E402
from benchmarks.bench_import import cpu, documents, message, write_mbox  # noqa: E402


def timed(func):
    started, cpu0 = time.perf_counter(), cpu()
    value = func()
    return value, time.perf_counter() - started, cpu() - cpu0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--kind", choices=("plain", "mix"), default="plain")
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    rng = random.Random(2020)
    docs = documents(rng) if args.kind == "mix" else []

    def kind_of(i: int) -> str:
        return "plain" if args.kind == "plain" else ("plain", "html", "attachment")[i % 3]

    messages = [message(i, rng, kind_of(i), docs) for i in range(args.count)]
    work = Path(tempfile.mkdtemp(prefix="bench-fetch-"))
    mbox = work / "boite.mbox"
    write_mbox(mbox, messages)
    rows = []
    with Dovecot() as server:
        for raw in messages:
            server.deliver(raw)
        table = imap_table(server)
        settings_ws = mailbox_workspace(work, table, name="warm")
        with Workspace.open(settings_ws) as ws:  # Dovecot indexes the Maildir on first sight
            settings = MailboxFetch(ws.store, ws.config, ws.reviewer).settings()
        with ImapFolder(settings, PASSWORD) as folder:
            folder.uids_after(0)

        def download_only() -> int:
            total = 0
            with ImapFolder(settings, PASSWORD) as folder:
                uids = folder.uids_after(0)
                folder.sizes(uids)
                for start in range(0, len(uids), 100):
                    for _uid, raw in folder.fetch(uids[start : start + 100]):
                        total += len(raw)
            return total

        size, seconds, cpu_s = timed(download_only)
        rows.append(
            ("téléchargement seul (IMAP)", args.count, seconds, cpu_s, f"{size / 1e6:.1f} Mo")
        )

        root = mailbox_workspace(work, name="import")
        with Workspace.open(root) as ws:
            report, seconds, cpu_s = timed(lambda: import_sources(ws, [mbox], workers=args.workers))
        rows.append(
            ("import de la mbox", report.read, seconds, cpu_s, f"{report.imported} enregistrés")
        )

        root = mailbox_workspace(work, table, name="fetch")
        with Workspace.open(root) as ws:
            service = MailboxFetch(ws.store, ws.config, ws.reviewer)
            result, seconds, cpu_s = timed(lambda: service.fetch(PASSWORD))
            rows.append(
                (
                    "relève IMAP",
                    result.report.read,
                    seconds,
                    cpu_s,
                    f"{result.report.imported} enregistrés",
                )
            )
            result, seconds, cpu_s = timed(lambda: service.fetch(PASSWORD))
            rows.append(("relève suivante (rien de neuf)", result.report.read, seconds, cpu_s, "—"))

        root = mailbox_workspace(work, table, name="both")
        with Workspace.open(root) as ws:
            import_sources(ws, [mbox], workers=args.workers)
            service = MailboxFetch(ws.store, ws.config, ws.reviewer)
            result, seconds, cpu_s = timed(lambda: service.fetch(PASSWORD))
            rows.append(
                (
                    "relève après import (tout reconnu)",
                    result.report.read,
                    seconds,
                    cpu_s,
                    f"{result.report.already_present} déjà présents",
                )
            )
    print(f"charge moyenne (1, 5, 15 min) : {os.getloadavg()}")
    print(f"{args.count} messages « {args.kind} », mbox de {mbox.stat().st_size / 1e6:.1f} Mo")
    print("| mesure | messages | durée | msg/s | CPU | résultat |")
    print("|---|---|---|---|---|---|")
    for name, n, seconds, cpu_s, note in rows:
        rate = f"{n / seconds:,.0f}" if n else "—"
        print(f"| {name} | {n} | {seconds:.1f} s | {rate} | {cpu_s:.1f} s | {note} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
