"""The suggestions' files in the workspace: the text cache and the saved model are reused
by the next session, tied to the labels, codebook and texts, rebuilt when damaged, and
never hold a word of a text that changed (a purge)."""

from __future__ import annotations

import numpy as np
import pytest
from tagging_support import add_contribution, make_services

from assises_tui.analysis.text_cache import TextCache
from assises_tui.suggest import MODEL_FILE, TEXTS_FILE, Suggester

ROADS = "Les radars et la vitesse excessive sur la route départementale, il faut des contrôles."
PARTY = "La fête des voisins et le repas de quartier ont été très réussis cette année."


def tagged_services():
    s = make_services([])
    roads = [add_contribution(s, ROADS + f" Numéro {i}.") for i in range(6)]
    party = [add_contribution(s, PARTY + f" Numéro {i}.") for i in range(6)]
    s.tagging.add(roads, "service")
    s.tagging.add(party, "lien")
    target = add_contribution(s, "Trop de vitesse et aucun radar sur notre route.")
    return s, target


def session(services, folder) -> Suggester:
    """A suggester as a new session of the application would build it."""
    return Suggester(services.store, services.config.themes, services.codebook, cache_dir=folder)


def test_a_new_session_reads_the_model_and_texts_instead_of_training(tmp_path, monkeypatch):
    s, target = tagged_services()
    first = session(s, tmp_path)
    assert first.retrain() and not first.loaded
    expected = first.suggest(target)
    assert (tmp_path / MODEL_FILE).is_file() and (tmp_path / TEXTS_FILE).is_file()

    second = session(s, tmp_path)
    read = []
    real_text = second._text
    monkeypatch.setattr(second, "_text", lambda item: read.append(item.id) or real_text(item))
    monkeypatch.setattr(
        "assises_tui.analysis.model._fit", lambda *a, **k: pytest.fail("trained again")
    )
    assert second.retrain() and second.loaded
    assert second.suggest(target) == expected
    assert read == [target]  # the labelled texts came from the cache; only the new one read
    assert second.report() == first.report()


def test_a_label_or_codebook_change_makes_the_saved_model_stale(tmp_path):
    s, target = tagged_services()
    assert session(s, tmp_path).retrain()
    s.tagging.add([target], "service")
    again = session(s, tmp_path)
    assert again.retrain() and not again.loaded  # learned again: the labels differ
    assert again.model.n_labelled == 13
    s.codebook.add("service", "Radars")  # a sub-theme: the label keys change
    s.tagging.add([target], "service/radars")
    third = session(s, tmp_path)
    assert third.retrain() and not third.loaded


@pytest.mark.parametrize("damage", [b"", b"PK\x03\x04 truncated", b"\x00" * 300])
def test_damaged_files_are_rebuilt_without_a_traceback(tmp_path, damage):
    s, target = tagged_services()
    first = session(s, tmp_path)
    first.retrain()
    expected = first.suggest(target)
    for name in (MODEL_FILE, TEXTS_FILE):
        (tmp_path / name).write_bytes(damage)
    again = session(s, tmp_path)
    assert again.retrain() and not again.loaded
    assert again.suggest(target) == expected
    assert len(TextCache.load(tmp_path / TEXTS_FILE, again._keywords_digest)) > 0


def test_inconsistent_cache_arrays_are_ignored(tmp_path):
    s, _target = tagged_services()
    first = session(s, tmp_path)
    first.retrain()
    path = tmp_path / TEXTS_FILE
    with np.load(path) as data:
        arrays = dict(data)
    arrays["words"] = arrays["words"][:-3]  # offsets now point past the end
    np.savez(path, **arrays)
    assert len(TextCache.load(path, first._keywords_digest)) == 0


def test_forgetting_texts_removes_their_words_from_the_file_and_the_model(tmp_path):
    s, target = tagged_services()
    secret = add_contribution(s, "Écrivez à Zéphyrine Quatrebarbes, rue des Capucines.")
    suggester = session(s, tmp_path)
    suggester.retrain()
    suggester.suggest(secret)
    suggester.save_cache(force=True)
    assert b"quatrebarbes" in (tmp_path / TEXTS_FILE).read_bytes()
    suggester.forget([secret])
    assert b"quatrebarbes" not in (tmp_path / TEXTS_FILE).read_bytes()
    assert b"capucines" not in (tmp_path / TEXTS_FILE).read_bytes()
    assert not (tmp_path / MODEL_FILE).exists()
    assert suggester.retrain()  # and it learns again from what is left
    assert "service" in [x.theme for x in suggester.suggest(target)]


def test_a_changed_text_is_analysed_again(tmp_path):
    from dataclasses import replace

    s, target = tagged_services()
    suggester = session(s, tmp_path)
    suggester.retrain()
    before = suggester.suggest(target)
    assert before and before[0].theme == "service"
    item = s.store.get(target)
    blob = s.store.put_blob(PARTY.encode())
    s.store.save(replace(item, body_blob=blob, subject="Fête"))  # as a purge rewrites a text
    suggester.refresh(force=True)
    assert [x.theme for x in suggester.suggest(target)][:1] == ["lien"]


def test_a_read_only_workspace_writes_nothing(tmp_path):
    s, _target = tagged_services()
    s.store.read_only = True
    suggester = session(s, tmp_path)
    assert suggester.retrain()
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_beyond_the_cap_a_new_session_chooses_the_same_rows_and_loads_the_model(
    tmp_path, monkeypatch
):
    import assises_tui.suggest as suggest_module

    monkeypatch.setattr(suggest_module, "MAX_TRAIN", 8)
    s, target = tagged_services()  # 12 labelled: beyond the cap
    first = session(s, tmp_path)
    first.retrain()
    s.tagging.add([target], "service")  # the latest decision is always learned from
    first.refresh(force=True)
    assert target in first.learned_from
    again = session(s, tmp_path)
    assert again.retrain() and again.loaded
    assert again.learned_from == first.learned_from
