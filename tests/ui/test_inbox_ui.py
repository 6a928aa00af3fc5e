"""Pilot tests of the inbox and the reader: keys do what the help says, changes persist."""

from __future__ import annotations

import re

from conftest import screen_text
from rich.text import Text

from assises_tui.domain.models import Status
from assises_tui.screens.inbox import InboxScreen
from assises_tui.screens.prompts import ChoiceScreen, ConfirmScreen, TextPrompt
from assises_tui.screens.reader import ReaderScreen
from assises_tui.workspace import Workspace

NARROW = (80, 24)
WIDE = (120, 40)


def inbox(app) -> InboxScreen:
    screen = app.screen
    assert isinstance(screen, InboxScreen), type(screen)
    return screen


async def test_opens_on_what_is_left_sorted_by_date(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        ids = inbox(app).list.ids
        left = [c.id for c in services.store.all() if c.status in (Status.NEW, Status.IN_PROGRESS)]
        assert sorted(ids) == sorted(left)
        dates = [services.store.get(i).received_at for i in ids]
        assert dates == sorted(dates)
        text = screen_text(app)
        assert "À traiter" in text and "07/01/2020 10:02" in text


async def test_search_as_you_type_then_escape_clears(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"patrouilles")
        await pilot.pause(0.3)
        screen = inbox(app)
        assert screen.list.ids == [2]  # n° 9 says the same but is a duplicate (not "left")
        # The search is limited to the view: the status line says there is more elsewhere.
        assert "2 dans Toutes (v)" in " ".join(screen_text(app).split())
        await pilot.press("enter")  # back to the list
        assert app.focused is screen.list
        await pilot.press("escape")
        await pilot.pause()
        assert len(screen.list.ids) == 8


async def test_open_next_previous_and_back_narrow(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        first = inbox(app).list.ids[:3]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.cid == first[0]
        await pilot.press("J", "J", "K")
        assert app.screen.cid == first[1]
        assert "N° 2" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert inbox(app).list.current == first[1]
        # The reader screen is reused: opening again shows the new row, folded, from the top.
        await pilot.press("j", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen) and app.screen.cid == first[2]
        assert f"N° {first[2]}" in screen_text(app)
        await pilot.press("escape")


async def test_status_key_is_saved_durably(make_app, services, workspace):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        cid = inbox(app).list.current
        await pilot.press("d")
        await pilot.pause()
        assert inbox(app).list.current != cid  # moved on to the next one
    root = workspace.root
    workspace.close()
    with Workspace.open(root) as again:
        item = again.store.get(cid)
        assert item.status == Status.DONE
        assert item.history[-1].what == "status"


async def test_bulk_needs_confirmation_and_undo_restores(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        screen = inbox(app)
        a, b = screen.list.ids[:2]
        before = {a: services.store.get(a).status, b: services.store.get(b).status}
        await pilot.press("space", "space")
        assert screen.marked == {a, b}
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "2 contributions marquées" in screen_text(app)
        assert services.store.get(a).status == before[a]  # nothing before confirming
        await pilot.press("o")
        await pilot.pause()
        assert services.store.get(a).status == Status.DONE
        assert services.store.get(b).status == Status.DONE
        await pilot.press("u")
        await pilot.pause()
        assert services.store.get(a).status == before[a]
        assert services.store.get(b).status == before[b]
        # Cancelling a bulk action changes nothing.
        await pilot.press("h", "n")
        await pilot.pause()
        assert services.store.get(a).status == before[a]


async def test_mark_all_results_then_unmark(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        screen = inbox(app)
        await pilot.press("A")
        assert screen.marked == set(screen.list.ids)
        await pilot.press("E")
        assert not screen.marked


async def test_theme_keys_digits_and_azerty(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        screen = inbox(app)
        await pilot.press("K")  # stay on the first row
        cid = screen.list.current
        start = set(services.store.get(cid).themes)
        keys = services.config.theme_keys
        await pilot.press("1")
        assert (keys[0] in services.store.get(cid).themes) != (keys[0] in start)
        await pilot.press("ampersand")  # AZERTY "&" = theme 1 again: back as it was
        assert (keys[0] in services.store.get(cid).themes) == (keys[0] in start)
        for key, theme in (("é", keys[1]), ("quotation_mark", keys[2]), ("apostrophe", keys[3])):
            had = theme in services.store.get(cid).themes
            await pilot.press(key)
            assert (theme in services.store.get(cid).themes) != had, key
        assert "Thèmes" in screen_text(app)


async def test_save_and_recall_a_search(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"caméras", "enter")
        await pilot.pause(0.3)
        await pilot.press("S")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"videos", "enter")
        await pilot.pause()
        assert ("videos", "caméras") in [tuple(x) for x in services.saved_searches.list()]
        await pilot.press("escape")  # clear the search
        await pilot.pause()
        assert len(inbox(app).list.ids) == 8
        await pilot.press("R")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert inbox(app).search.text == "caméras"
        assert inbox(app).list.ids == [7]


async def test_views_cycle_and_picker(make_app, services):
    services.store.add_quarantine("boite.mbox", "[bold]illisible[/bold] : en-têtes tronqués", None)
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        screen = inbox(app)
        await pilot.press("right_square_bracket")
        assert screen.view.key == "all"
        assert len(screen.list.ids) == services.store.count()
        await pilot.press("v")
        assert isinstance(app.screen, ChoiceScreen)
        # From "all": mine, untagged, priority → late
        await pilot.press("down", "down", "down", "down", "enter")
        await pilot.pause()
        assert screen.view.key == "late"
        assert screen.list.ids == [10]
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert screen.view.key == "untagged"
        await pilot.press("v", "end", "enter")
        await pilot.pause()
        assert screen.view.key == "quarantine"
        text = screen_text(app)
        assert "[bold]illisible[/bold] : en-têtes tronqués" in text and "boite.mbox" in text
        assert "Quarantaine · 1 affichée" in text


async def test_sort_key_cycles(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        screen = inbox(app)
        await pilot.press("o")
        assert screen.sort == "sender"
        names = [services.store.get(i).sender_name for i in screen.list.ids]
        # By surname, as a French list: Bernard, Dupont, Leroy, Martin, Petit, Roux…
        people = [n for n in names if n in ("Paul Bernard", "Marie Dupont", "Jeanne Martin")]
        assert people == ["Paul Bernard", "Marie Dupont", "Jeanne Martin"]
        await pilot.press("o")
        assert screen.sort == "status"
        statuses = [services.store.get(i).status for i in screen.list.ids]
        assert statuses.index(Status.IN_PROGRESS) == len(statuses) - 1


async def test_duplicate_prompt_validates_number(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        cid = inbox(app).list.current
        await pilot.press("D", *"999", "enter")
        assert isinstance(app.screen, TextPrompt)  # refused: no such contribution
        assert "n'existe pas" in screen_text(app)
        await pilot.press(*["backspace"] * 3, "3", "enter")
        await pilot.pause()
        item = services.store.get(cid)
        assert item.status == Status.DUPLICATE and item.duplicate_of == 3


async def test_note_and_not_contribution(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        cid = inbox(app).list.current
        await pilot.press("N", *"[bold]note[/bold]", "enter")
        await pilot.pause()
        assert services.store.get(cid).notes[-1].text == "[bold]note[/bold]"
        await pilot.press("H", *"pub", "enter")
        await pilot.pause()
        item = services.store.get(cid)
        assert item.status == Status.NOT_CONTRIBUTION and item.status_reason == "pub"


async def test_wide_layout_shows_reader_beside_list(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause(0.2)
        screen = inbox(app)
        assert screen.wide and screen.reader.display
        await pilot.press("j")
        await pilot.pause(0.2)
        assert screen.reader.cid == screen.list.current
        await pilot.press("enter")
        assert app.focused is screen.reader
        assert "Bonjour," in screen_text(app)
        await pilot.press("f")  # unfold the signature and the quote
        await pilot.pause()
        assert "La préfecture lance les Assises" in screen_text(app)
        await pilot.press("escape")
        assert app.focused is screen.list


async def test_help_lists_keys_and_user_keymap_applies(make_app, services, workspace):
    from dataclasses import replace

    workspace.config = replace(workspace.config, keymap={"inbox.status_done": "z"})
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        cid = inbox(app).list.current
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "Traité" in text and "Chercher" in text and "Scroll" not in text
        assert re.search(r"\bz\s+Traité", text), text
        await pilot.press("escape", "z")
        await pilot.pause()
        assert services.store.get(cid).status == Status.DONE


async def test_palette_commands_are_french_bindings(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Traité" in titles and "Chercher" in titles and "Quitter" in titles
        assert titles.count("Quitter") == 1


async def test_palette_is_french_and_finds_without_accents(make_app):
    from textual.command import CommandList, CommandPalette

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert "Chercher une commande" in screen_text(app)
        await pilot.press(*"synthese")
        await pilot.pause(0.8)
        found = palette.query_one(CommandList)
        prompts = [str(found.get_option_at_index(i).prompt) for i in range(found.option_count)]
        assert any("Synthèse" in p for p in prompts), prompts
        await pilot.press("ctrl+a", "backspace", *"zzzqqq")
        await pilot.pause(1.0)
        text = screen_text(app)
        assert "Aucune commande ne correspond." in text and "No matches" not in text


async def test_read_only_banner_when_lock_is_held(workspace):
    from assises_tui.app import AssisesApp
    from assises_tui.services.session import Services

    second = Workspace.open(workspace.root, fallback_read_only=True)
    try:
        services = Services(second)
        app = AssisesApp(services)
        async with app.run_test(size=NARROW) as pilot:
            await pilot.pause()
            text = screen_text(app)
            assert "Lecture seule — ouvert en écriture par le processus" in text
            cid = inbox(app).list.current
            before = services.store.get(cid).status
            await pilot.press("d")
            await pilot.pause()
            assert services.store.get(cid).status == before
    finally:
        second.close()


async def test_mouse_click_selects_then_opens(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        screen = inbox(app)
        await pilot.click("#inbox-list", offset=(20, 3))
        assert screen.list.cursor == 3
        assert isinstance(app.screen, InboxScreen)
        await pilot.click("#inbox-list", offset=(20, 3))
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.cid == screen.list.ids[3]


async def test_read_only_view_picks_up_the_writers_changes(workspace):
    from assises_tui.app import AssisesApp
    from assises_tui.services.session import Services

    writer = Services(workspace)
    reader_ws = Workspace.open(workspace.root, fallback_read_only=True)
    try:
        app = AssisesApp(Services(reader_ws))
        async with app.run_test(size=NARROW) as pilot:
            await pilot.pause()
            screen = inbox(app)
            cid = screen.list.ids[0]
            left = screen.left
            writer.triage.set_status([cid], "done")
            screen._poll_store()  # what the 3-second timer runs
            await pilot.pause()
            assert reader_ws.store.get(cid).status == Status.DONE
            assert cid not in screen.list.ids and screen.left == left - 1
    finally:
        reader_ws.close()


async def test_query_errors_are_shown_in_french(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"zz:1")
        await pilot.pause(0.3)
        errors = app.screen.query_one("#inbox-search-errors")
        assert errors.display
        assert "zz" in screen_text(app)


async def test_other_screens_open_from_the_inbox(make_app):
    """Tag picker, excerpts, codebook and synthesis are other people's screens, imported
    lazily: each key must open its screen with the signature they agreed on."""
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        for key, name in (
            ("t", "TagPickerScreen"),
            ("x", "ExcerptScreen"),
            ("C", "CodebookScreen"),
            ("s", "SynthesisScreen"),
        ):
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == name, key
            app.screen.dismiss(None)
            await pilot.pause()
            assert isinstance(app.screen, InboxScreen)


async def test_theme_key_says_whether_it_added_or_removed(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        inbox(app).list.move_to(5)  # no theme yet
        await pilot.press("1")
        await pilot.pause()
        inbox(app).list.move_to(5)
        await pilot.press("1")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("ajouté" in m for m in said) and any("retiré" in m for m in said), said
        assert not services.store.get(5).themes


async def test_keys_are_named_in_french(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        keys = {k for k, _desc in app.screen.rows}
        assert any("Échap" in k for k in keys) and any("Espace" in k for k in keys)
        described = dict(app.screen.rows)
        assert described["1 &"] == "Thème « Communication et échanges » (poser/retirer)"
        assert not any(k.split()[0] in ("esc", "space") for k in keys)
        assert "s F5" in keys  # function keys as printed on the keyboard


async def test_bulk_action_clears_the_marks_and_undo_names_the_contribution(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        screen = inbox(app)
        first = screen.list.current
        await pilot.press("space", "space")
        assert len(screen.marked) == 2
        marked = sorted(screen.marked)
        await pilot.press("d", "o")  # bulk « traité », confirmed
        await pilot.pause()
        assert all(services.store.get(cid).status == Status.DONE for cid in marked)
        assert screen.marked == set()  # the next key acts on the current row again
        screen.list.move_to(first)
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        toasts = [n.message for n in app._notifications]
        assert any(f"n° {marked[0]}, {marked[1]}" in t for t in toasts), toasts


async def test_late_flag_asks_before_changing(make_app, services):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        cid = inbox(app).list.current
        before = services.store.get(cid).late
        await pilot.press("L")
        await pilot.pause()
        assert services.store.get(cid).late == before
        await pilot.press("n")
        await pilot.pause()
        assert services.store.get(cid).late == before
        await pilot.press("L", "o")
        await pilot.pause()
        assert services.store.get(cid).late != before


async def test_help_key_shown_as_f1_where_question_mark_types(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "? Aide" in " ".join(screen_text(app).split())
        await pilot.press("s")
        await pilot.pause(0.5)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.5)
        keys = [
            app.get_key_display(b.binding)
            for b in app.screen.active_bindings.values()
            if b.binding.action == "help"
        ]
        assert keys and set(keys) == {"F1"}, keys


async def test_view_picker_numbers_pick_the_view(make_app):
    from assises_tui.screens.views import VIEWS

    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert "1 à 9" in screen_text(app)
        await pilot.press("2")
        await pilot.pause()
        assert inbox(app).view.key == VIEWS[1].key


async def test_search_words_are_highlighted_in_the_reader(make_app, services):
    from assises_tui.widgets.body_view import highlight_words

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"PATROUILLE")
        await pilot.pause(0.4)
        screen = inbox(app)
        assert screen.list.ids == [2]
        assert screen.reader.highlight == ("patrouille",)
        body = screen.reader._body_text(services.store.get(2))
        marked = [body.plain[s.start : s.end] for s in body.spans if "reverse" in str(s.style)]
        assert marked == ["patrouilles"], marked
    text = Text("Des Gendarmes, une gendarmerie, l'Élan.")
    highlight_words(text, ("gendarme", "elan"))
    assert [text.plain[s.start : s.end] for s in text.spans] == [
        "Gendarmes",
        "gendarmerie",
        "Élan",
    ]
