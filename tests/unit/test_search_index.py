"""SearchIndex: free words, phrases, fields, incremental refresh, persistence, corruption."""

from __future__ import annotations

from dataclasses import replace

import pytest
from search_fixtures import make_services, new_index, record, sample

from assises_tui.domain.models import Excerpt, Status
from assises_tui.search import index as index_mod
from assises_tui.search import parse_query
from assises_tui.search.wordindex import WordIndex


@pytest.fixture
def services(tmp_path):
    s = make_services(tmp_path)
    sample(s)
    return s


@pytest.fixture
def idx(services):
    index = new_index(services)
    assert index.refresh() == 6
    return index


def find(idx, text, **kw):
    return idx.search(parse_query(text, idx.config, prefix_last=False), **kw)


def test_free_words_ignore_accents_and_case_in_every_text(idx):
    assert find(idx, "securite") == [1]  # body and subject "Sécurité"
    assert find(idx, "SÉCURITÉ") == [1]
    assert find(idx, "dupont") == [1]  # sender name
    assert find(idx, "orange") == [1]  # sender address
    assert find(idx, "automatique") == [4]  # subject only
    assert find(idx, "vigilants") == [5]  # attachment text only
    assert find(idx, "yzeure") == [4]
    assert find(idx, "coeur") == [6]  # œ ligature


def test_words_are_anded_and_unknown_word_finds_nothing(idx):
    assert find(idx, "plainte ligne") == [2, 6]
    assert find(idx, "plainte ligne vols") == [2]
    assert find(idx, "zorglub") == []
    assert find(idx, "plainte zorglub") == []


def test_phrase_requires_consecutive_words(idx):
    assert find(idx, '"plainte en ligne"') == [2]  # 6 has "en ligne, la plainte"
    assert find(idx, '"en ligne"') == [2, 6]
    assert find(idx, '"police de proximité"') == [1]
    assert find(idx, '"proximité police"') == []
    assert find(idx, '-"plainte en ligne" plainte') == [6]


def test_prefix_on_last_word_while_typing(idx):
    assert idx.search("secur") == [1, 6]  # sécurité, sécurisé
    assert idx.search("secur ") == []
    assert idx.search("gendar") == [3]
    assert idx.search("vigil") == [5]


def test_negated_words_and_fields(idx):
    assert find(idx, "plainte -vols") == [6]
    assert find(idx, "-plainte") == [1, 3, 4, 5]
    assert find(idx, "-status:new") == [2, 3, 4, 6]


def test_every_field(idx):
    assert find(idx, "id:2,5") == [2, 5]
    assert find(idx, "id:2-4") == [2, 3, 4]
    assert find(idx, "id:99") == []
    assert find(idx, "from:dupont") == [1]
    assert find(idx, 'from:"ecoles d\'y"') == [4]
    assert find(idx, "from:orange.fr") == [1]
    assert find(idx, "subject:reponse") == [3, 4]
    assert find(idx, "theme:lien") == [1]
    assert find(idx, "theme:service") == [2]  # sub-theme service/accueil
    assert find(idx, "theme:part") == [5]  # label/key prefix
    assert find(idx, "theme:Communication") == [2]
    assert find(idx, "theme:aucun") == [3, 4, 6]
    assert find(idx, "status:traite") == [2]
    assert find(idx, "status:new,en_cours") == [1, 3, 5]
    assert find(idx, "late:oui") == [3]
    assert find(idx, "late:no") == [1, 2, 4, 5, 6]
    assert find(idx, "has:attachment") == [5]
    assert find(idx, "has:note") == [3]
    assert find(idx, "has:excerpt") == []
    assert find(idx, "assignee:me") == [2]
    assert find(idx, "assignee:paul") == [3]
    assert find(idx, "assignee:none") == [1, 4, 5, 6]
    assert find(idx, "cluster:3") == [2, 3]
    assert find(idx, "category:élu") == [2]
    assert find(idx, "category:citoyen,association") == [1, 5]


def test_fields_and_words_combine(idx):
    assert find(idx, "plainte status:done") == [2]
    assert find(idx, "vol cluster:3 late:oui") == [3]
    assert find(idx, "ligne -status:doublon") == [2]


def test_faulty_terms_are_ignored_and_empty_query_returns_all(idx):
    assert find(idx, "") == [1, 2, 3, 4, 5, 6]
    assert find(idx, "couleur:bleu plainte") == [2, 6]


def test_search_within_given_ids(idx):
    assert idx.search("ligne ", ids=[6, 1, 2]) == [2, 6]
    assert idx.search("", ids=[5, 3, 77]) == [3, 5]
    assert idx.search("id:1-6 ", ids=[4, 5]) == [4, 5]


