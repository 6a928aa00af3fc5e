"""``assises open`` / ``assises demo``: safe with a user's folders, clear when nothing exists."""

from __future__ import annotations

import pytest

from assises_tui.cli import main
from assises_tui.cli.app_cmds import DEMO_MARKER, prepare_demo
from assises_tui.workspace import Workspace


def test_open_without_workspace_says_how_to_create_one(tmp_path, capsys):
    code = main(["--workspace", str(tmp_path / "absent"), "open"])
    err = capsys.readouterr().err
    assert code == 2
    assert "assises init" in err and "assises demo" in err


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path, capsys):
    user = tmp_path / "mes-donnees"
    user.mkdir()
    (user / "important.txt").write_text("ne pas toucher")
    code = main(["demo", "--workspace", str(user), "--no-open"])
    assert code == 2
    assert "n'est pas un espace de démonstration" in capsys.readouterr().err
    assert (user / "important.txt").read_text() == "ne pas toucher"


def test_demo_refuses_a_real_workspace(tmp_path):
    Workspace.init(tmp_path / "ws").close()
    with pytest.raises(Exception, match="démonstration"):
        prepare_demo(tmp_path / "ws")
    assert (tmp_path / "ws" / "consultation.toml").is_file()


def test_demo_builds_then_reopens_then_replaces_on_request(tmp_path, capsys):
    root = tmp_path / "demo"
    assert main(["demo", "--workspace", str(root), "--no-open"]) == 0
    assert (root / DEMO_MARKER).is_file()
    with Workspace.open(root) as ws:
        first = ws.store.count()
        assert first > 100  # the demo mailbox was imported
        item = ws.store.all()[0]
        cid, before = item.id, item.status
        from assises_tui.services.session import Services

        Services(ws).triage.set_status([cid], "done" if before.value != "done" else "new")
    assert "importé" in capsys.readouterr().err
    # Starting again keeps the day's work: the demo is reopened, not rebuilt.
    assert main(["--workspace", str(root), "demo", "--no-open"]) == 0
    assert "Démonstration existante rouverte" in capsys.readouterr().err
    with Workspace.open(root) as ws:
        assert ws.store.get(cid).status != before
    # --fresh starts afresh: the change above is gone, the count is the same.
    assert main(["--workspace", str(root), "demo", "--fresh", "--no-open"]) == 0
    with Workspace.open(root) as ws:
        assert ws.store.count() == first
        assert ws.store.get(cid).status == before
    assert "importé" in capsys.readouterr().err


@pytest.mark.parametrize(("flags", "masked"), [([], False), (["--pseudonymise"], True)])
def test_open_pseudonymised_on_request(tmp_path, monkeypatch, flags, masked):
    from assises_tui.app import AssisesApp

    Workspace.init(tmp_path / "ws").close()
    seen = {}
    monkeypatch.setattr(
        AssisesApp, "run", lambda self: seen.update(masked=self.services.privacy.pseudonymised)
    )
    assert main(["--workspace", str(tmp_path / "ws"), "open", *flags]) == 0
    assert seen == {"masked": masked}
