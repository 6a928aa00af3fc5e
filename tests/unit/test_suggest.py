"""The suggestion engine: keyword prior, learning from reviewers, explanations, no side effects."""

from __future__ import annotations

from tagging_support import add_contribution, make_services

from assises_tui.suggest import Suggestion


def themes_of(suggestions: list[Suggestion]) -> list[str]:
    return [s.theme for s in suggestions]


def test_keyword_prior_alone_suggests_the_right_theme_with_words():
    s = make_services()
    got = s.suggester.suggest_many([1, 2, 3, 4, 5])
    assert themes_of(got[1])[0] == "communication"
    assert "plainte en ligne" in got[1][0].because  # multi-word keyword, as configured
    assert themes_of(got[2])[0] == "service"
    assert themes_of(got[3])[0] == "lien"
    assert "confiance" in got[3][0].because
    assert themes_of(got[4])[0] == "participation"
    assert got[5] == []  # a thank-you note triggers nothing
    assert all(0 < x.confidence <= 1 for x in got[1])


def test_folded_accents_and_inflections_match():
    s = make_services([("x", "DELAIS d'INTERVENTION, securite, cameras de videoprotection")])
    top = s.suggester.suggest(1)
    assert {"service", "communication"} <= set(themes_of(top))


def test_same_stem_different_word_is_not_a_keyword():
    # "commune" and "communication" share the Snowball stem "commun".
    s = make_services([("x", "Ma commune est petite, la commune voisine aussi.")])
    assert "communication" not in themes_of(s.suggester.suggest(1))


def test_suggesting_never_tags_and_excludes_themes_already_set():
    s = make_services()
    s.suggester.suggest_many([1, 2, 3])
    assert all(s.store.get(i).themes == () for i in (1, 2, 3))
    s.tagging.add([1], "communication")
    assert "communication" not in themes_of(s.suggester.suggest(1))
    assert "communication" in themes_of(s.suggester.suggest(1, exclude_tagged=False))


ROADS = "Les radars et la vitesse excessive sur la route départementale, il faut des contrôles."
PARTY = "La fête des voisins et le repas de quartier ont été très réussis cette année."


def test_learning_from_reviewers_changes_a_suggestion():
    s = make_services([])
    target = add_contribution(s, "Trop de vitesse et aucun radar sur notre route.")
    assert "service" not in themes_of(s.suggester.suggest(target))  # no keyword for it
    road_ids = [add_contribution(s, ROADS) for _ in range(12)]
    party_ids = [add_contribution(s, PARTY) for _ in range(12)]
    s.tagging.add(road_ids, "service")
    s.tagging.add(party_ids, "lien")
    assert s.suggester.needs_retrain  # the tag told it
    assert s.suggester.retrain()
    learned = s.suggester.suggest(target)
    assert themes_of(learned)[0] == "service"
    assert {"vitesse", "radar", "route"} & set(learned[0].because)
    # Undoing the reviewers' decision un-learns it.
    s.changes.undo()
    s.changes.undo()
    assert s.suggester.refresh(force=True)  # undo does not notify: the timed scan would see it
    assert "service" not in themes_of(s.suggester.suggest(target))
    assert s.suggester.model.n_labelled == 0


def test_retrain_only_when_labels_change_and_reads_each_text_once(monkeypatch):
    s = make_services()
    s.tagging.add([1, 2], "service")
    assert s.suggester.retrain()
    assert not s.suggester.refresh(force=True)  # same labels: the model is kept
    kept = s.suggester.text_cache().state.entries[1]
    read = []
    real_text = s.suggester._text
    monkeypatch.setattr(s.suggester, "_text", lambda item: read.append(item.id) or real_text(item))
    s.tagging.add([3], "lien")
    assert s.suggester.retrain()
    assert s.suggester.text_cache().state.entries[1] is kept
    assert read == []  # every text was analysed once, at the first training


def test_to_dict_has_the_documented_keys():
    d = Suggestion("lien", 0.81234, ["confiance"]).to_dict()
    assert d == {"theme": "lien", "confidence": 0.812, "because": ["confiance"]}


def test_beyond_the_cap_the_latest_decisions_are_always_learned(monkeypatch):
    import assises_tui.suggest as suggest_module

    monkeypatch.setattr(suggest_module, "MAX_TRAIN", 6)
    s = make_services([])
    ids = [add_contribution(s, ROADS + f" {i}") for i in range(10)]
    s.tagging.add(ids[:9], "service")
    s.suggester.retrain()
    assert s.suggester.model.n_labelled == 6
    s.tagging.add([ids[9]], "lien")
    s.suggester.retrain()
    assert s.suggester.model.n_labelled == 6
    assert ids[9] in s.suggester.learned_from  # the latest tag is among those learned from


def test_stop_makes_a_training_under_way_give_up():
    s = make_services()
    s.tagging.add([1, 2, 3], "service")
    s.suggester.stop()  # the app is closing
    assert not s.suggester.retrain()
    assert s.suggester.model is None
