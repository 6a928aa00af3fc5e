"""Every message of the command line is French: argparse's own words, tag and history."""

from __future__ import annotations

import re

import pytest
from privacy_support import build
from tagging_support import sample_workspace

from assises_tui.cli import main
from assises_tui.cli.privacy_cmds import local_time
from assises_tui.domain.models import Status
from assises_tui.services.session import Services
from assises_tui.workspace import Workspace

ENGLISH = (
    "usage:",
    "show this help",
    "positional arguments",
    "the following arguments",
    "invalid choice",
    "unrecognized arguments",
    "error:",
    "expected one argument",
)


def _no_english(text: str) -> None:
    for words in ENGLISH:
        assert words not in text, words


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ws_dir(tmp_path):
    return sample_workspace(tmp_path / "ws")


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "synthesis", "-h"],
        ["export", "--help"],
        ["--help"],
        ["purge", "-h"],
    ],
)
def test_help_is_french(capsys, argv):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage : assises")
    assert "afficher cette aide et quitter" in out
    _no_english(out)


@pytest.mark.parametrize(
    "argv, words",
    [
        (["export", "contributions", "--format", "csv"], "arguments obligatoires manquants"),
        (["export", "synthesis", "--format", "xls", "-o", "a.xls"], "choix invalide : 'xls'"),
        (["list", "--nimp"], "arguments inattendus : --nimp"),
        (["purge"], "arguments obligatoires manquants : --before"),
        (["show", "--json", "1", "2"], "arguments inattendus"),
    ],
)
def test_usage_errors_are_french(capsys, tmp_path, argv, words):
    with pytest.raises(SystemExit) as done:
        main(["--workspace", str(tmp_path / "none"), *argv])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage : ")
    assert words in err
    _no_english(err)


def test_tag_prints_french_field_names_and_status_labels(ws_dir, capsys):
    code, out, err = run(
        capsys,
        "--workspace",
        str(ws_dir),
        "tag",
        "+lien",
        "--status",
        "en cours",
        "--",
        "proximité",
    )
    assert code == 0, err
    assert "thèmes : — → lien ; statut : Nouveau → En cours" in out
    assert "themes" not in out and "in_progress" not in out


def test_unknown_status_lists_the_french_names(ws_dir, capsys):
    code, _out, err = run(
        capsys, "--workspace", str(ws_dir), "tag", "+lien", "--status", "fini", "--", "police"
    )
    assert code == 2
    assert "nouveau, en cours, traité, hors sujet, doublon, hors contribution" in err
    assert "in_progress" not in err


def test_history_text_shows_the_consultation_local_time(tmp_path, capsys):
    ws, services = build(tmp_path)
    services.triage.set_status([2], Status.DONE)
    at = services.store.get(2).history[-1].at
    root = str(ws.root)
    ws.close()
    code, out, _err = run(capsys, "--workspace", root, "history", "2")
    assert code == 0
    line = next(ln for ln in out.splitlines() if "Statut : Nouveau → Traité" in ln)
    assert line.startswith(local_time(at, services.config.tz))
    assert re.match(r"\d\d/\d\d/\d{4} \d\d:\d\d  ", line)


def test_local_time():
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    assert local_time("2020-01-14T09:02:11+00:00", paris) == "14/01/2020 10:02"
    assert local_time("2020-07-14T09:02:11+00:00", paris) == "14/07/2020 11:02"
    assert local_time("pas une date", paris) == "pas une date"


def test_every_time_is_shown_in_the_consultation_zone(tmp_path):
    """A note, a draft version and the lock message: JJ/MM/AAAA HH:MM, Paris time, whatever
    the machine's zone (a server often runs in UTC)."""
    import os
    import time
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from assises_tui.clock import local_time as shown
    from assises_tui.errors import StoreLockedError
    from assises_tui.synthesis.versions import Version
    from assises_tui.workspace import Workspace

    paris = ZoneInfo("Europe/Paris")
    assert shown("2020-01-14T09:02:11+00:00", paris) == "14/01/2020 10:02"
    assert shown("2020-01-14T09:02:11", paris) == "14/01/2020 10:02"  # no offset: UTC
    version = Version("x", datetime(2020, 1, 14, 9, 2, tzinfo=UTC), 1, tmp_path)
    assert version.label(paris) == "14/01/2020 10:02"
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        with Workspace.init(tmp_path / "ws"):
            with pytest.raises(StoreLockedError) as refused:
                Workspace.open(tmp_path / "ws")
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
    since = datetime.now(paris).strftime("%d/%m/%Y")
    assert re.search(rf"depuis le {since} \d\d:\d\d ;", str(refused.value))
    now_paris = datetime.now(paris).strftime("%H")
    assert f"{since} {now_paris}:" in str(refused.value)


