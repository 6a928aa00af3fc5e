"""The fast tokenizer must give exactly ``tokens(text)`` (index and queries agree)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assises_tui.search.tokenize import folded_words, index_words
from assises_tui.text.fold import tokens

SAMPLES = [
    "",
    "La SÉCURITÉ du quartier, c'est l’affaire de tous !",
    "Cœur de ville — Œuvre, æther; straße ẞ İstanbul ﬁn ½ ² ™ ①",
    "e\u0301cole cafe\u0301s \u0301a",  # decomposed accents
    "jean.dupont@orange.fr 06-12-34-56-78 http://exemple.fr/a_b?x=1",
    "\x1b[31mrouge\x1b[0m \x00nul\x7fdel\u200bzero\u202eRTL\ufeffbom",
    "non\u00a0sécable\u2003em\u3000ideographic",
    "ÀÉÎÕÜ àéîõü Ÿÿ Ççñ",
    "mot_souligné ___ -- '' \"citation\"",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_same_tokens_as_fold(text):
    assert folded_words(text) == tokens(text)
    assert index_words(text) == set(tokens(text))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_same_tokens_on_random_text(text):
    assert folded_words(text) == tokens(text)
    assert index_words(text) == set(tokens(text))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="aeEéÉèçœŒß'’- ,.\u0301\u00a0xyz0", max_size=40))
def test_same_tokens_on_french_like_text(text):
    assert folded_words(text) == tokens(text)