def test_matches_checks_metadata_only(idx, services):
    item = services.store.get(2)
    assert idx.matches("status:done theme:communication", item)
    assert not idx.matches("status:new", item)
    assert idx.matches("zorglub", item)  # free words are not looked at
    done = replace(services.store.get(1), status=Status.DONE)
    assert idx.matches("status:traite", done)


def test_excerpts_field(idx, services):
    item = services.store.get(1)
    services.store.save(replace(item, excerpts=(Excerpt("e1", 0, 5, "La sé", "lien", "constat"),)))
    assert find(idx, "has:extrait") == [1]


def test_refresh_is_incremental_and_fresh_records_are_found_before_it(services, idx):
    store = services.store
    store.add_many([record(store, 7, "Les radars pédagogiques rassurent.")])
    assert find(idx, "radars") == [7]  # not indexed yet: scanned directly
    assert idx.pending() == 1
    assert idx.refresh() == 1
    assert idx.refresh() == 0
    assert find(idx, "radars") == [7]


def test_changed_body_is_reindexed(services, idx):
    store = services.store
    old = store.get(3)
    store.save(replace(old, body_blob=store.put_blob(b"Texte anonymise.")))
    assert idx.refresh() == 1
    assert find(idx, "gendarmerie") == []
    assert find(idx, "anonymise") == [3]
    assert find(idx, "reponse") == [3, 4]  # subject still indexed


def test_follow_reindexes_only_what_others_changed_and_does_not_save(services, idx):
    store = services.store
    saved = idx.path.read_bytes()
    store.save(replace(store.get(3), body_blob=store.put_blob(b"Texte anonymise.")))
    store.save(replace(store.get(4), status=Status.DONE))  # words unchanged
    assert idx.follow([3, 4]) == 1
    assert find(idx, "gendarmerie") == []
    assert find(idx, "anonymise") == [3]
    assert idx.follow([3, 4]) == 0
    assert idx.path.read_bytes() == saved  # the next start's refresh saves it
    assert new_index(services).refresh() == 1


def test_persisted_index_is_reloaded_without_reindexing(services, idx, monkeypatch):
    assert idx.path.exists()
    fresh = new_index(services)
    calls = []
    monkeypatch.setattr(fresh, "texts", lambda item: calls.append(item.id) or ())
    assert fresh.refresh() == 0
    assert calls == []
    assert find(fresh, "vigilants") == [5]
    assert fresh.search("secur") == [1, 6]


