"""Several processes triaging one team inbox at once, and a writer killed mid-batch.

Processes: the application driven by keys (``team_worker.py app``), service-level
reviewers (``api``) and command-line runs (``assises tag`` in a loop). Afterwards:

* every change a process saw acknowledged is in the histories, once, and nothing else is
  (zero lost acknowledged changes, nothing half-written by a refused one);
* every record's history replays to its final state: a status entry always starts from the
  status left by the entry before it (an overwrite of someone else's change would break
  that chain: it must have been reported as a conflict instead), themes and notes are the
  sum of what each change added and removed.

The default run is short; ``ASSISES_LONG=1`` runs the 30-second campaign (``slow``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assises_tui.domain.models import Contribution
from assises_tui.services.changes import _plain
from assises_tui.store.merge import SET_FIELDS
from assises_tui.workspace import Workspace

WORKER = Path(__file__).resolve().with_name("team_worker.py")
ROOT = Path(__file__).resolve().parents[2]
LONG = os.environ.get("ASSISES_LONG") == "1"
PARIS = ZoneInfo("Europe/Paris")


def item(cid: int) -> Contribution:
    return Contribution(
        id=cid,
        message_id=f"<{cid}@t>",
        received_at=datetime(2020, 1, 1 + cid % 28, tzinfo=PARIS),
        date_uncertain=False,
        sender_name=f"S{cid}",
        sender_email=f"s{cid}@t.fr",
        subject=f"Objet {cid}",
        body_blob=None,
        raw_blob=None,
    )


def team(tmp_path: Path, pg_url: str, count: int) -> Path:
    root = tmp_path / "equipe"
    with Workspace.init(root, postgres_url=pg_url) as ws:
        ws.store.add_many([item(cid) for cid in ws.store.allocate_ids(count)])
    return root


def worker(mode: str, root: Path, who: str, seconds: float, log: Path, seed: int):
    return subprocess.Popen(
        [sys.executable, str(WORKER), mode, str(root), who, str(seconds), str(log), str(seed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def cli_loop(root: Path, who: str, seconds: float, log: Path, seed: int) -> None:
    """``assises tag`` again and again: a status or a theme on one contribution each time."""
    rng = random.Random(seed)
    assises = str(Path(sys.executable).with_name("assises"))
    deadline = time.monotonic() + seconds
    with open(log, "a", encoding="utf-8") as out:
        while time.monotonic() < deadline:
            cid = rng.randint(1, 12)
            change = rng.choice(
                [["--status", "done"], ["--status", "off_topic"], ["+lien"], ["+service"]]
            )
            done = subprocess.run(
                [assises, "--workspace", str(root), "--reviewer", who, "tag", "--json", *change]
                + ["--", f"id:{cid}"],
                capture_output=True,
                text=True,
            )
            if done.returncode == 0:
                for changed in json.loads(done.stdout)["changed"]:
                    entry = {"who": who, "cid": changed["id"], "after": changed["after"]}
                    out.write(json.dumps(entry, sort_keys=True) + "\n")
            elif "Conflit" in done.stderr:
                out.write(json.dumps({"who": who, "conflict": done.stderr.strip()}) + "\n")
            else:
                raise AssertionError(f"assises tag a échoué : {done.stderr}")
            out.flush()


def read_logs(folder: Path) -> list[dict]:
    lines = []
    for path in sorted(folder.glob("*.jsonl")):
        lines += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return lines


def _key(value) -> str:  # noqa: ANN001
    return json.dumps(value, sort_keys=True)


def replay_problems(item: Contribution) -> list[str]:
    """Problems found replaying the record's history from a fresh record to its state."""
    state: dict = {"status": "new"} | {name: [] for name in SET_FIELDS}  # as created
    problems = []
    for entry in item.history:
        before, after = entry.before or {}, entry.after or {}
        for name, value in after.items():
            if name in SET_FIELDS:
                old = before.get(name, [])
                added = [_key(x) for x in value if x not in old]
                removed = [_key(x) for x in old if x not in value]
                state[name] = [x for x in state[name] if x not in removed]
                state[name] += [x for x in added if x not in state[name]]
            elif name == "status":
                if state[name] not in (before.get(name), value):
                    problems.append(
                        f"n° {item.id} : {entry.who} a changé {state[name]} sans l'avoir vu"
                    )
                state[name] = value
    if item.history and state["status"] != item.status.value:
        problems.append(f"n° {item.id} : statut final {item.status.value} ≠ {state['status']}")
    for name in SET_FIELDS:
        final = _plain(getattr(item, name))
        if sorted(map(_key, final)) != sorted(state[name]):
            problems.append(f"n° {item.id} : {name} {final} ≠ rejoué {state[name]}")
    return problems


