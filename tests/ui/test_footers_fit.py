"""Every screen's footer and status line fit in 80 and 120 columns: a key cut off at the
right edge is a key the user never learns about."""

from __future__ import annotations

import pytest
from test_screen_snapshots import CASES, _on, _settle, fresh_bindings  # noqa: F401
from textual.widgets import Footer

from assises_tui.widgets.status_line import StatusLine


async def _synthesis(pilot, *keys: str) -> None:
    await _on(pilot, 2, "s")
    if keys:
        await pilot.press(*keys)
        await _settle(pilot)


ROUTES = {
    **{name: run for name, (_prepare, run) in CASES.items()},
    "inbox": lambda p: _on(p, 2),
    "reader": lambda p: _on(p, 2, "enter"),
    "tag_picker": lambda p: _on(p, 2, "t"),
    "excerpt": lambda p: _on(p, 2, "x"),
    "codebook": lambda p: _on(p, 2, "C"),
    "statistics": lambda p: _on(p, 2, "g"),
    "synthesis": lambda p: _synthesis(p),
    "preview": lambda p: _synthesis(p, "f5"),
}


SCREENS = {
    "inbox": "InboxScreen",
    "reader": "ReaderScreen",
    "tag_picker": "TagPickerScreen",
    "excerpt": "ExcerptScreen",
    "codebook": "CodebookScreen",
    "statistics": "StatisticsScreen",
    "synthesis": "SynthesisScreen",
    "preview": "PreviewScreen",
    "double_coding": "DoubleCodingScreen",
    "history": "HistoryScreen",
    "import": "ImportScreen",
}


def _needed(footer: Footer) -> int:
    """Cells from the footer's left edge to its last key's right edge (gaps included)."""
    return max(key.region.right for key in footer.children) - footer.region.x


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("name", sorted(ROUTES))
async def test_footer_and_status_line_fit(name, size, make_app, services):
    prepare = CASES[name][0] if name in CASES else None
    if prepare is not None:
        prepare(services)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await ROUTES[name](pilot)
        await pilot.pause(0.2)
        # the route leads where it says (at 120 columns the inbox reads in its own pane)
        if name in SCREENS and not (name == "reader" and size[0] >= 120):
            assert type(app.screen).__name__ == SCREENS[name]
        footers = list(app.screen.query(Footer))
        for footer in footers:
            shown = [(k.key_display, k.description) for k in footer.children]
            assert _needed(footer) <= footer.size.width, (name, _needed(footer), shown)
        for status in app.screen.query(StatusLine):
            assert len(status.render().plain) <= status.content_region.width, name