def test_corrupt_index_is_rebuilt(services, idx):
    data = bytearray(idx.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    idx.path.write_bytes(bytes(data))
    fresh = new_index(services)
    assert fresh.refresh() == 6
    assert fresh.load_problem and "reconstruit" in fresh.load_problem
    assert find(fresh, "vigilants") == [5]
    assert new_index(services).refresh() == 0  # the rebuilt file is sound


@pytest.mark.parametrize("garbage", [b"", b"ASSIDX", b"\x00" * 64, b"not an index at all"])
def test_garbage_index_files_are_rebuilt(services, idx, garbage):
    idx.path.write_bytes(garbage)
    assert new_index(services).refresh() == 6


def test_read_only_refresh_does_not_write(tmp_path):
    writer = make_services(tmp_path)
    sample(writer)
    writer.store.close()
    services = make_services(tmp_path, read_only=True, volume=writer.store.volume)
    index = new_index(services)
    assert index.refresh() == 6
    assert not index.path.exists()
    assert find(index, "vigilants") == [5]


def test_word_index_round_trip_and_out_of_order_ids():
    w = WordIndex()
    w.add(5, {"b", "a"}, 1)
    w.add(2, {"a"}, 2)
    w.add(9, {"c"}, 3)
    w.remove({9})
    back = WordIndex.from_bytes(w.to_bytes())
    assert list(back.lookup("a")) == [2, 5]
    assert back.lookup("c").tolist() == []
    assert back.sigs == {5: 1, 2: 2}
    assert back.words_with_prefix("a") == ["a"]


def test_phrase_checks_are_bounded_unless_exhaustive(idx, monkeypatch):
    monkeypatch.setattr(index_mod, "PHRASE_BUDGET_S", -1.0)
    assert find(idx, '"plainte en ligne"') == [2, 6]  # unchecked candidates kept
    assert idx.truncated
    assert find(idx, '"plainte en ligne"', exhaustive=True) == [2]
    assert not idx.truncated


def test_progress_is_reported(tmp_path):
    services = make_services(tmp_path)
    sample(services)
    seen = []
    new_index(services).refresh(progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (6, 6)


def test_metadata_results_follow_changes(tmp_path):
    """Cached term sets are dropped when the records change."""
    services = make_services(tmp_path)
    sample(services)
    index = new_index(services)
    store = services.store
    assert index.search("status:new from:personne") == [5]
    store.save(replace(store.get(1), status=Status.DONE))
    store.save(replace(store.get(3), status=Status.NEW))
    assert index.search("status:new from:personne") == [3, 5]
    store.add_many([record(store, 8, "x", sender_name="Personne huit")])
    assert index.search("status:new from:personne") == [3, 5, 8]
    assert index.search("-status:new") == [1, 2, 4, 6]
    assert index.search("") == [1, 2, 3, 4, 5, 6, 8]


def test_repeated_metadata_terms_are_served_from_cache(services, idx, monkeypatch):
    assert find(idx, "status:new theme:aucun") == []
    store = services.store
    calls = []
    real_all = store.all
    monkeypatch.setattr(store, "all", lambda: calls.append(1) or real_all())
    assert idx.search("status:new vol") == []
    assert idx.search("status:new securite ") == [1]
    assert idx.search("status:new,en_cours theme:aucun") == [3]
    assert calls == []  # grouped once, before; unions of cached groups since
    store.save(replace(store.get(5), status=Status.DONE))
    assert idx.search("status:new") == [1]
    assert len(calls) == 1


METADATA_QUERIES = [
    "status:new",
    "-status:new",
    "status:done,doublon",
    "theme:lien",
    "theme:service",
    "theme:aucun",
    "-theme:aucun",
    "late:oui",
    "late:non",
    "has:pj",
    "has:note,theme",
    "has:assignee",
    "assignee:me",
    "assignee:aucun",
    "assignee:pa",
    "-assignee:none",
    "cluster:3",
    "cluster:aucun",
    "category:elu,aucune",
    "from:personne",
    "-from:dupont",
    "subject:reponse",
    "id:2-4",
    "-id:3",
    "status:new theme:part",
    "-late:oui -status:doublon",
    "theme:service/accueil",
    "-theme:service/accueil",
    "theme:lien,communication",
]


@pytest.mark.parametrize("text", METADATA_QUERIES)
def test_search_and_matches_agree(idx, services, text):
    q = parse_query(text, services.config)
    assert q.errors == ()
    expected = [c.id for c in services.store.all() if idx.matches(q, c)]
    assert idx.search(q) == expected


@pytest.mark.parametrize("few", [0, 10**9])
def test_prefix_with_other_words_both_strategies(idx, monkeypatch, few):
    monkeypatch.setattr(index_mod, "FEW_LOOKUPS", few)
    assert idx.search("ligne pl") == [2, 6]  # plainte
    assert idx.search("plainte secu") == [6]  # sécurisé
    assert idx.search("status:new prox") == [1]
    assert idx.search("la vi") == [5, 6]  # vigilants (attachment of 5), ville (6)
    assert idx.search("la vig") == [5]
    assert idx.search("la zz") == []


def test_warm_prepares_groups_so_searches_do_not_scan(services, idx, monkeypatch):
    idx.warm()
    calls = []
    real_all = services.store.all
    monkeypatch.setattr(services.store, "all", lambda: calls.append(1) or real_all())
    assert idx.search("theme:lien has:theme,note -late:oui from:dupont subject:securite") == [1]
    assert calls == []


def test_complements_of_common_words_follow_changes():
    w = WordIndex()
    for cid in range(1, 5):
        w.add(cid, {"le"} | ({"rare"} if cid == 2 else set()), cid)
    assert w.is_common("le") and not w.is_common("rare")
    assert w.complement("le") == frozenset()
    assert w.complement("rare") == {1, 3, 4}
    w.add(5, {"autre"}, 5)
    assert w.complement("le") == {5}
    w.remove({2})
    assert w.complement("rare") == {1, 3, 4, 5} and w.all_ids() == {1, 3, 4, 5}


def test_sub_themes_and_hyphenated_keys(idx, services):
    assert find(idx, "theme:service/accueil") == [2]
    assert find(idx, "theme:service/autre") == []
    assert find(idx, "theme:communication/accueil") == []
    from dataclasses import replace as dc_replace

    from assises_tui.config import Theme
    from assises_tui.search import resolve_themes

    config = dc_replace(
        services.config,
        themes=services.config.themes + (Theme("paix-publique", "Paix publique", "d"),),
    )
    assert resolve_themes(("paix-publique",), config) == (frozenset({"paix-publique"}), [])
    assert resolve_themes(("paix publ",), config)[0] == {"paix-publique"}
    assert resolve_themes(("lien population",), config)[0] == {"lien"}
    assert resolve_themes(("aucun",), config)[0] == {""}
    keys, errors = resolve_themes(("zz/yy",), config)
    assert keys == frozenset() and errors[0].startswith("Thème inconnu « zz/yy »")
