"""Saved searches (kept in the workspace) and the stats service."""

from __future__ import annotations

import pytest
from search_fixtures import make_services, record, sample

from assises_tui.errors import AssisesError
from assises_tui.services.saved_searches import SavedSearches
from assises_tui.services.stats import stats


@pytest.fixture
def services(tmp_path):
    s = make_services(tmp_path)
    sample(s)
    return s


def test_save_list_get_delete(services):
    saved = services.saved_searches
    assert saved.list() == []
    saved.save("Urgent", "status:new late:oui")
    saved.save("à revoir", "has:note")
    assert saved.list() == [("à revoir", "has:note"), ("Urgent", "status:new late:oui")]
    assert saved.get("urgent") == "status:new late:oui"  # case and accents ignored
    assert saved.get("A REVOIR") == "has:note"
    assert saved.get("absent") is None
    saved.save("URGENT", "status:new")  # same name: replaced, not duplicated
    assert saved.list() == [("à revoir", "has:note"), ("URGENT", "status:new")]
    assert saved.delete("urgent") is True
    assert saved.delete("urgent") is False
    assert saved.list() == [("à revoir", "has:note")]


def test_saved_searches_live_in_the_store_document(services):
    services.saved_searches.save("Police", "police")
    assert services.store.get_doc("saved_searches") == {
        "version": 1,
        "searches": [{"name": "Police", "query": "police"}],
    }
    assert SavedSearches(services.store).get("police") == "police"  # a new session sees it


def test_saved_search_names_are_checked_and_cleaned(services):
    saved = services.saved_searches
    with pytest.raises(AssisesError, match="Donnez un nom"):
        saved.save("  \x1b[31m ", "x")
    with pytest.raises(AssisesError, match="80 caractères"):
        saved.save("n" * 81, "x")
    saved.save("Rouge\x1b[31m\x07", "x")
    assert saved.list() == [("Rouge", "x")]


def test_damaged_document_entries_are_skipped(services):
    services.store.put_doc("saved_searches", {"searches": [{"query": "x"}, "junk", {"name": "ok"}]})
    assert services.saved_searches.list() == [("ok", "")]


def test_stats_counts(services):
    store = services.store
    store.add_many(
        [
            record(
                store,
                9,
                "x",
                themes=("lien", "lien/ecole", "ancien"),
                late=True,
                contributor_category="martien",
                date_uncertain=True,
            )
        ]
    )
    store.add_quarantine("a.eml", "illisible", None)
    store.add_quarantine("b.eml", "illisible", None)
    data = stats(services.store, services.config)
    assert data["total"] == 7 and data["quarantined"] == 2
    assert data["open"] == 4  # 1, 3, 5 and 9
    assert sum(data["by_status"].values()) == 7
    assert data["by_theme"] == {
        "communication": 1,
        "service": 1,
        "lien": 2,
        "participation": 1,
        "ancien": 1,
    }  # a sub-theme counts once for its theme
    # Over the 5 contributions (4 « hors contribution » and 6 the duplicate are set aside):
    # only 3 lacks a theme; 9's date is uncertain, so neither late nor on time.
    assert data["contributions"] == 5
    assert data["untagged"] == 1
    assert (data["late"], data["on_time"], data["date_uncertain"]) == (1, 3, 1)
    assert data["by_category"]["martien"] == 1 and data["by_category"]["none"] == 1
    assert list(data["by_category"])[:2] == ["citoyen", "elu"]
    assert data["assigned"] == 2


def test_stats_of_an_empty_workspace(tmp_path):
    empty = make_services(tmp_path)
    data = stats(empty.store, empty.config)
    assert data["total"] == 0 and data["open"] == 0
    assert set(data["by_status"].values()) == {0}
