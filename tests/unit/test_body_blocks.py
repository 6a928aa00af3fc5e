"""Body splitting for the reader: what the sender wrote, quotes, signature."""

from assises_tui.widgets.body_blocks import split_blocks


def kinds(body: str) -> list[str]:
    return [b.kind for b in split_blocks(body)]


def test_plain_text_is_one_block():
    assert kinds("Bonjour,\nmerci.") == ["text"]


def test_signature_then_french_attribution_and_quote():
    body = "Avis.\n-- \nJean\n\nLe 12/01/2020 à 10:00, Préfecture a écrit :\n> texte\n> suite\n"
    blocks = split_blocks(body)
    assert [b.kind for b in blocks] == ["text", "signature", "quote"]
    assert blocks[2].lines[0].startswith("Le 12/01/2020")
    assert "> suite" in blocks[2].lines


def test_attribution_wrapped_over_two_lines():
    body = "Réponse.\nLe lun. 13 janv. 2020 à 14:02, Préfecture <p@x.fr> a\nécrit :\n> a\n"
    assert kinds(body) == ["text", "quote"]


def test_interleaved_quotes_and_answers():
    body = "> question 1\nréponse 1\n> question 2\nréponse 2"
    assert kinds(body) == ["quote", "text", "quote", "text"]


def test_original_message_separator_quotes_the_rest():
    body = "Je transfère.\n-----Message d'origine-----\nDe : X\nTexte ancien"
    blocks = split_blocks(body)
    assert [b.kind for b in blocks] == ["text", "quote"]
    assert blocks[1].lines[-1] == "Texte ancien"


def test_english_wrote_and_no_gt_lines():
    body = "Answer.\nOn Mon, Jan 13, 2020, X wrote:\nold text without markers"
    assert kinds(body) == ["text", "quote"]


def test_a_sentence_starting_with_le_is_not_a_quote():
    assert kinds("Le commissariat ferme trop tôt.\nIl faut agir.") == ["text"]
