"""Crash campaign: SIGKILL an import and a burst of triage changes at random instants.

    python -m benchmarks.crash_campaign --trials 200 [--messages 300] [--seed 1] [--json]

Each trial builds a fresh workspace (small shards, so bulk changes and import batches span
several files and go through the journal) and starts a child process that imports a
generated mbox, then applies triage changes through ``Services`` (Triage, Tagging) for
ever, printing each change before (``intent``) and after it returned (``ack``). The parent
SIGKILLs it at a random instant — during start-up, the import or the triage burst — and
sometimes starts a second child on the same workspace and kills it too. Then it checks:

* the workspace opens as the writer and ``verify()`` finds nothing;
* every acknowledged change is present (the single change in flight may be there or not);
* running the import again completes it: as many records as messages, no two records with
  the same Message-ID, ``verify()`` still clean, acknowledged changes still there.

Any broken rule is a "loss" and is listed. The goal is none.
"""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Europe/Paris")
MAILBOX = "pref-assises-securite-interieure@allier.gouv.fr"
SHARD_SIZE = 50
THEMES = ("communication", "service", "lien", "participation")
STATUSES = ("new", "in_progress", "done", "off_topic")
FIRST = ["Marie", "Jean", "Nathalie", "Pierre", "Sophie", "Michel", "Claire", "Alain"]
LAST = ["Vernet", "Aubry", "Chassaing", "Dumas", "Peyrot", "Lafarge", "Bardot", "Giraud"]
IDEAS = [
    "Plus de patrouilles à pied le soir dans le centre-ville.",
    "Une application pour signaler les incivilités, avec une vraie réponse.",
    "Des réunions publiques deux fois par an avec les élus et la gendarmerie.",
    "L'accueil du commissariat devrait ouvrir le samedi matin.",
    "Des caméras près de la gare et des écoles.",
    "Rencontres entre policiers et collégiens pour recréer la confiance.",
]


# -- the mailbox --------------------------------------------------------------------------
def write_mbox(path: Path, count: int, seed: int = 0) -> int:
    """A deterministic consultation mbox of ``count`` distinct messages; returns count."""
    rng = random.Random(seed)
    start = datetime(2019, 11, 15, 8, 0, tzinfo=TZ)
    box = mailbox.mbox(str(path), create=True)
    box.lock()
    try:
        for n in range(count):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            msg = EmailMessage()
            msg["From"] = f"{first} {last} <{first.lower()}.{last.lower()}{n}@exemple.fr>"
            msg["To"] = MAILBOX
            msg["Subject"] = f"Contribution n° {n} aux Assises"
            msg["Date"] = format_datetime(start + timedelta(minutes=97 * n))
            msg["Message-ID"] = f"<crash-{seed}-{n}@exemple.fr>"
            body = "Bonjour,\n\n" + " ".join(rng.sample(IDEAS, 3)) + f"\nRéférence {n}.\n\n"
            body += f"Cordialement,\n{first} {last}\n{rng.randint(1, 99)} rue des Lilas\n"
            body += f"03000 Moulins\n06 {rng.randint(10, 99)} 12 34 56\n"
            msg.set_content(body)
            if n % 10 == 3:
                msg.add_attachment(
                    f"Annexe de {first} {last} : {rng.choice(IDEAS)}".encode(),
                    maintype="text",
                    subtype="plain",
                    filename=f"annexe-{n}.txt",
                )
            box.add(msg)
        box.flush()
    finally:
        box.unlock()
        box.close()
    return count


# -- the child -------------------------------------------------------------------------------
def child(root: Path, mbox: Path, seed: int, tag: str, batch: int) -> None:
    from assises_tui.services.importer import import_sources
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace

    out = sys.stdout

    def say(**event: Any) -> None:
        out.write(json.dumps(event) + "\n")
        out.flush()

    ws = Workspace.open(root)
    services = Services(ws)
    say(ev="import-start")
    import_sources(ws, [mbox], batch_size=batch)
    say(ev="import-done")
    rng = random.Random(seed)
    ids = ws.store.ids()  # type: ignore[attr-defined]
    i = 0
    while True:
        i += 1
        op = rng.choice(("assign", "status", "note", "theme", "theme"))
        targets = rng.sample(ids, rng.choice((1, 1, 2, 5)))
        if op == "assign":
            value: Any = f"agent-{tag}-{i}"
            say(ev="intent", op=op, ids=targets, value=value)
            services.triage.assign(targets, value)
        elif op == "status":
            value = rng.choice(STATUSES)
            say(ev="intent", op=op, ids=targets, value=value)
            services.triage.set_status(targets, value)
        elif op == "note":
            targets = targets[:1]
            value = f"note {tag}-{i}"
            say(ev="intent", op=op, ids=targets, value=value)
            services.triage.add_note(targets[0], value)
        else:
            key, add = rng.choice(THEMES), rng.random() < 0.6
            value = [key, add]
            say(ev="intent", op=op, ids=targets, value=value)
            if add:
                services.tagging.add(targets, key)
            else:
                services.tagging.remove(targets, key)
        say(ev="ack", n=i)


