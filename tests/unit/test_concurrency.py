"""Two instances on one workspace: one writer, the others read-only; nothing is lost.

Headless stand-ins for two app instances: processes that open the workspace the way the
app does (``Workspace.open(fallback_read_only=True)``), plus ``assises`` CLI commands run
while the writer holds the lock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from privacy_support import build

from assises_tui.services.session import Services
from assises_tui.services.triage import TriageError
from assises_tui.store.protocol import StoreLockedError
from assises_tui.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]

# An "app instance": opens like the app, then obeys one command per stdin line.
INSTANCE = r"""
import json, sys
from assises_tui.services.session import Services
from assises_tui.workspace import Workspace
ws = Workspace.open(sys.argv[1], fallback_read_only=True)
services = Services(ws)
print(json.dumps({"ready": True, "read_only": ws.read_only}), flush=True)
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["op"] == "quit":
        break
    try:
        services.triage.assign(cmd["ids"], cmd["value"])
        print(json.dumps({"ack": cmd["value"]}), flush=True)
    except Exception as exc:
        print(json.dumps({"refused": str(exc)}), flush=True)
ws.close()
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


class Instance:
    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", INSTANCE, str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=_env(),
        )
        self.hello = self.read()

    def read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(self.proc.stderr.read())
        return json.loads(line)

    def assign(self, ids: list[int], value: str) -> dict:
        self.proc.stdin.write(json.dumps({"op": "assign", "ids": ids, "value": value}) + "\n")
        self.proc.stdin.flush()
        return self.read()

    def quit(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write('{"op": "quit"}\n')
            self.proc.stdin.flush()
            self.proc.wait(timeout=30)


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assises_tui", "--workspace", str(root), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=_env(),
        timeout=60,
    )


@pytest.fixture
def root(tmp_path) -> Path:
    ws, _services = build(tmp_path)
    ws.close()
    return ws.root


def test_one_writer_one_read_only_view_nothing_lost(root):
    writer = Instance(root)
    viewer = Instance(root)
    try:
        assert writer.hello["read_only"] is False
        assert viewer.hello["read_only"] is True
        # The read-only instance refuses changes with a French sentence; nothing written.
        refused = viewer.assign([1], "intrus")
        assert "lecture seule" in refused["refused"]
        acks = [writer.assign([1 + n % 4], f"agent-{n}")["ack"] for n in range(20)]
        assert len(acks) == 20
        # An in-process read-only view picks up the writer's changes on reload.
        view = Workspace.open(root, fallback_read_only=True)
        try:
            assert view.read_only
            assert "déjà ouvert en écriture par le processus" in view.read_only_reason
            assert str(writer.proc.pid) in view.read_only_reason
            assert view.store.get(4).assignee == "agent-19"
            writer.assign([4], "agent-après")
            assert view.store.reload_if_changed() is True
            assert view.store.get(4).assignee == "agent-après"
            assert view.store.reload_if_changed() is False
        finally:
            view.close()
    finally:
        writer.quit()
        viewer.quit()
    with Workspace.open(root) as ws:
        assert [ws.store.get(i).assignee for i in (1, 2, 3, 4)] == [
            "agent-16",
            "agent-17",
            "agent-18",
            "agent-après",
        ]
        assert ws.store.verify() == []
        history = [h for h in ws.store.get(1).history if h.what == "assignee"]
        assert [h.after["assignee"] for h in history] == [f"agent-{n}" for n in range(0, 20, 4)]


def test_cli_writer_commands_refused_while_locked(root, tmp_path):
    writer = Instance(root)
    try:
        pid = str(writer.proc.pid)
        mbox = tmp_path / "vide.mbox"
        mbox.write_bytes(b"")
        for args in (
            ("import", str(mbox)),
            ("purge", "--before", "2020-01-01"),
            ("tag", "+lien", "--", "id:1"),
        ):
            done = _cli(root, *args)
            assert done.returncode == 2, (args, done.stderr)
            assert "déjà ouvert en écriture par le processus " + pid in done.stderr
            assert "Traceback" not in done.stderr
        # Read-only commands still work while the app is open.
        assert _cli(root, "list", "--json").returncode == 0
        assert _cli(root, "history", "1", "--json").returncode == 0
        assert _cli(root, "purge", "--before", "2020-01-01", "--dry-run").returncode == 0
        assert writer.assign([2], "toujours là")["ack"] == "toujours là"
    finally:
        writer.quit()
    with Workspace.open(root) as ws:
        assert ws.store.get(2).assignee == "toujours là"
        assert ws.store.get(1).sender_name  # the refused purge changed nothing


def test_second_writer_in_process_refused_then_allowed_after_close(root):
    first = Workspace.open(root)
    try:
        with pytest.raises(StoreLockedError):
            Workspace.open(root)
        second = Workspace.open(root, fallback_read_only=True)
        try:
            with pytest.raises(TriageError):
                Services(second).triage.assign([1], "x")
        finally:
            second.close()
        Services(first).triage.assign([1], "premier")
    finally:
        first.close()
    with Workspace.open(root) as again:  # the lock went with the first writer
        assert again.store.get(1).assignee == "premier"
