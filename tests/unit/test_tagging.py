"""Tagging, excerpts and the codebook: every change durable, in history, undoable."""

from __future__ import annotations

import pytest
from tagging_support import make_services

from assises_tui.services.codebook import CodebookError
from assises_tui.services.tagging import TaggingError


@pytest.fixture
def s():
    return make_services()


def test_toggle_adds_then_removes_and_records_history(s):
    s.tagging.toggle([1, 2], "lien")
    assert s.store.get(1).themes == ("lien",) and s.store.get(2).themes == ("lien",)
    entry = s.store.get(1).history[-1]
    assert entry.what == "themes" and entry.who == "agent1"
    assert list(entry.before["themes"]) == [] and list(entry.after["themes"]) == ["lien"]
    # Mixed state: 3 lacks it, so toggle adds to all (1 and 2 are unchanged).
    cs = s.tagging.toggle([1, 3], "lien")
    assert cs.ids == [3]
    s.tagging.toggle([1, 2, 3], "lien")
    assert all(s.store.get(i).themes == () for i in (1, 2, 3))


def test_bulk_tag_is_one_undo_step(s):
    s.tagging.update_themes([1, 2, 3], add=["service", "lien"])
    assert s.store.get(3).themes == ("service", "lien")
    s.changes.undo()
    assert [s.store.get(i).themes for i in (1, 2, 3)] == [(), (), ()]
    assert s.store.get(1).history[-1].what == "undo:themes"


def test_subtheme_brings_parent_and_parent_removal_drops_subs(s):
    s.tagging.codebook.add("service", "Accueil")
    s.tagging.add([1], "service/accueil")
    assert s.store.get(1).themes == ("service", "service/accueil")
    s.tagging.remove([1], "service")
    assert s.store.get(1).themes == ()


def test_unknown_theme_category_are_refused(s):
    with pytest.raises(TaggingError, match="Thème inconnu"):
        s.tagging.add([1], "meteo")
    with pytest.raises(TaggingError, match="Catégorie inconnue"):
        s.tagging.set_category([1], "martien")
    assert s.store.get(1).themes == ()


def test_category_and_commune(s):
    s.tagging.set_category([1, 2], "elu")
    s.tagging.set_commune([1], "  Moulins\x1b[31m ")
    assert s.store.get(2).contributor_category == "elu"
    assert s.store.get(1).commune == "Moulins"
    assert s.store.get(1).history[-1].what == "commune"


def test_excerpt_offsets_match_body_and_survive_reimport(s):
    body = s.contributions.body_text(2)
    start = body.index("Les délais")
    end = body.index("nuit.") + len("nuit.")
    ex = s.tagging.add_excerpt(2, start, end, "service", "constat", note=" trop long ")
    item = s.store.get(2)
    assert item.excerpts == (ex,)
    assert ex.text == body[start:end] and ex.note == "trop long"
    assert "service" in item.themes  # filing under a theme tags the contribution
    # A re-import stores the same body bytes: same content-addressed blob, offsets still hold.
    assert s.store.put_blob(body.encode("utf-8")) == item.body_blob
    assert s.contributions.body_text(2)[ex.start : ex.end] == ex.text
    assert s.tagging.excerpts_by_theme("service") == [(2, ex)]
    assert s.tagging.excerpts_by_theme("lien") == []
    s.changes.undo()
    assert s.store.get(2).excerpts == ()


def test_excerpt_rejects_bad_offsets(s):
    with pytest.raises(TaggingError):
        s.tagging.add_excerpt(1, 5, 5, "service", "constat")
    with pytest.raises(TaggingError):
        s.tagging.add_excerpt(1, 0, 10_000, "service", "constat")
    with pytest.raises(TaggingError):
        s.tagging.add_excerpt(1, 0, 5, "service", "opinion")


