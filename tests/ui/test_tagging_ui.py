"""Pilot and snapshot tests of the tag picker, excerpt, codebook and double-coding screens.

Each screen is pushed from a tiny App over an in-memory store (tests/unit/tagging_support).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import DataTable, Input, OptionList, Select, SelectionList, TextArea

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))

from tagging_support import make_services  # noqa: E402

from assises_tui.screens.codebook import CodebookScreen  # noqa: E402
from assises_tui.screens.double_coding import AgreementReportScreen, DoubleCodingScreen  # noqa: E402
from assises_tui.screens.excerpt import ExcerptScreen  # noqa: E402
from assises_tui.screens.prompts import ConfirmScreen  # noqa: E402
from assises_tui.screens.tag_picker import TagPickerScreen, fuzzy_rank  # noqa: E402


class Host(App):
    """Pushes one screen at start and keeps what it dismissed with."""

    def __init__(self, make_screen) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.results: list = []

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self.results.append)


@pytest.fixture
def s():
    return make_services()


def test_fuzzy_rank():
    assert fuzzy_rank("prox", "Proximité lien/proximite") == 0
    assert fuzzy_rank("prx", "Proximité") is not None
    assert fuzzy_rank("SECU", "sécurité") == 0
    assert fuzzy_rank("xyz", "Service rendu") is None
    assert fuzzy_rank("srv", "Service rendu") < fuzzy_rank("sre", "Service rendu xxxxxxxxx e")


async def test_tag_with_keys_in_the_picker(s):
    app = Host(lambda: TagPickerScreen(s, [3]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"lien", "enter")  # filter, toggle the first match
        assert app.screen.query_one("#tag-filter", Input).value == ""
        await pilot.press("down", "down", "space")  # in the list: second row = Service rendu
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [True]
    assert s.store.get(3).themes == ("service", "lien")  # codebook order
    assert s.store.get(3).history[-1].what == "themes"


async def test_picker_boxes_differ_by_shape_not_only_colour(s):
    s.tagging.add([3], "service")
    app = Host(lambda: TagPickerScreen(s, [3]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lst = app.screen.query_one("#tag-list", SelectionList)
        lines = [lst.render_line(y).text for y in range(lst.option_count)]
        service = next(line for line in lines if "Service rendu" in line)
        lien = next(line for line in lines if "Lien" in line)
        assert "✓" in service and "✓" not in lien
        assert "X" not in service[:4] and "X" not in lien[:4]


async def test_bulk_tag_category_commune_then_undo(s):
    s.tagging.add([1], "service")
    app = Host(lambda: TagPickerScreen(s, [1, 2, 3]))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        lst = screen.query_one("#tag-list", SelectionList)
        assert "(1/3)" in str(lst.get_option_at_index(1).prompt)  # partial state shown
        await pilot.press(*"part", "enter")
        screen.query_one("#tag-category", Select).value = "elu"
        screen.query_one("#tag-commune", Input).focus()
        await pilot.press(*"Vichy", "enter")  # Enter in the commune field applies
        await pilot.pause()
    assert app.results == [True]
    assert [s.store.get(i).themes for i in (1, 2, 3)] == [
        ("service", "participation"),
        ("participation",),
        ("participation",),
    ]  # the partial theme was left alone
    assert {s.store.get(i).contributor_category for i in (1, 2, 3)} == {"elu"}
    assert {s.store.get(i).commune for i in (1, 2, 3)} == {"Vichy"}
    s.changes.undo()  # themes, category and commune: one action, one undo
    assert [s.store.get(i).themes for i in (1, 2, 3)] == [("service",), (), ()]
    assert {s.store.get(i).commune for i in (1, 2, 3)} == {""}
    assert {s.store.get(i).contributor_category for i in (1, 2, 3)} == {""}
    s.changes.undo()  # the theme set before the picker opened
    assert s.store.get(1).themes == ()


async def test_picker_escape_changes_nothing(s):
    app = Host(lambda: TagPickerScreen(s, [1]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"serv", "enter", "escape")
        await pilot.pause()
    assert app.results == [False]
    assert s.store.get(1).themes == ()


async def test_excerpt_selected_with_keyboard_and_filed(s):
    body = s.contributions.body_text(2)
    app = Host(lambda: ExcerptScreen(s, 2))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("j", "j")  # first sentence, then the second
        assert body[slice(*screen.selected_offsets())].startswith("Les délais")
        await pilot.press("+")  # extend by one sentence (across the paragraph break)
        await pilot.press("2")  # kind: proposition
        screen.query_one("#excerpt-note", Input).focus()
        await pilot.press(*"urgent", "enter")
        await pilot.pause()
        excerpts = s.store.get(2).excerpts
        assert len(excerpts) == 1
        ex = excerpts[0]
        assert (ex.kind, ex.note, ex.theme) == ("proposition", "urgent", "service")
        assert body[ex.start : ex.end] == ex.text
        assert ex.text.startswith("Les délais") and ex.text.endswith("villages.")
        assert screen.query_one("#excerpt-list", OptionList).option_count == 1
        await pilot.press("K")  # previous paragraph
        assert body[slice(*screen.selected_offsets())].startswith("L'accueil")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [True]
    assert s.tagging.excerpts_by_theme("service") == [(2, ex)]


async def test_excerpt_mouse_like_selection_maps_to_offsets():
    # Control characters and a line separator are masked one for one: offsets stay exact.
    s = make_services([("x", "Début\x1b[31m rouge.\u2028Suite ici. Fin.")])
    body = s.contributions.body_text(1)
    app = Host(lambda: ExcerptScreen(s, 1))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        area = screen.query_one(TextArea)
        assert "\x1b" not in area.text and len(area.text) == len(body)
        start = body.index("Suite")
        screen.select_offsets(start, start + len("Suite ici."))
        await pilot.press("f")
        await pilot.pause()
    ex = s.store.get(1).excerpts[0]
    assert ex.text == "Suite ici." and body[ex.start : ex.end] == ex.text


async def test_excerpt_selected_with_the_mouse():
    s = make_services([("x", "Première phrase ici. Seconde phrase là.")])
    app = Host(lambda: ExcerptScreen(s, 1))
    async with app.run_test(size=(80, 24)) as pilot:
        area = app.screen.query_one(TextArea)
        # Drag from the first character of the text (inside border and padding) 10 cells on.
        await pilot.mouse_down(area, offset=(2, 1))
        await pilot.hover(area, offset=(12, 1))
        await pilot.mouse_up(area, offset=(12, 1))
        await pilot.press("f")
        await pilot.pause()
    ex = s.store.get(1).excerpts[0]
    assert (ex.start, ex.end, ex.text) == (0, 10, "Première p")


async def test_excerpt_keys_warn_before_the_signature_and_filing_it_asks():
    body = (
        "Quelques idées :\n\nCondamner les mineurs\ndélinquants à nettoyer les lieux.\n\n"
        "Veuillez agréer, Monsieur le Préfet, mes salutations.\n\nNicole Lambert\n"
    )
    s = make_services([("Idées", body)])
    app = Host(lambda: ExcerptScreen(s, 1))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("j", "j")  # the wrapped sentence, whole
        assert body[slice(*screen.selected_offsets())].endswith("nettoyer les lieux.")
        assert not app._notifications
        await pilot.press("j")  # into the closing formula: a warning
        assert body[slice(*screen.selected_offsets())].startswith("Veuillez")
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any("signature" in m for m in warnings)
        await pilot.press("j", "f")  # the sender's name: filing asks first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert s.store.get(1).excerpts == ()
        await pilot.press("f", "o")  # confirmed: filed as asked
        await pilot.pause()
    assert s.store.get(1).excerpts[0].text == "Nicole Lambert"


async def test_suggestion_accepted_with_one_key(s):
    app = Host(lambda: ExcerptScreen(s, 3))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert s.store.get(3).themes == ("lien",)
    assert app.results == [True]


async def test_subtheme_added_and_merged_in_codebook_screen(s):
    s.tagging.codebook.add("service", "Accueil")
    s.tagging.add([2], "service/accueil")
    app = Host(lambda: CodebookScreen(s))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        assert table.row_count == 5
        table.move_cursor(row=1)  # Service rendu
        await pilot.press("a", *"Guichet", "enter")
        await pilot.pause()
        assert "service/guichet" in [e.key for e in s.tagging.codebook.entries()]
        codebook_screen = app.screen
        keys = [e.key for e in codebook_screen.entries]
        table.move_cursor(row=keys.index("service/accueil"))
        await pilot.press("m")
        await pilot.pause()
        choices = app.screen.query_one(OptionList)
        target = [i for i, (k, _l) in enumerate(app.screen.items) if k == "service/guichet"][0]
        choices.highlighted = target
        await pilot.press("enter")
        await pilot.pause()
        counts = {e.key: e.count for e in codebook_screen.entries}
        assert counts == {
            "communication": 0,
            "service": 1,
            "service/guichet": 1,
            "lien": 0,
            "participation": 0,
        }
        await pilot.press("escape")
        await pilot.pause()
    assert s.store.get(2).themes == ("service", "service/guichet")
    assert s.store.get(2).history[-1].what == "codebook:merge"
    assert app.results == [True]


async def test_double_coding_blind_then_report(s):
    s.tagging.add([1], "communication")
    s.tagging.add([2], "service")
    s.tagging.add([3], "lien")
    app = Host(lambda: CodebookScreen(s))  # coordinators reach double coding from here
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, DoubleCodingScreen)
        await pilot.press("s", *"3 5", "enter")
        await pilot.pause()
        screen = app.screen
        assert screen.ids == [1, 2, 3]
        themes = screen.query_one("#dc-themes", SelectionList)
        assert themes.selected == []  # the first coder's tags are not shown
        await pilot.press("space", "ctrl+s")  # n° 1: communication (agrees)
        await pilot.press("down", "space", "ctrl+s")  # n° 2: service (agrees)
        await pilot.press("space", "ctrl+s")  # n° 3: communication (first said lien)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, AgreementReportScreen)
        text = app.screen.text.plain
        assert "n° 3 — Communication et échanges : 2e codeur seulement" in text
        assert "n° 3 — Lien population-forces : 1er codeur seulement" in text
    report = s.double_coding.report()
    assert report.coded == 3
    assert s.store.get(3).themes == ("lien",)


# -- snapshots (80x24) ---------------------------------------------------------------
def test_snapshot_picker(snap_compare):
    s = make_services()
    s.tagging.codebook.add("lien", "Proximité")
    s.tagging.add([1], "service")
    return_value = snap_compare(Host(lambda: TagPickerScreen(s, [1])), terminal_size=(80, 24))
    assert return_value


def test_snapshot_excerpt_screen(snap_compare):
    s = make_services()
    body = s.contributions.body_text(1)
    s.tagging.add_excerpt(1, 0, body.index("."), "communication", "proposition", "à retenir")

    async def before(pilot):
        pilot.app.screen.query_one(TextArea).cursor_blink = False
        await pilot.press("j", "j")

    assert snap_compare(
        Host(lambda: ExcerptScreen(s, 1)), terminal_size=(80, 24), run_before=before
    )


def test_snapshot_codebook(snap_compare):
    s = make_services()
    s.tagging.codebook.add("service", "Accueil")
    s.tagging.codebook.add("service", "Horaires")
    s.tagging.codebook.retire("service/horaires")
    s.tagging.add([1, 2], "service/accueil")
    s.tagging.add([3], "lien")
    assert snap_compare(Host(lambda: CodebookScreen(s)), terminal_size=(80, 24))


# -- hostile strings ----------------------------------------------------------------
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures import hostile  # noqa: E402


@pytest.mark.parametrize("which", ["picker", "excerpt", "codebook", "double"])
async def test_hostile_text_is_shown_literally(which):
    s = make_services([(hostile.HOSTILE_SUBJECT, hostile.HOSTILE_BODY + " police de proximité")])
    s.tagging.codebook.add("lien", hostile.MARKUP_BOLD + " " + hostile.ANSI_RED)
    s.tagging.add([1], "lien")
    s.double_coding.draw_sample(1, seed=1)
    make = {
        "picker": lambda: TagPickerScreen(s, [1]),
        "excerpt": lambda: ExcerptScreen(s, 1),
        "codebook": lambda: CodebookScreen(s),
        "double": lambda: DoubleCodingScreen(s),
    }[which]
    app = Host(make)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        svg = app.export_screenshot()
    assert "\x1b" not in svg and "\x07" not in svg and "\u202e" not in svg
    assert "[bold]x[/bold]" in svg  # markup shown as text, never interpreted