# -- the parent ------------------------------------------------------------------------------
@dataclass
class Run:
    lines: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    started: float = 0.0

    def phase(self) -> str:
        events = [e.get("ev") for _t, e in self.lines]
        if "import-done" in events:
            acks = sum(1 for e in events if e == "ack")
            return "triage" if acks else "triage (avant le premier changement)"
        if "import-start" in events:
            return "import"
        return "démarrage"

    def seen(self, ev: str) -> float | None:
        return next((t for t, e in self.lines if e.get("ev") == ev), None)


def _spawn(root: Path, mbox: Path, seed: int, tag: str, batch: int) -> tuple[subprocess.Popen, Run]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.crash_campaign",
            "--child",
            str(root),
            str(mbox),
            str(seed),
            tag,
            str(batch),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
        text=True,
    )
    run = Run(started=time.monotonic())

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                run.lines.append((time.monotonic(), json.loads(line)))
            except ValueError:
                pass

    threading.Thread(target=read, daemon=True).start()
    return proc, run


def _kill_at_random(
    proc: subprocess.Popen, run: Run, rng: random.Random, timing: dict[str, float]
) -> str:
    """Kill the child at a random instant; returns where it was aimed."""
    deadline = time.monotonic() + 60

    def wait_for(ev: str) -> None:
        while run.seen(ev) is None and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)

    roll = rng.random()
    if roll < 0.1:  # start-up: opening the workspace, daily backup
        aim = "démarrage"
        time.sleep(rng.uniform(0.0, timing["startup"]))
    elif roll < 0.55:  # import: blobs, journal, shards, campaign groups
        wait_for("import-start")
        fraction = rng.random()
        aim = f"import ({int(fraction * 4) * 25}-{int(fraction * 4) * 25 + 25} %)"
        time.sleep(fraction * timing["import"])
    else:  # the triage burst
        aim = "triage"
        wait_for("import-done")
        time.sleep(rng.uniform(0.0, 1.0))
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.05)  # let the reader thread take the last lines
    return aim


def _expectations(runs: list[Run]) -> tuple[dict, dict]:
    """(acknowledged state, alternatives allowed because a change was in flight)."""
    state: dict[tuple[int, str], Any] = {}
    notes: dict[int, set[str]] = {}
    maybe: dict[tuple[int, str], set[Any]] = {}
    for run in runs:
        pending = None
        for _t, e in run.lines:
            if e.get("ev") == "intent":
                pending = e
            elif e.get("ev") == "ack" and pending is not None:
                for cid in pending["ids"]:
                    op, value = pending["op"], pending["value"]
                    if op == "note":
                        notes.setdefault(cid, set()).add(value)
                    elif op == "theme":
                        state[(cid, f"theme:{value[0]}")] = value[1]
                    else:
                        state[(cid, op)] = value
                pending = None
        if pending is not None and pending["op"] != "note":
            for cid in pending["ids"]:
                op, value = pending["op"], pending["value"]
                key = (cid, f"theme:{value[0]}") if op == "theme" else (cid, op)
                maybe.setdefault(key, set()).add(value[1] if op == "theme" else value)
    return {"state": state, "notes": notes}, maybe


def _check_acks(store, expected: dict, maybe: dict) -> list[str]:
    losses = []
    for (cid, what), value in expected["state"].items():
        item = store.get(cid)
        if item is None:
            losses.append(f"n° {cid} absent")
            continue
        if what == "assign":
            actual: Any = item.assignee
        elif what == "status":
            actual = item.status.value
        else:
            actual = what.split(":", 1)[1] in item.themes
        if actual != value and actual not in maybe.get((cid, what), set()):
            losses.append(f"n° {cid} {what}: attendu {value!r}, trouvé {actual!r}")
    for cid, texts in expected["notes"].items():
        item = store.get(cid)
        have = {n.text for n in item.notes} if item else set()
        for text in texts - have:
            losses.append(f"n° {cid}: note « {text} » perdue")
        history_notes = sum(1 for h in (item.history if item else ()) if h.what == "note")
        if history_notes < len(texts):
            losses.append(
                f"n° {cid}: {len(texts) - history_notes} note(s) absente(s) de l'historique"
            )
    return losses


