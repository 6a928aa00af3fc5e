"""SIGKILL during imports and triage bursts: no acknowledged change lost, import resumable.

The short campaign runs in CI; the long one (``ASSISES_LONG=1``, 200 trials) is the
figure quoted in docs/reliability.md (``python -m benchmarks.crash_campaign --trials 200``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.crash_campaign import (  # noqa: E402
    Run,
    _check_acks,
    _expectations,
    campaign,
)
from benchmarks.purge_campaign import purge_campaign  # noqa: E402

LONG = os.environ.get("ASSISES_LONG") == "1"


def test_short_crash_campaign(tmp_path):
    summary = campaign(trials=12, messages=30, seed=3, base=tmp_path, batch=6)
    assert summary["losses"] == []
    assert summary["kills"] >= 8
    # The kills landed in more than one phase (start-up, import, triage).
    assert len({k.split(" ")[0] for k in summary["kill_points"]}) >= 2


def test_purge_killed_then_resumed(tmp_path):
    summary = purge_campaign(trials=4, messages=40, seed=5, base=tmp_path)
    assert summary["losses"] == []


@pytest.mark.slow
@pytest.mark.skipif(not LONG, reason="long campaign: set ASSISES_LONG=1")
def test_long_crash_campaign(tmp_path):
    summary = campaign(trials=200, messages=300, seed=7, base=tmp_path, batch=40)
    assert summary["losses"] == []
    purges = purge_campaign(trials=50, messages=200, seed=7, base=tmp_path / "purge")
    assert purges["losses"] == []


def _run(*events):
    run = Run()
    run.lines = [(0.0, e) for e in events]
    return run


def test_checker_finds_a_lost_change():
    """The campaign's own check must be able to fail: a lost ack is reported."""
    run = _run(
        {"ev": "intent", "op": "assign", "ids": [1], "value": "a"},
        {"ev": "ack", "n": 1},
        {"ev": "intent", "op": "note", "ids": [1], "value": "note 1"},
        {"ev": "ack", "n": 2},
        {"ev": "intent", "op": "assign", "ids": [1], "value": "b"},  # in flight at the kill
    )
    expected, maybe = _expectations([run])
    note = SimpleNamespace(text="note 1")
    history = (SimpleNamespace(what="note"),)

    def store(assignee, notes, hist):
        item = SimpleNamespace(assignee=assignee, notes=notes, history=hist, themes=())
        return SimpleNamespace(get=lambda cid: item)

    assert _check_acks(store("a", (note,), history), expected, maybe) == []
    assert _check_acks(store("b", (note,), history), expected, maybe) == []  # in flight: ok
    lost = _check_acks(store("", (), ()), expected, maybe)
    assert any("assign" in line for line in lost)
    assert any("note 1" in line for line in lost)
