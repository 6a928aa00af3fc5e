"""Kill campaigns on whole commands: ``assises tag +THÈME --status S`` and ``assises import``.

    python -m benchmarks.kill_campaign --tag-trials 40 --import-trials 20 [--seed 1] [--json]

**tag + status.** A workspace holding ``--messages`` imported contributions in shards of
50 (so the command's write spans several files and goes through the journal) is copied
for each trial; ``assises tag +lien --status traité -- status:nouveau`` runs in a child
process that is SIGKILLed at a random instant of its run (its duration is measured first).
The copy is then opened as the writer (a pending journal is replayed) and every record
must have both the theme and the status, or neither: a record with one and not the other
is *half-applied*. Before the fix, themes and status were two writes and 2 kills out of 30
left 342 records half-applied.

**import.** ``assises import`` of a mailbox big enough for the parallel parsers (more than
300 messages) with a DOCX attachment every 10 messages (the extraction worker) runs in a
child in its own session, its stdout a pipe. Only that process is SIGKILLed, at a random
instant once its workers run; then the pipe must reach end-of-file (nobody holds the caller's stdout any more)
and no process of the session may stay alive (workers, resource tracker). Before the fix,
3 kills out of 10 left the workers and the tracker alive for ever.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.crash_campaign import REPO, SHARD_SIZE, write_mbox

TAG_ARGS = ["tag", "+lien", "--status", "traité", "--", "status:nouveau"]
ORPHAN_GRACE = 5.0  # seconds a worker may take to notice its parent died (it polls 1/s)


def _assises(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "assises_tui", "--workspace", str(root), *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


# -- tag + status ------------------------------------------------------------------------------
def tag_workspace(folder: Path, messages: int) -> Path:
    """A workspace of ``messages`` imported contributions, in shards of 50."""
    from assises_tui.services.importer import import_sources
    from assises_tui.workspace import Workspace

    box = folder / "boite.mbox"
    write_mbox(box, messages, seed=5)
    root = folder / "base"
    with Workspace.init(root, shard_size=SHARD_SIZE) as ws:
        import_sources(ws, [box], workers=1)
    return root


def half_applied(root: Path) -> tuple[int, int, int]:
    """(records with theme and status, with neither, with only one of them) after
    opening ``root`` as the writer (which replays a pending journal)."""
    from assises_tui.domain.models import Status
    from assises_tui.workspace import Workspace

    both = neither = half = 0
    with Workspace.open(root) as ws:
        problems = ws.store.verify()
        if problems:
            raise RuntimeError(f"verify : {problems[:3]}")
        for item in ws.store.all():
            tagged, done = "lien" in item.themes, item.status is Status.DONE
            if tagged and done:
                both += 1
            elif not tagged and not done:
                neither += 1
            else:
                half += 1
    return both, neither, half


@dataclass
class TagRun:
    trials: int = 0
    all_applied: int = 0
    none_applied: int = 0
    half_applied_trials: int = 0
    half_applied_records: int = 0
    seconds_per_command: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def tag_campaign(trials: int, messages: int, seed: int, work: Path) -> TagRun:
    rng = random.Random(seed)
    base = tag_workspace(work, messages)
    run = TagRun()
    reference = work / "reference"
    shutil.copytree(base, reference)
    started = time.monotonic()
    subprocess.run(_assises(reference, *TAG_ARGS), env=_env(), capture_output=True, check=True)
    run.seconds_per_command = duration = time.monotonic() - started
    if half_applied(reference)[0] != messages:
        raise RuntimeError("the reference run did not tag every record")
    for trial in range(trials):
        root = work / f"tag-{trial}"
        shutil.copytree(base, root)
        child = subprocess.Popen(
            _assises(root, *TAG_ARGS),
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Most of a run is start-up; aim at its second half, where the write is, more often.
        time.sleep(duration * (rng.uniform(0.5, 1.05) if rng.random() < 0.7 else rng.random()))
        child.send_signal(signal.SIGKILL)
        child.wait()
        both, neither, half = half_applied(root)
        run.trials += 1
        run.all_applied += both == messages
        run.none_applied += neither == messages
        run.half_applied_trials += half > 0 or (both and neither)
        run.half_applied_records += half + (min(both, neither) if both and neither else 0)
        shutil.rmtree(root)
    return run


# -- import --------------------------------------------------------------------------------------
def import_mailbox(path: Path, messages: int) -> None:
    """``messages`` mails; every 10th carries a DOCX (its text is extracted in a worker)."""
    import io
    from email.generator import BytesGenerator
    from email.message import EmailMessage

    import docx

    document = docx.Document()
    document.add_paragraph("Contribution jointe : plus de patrouilles à pied le soir.")
    buffer = io.BytesIO()
    document.save(buffer)
    with path.open("wb") as out:
        for n in range(messages):
            msg = EmailMessage()
            msg["From"] = f"Contributeur {n} <contributeur{n}@exemple.fr>"
            msg["To"] = "pref-assises-securite-interieure@allier.gouv.fr"
            msg["Subject"] = f"Contribution n° {n}"
            msg["Date"] = "Mon, 02 Dec 2019 10:00:00 +0100"
            msg["Message-ID"] = f"<kill-{n}@exemple.fr>"
            msg.set_content(f"Bonjour,\nproposition n° {n} : des réunions publiques.\n")
            if n % 10 == 0:
                msg.add_attachment(
                    buffer.getvalue(),
                    maintype="application",
                    subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                    filename=f"contribution-{n}.docx",
                )
            out.write(b"From contributeur@exemple.fr Mon Dec  2 10:00:00 2019\n")
            BytesGenerator(out, mangle_from_=True).flatten(msg)
            out.write(b"\n")


def _session_processes(sid: int) -> list[int]:
    """Live processes of session ``sid`` (zombies are dead, just not reaped yet)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        if int(fields[3]) == sid and fields[0] != b"Z":  # state, ppid, pgrp, session
            found.append(int(entry))
    return found


