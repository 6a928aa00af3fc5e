"""Sentence keys (j/k) in the excerpt screen stop where a French reader would."""

from assises_tui.services.tagging import sentence_spans, signature_start


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


# Contribution n° 6 of the demo mailbox, as the mail client wrapped it.
WRAPPED = """Monsieur le Préfet,

Quelques idées en vrac pour les Assises :

Education (tout âge), sanctions financières, condamner les mineurs
délinquants à nettoyer les lieux publics (s'inspirer des Etats Unis)

Veuillez agréer, Monsieur le Préfet, l'expression de mes salutations
respectueuses.

Nicole Lambert
"""


def test_a_sentence_runs_across_a_single_line_break():
    found = sentences(WRAPPED)
    assert (
        "Education (tout âge), sanctions financières, condamner les mineurs\n"
        "délinquants à nettoyer les lieux publics (s'inspirer des Etats Unis)"
    ) in found
    assert not any(s.endswith("condamner les mineurs") for s in found)


def test_a_blank_line_or_a_list_item_ends_a_sentence():
    text = "Mes idées :\n- plus de patrouilles\n- une application\n\nMerci"
    assert sentences(text) == [
        "Mes idées :",
        "- plus de patrouilles",
        "- une application",
        "Merci",
    ]


def test_the_signature_starts_at_the_closing_formula():
    start = signature_start(WRAPPED)
    assert WRAPPED[start:].startswith("Veuillez agréer")
    assert "Nicole Lambert" in WRAPPED[start:]
    assert signature_start("Il faut plus de patrouilles.\n-- \nJean\n") == len(
        "Il faut plus de patrouilles.\n"
    )


def test_no_signature_when_the_formula_is_far_from_the_end():
    text = "Cordialement, je propose ceci.\n\n" + "Une longue contribution. " * 40
    assert signature_start(text) is None
    assert signature_start("Juste une idée : des patrouilles à pied.") is None
