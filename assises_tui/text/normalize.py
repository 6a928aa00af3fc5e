"""Text normalisation applied once, at import: NFC, broken-encoding repair, PDF accent repair.

Everything here is conservative: text is only changed where it is plainly broken, so that a
correct contribution comes out byte for byte the same (apart from NFC and line endings).
"""

from __future__ import annotations

import re
import unicodedata

# Typical signs of UTF-8 read as latin-1/cp1252 ("Ã©", "Ã¨", "â€™"): only then is ftfy asked.
_MOJIBAKE_HINT = re.compile(r"[ÃÂâ][\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ ¡-¿]")

# PDF text extraction artefact seen in the prefecture's announcement: the accented letter is
# extracted as its base letter followed by a precomposed letter carrying the accent
# ("seécuriteé" for "sécurité", "syntheàse" for "synthèse"), sometimes followed by one extra
# space ("eê tre", "aà  venir"). Only pairs that never occur in correct French are repaired.
_SAME_BASE = {
    "eé": "é",
    "eè": "è",
    "eê": "ê",
    "eë": "ë",
    "aà": "à",
    "aâ": "â",
    "iî": "î",
    "iï": "ï",
    "oô": "ô",
    "uù": "ù",
    "uû": "û",
    "uü": "ü",
    "EÉ": "É",
    "EÈ": "È",
    "EÊ": "Ê",
    "AÀ": "À",
    "AÂ": "Â",
    "OÔ": "Ô",
    "IÎ": "Î",
}
# The same font maps every grave to "à" and every circumflex to "ê": "eà" is "è", "oê" is "ô".
# These are only trusted in a text that already shows same-base artefacts.
_CROSS_BASE = {
    "eà": "è",
    "uà": "ù",
    "aê": "â",
    "iê": "î",
    "oê": "ô",
    "uê": "û",
}
_SAME_RE = re.compile("(" + "|".join(_SAME_BASE) + r") ?")
_CROSS_RE = re.compile("(" + "|".join(_CROSS_BASE) + r") ?")
_MIN_SAME_BASE = 2
_PAIR_HINT = re.compile("[aeiouAEIO][àâéèêëîïôùûüÀÂÉÈÊÎÔ]")


def _strip_one_space(match: re.Match[str], table: dict[str, str]) -> str:
    return table[match.group(1)]


def repair_pdf_accents(text: str) -> str:
    """Undo the "base letter + accented letter (+ space)" PDF artefact.

    >>> repair_pdf_accents("la seécuriteé  de demain, les eé lus")
    'la sécurité de demain, les élus'
    """
    if not _PAIR_HINT.search(text):  # one character class: far cheaper than the alternation
        return text
    found = _SAME_RE.finditer(text)  # stop at the second match: no list of all of them
    if sum(1 for _ in zip(range(_MIN_SAME_BASE), found, strict=False)) < _MIN_SAME_BASE:
        return text
    text = _SAME_RE.sub(lambda m: _strip_one_space(m, _SAME_BASE), text)
    return _CROSS_RE.sub(lambda m: _strip_one_space(m, _CROSS_BASE), text)


def _fix_mojibake(text: str) -> str:
    if not _MOJIBAKE_HINT.search(text):
        return text
    try:
        import ftfy

        return ftfy.fix_text(
            text,
            normalization="NFC",
            unescape_html=False,
            fix_latin_ligatures=False,
            fix_character_width=False,
            uncurl_quotes=False,
            fix_line_breaks=False,
        )
    except Exception:  # repair is a nicety: never lose the text over it
        return text


def normalize_text(text: str) -> str:
    """The one normalisation of body and attachment text (NFC, LF, repairs)."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _fix_mojibake(text)
    text = unicodedata.normalize("NFC", text)
    text = repair_pdf_accents(text)
    return text


def normalize_header(text: str) -> str:
    """A header value on one line, normalised like bodies."""
    return " ".join(normalize_text(text).split())
