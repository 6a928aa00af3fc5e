"""French stemming for theme suggestions: Snowball 'french', then accents folded.

Stemming runs on the lower-cased word with its accents (the Snowball rules need them), and
the stem is folded afterwards so "sécurité", "securite" and "sécuritaire" meet. Results are
cached per word: a consultation reuses a few thousand words over and over.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from assises_tui.text.fold import fold

_STEMMER = snowballstemmer.stemmer("french")
# Letters with their accents (Latin-1 + Latin Extended-A), digits; apostrophes split words.
_WORD = re.compile(r"[0-9a-zà-öø-ÿœæ]+", re.IGNORECASE)

# Function words that say nothing about a theme (folded forms).
STOPWORDS = frozenset(
    """
    a au aux avec ce ces cet cette c ca d dans de des du elle elles en et est etre eu il ils
    j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne nos notre nous on ou
    par pas pour qu que qui s sa se ses si son sont sur t ta te tes toi ton tu un une vos
    votre vous y ete etait sont ont avoir fait faire plus moins tres tout tous toute toutes
    aussi bien comme donc alors car ni or cela ceci celui celle ceux celles dont ou quand
    bonjour madame monsieur merci cordialement salutations prefet prefecture
    """.split()
)


@lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """Folded stem of one word ("Sécurités" → "secur")."""
    lowered = word.lower()
    return fold(_STEMMER.stemWord(lowered))


def words(text: str) -> list[str]:
    """Surface words of ``text`` in order (accents kept, for showing "because" words)."""
    return _WORD.findall(text)


def stems(text: str) -> list[str]:
    """Folded stems of the content words of ``text``, in order (stop words dropped)."""
    out: list[str] = []
    for w in _WORD.findall(text):
        f = fold(w)
        if len(f) < 2 or f in STOPWORDS:
            continue
        out.append(stem_word(w))
    return out


def stem_pairs(text: str) -> list[tuple[str, str]]:
    """(stem, surface word) for each content word, in order."""
    out: list[tuple[str, str]] = []
    for w in _WORD.findall(text):
        f = fold(w)
        if len(f) < 2 or f in STOPWORDS:
            continue
        out.append((stem_word(w), w))
    return out
