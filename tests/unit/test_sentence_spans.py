"""Sentence keys (j/k) in the excerpt screen stop where a French reader would."""

from assises_tui.services.tagging import sentence_spans


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def test_abbreviations_do_not_end_a_sentence():
    text = "Bonjour M. Dupont. Voir cf. art. 3 du code. Mme. Martin est venue."
    assert sentences(text) == [
        "Bonjour M. Dupont.",
        "Voir cf. art. 3 du code.",
        "Mme. Martin est venue.",
    ]


def test_an_ellipsis_before_a_lower_case_word_goes_on():
    text = "Il faut punir... faire payer les parents. Voilà."
    assert sentences(text) == ["Il faut punir... faire payer les parents.", "Voilà."]


def test_a_period_before_a_lower_case_word_still_ends_the_sentence():
    # Many people write without capitals: their sentences must stay separate.
    text = "la dépression guette. les dossiers s'entassent."
    assert sentences(text) == ["la dépression guette.", "les dossiers s'entassent."]


def test_line_breaks_and_question_marks():
    assert sentences("Vraiment ? Oui !\nFin") == ["Vraiment ?", "Oui !", "Fin"]
