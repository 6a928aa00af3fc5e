"""Untrusted e-mail text is data: shown literally, never interpreted, never reaching the tty."""

from __future__ import annotations

from conftest import raw_svg, screen_text
from fixtures import hostile

from assises_tui.screens.inbox import InboxScreen
from assises_tui.screens.reader import ReaderScreen

HOSTILE_ID = 11


def assert_clean(app) -> None:
    svg = raw_svg(app)
    for bad in hostile.FORBIDDEN_OUTPUT:
        assert bad not in svg, repr(bad)
    assert "&#27;" not in svg and "&#x1b;" not in svg.lower()


async def test_hostile_row_in_inbox_is_literal(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        assert screen.list.move_to(HOSTILE_ID)
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "[@click=app." in text  # sender column, cut to its width but literal
        assert "[bold]x[/bold]" in text
        assert_clean(app)
        # Clicking on the hostile text (list row and reader header) runs no action.
        row = screen.list.ids.index(HOSTILE_ID)
        await pilot.click("#inbox-list", offset=(30, row))
        await pilot.click("#inbox-reader", offset=(10, 2))
        await pilot.pause()
        assert app.is_running and app.return_code is None


async def test_hostile_message_in_reader_is_literal(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.list.move_to(HOSTILE_ID)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        text = screen_text(app)
        for literal in hostile.LITERAL_MARKUP:
            assert literal in text, literal
        assert_clean(app)
        await pilot.click("#reader-view", offset=(12, 3))  # on "[@click=app.quit]" in De :
        await pilot.press("f")  # unfolded quote and signature too
        await pilot.pause()
        assert_clean(app)
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "[@click=app.quit]clic[/].pdf" in text  # attachment name, literal
        assert_clean(app)
        await pilot.press("b")  # raw source, decoded and cleaned
        await pilot.pause()
        assert "Source brute" in screen_text(app)
        assert_clean(app)
        assert app.is_running and app.return_code is None


async def test_hostile_text_in_notifications_and_prompts(make_app, services):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.list.move_to(HOSTILE_ID)
        await pilot.press("S")  # no search yet: a plain notification
        await pilot.press("slash", *"[b]x", "enter")
        await pilot.pause(0.3)
        await pilot.press("S", *"[@click=app.quit]", "enter")
        await pilot.pause()
        assert app.is_running
        assert ("[@click=app.quit]", "[b]x") in [tuple(x) for x in services.saved_searches.list()]
        await pilot.press("R")
        await pilot.pause()
        assert "[@click=app.quit] — [b]x" in screen_text(app)
        assert_clean(app)
