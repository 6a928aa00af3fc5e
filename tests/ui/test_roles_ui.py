"""A reviewer's session (``assises serve`` with a reviewer account) is refused the
coordinator's actions — editing the codebook, exporting — with the reason, and nothing
is changed; a coordinator's session does them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.app import App

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))

from synthesis_support import CLEAN_DRAFT, make_services  # noqa: E402

from assises_tui.screens.codebook import CodebookScreen  # noqa: E402
from assises_tui.screens.preview import PreviewScreen  # noqa: E402


class Host(App):
    def __init__(self, make_screen) -> None:
        super().__init__()
        self.make_screen = make_screen

    def on_mount(self) -> None:
        self.push_screen(self.make_screen())


@pytest.fixture
def services(tmp_path):
    s = make_services(tmp_path)
    yield s
    s.workspace.close()


def _collect(screen) -> list[str]:
    seen: list[str] = []
    screen.notify = lambda message, **_kw: seen.append(message)
    return seen


@pytest.mark.parametrize("key", ["a", "r", "m", "d"])
async def test_reviewer_cannot_edit_the_codebook(services, key):
    services.tagging.codebook.add("service", "Accueil")
    services.workspace.role = "reviewer"
    before = services.tagging.codebook.entries()
    app = Host(lambda: CodebookScreen(services))
    async with app.run_test(size=(100, 30)) as pilot:
        seen = _collect(app.screen)
        keys = [e.key for e in app.screen.entries]
        app.screen.query_one("DataTable").move_cursor(row=keys.index("service/accueil"))
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)  # no prompt was opened
        assert any(m.startswith("Réservé aux coordinateurs") for m in seen), seen
    assert services.tagging.codebook.entries() == before


@pytest.mark.parametrize("role, exported", [("reviewer", False), ("coordinator", True)])
async def test_only_a_coordinator_exports(services, role, exported):
    services.synthesis.save(CLEAN_DRAFT)
    services.workspace.role = role
    app = Host(lambda: PreviewScreen(services, CLEAN_DRAFT))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        seen = _collect(app.screen)
        await pilot.press("m")
        await pilot.pause(0.3)
    path = services.workspace.root / "exports" / "synthese.md"
    assert path.exists() is exported
    assert any(m.startswith("Réservé aux coordinateurs") for m in seen) is not exported
    events = [e for e in services.store.audit() if e["what"] == "synthesis.export"]
    assert len(events) == (1 if exported else 0)