def _eof_within(stream, seconds: float) -> float | None:
    """Seconds until the pipe ``stream`` reached end-of-file, None if it did not."""
    started = time.monotonic()
    fd = stream.fileno()
    while (left := seconds - (time.monotonic() - started)) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if ready and not os.read(fd, 65536):
            return time.monotonic() - started
    return None


@dataclass
class ImportRun:
    trials: int = 0
    killed_with_workers: int = 0  # kills that found worker processes alive
    finished_first: int = 0  # imports that ended before the kill
    orphans: int = 0  # processes still alive ORPHAN_GRACE s after the kill
    stdout_held: int = 0  # trials whose stdout pipe never reached end-of-file
    slowest_eof: float = 0.0
    details: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def import_campaign(trials: int, messages: int, seed: int, work: Path) -> ImportRun:
    from assises_tui.workspace import Workspace

    rng = random.Random(seed)
    box = work / "import.mbox"
    import_mailbox(box, messages)
    run = ImportRun()
    for trial in range(trials):
        root = work / f"import-{trial}"
        Workspace.init(root).close()
        child = subprocess.Popen(
            _assises(root, "import", str(box)),
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Wait for the workers (parsers after 300 messages, the DOCX extractor), then
        # kill at a random instant of their work.
        deadline = time.monotonic() + 60
        while len(_session_processes(child.pid)) < 2 and child.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 1.5))
        members = [pid for pid in _session_processes(child.pid) if pid != child.pid]
        run.finished_first += child.poll() is not None
        child.send_signal(signal.SIGKILL)
        child.wait()
        run.trials += 1
        run.killed_with_workers += bool(members)
        eof = _eof_within(child.stdout, ORPHAN_GRACE + 5)
        child.stdout.close()
        deadline = time.monotonic() + ORPHAN_GRACE
        while (left := _session_processes(child.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        if eof is None:
            run.stdout_held += 1
        else:
            run.slowest_eof = max(run.slowest_eof, round(eof, 2))
        if left:
            run.orphans += len(left)
            run.details.append(f"essai {trial} : {len(left)} processus restés ({left})")
            for pid in left:  # leave the machine clean
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(root)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tag-trials", type=int, default=40)
    parser.add_argument("--import-trials", type=int, default=20)
    parser.add_argument("--messages", type=int, default=400, help="for the tag campaign")
    parser.add_argument("--import-messages", type=int, default=900)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assises-kill-") as tmp:
        work = Path(tmp)
        tag = tag_campaign(args.tag_trials, args.messages, args.seed, work)
        imports = import_campaign(args.import_trials, args.import_messages, args.seed, work)
    if args.json:
        print(json.dumps({"tag": tag.to_dict(), "import": imports.to_dict()}, indent=2))
        return
    print(
        f"tag + statut : {tag.trials} coupures, {tag.all_applied} tout appliqué, "
        f"{tag.none_applied} rien appliqué, {tag.half_applied_trials} à moitié "
        f"({tag.half_applied_records} fiches) ; commande de {tag.seconds_per_command:.2f} s"
    )
    print(
        f"import : {imports.trials} coupures ({imports.killed_with_workers} avec des "
        f"processus de travail vivants), {imports.orphans} processus orphelins, "
        f"{imports.stdout_held} sortie(s) standard restée(s) ouverte(s), fin de sortie "
        f"au plus tard {imports.slowest_eof} s après la coupure"
    )
    for line in imports.details:
        print("  " + line)


if __name__ == "__main__":
    main()
