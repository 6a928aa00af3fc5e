"""SearchIndex against a brute-force model on random small corpora and random queries."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from search_fixtures import make_services, new_index, record

from assises_tui.search import parse_query
from assises_tui.search.index import MIN_PREFIX
from assises_tui.text.fold import tokens

VOCAB = [
    "Sécurité",
    "police",
    "GENDARMERIE",
    "vol",
    "vols",
    "plainte",
    "en",
    "ligne",
    "cœur",
    "l'école",
    "élus",
    "securise",
    "vigilants",
    "voisins",
]

words = st.sampled_from(VOCAB)
texts = st.lists(words, max_size=8).map(" ".join)
docs = st.lists(st.tuples(texts, texts, st.lists(texts, max_size=1)), min_size=1, max_size=6)


@st.composite
def queries(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["word", "phrase", "neg", "negphrase"]))
        if kind in ("phrase", "negphrase"):
            chunk = '"' + " ".join(draw(st.lists(words, min_size=2, max_size=3))) + '"'
        else:
            chunk = draw(words)
            if draw(st.booleans()):
                chunk = chunk.upper()
        parts.append(("-" if kind.startswith("neg") else "") + chunk)
    text = " ".join(parts)
    if draw(st.booleans()):  # still typing: cut the last word
        text = text[: len(text) - draw(st.integers(0, 3))]
    return text


def model(doc_texts: list[str], text: str) -> bool:
    folded = [tokens(t) for t in doc_texts]
    vocab = {w for ws in folded for w in ws}
    joined = [" " + " ".join(ws) + " " for ws in folded]
    for term in parse_query(text).terms:
        if term.phrase:
            has = any(" " + " ".join(term.words) + " " in j for j in joined)
        elif term.prefix and len(term.words[0]) >= MIN_PREFIX:
            has = any(w.startswith(term.words[0]) for w in vocab)
        else:
            has = term.words[0] in vocab
        if has == term.negated:
            return False
    return True


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(corpus=docs, text=queries())
def test_search_agrees_with_brute_force(tmp_path_factory, corpus, text):
    services = make_services(tmp_path_factory.mktemp("m"))
    store = services.store
    items = []
    all_texts = {}
    for i, (subject, body, atts) in enumerate(corpus, 1):
        attachments = {f"a{j}.pdf": t for j, t in enumerate(atts)}
        items.append(record(store, i, body, subject=subject, attachments=attachments))
        all_texts[i] = [subject, f"Personne {i}", f"p{i}@example.org", body, *atts]
    store.add_many(items)
    index = new_index(services)
    index.refresh()
    expected = [i for i, t in all_texts.items() if model(t, text)]
    assert index.search(text, exhaustive=True) == expected


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("ASSISES_LONG"), reason="long campaign: ASSISES_LONG=1")
@settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(corpus=docs, text=queries())
def test_search_agrees_with_brute_force_long(tmp_path_factory, corpus, text):
    test_search_agrees_with_brute_force.hypothesis.inner_test(tmp_path_factory, corpus, text)


def test_sender_sort_is_by_surname():
    from assises_tui.screens.views import surname_key

    assert surname_key("Jeanne Martin") == surname_key("MARTIN Jeanne") == "martin jeanne"
    assert surname_key("Martin, Jeanne") == "martin jeanne"
    assert surname_key("Élodie Abélard") < surname_key("Aaron Zola")
    assert surname_key("Mairie") == "mairie"
