"""The theme model (analysis/): thresholds, calibration, explanations, what to tag next,
and sub-themes through the codebook's renames and merges. Small data: seconds, not minutes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tagging_support import add_contribution, make_services

from assises_tui.analysis.features import FeatureSpace
from assises_tui.analysis.keywords import KeywordPrior
from assises_tui.analysis.model import _best_threshold, model_weight, train
from assises_tui.analysis.priority import priority_order, uncertainty
from assises_tui.config import bundled_config_dir, load_consultation

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "suggest_eval" / "labelled.jsonl"
THEMES = load_consultation(bundled_config_dir() / "consultation.toml").themes
KEYS = [t.key for t in THEMES]


LEARN = 160  # of the first 240 labelled texts; the other 80 are held out


@pytest.fixture(scope="module")
def trained():
    """One model for the tests that need real texts (training is the slow part)."""
    rows = [json.loads(line) for line in FIXTURE.read_text("utf-8").splitlines()][:240]
    texts, sets = [r["text"] for r in rows], [set(r["themes"]) for r in rows]
    features = FeatureSpace().fit(texts)
    prior = KeywordPrior(THEMES)
    scores = np.array([[prior.score(t)[k][0] for k in KEYS] for t in texts])
    matrix = features.transform(texts)
    model = train(features, matrix[:LEARN], sets[:LEARN], KEYS, scores[:LEARN], [True] * 4, KEYS)
    return model, matrix, scores, sets


def test_learned_model_beats_chance_on_held_out_texts_and_reports_its_own_f1(trained):
    model, rows, prior, sets = trained
    confidence = model.scores(rows[LEARN:], prior[LEARN:])
    decided = confidence >= model.thresholds()
    truth = np.array([[k in s for k in KEYS] for s in sets[LEARN:]])
    service = KEYS.index("service")
    tp = (decided[:, service] & truth[:, service]).sum()
    f1 = 2 * tp / (decided[:, service].sum() + truth[:, service].sum())
    assert f1 > 0.7  # the frequent theme is learned from 160 examples
    assert 0.5 < model.cv_micro_f1 < 1 and 0 < model.cv_macro_f1 <= model.cv_micro_f1 + 0.2
    stats = {s.key: s for s in model.stats}
    assert stats["service"].learned and stats["service"].calibrated
    assert stats["service"].positives == sum("service" in s for s in sets[:LEARN])
    # The keyword prior fades as examples accumulate.
    assert stats["service"].model_weight > stats["communication"].model_weight
    assert model_weight(0, 50) == 0 and model_weight(200, 200) > 0.9


def test_reliability_bands_count_every_out_of_fold_suggestion(trained):
    model = trained[0]
    total = sum(b.count for b in model.reliability)
    assert total > 0
    for band in model.reliability:
        if band.count:
            assert band.low <= band.mean_confidence < band.high + 1e-9
            assert 0 <= band.precision <= 1
    # Calibrated: the surest band is right more often than the least sure.
    filled = [b for b in model.reliability if b.count >= 5]
    assert filled[-1].precision > filled[0].precision


def test_threshold_is_chosen_for_f1_not_fixed_at_one_half():
    confidence = np.array([0.1, 0.2, 0.25, 0.3, 0.35, 0.9])
    truth = np.array([0, 0, 1, 1, 1, 1])
    assert _best_threshold(confidence, truth) == pytest.approx(0.25, abs=0.01)


def test_few_examples_leave_the_theme_to_its_keywords():
    texts = ["la gendarmerie ferme", "plainte en ligne", "voisins vigilants", "rien"] * 3
    sets = [{"service"}, {"communication"}, {"participation"}, set()] * 3
    features = FeatureSpace().fit(texts)
    prior = np.zeros((12, 4))
    model = train(features, features.transform(texts), sets, KEYS, prior, [True] * 4, KEYS)
    stats = {s.key: s for s in model.stats}
    assert not stats["lien"].learned and stats["lien"].model_weight == 0
    assert stats["service"].learned  # 3 with, 9 without


def test_explanation_names_the_words_that_weighed():
    texts = ["la brigade de gendarmerie ferme le soir", "fête des voisins au quartier"] * 4
    features = FeatureSpace().fit(texts)
    rows = features.transform(texts)
    weights = np.zeros(features.n_features, dtype=np.float32)
    target = features.transform(["gendarmerie"])
    weights[target.indices] = 1.0  # everything "gendarmerie" hashes to pushes up
    because = features.explain(texts[0], rows[0], weights)
    assert because[0] == "gendarmerie"
    assert "la" not in because and "le" not in because  # stop words are never named


def test_priority_prefers_uncertain_and_diverse():
    thresholds = np.array([0.5])
    scores = np.array([[0.99], [0.5], [0.52], [0.45], [0.02]])
    u = uncertainty(scores, thresholds)
    assert u[1] == pytest.approx(1.0) and u[0] < 0.05 and u[4] < 0.05
    # Rows 1 and 2 are the same text (a campaign); 3 is different and almost as uncertain.
    latent = np.array([[1, 0], [0, 1], [0, 1], [1, 0], [1, 0]], dtype=float)
    order = priority_order(scores, thresholds, latent)
    assert order[:2] == [1, 3]  # the copy of row 1 waits
    assert sorted(order) == [0, 1, 2, 3, 4]


CAMPAIGN = (
    "L'accueil du commissariat est fermé le week-end, personne au guichet pour porter plainte."
)
OTHER = "Les voisins vigilants se réunissent avec le maire pour la tranquillité du quartier."


def test_sub_themes_are_learned_and_follow_renames_merges_and_retirement():
    s = make_services([])
    codebook = s.tagging.codebook
    codebook.add("service", "Accueil")
    codebook.add("service", "Guichet")
    reception = [add_contribution(s, CAMPAIGN + f" Lettre {i}.") for i in range(8)]
    others = [add_contribution(s, OTHER + f" Lettre {i}.") for i in range(8)]
    target = add_contribution(s, "Le guichet d'accueil du commissariat ferme trop tôt.")
    s.tagging.add(reception, "service/accueil")
    s.tagging.add(others, "participation")
    assert s.suggester.retrain()
    keys = [x.theme for x in s.suggester.suggest(target)]
    assert "service/accueil" in keys and "service" in keys  # a sub-theme teaches its theme
    codebook.rename("service/accueil", "Accueil du public", "accueil-public")
    s.suggester.refresh(force=True)
    keys = [x.theme for x in s.suggester.suggest(target)]
    assert "service/accueil-public" in keys and "service/accueil" not in keys
    codebook.merge("service/accueil-public", "service/guichet")
    s.suggester.refresh(force=True)
    keys = [x.theme for x in s.suggester.suggest(target)]
    assert "service/guichet" in keys and "service/accueil-public" not in keys
    codebook.retire("service/guichet")
    s.suggester.refresh(force=True)
    assert "service/guichet" not in [x.theme for x in s.suggester.suggest(target)]


def test_report_and_quality_line():
    s = make_services([])
    assert s.suggester.quality() == ""  # no model yet: the status line says nothing
    ids = [add_contribution(s, CAMPAIGN + f" {i}") for i in range(10)]
    ids += [add_contribution(s, OTHER + f" {i}") for i in range(10)]
    s.tagging.add(ids[:10], "service")
    s.tagging.add(ids[10:], "participation")
    report = s.suggester.report()
    assert report["labelled"] == 20
    assert report["micro_f1"] == pytest.approx(1.0)  # two perfectly separated letters
    rows = {r["theme"]: r for r in report["labels"]}
    assert rows["service"]["learned"] and rows["service"]["positives"] == 10
    assert not rows["lien"]["learned"] and rows["lien"]["keyword_weight"] == 1.0
    assert s.suggester.quality() == "suggestions F1 1,00"
    assert sum(b["count"] for b in report["reliability"]) > 0


def test_event_loop_callers_get_keywords_without_training():
    s = make_services()
    found = s.suggester.suggest(1, train=False)
    assert s.suggester.model is None  # nothing trained on the caller's thread
    assert found and found[0].theme == "communication"
