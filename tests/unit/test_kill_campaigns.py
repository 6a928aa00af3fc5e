"""SIGKILL whole commands: ``assises tag +THÈME --status S`` is all or nothing, a killed
``assises import`` leaves no process behind (``benchmarks/kill_campaign.py``, figures in
docs/reliability.md). A few trials here; the campaign runs 40 and 20."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.kill_campaign import (  # noqa: E402
    half_applied,
    import_campaign,
    tag_campaign,
    tag_workspace,
)

LONG = os.environ.get("ASSISES_LONG") == "1"


def test_the_half_applied_check_can_fail(tmp_path):
    """Themes written without the status (the old two writes) are counted."""
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace

    root = tag_workspace(tmp_path, 60)
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    with Workspace.open(copy) as ws:
        services = Services(ws)
        services.tagging.update_themes([c.id for c in ws.store.all()][:30], add=["lien"])
    assert half_applied(copy) == (0, 30, 30)
    assert half_applied(root) == (0, 60, 0)


def test_tag_with_status_killed_is_never_half_applied(tmp_path):
    run = tag_campaign(40 if LONG else 3, 400 if LONG else 120, seed=3, work=tmp_path)
    assert run.trials == run.all_applied + run.none_applied
    assert run.half_applied_trials == 0 and run.half_applied_records == 0


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_a_killed_import_leaves_no_process_and_frees_its_stdout(tmp_path):
    run = import_campaign(20 if LONG else 2, 700, seed=4, work=tmp_path)
    assert run.killed_with_workers >= 1  # the kills did find workers to orphan
    assert run.orphans == 0 and run.stdout_held == 0, run.details
