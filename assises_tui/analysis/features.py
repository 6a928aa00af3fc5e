"""Text features for the theme model: word 1-2-grams, character 3-5-grams, latent space.

* Word and character n-grams are hashed (``HashingVectorizer``): no vocabulary to hold, so
  memory does not grow with the inbox, and a text can be featurised alone. Character
  n-grams inside word boundaries catch French inflections and typos ("gendarmerie",
  "gendarmeries", "jendarmerie" share most of theirs).
* Their IDF weights and a latent semantic space (``TruncatedSVD`` of the word block, LSA)
  are fitted on the whole inbox, tagged or not: what the consultation talks about is
  learned from every contribution, the themes only from the tagged ones. Beyond
  ``FIT_SAMPLE`` texts a seeded sample is used (the statistics no longer move).

The latent vectors are appended, scaled, to the sparse n-grams, and serve alone (unit
length) to measure how alike two contributions are (diversity of the priority view).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize
from sklearn.utils import murmurhash3_32

from assises_tui.text.fold import fold

WORD_FEATURES = 2**18
CHAR_FEATURES = 2**18
LSA_COMPONENTS = 100
LSA_WEIGHT = 0.5  # of the latent block against the unit-length n-gram blocks
FIT_SAMPLE = 3_000
EXPLAIN_FLOOR = 0.2  # words weighing less than this share of the strongest are not named
TEXT_CHARS = 3_000  # the themes of a long letter show in its first pages; time grows with size

_TOKEN = re.compile(r"(?u)\b\w\w+\b")

#: Words that carry no theme; left out of explanations (they stay in the features: "en
#: ligne" and "de proximité" are useful bigrams).
STOP_WORDS = frozenset(
    """au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les
    leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui
    sa se ses si son sur ta te tes toi ton tu un une vos votre vous est sont etre ont avoir
    fait faire faut plus tres tout tous toute toutes aussi bien sans comme donc car alors
    cela ca ceci celui celle ceux sont etait ete peut doit doivent ainsi encore deja
    bonjour madame monsieur cordialement merci""".split()
)


def _clip(text: str) -> str:
    return text[:TEXT_CHARS]


class FeatureSpace:
    """Turns texts into feature rows; ``fit`` on the inbox first."""

    def __init__(
        self,
        *,
        lsa_components: int = LSA_COMPONENTS,
        lsa_weight: float = LSA_WEIGHT,
        seed: int = 0,
    ) -> None:
        common = {
            "lowercase": True,
            "strip_accents": "unicode",
            "alternate_sign": False,
            "norm": None,
            "dtype": np.float32,
        }
        self.words = HashingVectorizer(
            ngram_range=(1, 2), n_features=WORD_FEATURES, token_pattern=_TOKEN.pattern, **common
        )
        self.chars = HashingVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), n_features=CHAR_FEATURES, **common
        )
        self.word_idf = TfidfTransformer(sublinear_tf=True)
        self.char_idf = TfidfTransformer(sublinear_tf=True)
        self.lsa_components = lsa_components
        self.lsa_weight = lsa_weight
        self.svd: TruncatedSVD | None = None
        self.lsa_columns = np.zeros(0, dtype=np.int32)
        self.seed = seed
        self.fitted_on = 0

    @property
    def n_features(self) -> int:
        return WORD_FEATURES + CHAR_FEATURES + (self.svd.n_components if self.svd else 0)

    def fit(self, texts: Sequence[str]) -> FeatureSpace:
        texts = list(texts)
        if len(texts) > FIT_SAMPLE:
            texts = random.Random(self.seed).sample(texts, FIT_SAMPLE)
        texts = [_clip(t) for t in texts] or [""]
        word_counts = self.words.transform(texts)
        words = self.word_idf.fit_transform(word_counts)
        self.char_idf.fit(self.chars.transform(texts))
        self.svd = None
        # The latent space is fitted on the columns the inbox uses: the hashed space is wide
        # and mostly empty, and the SVD's work grows with the number of columns.
        self.lsa_columns = np.unique(words.indices)
        components = min(self.lsa_components, len(texts) - 1, len(self.lsa_columns) - 1)
        if self.lsa_weight > 0 and components >= 2:
            used = normalize(words[:, self.lsa_columns])
            self.svd = TruncatedSVD(components, random_state=self.seed).fit(used)
        self.fitted_on = len(texts)
        return self

    def _blocks(self, texts: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        clipped = [_clip(t) for t in texts]
        words = normalize(self.word_idf.transform(self.words.transform(clipped)))
        chars = normalize(self.char_idf.transform(self.chars.transform(clipped)))
        return words.astype(np.float32), chars.astype(np.float32)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        words, chars = self._blocks(texts)
        parts = [words, chars]
        if self.svd is not None:
            latent = normalize(self.svd.transform(words[:, self.lsa_columns])) * self.lsa_weight
            parts.append(sparse.csr_matrix(latent.astype(np.float32)))
        return sparse.hstack(parts, format="csr", dtype=np.float32)

    def latent(self, rows: sparse.csr_matrix) -> np.ndarray:
        """Unit-length latent vectors of transformed rows (zeros without a latent space)."""
        if self.svd is None:
            return np.zeros((rows.shape[0], 1), dtype=np.float32)
        start = WORD_FEATURES + CHAR_FEATURES
        return normalize(np.asarray(rows[:, start:].todense(), dtype=np.float32))

    # -- explanations ---------------------------------------------------------
    def explain(
        self, text: str, row: sparse.csr_matrix, weights: np.ndarray, limit: int = 5
    ) -> list[str]:
        """The words and phrases of ``text`` that pushed ``weights · row`` up the most.

        Word n-grams are found again by hashing the text's own n-grams; the weight of a
        character n-gram is shared among the words that contain it. Phrases are shown as
        written in the text (first occurrence), single words without stop words.
        """
        row = row.tocsr()
        contribution = dict(
            zip(row.indices.tolist(), (row.data * weights[row.indices]).tolist(), strict=True)
        )
        text = _clip(text)
        surface: dict[str, str] = {}
        for m in _TOKEN.finditer(text):
            surface.setdefault(fold(m.group()), m.group())
        scores: dict[str, float] = {}
        analyse_words = self.words.build_analyzer()
        for gram in set(analyse_words(text)):
            value = contribution.get(_bucket(gram, WORD_FEATURES), 0.0)
            if value:
                scores[gram] = scores.get(gram, 0.0) + value
        analyse_chars = self.chars.build_analyzer()
        owners: dict[int, list[str]] = {}
        for word in surface:
            for gram in set(analyse_chars(word)):
                owners.setdefault(WORD_FEATURES + _bucket(gram, CHAR_FEATURES), []).append(word)
        word_level = dict(scores)  # the evidence of the words themselves, before their letters
        for index, words in owners.items():
            value = contribution.get(index, 0.0)
            for word in words:
                scores[word] = scores.get(word, 0.0) + value / len(words)
        # A word whose own weight pulls down is not named for its letters alone ("certaines"
        # shares "tain" with "certains" policemen…); an unseen word (a typo) may be.
        ranked = sorted(
            (item for item in scores.items() if item[1] > 0 and word_level.get(item[0], 0) >= 0),
            key=lambda item: -item[1],
        )
        out: list[str] = []
        taken: set[str] = set()
        floor = ranked[0][1] * EXPLAIN_FLOOR if ranked else 0.0
        for gram, value in ranked:
            if value < floor:
                break
            parts = gram.split()
            if (
                all(p in STOP_WORDS for p in parts)
                or any(p in STOP_WORDS or len(p) < 3 for p in parts[:1] + parts[-1:])
                or any(p.isdigit() for p in parts)  # "17" is the keywords' job (they check it)
            ):
                continue
            if set(parts) <= taken:
                continue
            out.append(" ".join(surface.get(p, p) for p in parts))
            taken.update(parts)
            if len(out) == limit:
                break
        return out


def _bucket(gram: str, n_features: int) -> int:
    """The column HashingVectorizer gives ``gram`` (alternate_sign=False)."""
    return abs(murmurhash3_32(gram, seed=0)) % n_features
