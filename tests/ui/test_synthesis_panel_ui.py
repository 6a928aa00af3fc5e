"""The drafting screen's side panel driven with the keyboard only, as a coordinator does."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.widgets import OptionList, TextArea

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))

from synthesis_support import CLEAN_DRAFT, make_services  # noqa: E402
from test_synthesis_ui import Host, _cursor_on  # noqa: E402


@pytest.fixture
def services(tmp_path):
    s = make_services(tmp_path)
    s.synthesis.save(CLEAN_DRAFT)
    yield s
    s.workspace.close()


async def test_tab_then_space_marks_the_first_excerpt(services):
    async with Host(services).run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        await _cursor_on(pilot, "## Service rendu")
        await pilot.press("tab")
        await pilot.pause()
        excerpts = screen.query_one("#excerpts", OptionList)
        assert screen.focused is excerpts
        await pilot.press("space")  # no arrow key first
        await pilot.pause()
        assert screen.marked == [(screen.excerpts[0][0], screen.excerpts[0][1].id)]


async def test_tab_then_enter_quotes_the_first_excerpt(services):
    async with Host(services).run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        editor = await _cursor_on(pilot, "- Des horaires trop courts [#2, #3]")
        await pilot.press("tab", "enter")
        await pilot.pause()
        cid, first = screen.excerpts[0]
        assert f"> « {first.text} » [#{cid}]" in editor.text


async def test_f3_from_the_editor_quotes_without_touching_the_list(services):
    async with Host(services).run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        editor = await _cursor_on(pilot, "- Des horaires trop courts [#2, #3]")
        seen: list[str] = []
        screen.notify = lambda message, **_kw: seen.append(message)
        await pilot.press("f3")
        await pilot.pause()
        assert not seen  # never "Aucun extrait pour ce thème" when there are some
        assert "> « " in editor.text.split("## Service rendu")[1]


async def test_new_proposition_message_is_french(services):
    async with Host(services).run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        await _cursor_on(pilot, "## Service rendu")
        seen: list[str] = []
        screen.notify = lambda message, **_kw: seen.append(message)
        await pilot.press("tab", "space", "p")
        await pilot.pause()
        assert seen and seen[-1].startswith("Proposition ajoutée avec [#")
        await pilot.press("tab", "space", "c")
        await pilot.pause()
        assert seen[-1].startswith("Constat ajouté avec [#")


async def test_the_contributions_list_cites_its_first_row_after_focus(services):
    async with Host(services).run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        line = "- Des horaires trop courts [#2, #3]"
        editor = await _cursor_on(pilot, line, len(line))
        view = screen.query_one("#contributions", OptionList)
        first = view.get_option_at_index(0).id
        view.focus()
        await pilot.pause()
        await pilot.press("i")  # no arrow key first
        await pilot.pause()
        assert f"{line}[#{first}]" in editor.text  # inserted at the cursor
        assert isinstance(screen.focused, TextArea)


async def test_help_title_names_the_screen_in_french(services):
    # The help screen titles itself with the screen's title (else its class name).
    async with Host(services).run_test(size=(120, 40)) as pilot:
        assert pilot.app.screen.title == "Synthèse"


async def test_panel_is_fresh_after_a_contribution_opened_from_it(services):
    from assises_tui.domain.models import Excerpt
    from assises_tui.screens.reader import ReaderScreen

    async with Host(services).run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        await _cursor_on(pilot, "## Service rendu")
        before = screen.query_one("#excerpts", OptionList).option_count
        view = screen.query_one("#contributions", OptionList)
        view.focus()
        await pilot.press("enter")  # opens the first contribution of the theme
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReaderScreen)
        cid = pilot.app.screen.cid
        item = services.store.get(cid)
        body = services.contributions.body_text(cid)
        services.changes.set_fields(  # what "x" in the reader would do
            [cid],
            "excerpt",
            excerpts=item.excerpts + (Excerpt("new", 0, 5, body[:5], "service", "constat"),),
        )
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is screen
        assert screen.query_one("#excerpts", OptionList).option_count == before + 1


async def test_help_on_the_drafting_screen_has_its_title_and_no_inbox_legend(services):
    from textual.widgets import Static

    from assises_tui.app import AssisesApp
    from assises_tui.screens.help import HelpScreen

    class WithHelp(Host):
        action_help = AssisesApp.action_help  # the app's own help action

    async with WithHelp(services).run_test(size=(120, 40)) as pilot:
        await pilot.app.run_action("help")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        shown = " ".join(str(w.render()) for w in help_screen.query(Static))
        assert "Touches — Synthèse" in shown
        assert "RPDCN" not in shown and "SynthesisScreen" not in shown
        assert any(desc == "Aperçu" for _keys, desc in help_screen.rows)  # F5


async def test_help_over_a_list_screen_keeps_the_legend():
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import Static

    from assises_tui.screens.help import HelpScreen

    class ListScreen(Screen):
        HELP_LEGEND = True  # as the inbox and the reader

    app = App()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(ListScreen())
        await app.push_screen(HelpScreen("Touches — Boîte de réception", []))
        await pilot.pause()
        shown = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "RPDCN" in shown
