"""Theme suggestions: offline, explainable, learning from reviewers. Never tags by itself.

Two signals are blended per main theme:

* a keyword prior from ``consultation.toml`` (keywords, and the description words that are
  specific to one theme), matched on French stems with accents folded; multi-word keywords
  ("plainte en ligne") must appear as a sequence;
* a Bernoulli naive Bayes (one theme against the others) over the stems present in the
  contributions that reviewers have tagged. Its counts are updated incrementally: only
  records whose themes changed since the last refresh are re-counted.

The weight of the learned part grows with the number of tagged examples on each side, so a
fresh workspace runs on keywords alone and the engine drifts towards what reviewers decide.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assises_tui.config import Theme
from assises_tui.store.texts import attachment_texts, body_text
from assises_tui.text.fold import fold
from assises_tui.text.stem import stem_pairs, stems

if TYPE_CHECKING:
    from assises_tui.store.protocol import Store

MAX_TEXT_CHARS = 20_000  # beyond this, more text does not change the themes, only the time
MIN_CONFIDENCE = 0.30
DESCRIPTION_WEIGHT = 0.5
PRIOR_SCALE = 2.0  # prior confidence = 1 - exp(-score / PRIOR_SCALE)
NB_DAMPING = 0.35  # naive Bayes over-counts correlated words: shrink the summed evidence
LEARN_HALF = 15  # examples per side at which the learned part weighs half (see docs)
LEARN_MAX = 0.85
REFRESH_SECONDS = 2.0

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


@dataclass(frozen=True)
class Suggestion:
    theme: str
    confidence: float  # 0..1
    because: list[str] = field(default_factory=list)  # words of the text that triggered it

    def to_dict(self) -> dict[str, object]:
        return {
            "theme": self.theme,
            "confidence": round(self.confidence, 3),
            "because": list(self.because),
        }


@dataclass
class _Keyword:
    stems: tuple[str, ...]
    weight: float
    text: str  # as written in the configuration (shown for multi-word keywords)
    folded: str = ""

    @property
    def numeric(self) -> bool:
        return self.text.isdigit()

    def accepts(self, word: str) -> bool:
        """Same stem is not enough ("commune" and "communication" share "commun"): the word
        must also look like an inflection of the keyword (a long common prefix)."""
        if not self.folded:
            return True
        w = fold(word)
        need = min(len(self.folded) - 1, len(self.stems[0]) + 3)
        return len(_common_prefix(w, self.folded)) >= need


class SuggestEngine:
    """Pure scoring engine (no store): keyword prior + incremental naive Bayes."""

    def __init__(self, themes: Sequence[Theme], min_confidence: float = MIN_CONFIDENCE) -> None:
        self.theme_keys = [t.key for t in themes]
        self.min_confidence = min_confidence
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
        self.n_docs = 0
        self.n_pos: Counter[str] = Counter()
        self.df_all: Counter[str] = Counter()
        self.df_pos: dict[str, Counter[str]] = {k: Counter() for k in self.theme_keys}

    # -- learning ------------------------------------------------------------
    def learn(self, doc_stems: Iterable[str], themes: Iterable[str], sign: int = 1) -> None:
        """Count (sign=1) or un-count (sign=-1) one labelled document."""
        present = set(doc_stems)
        labels = {t for t in themes if t in self.df_pos}
        self.n_docs += sign
        for s in present:
            self.df_all[s] += sign
        for t in labels:
            self.n_pos[t] += sign
            pos = self.df_pos[t]
            for s in present:
                pos[s] += sign

    # -- scoring -------------------------------------------------------------
    def _prior(
        self, seq: list[str], surface: list[str], where: dict[str, list[int]], key: str
    ) -> tuple[float, list[str]]:
        score = 0.0
        hits: list[tuple[float, str]] = []
        for kw in self.keywords[key]:
            if len(kw.stems) == 1:
                found = [i for i in where.get(kw.stems[0], ()) if kw.accepts(surface[i])]
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

    def _learned(self, present: set[str], key: str) -> tuple[float, float, list[str]]:
        """(weight of the learned part, probability, stems that pushed towards the theme)."""
        n_p = self.n_pos[key]
        n_n = self.n_docs - n_p
        if n_p <= 0 or n_n <= 0:
            return 0.0, 0.0, []
        pos = self.df_pos[key]
        logit = math.log(n_p / n_n)
        evidence = 0.0
        pushes: list[tuple[float, str]] = []
        for s in present:
            df = self.df_all.get(s, 0)
            if df < 2:  # a word seen once teaches nothing general
                continue
            dp = pos.get(s, 0)
            w = math.log((dp + 0.5) / (n_p + 1)) - math.log((df - dp + 0.5) / (n_n + 1))
            evidence += w
            if w > 0.7 and dp >= 2:
                pushes.append((w, s))
        logit += NB_DAMPING * evidence
        prob = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))
        k = min(n_p, n_n)
        weight = min(LEARN_MAX, k / (k + LEARN_HALF))
        pushes.sort(key=lambda p: -p[0])
        return weight, prob, [s for _w, s in pushes]

    def score_pairs(
        self, pairs: list[tuple[str, str]], exclude: Iterable[str] = ()
    ) -> list[Suggestion]:
        seq = [s for s, _w in pairs]
        surface = [w for _s, w in pairs]
        where: dict[str, list[int]] = {}
        for i, s in enumerate(seq):
            where.setdefault(s, []).append(i)
        present = set(where)
        first_word = {s: surface[ix[0]] for s, ix in where.items()}
        skip = set(exclude)
        out: list[Suggestion] = []
        for key in self.theme_keys:
            if key in skip:
                continue
            prior, words = self._prior(seq, surface, where, key)
            weight, prob, pushed = self._learned(present, key)
            confidence = (1.0 - weight) * prior + weight * prob
            if confidence < self.min_confidence:
                continue
            because: list[str] = []
            learned_words = [first_word[s] for s in pushed]
            ordered = (learned_words[:3] + words) if weight >= 0.5 else (words + learned_words)
            for w in ordered:
                if fold(w) not in {fold(b) for b in because}:
                    because.append(w)
                if len(because) == 5:
                    break
            out.append(Suggestion(key, round(confidence, 4), because))
        out.sort(key=lambda s: -s.confidence)
        return out

    def score_text(self, text: str, exclude: Iterable[str] = ()) -> list[Suggestion]:
        return self.score_pairs(stem_pairs(text[:MAX_TEXT_CHARS]), exclude)


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


def main_themes(keys: Iterable[str]) -> set[str]:
    return {k.split("/", 1)[0] for k in keys}


class Suggester:
    """Suggestions for stored contributions; learns from the themes reviewers set."""

    def __init__(self, store: Store, themes: Sequence[Theme], clock=time.monotonic) -> None:
        self.store = store
        self.engine = SuggestEngine(themes)
        self._clock = clock
        self._trained: dict[int, tuple[frozenset[str], tuple[str, ...]]] = {}  # id -> labels, stems
        self._raw: dict[int, tuple[str, ...]] = {}  # id -> theme tuple last looked at
        self._stale = True
        self._last_refresh = -math.inf

    def text_of(self, cid: int) -> str:
        item = self.store.get(cid)
        if item is None:
            return ""
        parts = [item.subject, body_text(self.store, item)]
        size = sum(len(p) for p in parts)
        for _name, text in attachment_texts(self.store, item):
            if size >= MAX_TEXT_CHARS:
                break
            parts.append(text)
            size += len(text)
        return "\n".join(parts)[:MAX_TEXT_CHARS]

    def mark_stale(self) -> None:
        self._stale = True

    def refresh(self, force: bool = False) -> int:
        """Re-count the records whose themes changed; returns how many were re-counted.

        The scan compares each record's theme tuple with the one last counted (identity or
        equality of small tuples): ~10-20 ms for 100,000 records, at most every 2 seconds.
        """
        now = self._clock()
        if not (force or self._stale or now - self._last_refresh > REFRESH_SECONDS):
            return 0
        changed = 0
        trained = self._trained
        raw = self._raw
        seen: set[int] = set()
        for item in self.store.all():
            themes = item.themes
            cid = item.id
            if cid not in raw:
                if not themes:
                    continue
            else:
                seen.add(cid)
                if raw[cid] == themes:
                    continue
            raw[cid] = themes
            seen.add(cid)
            labels = frozenset(main_themes(themes))
            old = trained.get(cid)
            if (old[0] if old is not None else frozenset()) == labels:
                continue  # only sub-themes changed
            if old is not None:
                self.engine.learn(old[1], old[0], sign=-1)
                del trained[cid]
            if labels:
                # Kept as a tuple of distinct stems: a frozenset per record held ~2 KB more
                # (+80 MB instead of +28 MB for 29,000 tagged records of 100,000).
                doc = tuple(frozenset(stems(self.text_of(cid))))
                self.engine.learn(doc, labels)
                trained[cid] = (labels, doc)
            changed += 1
        for cid in set(raw) - seen:  # records that disappeared (purge)
            del raw[cid]
            if cid in trained:
                labels, doc = trained.pop(cid)
                self.engine.learn(doc, labels, sign=-1)
                changed += 1
        self._stale = False
        self._last_refresh = now
        return changed

    def suggest(self, cid: int, *, exclude_tagged: bool = True) -> list[Suggestion]:
        """Suggested main themes for ``cid``, best first (themes it already has left out)."""
        self.refresh()
        item = self.store.get(cid)
        if item is None:
            return []
        exclude = main_themes(item.themes) if exclude_tagged else set()
        return self.engine.score_text(self.text_of(cid), exclude)

    def suggest_many(
        self, ids: Sequence[int], *, exclude_tagged: bool = True
    ) -> dict[int, list[Suggestion]]:
        self.refresh()
        return {cid: self.suggest(cid, exclude_tagged=exclude_tagged) for cid in ids}