def check_final_state(root: Path, logs: list[dict]) -> Counter:
    with Workspace.open(root, read_only=True) as ws:
        items = ws.store.all()
    problems = [p for record in items for p in replay_problems(record)]
    assert not problems, problems[:10]
    acknowledged = Counter(
        (e["who"], e["cid"], json.dumps(e["after"], sort_keys=True)) for e in logs if "cid" in e
    )
    stored = Counter(
        (h.who, record.id, json.dumps(h.after, sort_keys=True))
        for record in items
        for h in record.history
    )
    assert stored == acknowledged, (stored - acknowledged, acknowledged - stored)
    return Counter(e["who"] for e in logs if "conflict" in e)


def campaign(tmp_path: Path, pg_url: str, seconds: float, apps: int, apis: int, clis: int):
    root = team(tmp_path, pg_url, 12)  # few records: reviewers collide all the time
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = [
        worker("app", root, f"app{n}", seconds, logs / f"app{n}.jsonl", n) for n in range(apps)
    ]
    procs += [
        worker("api", root, f"api{n}", seconds, logs / f"api{n}.jsonl", 100 + n)
        for n in range(apis)
    ]
    threads = [
        threading.Thread(
            target=cli_loop, args=(root, f"cli{n}", seconds, logs / f"cli{n}.jsonl", 200 + n)
        )
        for n in range(clis)
    ]
    for thread in threads:
        thread.start()
    for proc in procs:
        _out, err = proc.communicate(timeout=seconds + 120)
        assert proc.returncode == 0, err.decode(errors="replace")[-3000:]
    for thread in threads:
        thread.join()
    entries = read_logs(logs)
    assert sum(1 for e in entries if "finished" in e) == apps + apis
    conflicts = check_final_state(root, entries)
    changes = sum(1 for e in entries if "cid" in e)
    return changes, conflicts


def test_reviewers_at_once_lose_nothing_and_every_conflict_is_reported(tmp_path, pg_url):
    changes, conflicts = campaign(tmp_path, pg_url, 8.0, apps=1, apis=3, clis=1)
    assert changes > 50
    assert sum(conflicts.values()) > 0  # hot records: conflicts did happen, and were reported


@pytest.mark.slow
@pytest.mark.skipif(not LONG, reason="campagne longue : ASSISES_LONG=1")
def test_thirty_seconds_of_team_work_on_one_inbox(tmp_path, pg_url):
    changes, conflicts = campaign(tmp_path, pg_url, 30.0, apps=2, apis=3, clis=2)
    assert changes > 500 and sum(conflicts.values()) > 0
    print(f"\n{changes} changements acquittés, conflits signalés : {dict(conflicts)}")


# -- kill -9 of a writer mid-batch ------------------------------------------------------
def test_a_writer_killed_mid_batch_leaves_each_batch_whole(tmp_path, pg_url):
    root = team(tmp_path, pg_url, 200)
    logs = tmp_path / "logs"
    logs.mkdir()
    rng = random.Random(7)
    rounds = 40 if LONG else 6
    for n in range(rounds):
        log = logs / f"batch{n}.jsonl"
        proc = worker("batch", root, f"lot{n}", 60, log, n)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # wait until it is writing
            if log.exists() and "batch_started" in log.read_text():
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    entries = read_logs(logs)
    with Workspace.open(root, read_only=True) as ws:
        items = ws.store.all()
    notes = Counter(note.text for record in items for note in record.notes)
    # all or nothing: a batch is on every record or on none
    assert set(notes.values()) <= {len(items)}, Counter(notes.values())
    started = {e["batch_started"] for e in entries if "batch_started" in e}
    assert set(notes) <= started
    acknowledged = {(e["who"], e["cid"]) for e in entries if "cid" in e}
    for who, cid in acknowledged:  # an acknowledged batch survived the kill
        assert any(h.who == who for h in items[cid - 1].history)
    assert notes, "aucun lot n'a été écrit avant les arrêts"
