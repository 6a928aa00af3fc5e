"""Workspace creation and opening, the writer lock, and the workspace CLI commands."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import assises_tui.cli as cli
from assises_tui.config import bundled_config_dir
from assises_tui.domain.models import Contribution, Status
from assises_tui.errors import AssisesError
from assises_tui.paths import default_workspace_dir
from assises_tui.store.protocol import StoreError, StoreLockedError
from assises_tui.workspace import Workspace, default_reviewer

REPO = Path(__file__).resolve().parents[2]


def make(cid: int) -> Contribution:
    return Contribution(cid, f"<m{cid}@x>", None, False, "A", "a@x", f"s{cid}", None, None)


def test_init_copies_the_configuration_and_opens_as_writer(tmp_path: Path) -> None:
    root = tmp_path / "consultation"
    with Workspace.init(root) as ws:
        assert ws.root == root and not ws.read_only and ws.read_only_reason is None
        assert ws.config.department == "Allier" and len(ws.config.themes) == 4
        assert ws.reviewer == default_reviewer(None)
        assert ws.synthesis_path == root / "synthesis.md"
        assert ws.announcement_path == root / "annonce.txt"
        assert ws.announcement_text() == (bundled_config_dir() / "annonce.txt").read_text()
        assert ws.store.count() == 0
    assert (root / "consultation.toml").read_bytes() == (
        bundled_config_dir() / "consultation.toml"
    ).read_bytes()
    assert {p.name for p in root.iterdir()} >= {"store", "blobs", "backups", "lock"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_init_refuses_a_non_empty_folder_and_accepts_an_empty_one(tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("à moi")
    with pytest.raises(AssisesError, match="n'est pas vide"):
        Workspace.init(full)
    assert [p.name for p in full.iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    Workspace.init(empty).close()
    assert (empty / "consultation.toml").exists()


def test_init_with_a_custom_config_and_reviewer(tmp_path: Path) -> None:
    text = (bundled_config_dir() / "consultation.toml").read_text(encoding="utf-8")
    text = text.replace('announcement = "annonce.txt"\n', 'reviewer = "m.dupont"\n')
    config = tmp_path / "cfg" / "consultation.toml"
    config.parent.mkdir()
    config.write_text(text, encoding="utf-8")
    with Workspace.init(tmp_path / "ws", config.parent) as ws:
        assert ws.reviewer == "m.dupont" and ws.announcement_path is None


def test_init_with_a_bad_config_names_field_and_line(tmp_path: Path) -> None:
    config = tmp_path / "consultation.toml"
    config.write_text(
        'title = "T"\ndepartment = "Allier"\nmailbox = "pas-une-adresse"\n', encoding="utf-8"
    )
    with pytest.raises(AssisesError, match=r"ligne 3.*« mailbox »"):
        Workspace.init(tmp_path / "ws", config)
    assert not (tmp_path / "ws").exists()
    text = (bundled_config_dir() / "consultation.toml").read_text(encoding="utf-8")
    config.write_text(text.replace("annonce.txt", "absente.txt"), encoding="utf-8")
    with pytest.raises(AssisesError, match="absente.txt"):
        Workspace.init(tmp_path / "ws", config)


def test_open_missing_workspace_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AssisesError, match="assises init"):
        Workspace.open(tmp_path / "nothing")


def test_second_writer_is_refused_or_read_only_and_nothing_is_lost(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    first = Workspace.init(root)
    first.store.add_many([make(i) for i in first.store.allocate_ids(3)])
    with pytest.raises(StoreLockedError) as err:
        Workspace.open(root)
    message = str(err.value)
    assert f"processus {os.getpid()} sur {socket.gethostname()} depuis le " in message
    second = Workspace.open(root, fallback_read_only=True)
    assert second.read_only and second.read_only_reason == message
    with pytest.raises(StoreError, match="lecture seule"):
        second.store.save(replace(second.store.get(1), status=Status.DONE))
    first.store.save(replace(first.store.get(2), status=Status.DONE))
    assert second.store.reload_if_changed()
    assert second.store.get(2).status is Status.DONE
    second.close()
    first.close()
    with Workspace.open(root) as again:  # lock released on close
        assert again.store.get(2).status is Status.DONE and again.store.count() == 3


def test_lock_held_by_another_process_and_released_when_it_dies(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    Workspace.init(root).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from assises_tui.workspace import Workspace;"
            "ws = Workspace.open(Path(sys.argv[1])); print('ok', flush=True); sys.stdin.read()",
            str(root),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert holder.stdout.readline() == b"ok\n"
    with pytest.raises(StoreLockedError, match=f"processus {holder.pid} "):
        Workspace.open(root)
    holder.kill()  # SIGKILL: no cleanup code runs, the kernel drops the flock
    holder.wait()
    holder.stdout.close()
    holder.stdin.close()
    info = json.loads((root / "lock").read_text())
    assert info["pid"] == holder.pid  # the stale record is still there…
    with Workspace.open(root) as ws:  # …and is taken over
        assert not ws.read_only
        assert json.loads((root / "lock").read_text())["pid"] == os.getpid()


def test_stale_lock_record_without_flock_support(tmp_path: Path, monkeypatch) -> None:
    """On a file system without flock, a dead pid on this host is taken over, a live one not."""
    import fcntl

    root = tmp_path / "ws"
    Workspace.init(root).close()

    def no_flock(fd, op):
        raise OSError(__import__("errno").ENOLCK, "No locks available")

    monkeypatch.setattr(
        fcntl, "flock", lambda fd, op: None if op == fcntl.LOCK_UN else no_flock(fd, op)
    )
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    record = {
        "pid": int(dead.stdout),
        "host": socket.gethostname(),
        "since": "2020-01-01T10:00:00+01:00",
    }
    (root / "lock").write_text(json.dumps(record))
    with Workspace.open(root) as ws:
        assert not ws.read_only
    live = {"pid": os.getppid(), "host": socket.gethostname(), "since": "2020-01-01T10:00:00+01:00"}
    (root / "lock").write_text(json.dumps(live))
    with pytest.raises(StoreLockedError, match=f"processus {os.getppid()} .* 01/01/2020"):
        Workspace.open(root)


def test_default_workspace_dir(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISES_WORKSPACE", str(tmp_path / "ici"))
    assert default_workspace_dir() == tmp_path / "ici"
    monkeypatch.delenv("ASSISES_WORKSPACE")
    path = default_workspace_dir()
    assert path.name == "workspace" and "assises" in str(path) and not path.exists()


# -- CLI -----------------------------------------------------------------------
@pytest.fixture
def run(monkeypatch, capsys):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ["workspace_cmds"])

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_init_verify_backup_restore(run, tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "ws"
    monkeypatch.setenv("ASSISES_WORKSPACE", str(root))
    code, out, _ = run("init")
    assert code == 0 and "Espace de travail créé" in out
    code, _, err = run("init", str(root))
    assert code == 2 and "n'est pas vide" in err
    with Workspace.open(root) as ws:
        sha = ws.store.put_blob(b"brut")
        ws.store.add_many([replace(make(1), raw_blob=sha)])
    code, out, _ = run("verify", "--json")
    verified = json.loads(out)
    assert code == 0 and verified["ok"] is True and verified["contributions"] == 1
    assert verified["problems"] == [] and verified["unreferenced_blobs"]["files"] == 0
    code, out, _ = run("--workspace", str(root), "backup", "-o", str(tmp_path / "copie.tar.gz"))
    assert code == 0 and (tmp_path / "copie.tar.gz").exists()
    os.remove(root / "blobs" / sha[:2] / sha[2:])
    code, out, _ = run("verify")
    assert code == 1 and "courriel brut" in out and "absent" in out
    code, out, _ = run("verify", "--json")
    assert code == 1 and json.loads(out)["ok"] is False
    (root / "store/contributions/0000.json").write_text("{oups")
    code, out, _ = run("verify", "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and report["contributions"] is None
    assert "0000.json" in report["problems"][0] and "Aucune sauvegarde valide" in out
    code, out, _ = run("restore", str(tmp_path / "copie.tar.gz"))
    assert code == 0 and "conservée à part" in out
    with Workspace.open(root, read_only=True) as ws:
        assert ws.store.count() == 1


def test_cli_open_workspace_helper_and_lock_exit_code(run, tmp_path: Path) -> None:
    from argparse import Namespace

    from assises_tui.cli.workspace_cmds import open_workspace

    root = tmp_path / "ws"
    writer = Workspace.init(root)
    args = Namespace(workspace=str(root))
    with open_workspace(args, write=False) as ro:
        assert ro.read_only
    with pytest.raises(StoreLockedError) as err:
        open_workspace(args, write=True)
    assert err.value.exit_code == 2
    code, _, err_text = run("--workspace", str(root), "restore", "rien.tar.gz")
    assert code == 2 and "introuvable" in err_text
    writer.close()


def test_workspace_permissions_ignore_the_umask(tmp_path: Path) -> None:
    import stat

    old = os.umask(0)
    try:
        root = tmp_path / "nouveau" / "ws"
        with Workspace.init(root) as ws:
            ws.store.add_many([make(1)])
            ws.store.put_blob(b"x")
            ws.store.backup("test")
            from assises_tui.services.session import Services

            services = Services(ws)
            services.search.refresh()  # index/: words of the citizens' texts
            services.synthesis.save(services.synthesis.template())  # synthesis versions
    finally:
        os.umask(old)
    paths = [root, root.parent, *root.rglob("*")]
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
