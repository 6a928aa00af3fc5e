"""The keyword prior: the themes' keywords and description words from ``consultation.toml``.

Matched on French stems with accents folded; multi-word keywords ("plainte en ligne") must
appear as a sequence; a stem shared by two different words ("commune", "communication") is
not enough. It carries the suggestions while reviewers have tagged little, and gives the
words of the text that triggered it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from assises_tui.config import Theme
from assises_tui.text.fold import fold
from assises_tui.text.stem import STOPWORDS, stem_word, stems, words

WORD_MEMO = 200_000  # distinct words remembered (stem, folded form): a consultation reuses them

MAX_TEXT_CHARS = 20_000  # beyond this, more text does not change the themes, only the time
DESCRIPTION_WEIGHT = 0.5
PRIOR_SCALE = 2.0  # prior confidence = 1 - exp(-score / PRIOR_SCALE)

#: A number keyword ("17", the police's number) does not count when the number is part of
#: an address, a date, a duration or a phone number: "17 rue de la République",
#: "le 17 novembre", "17 minutes", "06 17 22 33 44". Folded words, as they follow it.
NOT_AFTER_NUMBER = frozenset(
    "rue avenue av bd boulevard chemin allee impasse place route quai cours square residence "
    "lotissement lieu bis ter janvier fevrier mars avril mai juin juillet aout septembre "
    "octobre novembre decembre h heure heures mn min minute minutes an ans jour jours mois "
    "semaine semaines euro euros eur km kilometre kilometres metre metres fois "
    "personnes habitants".split()  # not "personne": "appelez le 17, personne ne répond"
)


@dataclass
class _Keyword:
    stems: tuple[str, ...]
    weight: float
    text: str  # as written in the configuration (shown for multi-word keywords)
    folded: str = ""
    _accepted: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)

    @property
    def numeric(self) -> bool:
        return self.text.isdigit()

    def accepts(self, w: str) -> bool:
        """Same stem is not enough ("commune" and "communication" share "commun"): the
        (folded) word must also look like an inflection of the keyword (a long common
        prefix)."""
        if not self.folded:
            return True
        known = self._accepted.get(w)
        if known is None:
            need = min(len(self.folded) - 1, len(self.stems[0]) + 3)
            known = len(_common_prefix(w, self.folded)) >= need
            if len(self._accepted) < WORD_MEMO:
                self._accepted[w] = known
        return known


class KeywordPrior:
    """Per theme, a confidence in [0, 1) from the keywords found, and those keywords."""

    def __init__(self, themes: Sequence[Theme]) -> None:
        self.theme_keys = [t.key for t in themes]
        self.keywords: dict[str, list[_Keyword]] = {t.key: [] for t in themes}
        desc_stems = {t.key: set(stems(t.description)) for t in themes}
        shared = Counter(s for group in desc_stems.values() for s in group)
        for t in themes:
            seen: set[tuple[str, ...]] = set()
            for kw in t.keywords:
                seq = tuple(stems(kw)) or (fold(kw),)
                if seq not in seen:
                    seen.add(seq)
                    folded = fold(kw) if len(seq) == 1 else ""
                    self.keywords[t.key].append(_Keyword(seq, 1.0, kw, folded))
            for s in sorted(desc_stems[t.key]):
                if shared[s] == 1 and (s,) not in seen:  # words common to all themes say nothing
                    self.keywords[t.key].append(_Keyword((s,), DESCRIPTION_WEIGHT, s))
        # word as written -> (stem, folded), or None for a stop word: texts are analysed
        # word by word, and folding and stemming each occurrence again cost most of the time.
        self._memo: dict[str, tuple[str, str] | None] = {}

    def _analysed(self, word: str) -> tuple[str, str] | None:
        found = self._memo.get(word, False)
        if found is False:
            f = fold(word)
            found = None if len(f) < 2 or f in STOPWORDS else (stem_word(word), f)
            if len(self._memo) >= WORD_MEMO:
                self._memo.clear()
            self._memo[word] = found
        return found

    def score(self, text: str) -> dict[str, tuple[float, list[str]]]:
        """theme key -> (confidence, keywords found, strongest first)."""
        seq: list[str] = []
        surface: list[str] = []
        folded: list[str] = []
        for w in words(text[:MAX_TEXT_CHARS]):
            found = self._analysed(w)
            if found is not None:
                seq.append(found[0])
                folded.append(found[1])
                surface.append(w)
        where: dict[str, list[int]] = {}
        for i, s in enumerate(seq):
            where.setdefault(s, []).append(i)
        return {key: self._theme(seq, surface, folded, where, key) for key in self.theme_keys}

    def _theme(
        self,
        seq: list[str],
        surface: list[str],
        folded: list[str],
        where: dict[str, list[int]],
        key: str,
    ) -> tuple[float, list[str]]:
        score = 0.0
        hits: list[tuple[float, str]] = []
        for kw in self.keywords[key]:
            if len(kw.stems) == 1:
                found = [i for i in where.get(kw.stems[0], ()) if kw.accepts(folded[i])]
                if kw.numeric:
                    found = [i for i in found if _lone_number(surface, i)]
                if not found:
                    continue
                n = len(found)
                word = surface[found[0]]
            else:
                if kw.stems[0] not in where:
                    continue
                starts = _find_sequence(seq, kw.stems, where[kw.stems[0]])
                if not starts:
                    continue
                n = len(starts)
                word = kw.text
            gain = kw.weight * (1.0 + 0.3 * math.log(n))
            score += gain
            hits.append((gain, word))
        hits.sort(key=lambda h: -h[0])
        return 1.0 - math.exp(-score / PRIOR_SCALE), [w for _g, w in hits]


def _lone_number(surface: list[str], i: int) -> bool:
    """The number at ``i`` stands alone: no number beside it, no unit or street after it."""
    before = surface[i - 1] if i > 0 else ""
    after = surface[i + 1] if i + 1 < len(surface) else ""
    if before.isdigit() or after.isdigit():
        return False
    return fold(after) not in NOT_AFTER_NUMBER


def _find_sequence(seq: list[str], pattern: tuple[str, ...], starts: list[int]) -> list[int]:
    n = len(pattern)
    return [i for i in starts if tuple(seq[i : i + n]) == pattern]


def _common_prefix(a: str, b: str) -> str:
    i = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        i += 1
    return a[:i]