def trial(
    base: Path,
    mbox: Path,
    messages: int,
    rng: random.Random,
    number: int,
    timing: dict[str, float],
    batch: int,
) -> dict[str, Any]:
    from assises_tui.services.importer import import_sources
    from assises_tui.workspace import Workspace

    root = base / f"ws-{number}"
    Workspace.init(root, shard_size=SHARD_SIZE).close()
    runs: list[Run] = []
    phases: list[str] = []
    died: list[str] = []
    for child_no in range(2 if rng.random() < 0.3 else 1):
        proc, run = _spawn(root, mbox, rng.randrange(1 << 30), f"{number}.{child_no}", batch)
        aim = _kill_at_random(proc, run, rng, timing)
        if proc.returncode != -signal.SIGKILL:  # it died by itself: that is a finding too
            err = proc.stderr.read() if proc.stderr else ""
            died.append(
                f"le processus s'est arrêté seul (code {proc.returncode}) : {err.strip()[-500:]}"
            )
        runs.append(run)
        # Where it really died: the aimed phase, unless the child had not got there yet.
        seen = run.phase()
        phases.append(aim if aim.startswith(seen.split(" ")[0]) else seen)
    result: dict[str, Any] = {"trial": number, "phases": phases, "losses": died}
    expected, maybe = _expectations(runs)
    result["acked"] = sum(1 for r in runs for _t, e in r.lines if e.get("ev") == "ack")
    try:
        ws = Workspace.open(root)
    except Exception as exc:  # the workspace must always open
        result["losses"].append(f"ouverture impossible : {exc}")
        return result
    try:
        problems = ws.store.verify()
        result["losses"] += [f"verify : {p}" for p in problems]
        result["losses"] += _check_acks(ws.store, expected, maybe)
        import_sources(ws, [mbox], batch_size=batch)
        items = ws.store.all()
        mids = [c.message_id for c in items]
        if len(items) != messages:
            result["losses"].append(
                f"après reprise de l'import : {len(items)} enregistrements pour {messages} messages"
            )
        if len(set(mids)) != len(mids):
            result["losses"].append("après reprise de l'import : Message-ID en double")
        result["losses"] += [f"verify après reprise : {p}" for p in ws.store.verify()]
        result["losses"] += _check_acks(ws.store, expected, maybe)
    finally:
        ws.close()
    return result


def campaign(
    trials: int, messages: int, seed: int, base: Path, batch: int = 40, log=None
) -> dict[str, Any]:
    rng = random.Random(seed)
    base.mkdir(parents=True, exist_ok=True)
    mbox = base / "consultation.mbox"
    write_mbox(mbox, messages, seed)
    # Calibrate: how long does a child take to start and import (no kill)?
    from assises_tui.workspace import Workspace

    root = base / "calibration"
    Workspace.init(root, shard_size=SHARD_SIZE).close()
    proc, run = _spawn(root, mbox, 0, "cal", batch)
    deadline = time.monotonic() + 120
    while run.seen("import-done") is None and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    done = run.seen("import-done")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if done is None:
        err = proc.stderr.read() if proc.stderr else ""
        raise SystemExit(f"calibration failed: {err[-2000:]}")
    begun = run.seen("import-start") or run.started
    timing = {"startup": begun - run.started, "import": done - begun}
    started = time.monotonic()
    results = []
    for number in range(trials):
        res = trial(base, mbox, messages, rng, number, timing, batch)
        results.append(res)
        if log is not None:
            status = "OK" if not res["losses"] else f"LOSSES {res['losses'][:3]}"
            log(f"trial {number + 1}/{trials} {res['phases']} acked={res['acked']} {status}")
        import shutil

        shutil.rmtree(base / f"ws-{number}", ignore_errors=True)
    kill_points: dict[str, int] = {}
    for res in results:
        for phase in res["phases"]:
            kill_points[phase] = kill_points.get(phase, 0) + 1
    return {
        "trials": trials,
        "kills": sum(len(r["phases"]) for r in results),
        "messages": messages,
        "startup_seconds": round(timing["startup"], 2),
        "import_seconds": round(timing["import"], 2),
        "kill_points": kill_points,
        "acknowledged_changes_checked": sum(r["acked"] for r in results),
        "losses": [{"trial": r["trial"], "losses": r["losses"]} for r in results if r["losses"]],
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        root, mbox, seed, tag, batch = argv[1:6]
        child(Path(root), Path(mbox), int(seed), tag, int(batch))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--batch", type=int, default=40, help="import batch size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", help="work folder (default: a temporary one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="assises-crash-") as tmp:
        base = Path(args.dir) if args.dir else Path(tmp)
        summary = campaign(
            args.trials,
            args.messages,
            args.seed,
            base,
            args.batch,
            log=None if args.json else print,
        )
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(
            json.dumps(
                {k: v for k, v in summary.items() if k != "losses"}, ensure_ascii=False, indent=2
            )
        )
        print(f"losses: {len(summary['losses'])}")
        for item in summary["losses"]:
            print(item)
    return 1 if summary["losses"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