def test_codebook_rename_merge_retire_rewrite_records_and_audit(s):
    cb = s.tagging.codebook
    cb.add("service", "Accueil du public")
    cb.add("service", "Horaires")
    s.tagging.add([1, 2], "service/accueil-du-public")
    body = s.contributions.body_text(2)
    ex = s.tagging.add_excerpt(2, 0, body.index("."), "service/accueil-du-public", "constat")
    cb.rename("service/accueil-du-public", "Accueil", new_key="accueil")
    assert s.store.get(1).themes == ("service", "service/accueil")
    assert s.store.get(2).excerpts[0].theme == "service/accueil"
    assert s.store.get(1).history[-1].what == "codebook:rename"
    s.tagging.add([3], "service/horaires")
    cs = cb.merge("service/horaires", "service/accueil")
    assert cs.ids == [3]
    assert s.store.get(3).themes == ("service", "service/accueil")
    counts = {e.key: e.count for e in cb.entries()}
    assert counts["service/accueil"] == 3 and "service/horaires" not in counts
    assert counts["service"] == 3
    cb.retire("service/accueil")
    assert "service/accueil" not in cb.active_keys()
    assert s.store.get(1).themes == ("service", "service/accueil")  # kept on records
    with pytest.raises(TaggingError, match="retiré"):
        s.tagging.add([4], "service/accueil")
    whats = [a["what"] for a in s.store.audit()]
    assert whats == [
        "codebook:add",
        "codebook:add",
        "codebook:rename",
        "codebook:merge",
        "codebook:retire",
    ]
    assert ex.id == s.store.get(2).excerpts[0].id


def test_codebook_errors(s):
    cb = s.tagging.codebook
    with pytest.raises(CodebookError, match="Thème inconnu"):
        cb.add("meteo", "Pluie")
    cb.add("lien", "Jeunes")
    with pytest.raises(CodebookError, match="existe déjà"):
        cb.add("lien", "jeunes")
    with pytest.raises(CodebookError, match="thème principal"):
        cb.rename("lien", "Autre")
    with pytest.raises(CodebookError):
        cb.merge("lien/jeunes", "lien/jeunes")


def test_read_only_workspace_refuses_every_change(s):
    s.store.read_only = True
    writes = s.store.saves
    with pytest.raises(CodebookError, match="lecture seule"):
        s.tagging.add([1], "lien")
    with pytest.raises(CodebookError, match="lecture seule"):
        s.tagging.codebook.add("lien", "Jeunes")
    with pytest.raises(CodebookError, match="lecture seule"):
        s.tagging.add_excerpt(1, 0, 5, "lien", "constat")
    assert s.store.get(1).themes == () and s.store.saves == writes


def test_sentence_and_paragraph_spans():
    from assises_tui.services.tagging import (
        display_text,
        next_span,
        paragraph_spans,
        previous_span,
        sentence_spans,
    )

    text = "Bonjour.  Il faut plus de police ! Vraiment ?\n\nDeuxième paragraphe… « Fin. »"
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "Bonjour.",
        "Il faut plus de police !",
        "Vraiment ?",
        "Deuxième paragraphe…",
        "« Fin. »",
    ]
    paragraphs = paragraph_spans(text)
    assert [text[a:b] for a, b in paragraphs] == [
        "Bonjour.  Il faut plus de police ! Vraiment ?",
        "Deuxième paragraphe… « Fin. »",
    ]
    spans = sentence_spans(text)
    assert next_span(spans, 0, 0) == spans[0]  # empty selection: the sentence at the cursor
    assert next_span(spans, *spans[0]) == spans[1]
    assert previous_span(spans, *spans[1]) == spans[0]
    assert previous_span(spans, *spans[0]) is None
    # From a sentence in the middle of paragraph 1, "previous paragraph" is paragraph 1.
    assert previous_span(paragraphs, *spans[1]) == paragraphs[0]
    masked = display_text("a\x1b[31mb\u2028c\r\nd")
    assert len(masked) == len("a\x1b[31mb\u2028c\r\nd")
    assert "\x1b" not in masked and "\u2028" not in masked and "\r" not in masked
    assert masked.splitlines() == ["a·[31mb·c·", "d"]
