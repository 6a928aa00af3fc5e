"""Import from the app: a thread worker with progress; the inbox shows the new mail after."""

from __future__ import annotations

from assises_tui.screens.import_screen import ImportScreen

MBOX = """From alice@example.org Mon Jan 13 14:02:00 2020
From: Alice Durand <alice@example.org>
To: pref-assises-securite-interieure@allier.gouv.fr
Subject: Plus de gendarmes à Gannat
Date: Mon, 13 Jan 2020 14:02:00 +0100
Message-ID: <alice-1@example.org>

Bonjour, il faudrait plus de gendarmes la nuit à Gannat.

From bob@example.org Tue Jan 14 09:00:00 2020
From: Bob Morel <bob@example.org>
To: pref-assises-securite-interieure@allier.gouv.fr
Subject: Vidéoprotection
Date: Tue, 14 Jan 2020 09:00:00 +0100
Message-ID: <bob-1@example.org>

Des caméras au marché de Vichy, s'il vous plaît.
"""


async def test_import_from_the_app(make_app, services, tmp_path):
    mbox = tmp_path / "boite.mbox"
    mbox.write_text(MBOX, encoding="utf-8")
    before = services.store.count()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows_before = len(app.screen.list.ids)
        await pilot.press("i")
        assert isinstance(app.screen, ImportScreen)
        await pilot.press("enter")  # empty path: refused with a sentence
        await pilot.pause()
        app.screen.query_one("#import-path").value = str(tmp_path / "absente.mbox")
        await pilot.press("enter")
        await pilot.pause()
        assert services.store.count() == before
        app.screen.query_one("#import-path").value = str(mbox)
        await pilot.press("enter")
        await app.screen.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert services.store.count() == before + 2
        assert "2 importé(s)" in str(app.screen.query_one("#import-result").render())
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen.list.ids) == rows_before + 2
        # Searchable at once: the index was refreshed after the import.
        assert services.search.search("gannat")
