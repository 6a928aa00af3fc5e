"""The query language parser: every field, phrases, negation, accents, errors."""

from __future__ import annotations

import pytest
from search_fixtures import config

from assises_tui.domain.models import Status
from assises_tui.search import Query, parse_query


def only(text: str, **kw):
    q = parse_query(text, **kw)
    assert q.errors == (), q.errors
    assert len(q.terms) == 1, q.terms
    return q.terms[0]


def test_free_words_are_folded_and_anded():
    q = parse_query("Sécurité  POLICE ", prefix_last=False)
    assert [t.words for t in q.terms] == [("securite",), ("police",)]
    assert not any(t.negated or t.phrase or t.prefix for t in q.terms)


def test_last_word_is_a_prefix_only_while_typing():
    q = parse_query("sécurité pol")
    assert [t.prefix for t in q.terms] == [False, True]
    assert parse_query("sécurité pol ").terms[1].prefix is False
    assert parse_query("sécurité pol", prefix_last=False).terms[1].prefix is False
    assert parse_query('"pol"').terms[0].prefix is False
    assert parse_query("-pol").terms[0].prefix is False


def test_quoted_phrase_and_word_with_apostrophe_are_phrases():
    t = only('"Plainte en LIGNE"', prefix_last=False)
    assert t.phrase and t.words == ("plainte", "en", "ligne")
    t = only("l'Allier", prefix_last=False)
    assert t.phrase and t.words == ("l", "allier")


def test_unclosed_quote_runs_to_the_end_without_error():
    t = only('"plainte en')
    assert t.phrase and t.words == ("plainte", "en")


def test_negation_of_words_phrases_and_fields():
    q = parse_query('-vol -"en ligne" -status:done', prefix_last=False)
    assert q.errors == ()
    assert [t.negated for t in q.terms] == [True, True, True]
    assert q.terms[1].phrase
    assert q.terms[2].field == "status" and q.terms[2].values == (Status.DONE,)


def test_lone_dash_is_ignored():
    assert parse_query(" - ").terms == ()


@pytest.mark.parametrize(
    "text, values",
    [
        ("id:42", ((42, 42),)),
        ("id:42,57,60", ((42, 42), (57, 57), (60, 60))),
        ("id:10-20", ((10, 20),)),
        ("no:7", ((7, 7),)),
    ],
)
def test_id_field(text, values):
    t = only(text)
    assert t.field == "id" and t.values == values


@pytest.mark.parametrize("text", ["id:abc", "id:5-2", "id:4x"])
def test_bad_ids_are_errors(text):
    q = parse_query(text)
    assert q.terms == () and "id:" in q.errors[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("status:new", (Status.NEW,)),
        ("status:traite", (Status.DONE,)),
        ("status:Traité", (Status.DONE,)),
        ("statut:nouveau", (Status.NEW,)),
        ('status:"en cours"', (Status.IN_PROGRESS,)),
        ("status:en_cours", (Status.IN_PROGRESS,)),
        ("status:hors_sujet,doublon", (Status.OFF_TOPIC, Status.DUPLICATE)),
        ("status:not_contribution", (Status.NOT_CONTRIBUTION,)),
        ("status:trai", (Status.DONE,)),  # unambiguous prefix while typing
    ],
)
def test_status_keys_and_french_labels(text, expected):
    assert only(text).values == expected


def test_ambiguous_or_unknown_status_is_a_french_error():
    q = parse_query("status:n status:fini")
    assert q.terms == ()
    assert len(q.errors) == 2 and all(e.startswith("Statut inconnu") for e in q.errors)
    assert "traité" in q.errors[0]


@pytest.mark.parametrize(
    "text, value",
    [("late:yes", True), ("late:oui", True), ("retard:non", False), ("late:no", False)],
)
def test_late(text, value):
    assert only(text).values == (value,)


def test_bad_late_value():
    q = parse_query("late:peut-être")
    assert q.terms == () and q.errors[0].startswith("« late: » attend oui ou non")


@pytest.mark.parametrize(
    "text, values",
    [
        ("has:attachment", ("attachment",)),
        ("has:pj", ("attachment",)),
        ("has:pièce-jointe", ("attachment",)),
        ("has:note", ("note",)),
        ("has:excerpt", ("excerpt",)),
        ("avec:extrait,note", ("excerpt", "note")),
    ],
)
def test_has(text, values):
    assert only(text).values == values


def test_has_unknown():
    assert "has:" in parse_query("has:chat").errors[0]


def test_from_subject_are_folded_substrings():
    assert only('from:"Jean DUPONT"').values == ("jean dupont",)
    assert only("objet:Sécurité").values == ("securite",)
    assert only("de:orange.fr").field == "from"


def test_assignee_me_none_and_name():
    assert only("assignee:me").values == ("@me",)
    assert only("assignee:moi").values == ("@me",)
    assert only("assignee:aucun").values == ("",)
    assert only("assignee:none").values == ("",)
    assert only("assignee:Hélène").values == ("helene",)


def test_cluster_and_category():
    assert only("cluster:3,4").values == (3, 4)
    assert only("cluster:none").values == (None,)
    assert "cluster:" in parse_query("cluster:trois").errors[0]
    assert only("category:élu").values == ("elu",)
    assert only("categorie:Association,citoyen").values == ("association", "citoyen")
    assert only("category:aucune").values == ("",)
    assert parse_query("category:martien").errors[0].startswith("Catégorie inconnue")


def test_theme_values_are_checked_only_with_the_configuration():
    assert only("theme:lien").values == ("lien",)
    assert parse_query("theme:cuisine").errors == ()
    q = parse_query("theme:cuisine theme:Participation", config())
    assert q.errors == (
        "Thème inconnu « cuisine » (thèmes : communication, service, lien, participation, aucun).",
    )
    assert len(q.terms) == 2  # the term stays: it simply matches nothing


def test_unknown_field_and_missing_value_never_raise():
    q = parse_query("couleur:bleu status: police")
    assert [t.words for t in q.terms] == [("police",)]
    assert q.errors[0].startswith("Champ inconnu « couleur: »")
    assert q.errors[1] == "Valeur manquante après « status: »."


def test_times_and_urls_are_not_fields():
    t = only("10:30", prefix_last=False)
    assert t.field is None and t.words == ("10", "30")


@pytest.mark.parametrize(
    "text",
    ['"', '-"', "::", "status:,,", '-:"', "id:-", "\x1b[31m", "a" * 5000, "é:è", '"' * 7],
)
def test_garbage_never_raises(text):
    q = parse_query(text)
    assert isinstance(q, Query)


def test_queries_combine():
    q = parse_query("status:new", prefix_last=False) & parse_query("police couleur:x")
    assert [t.field for t in q.terms] == ["status", None]
    assert len(q.errors) == 1 and q.text == "status:new police couleur:x"


def test_empty_query():
    assert parse_query("").is_empty and parse_query("   ").is_empty


def test_quoted_single_word_is_an_exact_word():
    t = only('"Vol"')
    assert t.words == ("vol",) and not t.phrase and not t.prefix
