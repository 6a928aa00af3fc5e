import pytest

from assises_tui.text.personal_data import find_personal_data, finding_id, mask


def kinds(text, names=(), **kw):
    return [(f.kind, f.text) for f in find_personal_data(text, names, **kw)]


def test_emails_and_allowed_institutional_mailbox():
    text = "Écrire à jean.dupont+assises@orange.fr ou à pref-assises@allier.gouv.fr."
    assert kinds(text, allowed=["pref-assises@allier.gouv.fr"]) == [
        ("email", "jean.dupont+assises@orange.fr")
    ]


def test_french_phone_number_variants():
    text = (
        "06 12 34 56 78 / 06.12.34.56.78 / 0612345678 / +33 6 12 34 56 78 / "
        "+33 (0)4 70 12 34 56 / 0033 4 70 12 34 56 / 04-70-12-34-56"
    )
    found = kinds(text)
    assert [k for k, _ in found] == ["phone"] * 7
    assert found[3][1] == "+33 6 12 34 56 78"


def test_numbers_that_are_not_phones():
    assert kinds("En 2019, 1 234 habitants ; dossier 12345678901 ; 3 000 euros.") == []


def test_postal_address_and_postcode():
    text = "J'habite 12 bis, rue des Lilas\n03100 Montluçon\net 3 avenue de la Gare, 03000 MOULINS"
    found = kinds(text)
    assert ("address", "12 bis, rue des Lilas") in found
    assert ("postcode", "03100 Montluçon") in found
    assert ("address", "3 avenue de la Gare") in found
    assert ("postcode", "03000 MOULINS") in found


def test_postcode_needs_a_capitalised_commune():
    assert kinds("Il y a eu 15000 euros de dégâts et 03100 plaintes.") == []


def test_sender_full_name_either_order_and_line():
    text = "Merci.\nSigné : DUPONTEL Jean-Marc\nJean-Marc Dupontel"
    found = find_personal_data(text, ["Jean-Marc Dupontel"])
    assert [(f.kind, f.text, f.line) for f in found] == [
        ("name", "DUPONTEL Jean-Marc", 2),
        ("name", "Jean-Marc Dupontel", 3),
    ]


def test_distinctive_surname_alone_but_not_common_words():
    text = "M. Krawczyk l'a dit. Le petit Martin et M. Petit sont venus ; krawczyk en minuscules."
    found = kinds(text, ["Sylvie Krawczyk", "Paul Martin", "Anne Petit"])
    # Martin and Petit are ordinary words/very common: only the full names would be reported.
    assert found == [("name", "Krawczyk")]


def test_mask_replaces_findings_and_keeps_the_rest():
    text = "Contact : jm@orange.fr, 06 12 34 56 78. Jean Dupontel, 03100 Montluçon."
    findings = find_personal_data(text, ["Jean Dupontel"])
    assert mask(text, findings) == (
        "Contact : [courriel masqué], [téléphone masqué]. [nom masqué], [adresse masquée]."
    )


def test_finding_id_is_for_the_exact_text_not_the_position():
    a = find_personal_data("x\n\njm@orange.fr", [])[0]
    b = find_personal_data("jm@orange.fr", [])[0]
    assert a.id == b.id == finding_id("email", "jm@orange.fr")
    assert a.line == 3 and b.line == 1
    assert find_personal_data("jn@orange.fr", [])[0].id != a.id


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.sampled_from(
    [
        "Bonjour ",
        "jm@orange.fr",
        " 06 12 34 56 78",
        "\n",
        "12 rue des Lilas",
        ", ",
        "03100 Montluçon",
        "Jean Dupontel",
        "Dupontel",
        "petit",
        "+33 4 70 00 00 00",
        "é",
        "[#4]",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=20))
def test_findings_are_exact_ordered_and_disjoint(parts):
    text = " ".join(parts)  # glued words ("DupontelBonjour") are not a name
    found = find_personal_data(text, ["Jean Dupontel"])
    for f in found:
        assert text[f.start : f.end] == f.text and f.text.strip()
        assert f.line == text.count("\n", 0, f.start) + 1
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    masked = mask(text, found)
    assert "jm@orange.fr" not in masked and "Dupontel" not in masked


def test_surname_that_is_a_commune_is_only_reported_in_full():
    from assises_tui.text.personal_data import NameIndex

    index = NameIndex(["Paul Gannat", "Anne Krawczyk"], ignore=["Gannat"])
    text = "La brigade de Gannat. Paul Gannat a écrit, comme Krawczyk."
    assert kinds(text, index) == [("name", "Paul Gannat"), ("name", "Krawczyk")]


def test_overlapping_findings_are_merged_not_dropped():
    # Found by the property test above: the address ran into "Jean", and the name finding
    # "Jean Dupontel", overlapping it, was dropped — leaving "Dupontel" visible.
    text = "12 rue des Lilas é Bonjour  Bonjour  Bonjour  é [#4] Jean Dupontel"
    found = find_personal_data(text, ["Jean Dupontel"])
    assert "Dupontel" not in mask(text, found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("J'habite 12 rue des Lilas à Moulins et je propose des patrouilles.", "12 rue des Lilas"),
        ("Au 3 avenue de la Gare il faut des caméras.", "3 avenue de la Gare"),
        ("Devant le 2 rue du 8 Mai 1945 les voitures roulent vite.", "2 rue du 8 Mai 1945"),
        ("Chez moi, 7 impasse Saint-Pierre, rien ne va.", "7 impasse Saint-Pierre"),
        ("12 bis, rue des lilas : trop de bruit.", "12 bis, rue des lilas"),
    ],
)
def test_address_stops_at_the_street_name(text, address):
    # The purge masks for good: the citizen's words after the address must survive it.
    found = [f.text for f in find_personal_data(text) if f.kind == "address"]
    assert found == [address]


@pytest.mark.parametrize(
    "text, kind, hidden",
    [
        ("Écrivez à prenom.nom@gmail\u200b.com merci", "email", "prenom.nom@gmail\u200b.com"),
        ("Tél : \uff10\uff16 \uff13\uff19 \uff19\uff18 \uff17\uff16 \uff15\uff14 !", "phone", None),
        ("mail : jean\uff20orange.fr", "email", "jean\uff20orange.fr"),
        (
            "06\u200b39\u200b98\u200b76\u200b54 le soir",
            "phone",
            "06\u200b39\u200b98\u200b76\u200b54",
        ),
        ("Signé Jean \u200dDu\u00adpon\u2060tel", "name", None),
    ],
)
def test_obfuscated_forms_are_found_and_masked_whole(text, kind, hidden) -> None:
    """Found on the text as a reader sees it (format characters dropped, NFKC), masked
    on the original: nothing of it, visible or invisible, is left."""
    from assises_tui.services.privacy_masking import mask_text

    found = find_personal_data(text, ["Jean Dupontel"])
    assert [f.kind for f in found] == [kind]
    if hidden is not None:
        assert found[0].text == hidden and text[found[0].start : found[0].end] == hidden
    masked = mask_text(text, ["Jean Dupontel"]).text
    for piece in ("@", "\uff20", "06", "\uff10", "\u200b", "Dupon", "orange"):
        assert piece not in masked, masked


def test_a_clean_french_text_is_left_alone() -> None:
    text = "Le commissariat\u00a0: «\u00a0plus de présence\u00a0» près de l’école, café."
    assert find_personal_data(text) == []
