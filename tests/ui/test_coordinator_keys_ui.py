"""A coordinator's keys on the excerpt, codebook, double-coding and preview screens."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList, TabbedContent

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))

from tagging_support import make_services  # noqa: E402
from test_tagging_ui import Host  # noqa: E402

from assises_tui.errors import AssisesError  # noqa: E402
from assises_tui.screens.codebook import CodebookScreen  # noqa: E402
from assises_tui.screens.double_coding import DoubleCodingScreen  # noqa: E402
from assises_tui.screens.excerpt import ExcerptScreen  # noqa: E402
from assises_tui.widgets.suggestions import SuggestionBar  # noqa: E402


@pytest.fixture
def s():
    return make_services()


def _collect(screen) -> list[str]:
    seen: list[str] = []
    screen.notify = lambda message, **_kw: seen.append(message)
    return seen


async def test_excerpt_suggestions_advertise_no_digit_that_sets_the_kind(s):
    app = Host(lambda: ExcerptScreen(s, 1))  # n° 1 has three suggestions
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(SuggestionBar)
        assert len(bar.suggestions) == 3
        shown = bar.render_text().plain
        assert "[a]" in shown
        assert "[2]" not in shown and "[3]" not in shown
        await pilot.press("2")  # on this screen 2 means "proposition"
        await pilot.pause()
        assert app.screen.query_one("#excerpt-kind").value == "proposition"
    assert s.store.get(1).themes == ()  # and no suggestion was accepted


async def test_codebook_merge_failure_is_not_announced_as_done(s):
    s.tagging.codebook.add("service", "Accueil")
    app = Host(lambda: CodebookScreen(s))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        seen = _collect(screen)

        def refuse(*_args):
            raise AssisesError("Lecture seule : aucune modification possible.")

        s.tagging.codebook.merge = refuse
        keys = [e.key for e in screen.entries]
        screen.query_one(DataTable).move_cursor(row=keys.index("service/accueil"))
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert seen == ["Lecture seule : aucune modification possible."]


async def test_codebook_moves_with_j_and_k(s):
    app = Host(lambda: CodebookScreen(s))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("a", *"Guichet", "enter")  # "a" adds under the row's theme
        await pilot.pause()
    assert "service/guichet" in [e.key for e in s.tagging.codebook.entries()]


async def test_double_coding_empty_sample_prompt_explains(s):
    s.tagging.add([1], "communication")
    app = Host(lambda: DoubleCodingScreen(s))
    async with app.run_test(size=(80, 24)) as pilot:
        seen = _collect(app.screen)
        await pilot.press("s", "enter")  # the "30 7" shown is only an example
        await pilot.pause()
        assert seen and "Indiquez une taille" in seen[-1]


async def test_double_coding_smaller_sample_than_asked_is_said(s):
    s.tagging.add([1], "communication")
    s.tagging.add([2], "service")
    app = Host(lambda: DoubleCodingScreen(s))
    async with app.run_test(size=(80, 24)) as pilot:
        seen = _collect(app.screen)
        await pilot.press("s", *"30 7", "enter")
        await pilot.pause()
        assert app.screen.ids == [1, 2]
        assert seen and "2 contribution(s) seulement" in seen[-1] and "30" in seen[-1]


async def test_kappa_is_written_with_a_decimal_comma(s):
    from assises_tui.screens.double_coding import report_text

    s.tagging.add([1], "communication")
    s.tagging.add([2], "service")
    dc = s.double_coding
    dc.draw_sample(2, 1)
    dc.code(1, ["communication"])
    dc.code(2, ["service"])
    text = report_text(dc.report(), {t.key: t.label for t in s.config.themes}).plain
    assert "kappa 1,00" in text and "kappa 1.00" not in text


async def test_preview_scrolls_at_once_and_switches_tabs_with_digits(tmp_path):
    from synthesis_support import CLEAN_DRAFT
    from synthesis_support import make_services as synthesis_services
    from test_synthesis_ui import Host as SynthesisHost

    from assises_tui.screens.preview import PreviewScreen

    services = synthesis_services(tmp_path)
    services.synthesis.save(CLEAN_DRAFT * 3)  # long enough to scroll
    try:
        async with SynthesisHost(services).run_test(size=(80, 24)) as pilot:
            await pilot.press("f5")
            await pilot.pause(0.3)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            screen = pilot.app.screen
            assert isinstance(screen, PreviewScreen)
            scroll = screen.query_one("#preview-scroll")
            assert screen.focused is scroll
            await pilot.press("pagedown")
            await pilot.pause()
            assert scroll.scroll_y > 0
            await pilot.press("3")
            await pilot.pause()
            assert screen.query_one(TabbedContent).active == "tab-check"
            assert isinstance(screen.focused, OptionList)
            await pilot.press("2")
            await pilot.pause()
            assert screen.query_one(TabbedContent).active == "tab-figures"
            assert screen.title == "Aperçu de la synthèse"
    finally:
        services.workspace.close()


async def test_agreement_report_before_any_coding_says_what_to_do(s):
    from assises_tui.screens.double_coding import report_text

    text = report_text(s.double_coding.report(), {}).plain
    assert "Rien à comparer" in text and "accord observé" not in text


async def test_excerpt_deleted_with_x_right_after_tab(s):
    app = Host(lambda: ExcerptScreen(s, 2))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        seen = _collect(screen)
        await pilot.press("j", "f", "J", "f")  # two excerpts filed
        await pilot.pause()
        assert len(s.store.get(2).excerpts) == 2
        await pilot.press("x")  # from the text: explains where to go
        await pilot.pause()
        assert seen and "Tab jusqu'à la liste des extraits" in seen[-1]
        lst = screen.query_one("#excerpt-list", OptionList)
        lst.focus()
        await pilot.pause()
        await pilot.press("x")  # no arrow key first; it asks first
        await pilot.pause()
        await pilot.press("n")  # declined: nothing deleted
        await pilot.pause()
        assert len(s.store.get(2).excerpts) == 2
        await pilot.press("x", "o")
        await pilot.pause()
        assert len(s.store.get(2).excerpts) == 1
        assert lst.highlighted == 0
        await pilot.press("x", "o")
        await pilot.pause()
    assert s.store.get(2).excerpts == ()


async def test_preview_export_failure_is_a_notification_not_a_crash(tmp_path):
    from synthesis_support import CLEAN_DRAFT
    from synthesis_support import make_services as synthesis_services
    from test_synthesis_ui import Host as SynthesisHost

    from assises_tui.screens.preview import PreviewScreen

    services = synthesis_services(tmp_path)
    services.synthesis.save(CLEAN_DRAFT)

    def broken(*_args, **_kw):
        raise ValueError("bibliothèque en panne")

    services.synthesis.export = broken
    try:
        async with SynthesisHost(services).run_test(size=(80, 24)) as pilot:
            await pilot.press("f5")
            await pilot.pause(0.3)
            screen = pilot.app.screen
            seen = _collect(screen)
            await pilot.press("w")
            await pilot.pause()
            assert isinstance(pilot.app.screen, PreviewScreen)
            assert seen == ["Échec inattendu de l'export DOCX : bibliothèque en panne"]
    finally:
        services.workspace.close()


async def test_picker_partial_theme_label_says_what_will_happen(s):
    from textual.widgets import SelectionList

    from assises_tui.screens.tag_picker import TagPickerScreen

    s.tagging.add([1, 2], "service")
    app = Host(lambda: TagPickerScreen(s, [1, 2, 3]))
    async with app.run_test(size=(80, 24)) as pilot:
        lst = app.screen.query_one("#tag-list", SelectionList)

        def label() -> str:
            return str(lst.get_option("service").prompt)

        assert "(2/3)" in label()
        lst.focus()
        lst.highlighted = 1  # Service rendu
        await pilot.press("space")
        await pilot.pause()
        assert "(posé sur les 3)" in label()
        await pilot.press("space")  # unticked again: now it means "remove"
        await pilot.pause()
        assert "(retiré des 2)" in label()
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert [s.store.get(i).themes for i in (1, 2, 3)] == [(), (), ()]


async def test_double_coding_shows_the_attachments_text(s):
    from tagging_support import add_contribution
    from textual.widgets import TextArea

    from assises_tui.domain.models import Attachment

    letter = s.store.put_blob(b"Lettre : rouvrir la brigade la nuit.")
    cid = add_contribution(
        s,
        "Veuillez trouver ci-joint ma contribution.",
        "Lettre",
        attachments=(Attachment("lettre.pdf", "application/pdf", 10, None, letter),),
        themes=("service",),
    )
    s.double_coding.draw_sample(1, 1, ids=[cid])
    app = Host(lambda: DoubleCodingScreen(s))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = app.screen.query_one("#dc-body", TextArea).text
    assert text.startswith("Veuillez trouver ci-joint")
    assert "── Pièce jointe : lettre.pdf ──" in text
    assert "rouvrir la brigade la nuit" in text


def test_every_coordinator_screen_has_a_french_title_for_the_help():
    from assises_tui.screens.double_coding import AgreementReportScreen
    from assises_tui.screens.preview import PreviewScreen
    from assises_tui.screens.synthesis import SynthesisScreen
    from assises_tui.screens.synthesis_versions import VersionsScreen
    from assises_tui.screens.tag_picker import TagPickerScreen

    screens = (
        AgreementReportScreen,
        CodebookScreen,
        DoubleCodingScreen,
        ExcerptScreen,
        PreviewScreen,
        SynthesisScreen,
        TagPickerScreen,
        VersionsScreen,
    )
    titles = {cls.__name__: cls.TITLE for cls in screens}
    assert all(titles.values()), titles  # else the help shows the class name


async def test_excerpt_screen_shows_attachments_but_files_from_the_body_only(s):
    from tagging_support import add_contribution
    from textual.widgets import TextArea

    from assises_tui.domain.models import Attachment

    letter = s.store.put_blob(b"Lettre : rouvrir la brigade la nuit.")
    body = "Veuillez trouver ci-joint ma contribution."
    cid = add_contribution(
        s,
        body,
        "Lettre",
        attachments=(Attachment("lettre.pdf", "application/pdf", 10, None, letter),),
    )
    app = Host(lambda: ExcerptScreen(s, cid))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        seen = _collect(screen)
        shown = screen.query_one("#excerpt-body", TextArea).text
        assert shown.startswith(body) and "rouvrir la brigade la nuit" in shown
        at = shown.index("rouvrir")
        screen.select_offsets(at, at + len("rouvrir la brigade"))
        await pilot.press("f")
        await pilot.pause()
        assert seen and "pas dans une pièce jointe" in seen[-1]
        assert s.store.get(cid).excerpts == ()
        await pilot.press("k", "f")  # back to the body's sentence: filed as usual
        await pilot.pause()
    assert [e.text for e in s.store.get(cid).excerpts] == [body]
