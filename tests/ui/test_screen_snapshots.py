"""A snapshot of every screen the other snapshot files do not show, reached as a user
reaches it (keys) where a key opens it, at 80x24 on the fixed workspace of conftest.py.

With ``test_snapshots.py`` (inbox, reader), ``test_statistics_ui.py``, ``test_tagging_ui.py`` (picker, excerpts,
codebook) and ``test_synthesis_ui.py`` (drafting, preview), every screen of
``assises_tui/screens`` has one; ``test_every_screen_has_a_snapshot`` keeps it so.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import replace
from pathlib import Path

import pytest
from textual.screen import Screen
from textual.widgets import Input

from assises_tui.domain.models import HistoryEntry

SNAPSHOTS = Path(__file__).parent / "__snapshots__"


async def _settle(pilot) -> None:
    await pilot.pause(0.2)
    await pilot.app.workers.wait_for_complete()
    for field in pilot.app.screen.query(Input):  # a blinking cursor makes pictures differ
        field.cursor_blink = False
    await pilot.pause()


async def _on(pilot, cid: int, *keys: str) -> None:
    await pilot.pause()
    pilot.app.screen.list.move_to(cid)
    await pilot.pause(0.1)
    await pilot.press(*keys)
    await _settle(pilot)


def _history(services) -> None:
    """Two changes at fixed times (the app would stamp them with the clock)."""
    entries = (
        HistoryEntry(
            "marie", "2019-12-03T10:00:00+01:00", "status", {"status": "new"}, {"status": "done"}
        ),
        HistoryEntry(
            "paul", "2019-12-04T16:30:00+01:00", "themes", {"themes": []}, {"themes": ["service"]}
        ),
    )
    item = services.store.get(2)
    services.store.save(replace(item, history=item.history + entries))


def _versions(services) -> None:
    """Two saved versions with fixed names (the names are their UTC times)."""
    folder = services.synthesis.versions.folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "20191125T143000.000000Z.md").write_text("# Synthèse\n\nPremier jet.\n")
    (folder / "20191202T091500.000000Z.md").write_text("# Synthèse\n\nDeuxième jet.\n")
    services.synthesis.path.write_text("# Synthèse\n\nDeuxième jet, relu.\n")


def _double_coding(services) -> None:
    services.tagging.add([1, 2], "communication")
    services.tagging.add([3], "service")
    services.double_coding.draw_sample(3, seed=1)
    services.double_coding.code(1, ["communication"])


async def _open_double_coding(pilot, *keys: str) -> None:
    from assises_tui.screens.double_coding import DoubleCodingScreen

    await pilot.pause()
    pilot.app.push_screen(DoubleCodingScreen(pilot.app.services))
    await _settle(pilot)
    if keys:
        await pilot.press(*keys)
        await _settle(pilot)


async def _open_versions(pilot) -> None:
    from assises_tui.screens.synthesis_versions import VersionsScreen

    await pilot.pause()
    pilot.app.push_screen(VersionsScreen(pilot.app.services))
    await _settle(pilot)


async def _confirm(pilot) -> None:
    # Changing the status of marked contributions asks first.
    await pilot.pause()
    pilot.app.screen.list.move_to(2)
    await pilot.press("space", "space", "d")
    await _settle(pilot)


CASES = {
    # Over the history: the inbox's keys would tie the picture to Textual's binding maps,
    # which keep an earlier test's user keymap for the rest of the process.
    "help": (_history, lambda p: _on(p, 2, "l", "question_mark")),
    "history": (_history, lambda p: _on(p, 2, "l")),
    "import": (None, lambda p: _on(p, 2, "i")),
    "choice_views": (None, lambda p: _on(p, 2, "v")),
    "text_prompt_note": (None, lambda p: _on(p, 2, "N")),
    "confirm_bulk_status": (None, _confirm),
    "versions": (_versions, _open_versions),
    "palette": (None, lambda p: _on(p, 2, "ctrl+p")),
    "double_coding": (_double_coding, lambda p: _open_double_coding(p)),
    "agreement_report": (_double_coding, lambda p: _open_double_coding(p, "r")),
}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@pytest.fixture(autouse=True)
def fresh_bindings():
    """A user keymap applied by an earlier test (test_inbox_ui) stays in Textual's
    per-class binding maps for the rest of the process: start from the declared keys."""
    from textual.dom import DOMNode

    for cls in _subclasses(DOMNode):
        if cls.__dict__.get("_merged_bindings") is not None:
            cls._merged_bindings = cls._merge_bindings()


@pytest.mark.parametrize("name", sorted(CASES))
def test_screen_80x24(name, snap_compare, make_app, services):
    prepare, run_before = CASES[name]
    if prepare is not None:
        prepare(services)
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


#: Screen class -> the snapshot that shows it (file stem or test name prefix).
SHOWN_BY = {
    "InboxScreen": "test_snapshots/test_inbox_80x24",
    "ReaderScreen": "test_snapshots/test_reader_80x24_folded_quote",
    "TagPickerScreen": "test_tagging_ui/test_snapshot_picker",
    "ExcerptScreen": "test_tagging_ui/test_snapshot_excerpt_screen",
    "CodebookScreen": "test_tagging_ui/test_snapshot_codebook",
    "SynthesisScreen": "test_synthesis_ui/test_snapshot_drafting_screen",
    "PreviewScreen": "test_synthesis_ui/test_snapshot_preview",
    "StatisticsScreen": "test_statistics_ui/test_snapshot_statistics",
    "HelpScreen": "test_screen_snapshots/test_screen_80x24[help]",
    "HistoryScreen": "test_screen_snapshots/test_screen_80x24[history]",
    "ImportScreen": "test_screen_snapshots/test_screen_80x24[import]",
    "ChoiceScreen": "test_screen_snapshots/test_screen_80x24[choice_views]",
    "TextPrompt": "test_screen_snapshots/test_screen_80x24[text_prompt_note]",
    "ConfirmScreen": "test_screen_snapshots/test_screen_80x24[confirm_bulk_status]",
    "VersionsScreen": "test_screen_snapshots/test_screen_80x24[versions]",
    "FrenchCommandPalette": "test_screen_snapshots/test_screen_80x24[palette]",
    "DoubleCodingScreen": "test_screen_snapshots/test_screen_80x24[double_coding]",
    "AgreementReportScreen": "test_screen_snapshots/test_screen_80x24[agreement_report]",
    "FetchScreen": "test_fetch_ui/test_snapshot_fetch_screen_asking_the_password",
}


def test_every_screen_has_a_snapshot():
    import importlib
    import pkgutil

    import assises_tui.screens as package

    screens = set()
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        screens |= {
            cls.__name__
            for _n, cls in inspect.getmembers(module, inspect.isclass)
            if cls.__module__ == module.__name__ and issubclass(cls, Screen)
        }
    assert screens == set(SHOWN_BY)
    for shown in SHOWN_BY.values():
        folder, stem = shown.split("/")
        pattern = re.compile(re.escape(stem) + r"(\[.*\])?\.svg$")
        files = [p for p in (SNAPSHOTS / folder).glob("*.svg") if pattern.match(p.name)]
        assert files, shown
