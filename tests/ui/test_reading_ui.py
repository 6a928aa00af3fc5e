"""Pilot tests of the actions about the contribution being read: pseudonymised view and its
recorded reveal, the history key, a theme suggestion accepted with one key, and the search
index prepared in the background at start-up."""

from __future__ import annotations

from conftest import screen_text

from assises_tui.screens.history import HistoryScreen
from assises_tui.screens.prompts import ConfirmScreen
from assises_tui.screens.reader import ReaderScreen

NARROW = (80, 24)
WIDE = (120, 40)


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_pseudonymised_view_masks_then_reveal_is_confirmed_and_recorded(make_app, services):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await _settle(pilot)
        app.screen.list.move_to(2)
        await pilot.pause(0.2)  # the reader pane follows the cursor after a short delay
        await pilot.press("f")  # unfold the signature: it carries a name and a phone
        await _settle(pilot)
        text = screen_text(app)
        assert "Jeanne Martin" in text and "jeanne.martin@exemple.fr" in text
        assert "06 00 00 00 00" in text

        await pilot.press("P")  # hiding needs no confirmation
        await _settle(pilot)
        text = screen_text(app)
        assert "Jeanne Martin" not in text and "jeanne.martin@" not in text
        assert "06 00 00 00 00" not in text
        assert "Contributeur n° 2" in text and "Marie Dupont" not in text
        assert "(masqué)" in text  # list rows: senders with no category or commune set

        await pilot.press("P")  # revealing asks first; "n" keeps the data hidden
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await _settle(pilot)
        assert "Jeanne Martin" not in screen_text(app)
        assert not services.audit.history(2, kinds=["privacy.reveal"])

        await pilot.press("P", "o")
        await _settle(pilot)
        assert "Jeanne Martin" in screen_text(app)
        entries = services.audit.history(2, kinds=["privacy.reveal"])
        assert len(entries) == 1 and entries[0].who == services.reviewer


async def test_raw_source_hidden_while_pseudonymised(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await _settle(pilot)
        app.screen.list.move_to(2)
        await pilot.press("P", "enter")
        await _settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("b")
        await _settle(pilot)
        text = screen_text(app)
        assert "source brute cachée" in text and "jeanne.martin@" not in text


async def test_history_key_lists_the_contributions_changes(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await _settle(pilot)
        app.screen.list.move_to(3)
        await pilot.press("d")  # status done: one recorded change
        await _settle(pilot)
        app.screen.list.move_to(3)
        await pilot.press("enter", "l")
        await _settle(pilot)
        assert isinstance(app.screen, HistoryScreen) and app.screen.cid == 3
        assert "Traité" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)


async def test_suggestion_accepted_with_one_key_in_the_reader(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await _settle(pilot)
        app.screen.list.move_to(7)  # cameras near the station: no theme yet
        await pilot.press("enter")
        await _settle(pilot)
        bar = app.screen.view.suggestions
        assert bar.suggestions, "a contribution about cameras gets a suggestion"
        best = bar.suggestions[0].theme
        assert best not in services.store.get(7).themes
        assert "[y]" in screen_text(app)
        await pilot.press("y")
        await _settle(pilot)
        assert best in services.store.get(7).themes
        await pilot.press("u")  # undone like any other change
        await _settle(pilot)
        assert best not in services.store.get(7).themes


async def test_y_in_the_narrow_inbox_explains_instead_of_tagging_blind(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await _settle(pilot)
        before = {c.id: c.themes for c in services.store.all()}
        await pilot.press("y")
        await _settle(pilot)
        assert {c.id: c.themes for c in services.store.all()} == before


async def test_search_index_is_prepared_in_the_background_at_start(make_app, services):
    assert services.search.pending() > 0  # nothing indexed yet in the fixture workspace
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await _settle(pilot)
        assert services.search.pending() == 0


async def test_reader_lists_and_underlines_the_excerpts_filed(make_app, services):
    body = services.contributions.body_text(1)
    end = body.index(".") + 1
    services.tagging.add_excerpt(1, 0, end, "service", "constat", "à reprendre")
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await _settle(pilot)
        app.screen.list.move_to(1)
        await pilot.press("enter")
        await _settle(pilot)
        text = screen_text(app)
        assert "Extraits (1)" in text
        assert "Constat — Service rendu" in text and "à reprendre" in text
        rendered = app.screen.view.query_one("#reader-body").render()
        underlined = [
            rendered.plain[span.start : span.end]
            for span in rendered.spans
            if "underline" in str(span.style)
        ]
        assert underlined == [body[:end]]


async def test_excerpt_screen_masks_when_pseudonymised_and_files_exact_offsets(make_app, services):
    from textual.widgets import TextArea

    from assises_tui.screens.excerpt import ExcerptScreen

    services.privacy.hide()
    body = services.contributions.body_text(2)
    start = body.index("Cordialement")
    end = body.index("06 00 00 00 00") + len("06 00 00 00 00")
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await _settle(pilot)
        screen = ExcerptScreen(services, 2)
        await app.push_screen(screen)
        await _settle(pilot)
        shown = screen.query_one("#excerpt-body", TextArea).text
        assert "Jeanne Martin" not in shown and "06 00 00 00 00" not in shown
        screen.select_offsets(start, end)  # body offsets in, masked text selected
        assert screen.area.selected_text.endswith("[téléphone masqué]")
        assert screen.selected_offsets() == (start, end)
        await pilot.press("f")  # the signature: filing it asks first
        await _settle(pilot)
        await pilot.press("o")
        await _settle(pilot)
        excerpt = services.store.get(2).excerpts[-1]
        assert (excerpt.start, excerpt.end) == (start, end)
        assert excerpt.text == body[start:end]  # stored exact; masked only on screen
