"""Pilot tests of the drafting flow, the preview and the versions; snapshots."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import OptionList, TabbedContent, TextArea

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))

from synthesis_support import CLEAN_DRAFT, make_services  # noqa: E402

from assises_tui.screens.preview import PreviewScreen  # noqa: E402
from assises_tui.screens.synthesis import SynthesisScreen  # noqa: E402
from assises_tui.screens.synthesis_versions import VersionsScreen  # noqa: E402


class Host(App):
    def __init__(self, services) -> None:
        super().__init__()
        self.services = services

    def on_mount(self) -> None:
        self.push_screen(SynthesisScreen(self.services))


@pytest.fixture
def services(tmp_path):
    s = make_services(tmp_path)
    yield s
    s.workspace.close()


def line_no(text: str, line: str) -> int:
    return text.split("\n").index(line)


async def _cursor_on(pilot, line: str, col: int = 0) -> TextArea:
    editor = pilot.app.screen.query_one("#draft", TextArea)
    editor.move_cursor((line_no(editor.text, line), col))
    await pilot.pause()
    return editor


async def test_insert_excerpt_as_quotation(services):
    services.synthesis.save(CLEAN_DRAFT)
    async with Host(services).run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        editor = await _cursor_on(pilot, "- Des horaires trop courts [#2, #3]")
        assert screen.theme == "service"
        excerpts = screen.query_one("#excerpts", OptionList)
        assert excerpts.option_count == 3  # #2 constat, #2 proposition, #3 constat
        excerpts.focus()
        excerpts.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        lines = editor.text.split("\n")
        at = line_no(editor.text, "- Des horaires trop courts [#2, #3]")
        assert lines[at + 2] == "> « La brigade de Gannat ferme trop tôt le soir » [#2]"
        assert screen.focused is editor
        await pilot.press("ctrl+z")  # undo removes the quotation
        assert "La brigade de Gannat" not in editor.text


async def test_new_proposition_from_marked_excerpts(services):
    services.synthesis.save(CLEAN_DRAFT)
    async with Host(services).run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        editor = await _cursor_on(pilot, "## Service rendu")
        excerpts = screen.query_one("#excerpts", OptionList)
        excerpts.focus()
        excerpts.highlighted = 1
        await pilot.press("space", "down", "space", "p")
        await pilot.pause()
        text = editor.text
        bullet = "- il faut plus de patrouilles [#2, #3]"
        assert bullet in text
        section = text.split("## Service rendu")[1].split("## Conclusion")[0]
        assert section.index("### Propositions") < section.index(bullet)
        assert editor.cursor_location[0] == line_no(text, bullet)
        assert screen.marked == []
        # The outline shows how many distinct contributions support it.
        await pilot.pause(0.5)
        outline = screen.query_one("#outline", OptionList)
        prompts = [str(outline.get_option_at_index(i).prompt) for i in range(outline.option_count)]
        assert any("2\u00a0✉\u00a0il faut plus de patrouilles" in p for p in prompts)


async def test_marking_without_excerpts_warns(services):
    async with Host(services).run_test(size=(120, 40)) as pilot:
        seen: list[str] = []
        pilot.app.screen.notify = lambda message, **_kw: seen.append(message)
        before = pilot.app.screen.query_one("#draft", TextArea).text
        await pilot.press("f9")
        await pilot.pause()
        assert seen and "Marquez d'abord" in seen[-1]
        assert pilot.app.screen.query_one("#draft", TextArea).text == before


async def test_open_citation_under_cursor(services):
    from assises_tui.screens.reader import ReaderScreen

    services.synthesis.save(CLEAN_DRAFT)
    async with Host(services).run_test(size=(120, 40)) as pilot:
        line = "- Des horaires trop courts [#2, #3]"
        await _cursor_on(pilot, line, line.index("#2"))
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReaderScreen)
        assert pilot.app.screen.cid == 2


async def test_autosave_and_restore_a_version(services):
    services.synthesis.save("# Première version\n")
    SynthesisScreen.autosave_seconds = 0.05
    try:
        async with Host(services).run_test(size=(120, 40)) as pilot:
            editor = pilot.app.screen.query_one("#draft", TextArea)
            editor.move_cursor((0, len("# Première version")))
            await pilot.press("space", "b", "i", "s")
            await pilot.pause(0.3)
            assert services.workspace.synthesis_path.read_text() == "# Première version bis\n"
            saved = len(services.synthesis.list_versions())
            assert saved >= 2
            await pilot.press("f8")
            await pilot.pause()
            assert isinstance(pilot.app.screen, VersionsScreen)
            await pilot.press("end", "r")  # the oldest version (newest is listed first)
            await pilot.pause()
            assert isinstance(pilot.app.screen, SynthesisScreen)
            assert editor.text == "# Première version\n"
            assert services.workspace.synthesis_path.read_text() == "# Première version\n"
            assert len(services.synthesis.list_versions()) == saved + 1
    finally:
        SynthesisScreen.autosave_seconds = 3.0


async def test_preview_accept_finding_and_export(services):
    services.synthesis.save(CLEAN_DRAFT.replace("Merci.", "Merci. Tél. 06 12 34 56 78"))
    async with Host(services).run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await pilot.pause(0.3)
        screen = pilot.app.screen
        assert isinstance(screen, PreviewScreen)
        await pilot.press("o")  # refused: the check tab opens
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "tab-check"
        assert not (services.workspace.root / "exports" / "synthese.odt").exists()
        findings = screen.query_one("#findings", OptionList)
        findings.focus()
        findings.highlighted = 0
        await pilot.press("a")
        await pilot.pause()
        assert screen.report.ok
        events = [e for e in services.store.audit() if e["what"] == "synthesis.accept_finding"]
        assert len(events) == 1 and events[0]["kind"] == "phone"
        await pilot.press("o")
        await pilot.pause()
        assert (services.workspace.root / "exports" / "synthese.odt").stat().st_size > 0


async def test_preview_warns_about_empty_sections_and_omits_them(services):
    services.synthesis.save(CLEAN_DRAFT.replace("Merci.", "…"))
    async with Host(services).run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await pilot.pause(0.3)
        screen = pilot.app.screen
        status = str(screen.query_one("#preview-status").render())
        assert "1 section(s) vide(s) (e : les omettre)" in status
        await pilot.press("3")
        findings = screen.query_one("#findings", OptionList)
        shown = str(findings.get_option_at_index(0).prompt)
        assert "« Conclusion » est vide" in shown
        await pilot.press("e", "m")
        await pilot.pause()
        exported = (services.workspace.root / "exports" / "synthese.md").read_text()
        assert "Conclusion" not in exported and "Service rendu" in exported
        events = [e for e in services.store.audit() if e["what"] == "synthesis.export"]
        assert events[-1]["omit_empty"] is True


async def test_enter_on_a_check_finding_goes_to_its_line(services):
    draft = CLEAN_DRAFT.replace("Merci.", "Merci. Tél. 06 12 34 56 78")
    services.synthesis.save(draft)
    line = draft.split("\n").index("Merci. Tél. 06 12 34 56 78")
    async with Host(services).run_test(size=(120, 40)) as pilot:
        editor = pilot.app.screen.query_one("#draft", TextArea)
        editor.move_cursor((0, 0))
        await pilot.press("f5")
        await pilot.pause(0.3)
        await pilot.press("3")  # the check tab, the finding highlighted
        findings = pilot.app.screen.query_one("#findings", OptionList)
        findings.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SynthesisScreen)
        assert editor.cursor_location[0] == line
        assert pilot.app.screen.focused is editor


async def test_editor_keys_work_on_lines_not_screen_rows(services):
    long_line = " ".join(f"mot{n}" for n in range(60))  # wraps over several rows
    services.synthesis.save(f"# Titre\n\n{long_line}\nSuite\n")
    async with Host(services).run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        editor = screen.query_one("#draft", TextArea)
        assert editor.size.width >= 80  # wide enough to write in at 120 columns
        editor.move_cursor((2, 0))
        await pilot.press("end")
        assert 0 < editor.cursor_location[1] < len(long_line)  # the row's end first
        await pilot.press("end")
        assert editor.cursor_location == (2, len(long_line))  # then the line's
        await pilot.press("home", "home")
        assert editor.cursor_location == (2, 0)
        await pilot.press("right", "right", "right", "right", "ctrl+k")
        assert editor.text.split("\n")[2] == "mot0"  # the whole rest of the line
        assert editor.text.split("\n")[3] == "Suite"
        await pilot.press("question_mark")  # a question mark in a draft is typed
        assert editor.text.split("\n")[2] == "mot0?"


async def test_hostile_excerpt_is_shown_literally(services):
    from fixtures import hostile

    from assises_tui.domain.models import Excerpt

    item = services.store.get(2)
    nasty = f"{hostile.MARKUP_CLICK} {hostile.ANSI_RED} {hostile.OSC52}"
    services.changes.set_fields(
        [2],
        "excerpt",
        excerpts=item.excerpts + (Excerpt("h", 0, 5, nasty, "service", "citation"),),
    )
    services.synthesis.save(CLEAN_DRAFT)
    async with Host(services).run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        await _cursor_on(pilot, "## Service rendu")
        excerpts = screen.query_one("#excerpts", OptionList)
        prompts = [
            str(excerpts.get_option_at_index(i).prompt) for i in range(excerpts.option_count)
        ]
        shown = next(p for p in prompts if "clic" in p)
        assert "[@click=app.quit]clic[/]" in shown and "\x1b" not in shown
        excerpts.focus()
        excerpts.highlighted = len(prompts) - 1
        await pilot.press("enter")
        assert "\x1b" not in screen.query_one("#draft", TextArea).text


# -- snapshots --------------------------------------------------------------------------
def _before(line: str):
    async def run(pilot):
        screen = pilot.app.screen
        screen.query_one("#draft", TextArea).cursor_blink = False
        await _cursor_on(pilot, line)
        await pilot.pause(0.4)

    return run


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_snapshot_drafting_screen(snap_compare, tmp_path, size):
    s = make_services(tmp_path)
    s.synthesis.save(CLEAN_DRAFT)
    try:
        assert snap_compare(Host(s), terminal_size=size, run_before=_before("## Service rendu"))
    finally:
        s.workspace.close()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_snapshot_preview(snap_compare, tmp_path, size):
    s = make_services(tmp_path)
    s.synthesis.save(CLEAN_DRAFT)

    async def run(pilot):
        pilot.app.screen.query_one("#draft", TextArea).cursor_blink = False
        await pilot.press("f5")
        await pilot.pause(0.3)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    try:
        assert snap_compare(Host(s), terminal_size=size, run_before=run)
    finally:
        s.workspace.close()


async def test_escape_from_the_editor_saves_and_closes(services):
    async with Host(services).run_test(size=(120, 40)) as pilot:
        editor = pilot.app.screen.query_one("#draft", TextArea)
        assert pilot.app.screen.focused is editor
        editor.insert("Note rapide\n", (0, 0))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, SynthesisScreen)
        assert services.workspace.synthesis_path.read_text().startswith("Note rapide\n")


async def test_read_only_workspace_never_writes(services):
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace

    services.synthesis.save(CLEAN_DRAFT)
    root = services.workspace.root
    services.workspace.close()
    viewer = Services(Workspace.open(root, read_only=True))
    SynthesisScreen.autosave_seconds = 0.05
    try:
        async with Host(viewer).run_test(size=(120, 40)) as pilot:
            editor = pilot.app.screen.query_one("#draft", TextArea)
            editor.insert("X", (0, 0))
            await pilot.pause(0.2)
            await pilot.press("f8", "r")  # restoring is refused, not a crash
            await pilot.pause()
            await pilot.press("escape", "escape")
            await pilot.pause()
            assert not isinstance(pilot.app.screen, SynthesisScreen)
    finally:
        SynthesisScreen.autosave_seconds = 3.0
        viewer.workspace.close()
    assert (root / "synthesis.md").read_text() == CLEAN_DRAFT
    assert len(list((root / "synthesis_versions").iterdir())) == 1


async def test_support_of_the_point_under_the_cursor_is_shown(services):
    services.synthesis.save(CLEAN_DRAFT)
    async with Host(services).run_test(size=(80, 24)) as pilot:
        await _cursor_on(pilot, "- Plus de patrouilles le soir [#2, #3]")
        label = pilot.app.screen.query_one("#theme-label")
        assert str(label.render()) == "Thème : Service rendu · P 2 ✉"


async def test_quitting_before_the_autosave_keeps_the_text(services):
    async with Host(services).run_test(size=(120, 40)) as pilot:
        editor = pilot.app.screen.query_one("#draft", TextArea)
        editor.insert("Dernière phrase\n", (0, 0))
        await pilot.pause()
    assert services.workspace.synthesis_path.read_text().startswith("Dernière phrase\n")


ADDRESS = "pref-assises-securite-interieure@allier.gouv.fr"


def _rows(editor: TextArea, line: int) -> list[str]:
    return editor.wrapped_document.lines[line]


async def test_editor_rows_break_between_words_never_inside_one(services):
    # « n° 6 » and « ? » hold non-breaking spaces; the address is longer than a row at 80.
    paragraph = " ".join(f"la proposition n°\u00a0{n} convient-elle\u00a0?" for n in range(30))
    services.synthesis.save(f"# Titre\n\n{paragraph}\n\nÉcrire à {ADDRESS} avant le 20/01.\n")
    async with Host(services).run_test(size=(80, 24)) as pilot:
        editor = pilot.app.screen.query_one("#draft", TextArea)
        assert len(_rows(editor, 2)) > 5 and len(_rows(editor, 4)) >= 2  # as shown at 80
        for width in range(24, 60):  # and at every width the window may give it
            editor.wrapped_document.wrap(width)
            rows = _rows(editor, 2)
            for row, following in zip(rows, rows[1:], strict=False):
                assert row.endswith(" ") or following.startswith(" "), (row, following)
                assert not row.endswith("\u00a0"), row  # « n° » stays with its number
            address_rows = _rows(editor, 4)
            joined = "".join(address_rows)
            assert ADDRESS in joined and all(len(r.rstrip()) <= width for r in address_rows)
            cut = 0
            for row in address_rows[:-1]:
                cut += len(row)
                # cut after « - » or « / », or before « @ » or « . », never between letters
                assert row[-1] in " -/" or joined[cut] in "@.", (width, address_rows)


async def test_editor_moves_by_row_and_by_paragraph_like_a_word_processor(services):
    long_line = " ".join(f"mot{n}" for n in range(60))  # several rows at 120 columns
    services.synthesis.save(f"# Titre\n\n{long_line}\nSuite\n")
    async with Host(services).run_test(size=(120, 40)) as pilot:
        editor = pilot.app.screen.query_one("#draft", TextArea)
        editor.move_cursor((2, 0))
        await pilot.press("down")  # ↓ inside a paragraph: its next row, as in Word
        assert editor.cursor_location[0] == 2 and editor.cursor_location[1] > 0
        await pilot.press("ctrl+down")  # Ctrl+↓: the next paragraph
        assert editor.cursor_location == (3, 0)
        await pilot.press("right", "ctrl+up")  # Ctrl+↑: this paragraph's start…
        assert editor.cursor_location == (3, 0)
        await pilot.press("ctrl+up")  # …then the previous one's
        assert editor.cursor_location == (2, 0)
        await pilot.press("ctrl+shift+down")
        assert editor.selected_text == long_line + "\n"
        await pilot.press("ctrl+end")
        assert editor.cursor_location == (4, 0)
        await pilot.press("ctrl+home")
        assert editor.cursor_location == (0, 0)
        await pilot.press("ctrl+a")  # everything, as everywhere else
        assert editor.selected_text == editor.text
        editor.move_cursor((2, 10))
        await pilot.press("end", "end", "ctrl+u")  # Ctrl+U: the whole line before the cursor
        assert editor.text.split("\n")[2] == ""
        await pilot.press("ctrl+z")
        assert editor.text.split("\n")[2] == long_line
        editor.move_cursor((2, 0))
        await pilot.press("ctrl+delete")  # Ctrl+Suppr: the next word, as in Word
        assert editor.text.split("\n")[2].startswith(" mot1 ")


async def test_help_lists_the_editor_keys_in_french(services):
    from assises_tui.screens.help import help_rows

    async with Host(services).run_test(size=(120, 40)) as pilot:
        described = [desc for _keys, desc in help_rows(pilot.app, pilot.app.screen)]
        assert "Paragraphe suivant" in described
        assert "Effacer jusqu'à la fin du paragraphe" in described
        # the screen's commands first, the editor's keys after them
        assert described.index("Aperçu") < described.index("Paragraphe suivant")