def test_agreement_without_coding_says_what_to_do(ws_dir, capsys):
    code, out, _err = run(capsys, "--workspace", str(ws_dir), "agreement")
    assert code == 0
    assert "Rien à comparer" in out and "assises agreement sample N" in out
    assert "accord observé 0 %" not in out


def test_show_history_is_french_with_local_times(ws_dir, capsys):
    code, _out, err = run(capsys, "--workspace", str(ws_dir), "tag", "+lien", "--", "proximité")
    assert code == 0, err
    code, out, _err = run(capsys, "--workspace", str(ws_dir), "show", "3")
    assert code == 0
    history = out.split("Historique :")[1]
    assert "Thèmes : — → lien" in history
    assert "{'themes'" not in history and "None" not in history and "+00:00" not in history
    assert re.search(r"- \d\d/\d\d/\d{4} \d\d:\d\d ", history)


def test_list_and_show_follow_the_workspace_pseudonymised_setting(tmp_path, capsys):
    from privacy_support import EMAIL, NAME, PHONE

    ws, services = build(tmp_path)
    root = str(ws.root)
    ws.close()
    code, out, _err = run(capsys, "--workspace", root, "show", "1")
    assert code == 0 and NAME in out  # by default the reviewer sees who wrote
    with Workspace.open(root) as ws:
        Services(ws).privacy.set_default(True)
    for argv in (["show", "1"], ["list"]):
        code, out, _err = run(capsys, "--workspace", root, *argv)
        assert code == 0
        assert out.startswith("Vue pseudonymisée")
        for secret in (NAME, EMAIL, PHONE, NAME.split()[1]):
            assert secret not in out, (argv, secret)
    assert "Contributeur n° 1" in out


def test_an_unexpected_error_is_one_french_sentence(ws_dir, capsys, monkeypatch):
    from assises_tui.services import stats as stats_module

    def broken(*_args, **_kw):
        raise ValueError("boum\x1b[31m")

    monkeypatch.setattr("assises_tui.cli.browse_cmds.stats", broken)
    assert stats_module  # the command reads its figures through this name
    code, out, err = run(capsys, "--workspace", str(ws_dir), "stats")
    assert code == 2 and out == ""
    assert err.startswith("assises : erreur inattendue (ValueError : boum")
    assert "--debug" in err and "Traceback" not in err and "\x1b" not in err
    code, _out, err = run(capsys, "--workspace", str(ws_dir), "--debug", "stats")
    assert code == 2 and "Traceback" in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_codebook_and_agreement_json_is_json_only(ws_dir, capsys, where):
    import json

    def argv(action: list[str]) -> list[str]:
        head, rest = action[:1], action[1:]
        if where == "before":
            return ["--workspace", str(ws_dir), *head, "--json", *rest]
        return ["--workspace", str(ws_dir), *action, "--json"]

    code, out, err = run(capsys, *argv(["codebook", "add", "service", "Guichet"]))
    assert code == 0, err
    keys = [e["key"] for e in json.loads(out)]  # nothing but the JSON document
    assert "service/guichet" in keys
    run(capsys, "--workspace", str(ws_dir), "tag", "+service", "--", "commissariat")
    code, out, err = run(capsys, *argv(["agreement", "sample", "1"]))
    assert code == 0, err
    assert json.loads(out)["seed"] == 1


def test_bootstrap_usage_is_french():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, str(root / "bootstrap.py"), "aide"], capture_output=True, text=True
    )
    assert out.returncode == 2
    assert out.stderr.startswith("Utilisation :")
    assert "--fresh" in out.stderr and "Set everything up" not in out.stderr
