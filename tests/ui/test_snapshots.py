"""Snapshot tests (pytest-textual-snapshot) at 80x24 and 120x40, hostile record included.

Fixed data (tests/ui/conftest.py), no clock in the header, no blinking cursor in view.
Update the SVGs with ``--snapshot-update`` only after looking at the report.
"""

from __future__ import annotations


async def _to(pilot, cid: int, *keys: str) -> None:
    await pilot.pause()
    pilot.app.screen.list.move_to(cid)
    await pilot.pause(0.2)
    if keys:
        await pilot.press(*keys)
    await pilot.pause(0.2)
    # Suggestions are computed in a worker: wait for them so the picture is deterministic.
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_inbox_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=lambda p: _to(p, 2))


def test_inbox_120x40_with_reader_pane(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=lambda p: _to(p, 2))


def test_inbox_120x40_hostile_selected(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=lambda p: _to(p, 11))


def test_reader_80x24_folded_quote(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=lambda p: _to(p, 2, "enter"))


def test_reader_80x24_hostile(snap_compare, make_app):
    assert snap_compare(
        make_app(), terminal_size=(80, 24), run_before=lambda p: _to(p, 11, "enter")
    )


def test_reader_80x24_attachments(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=lambda p: _to(p, 7, "enter"))


def test_reader_80x24_excerpts_and_suggestions(snap_compare, make_app, services):
    body = services.contributions.body_text(7)
    services.tagging.add_excerpt(7, 0, body.index(".") + 1, "participation", "proposition")
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=lambda p: _to(p, 7, "enter"))
