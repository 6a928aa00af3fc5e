"""Text features for the theme model: word 1-2-grams, character 3-5-grams, latent space.

* Word and character n-grams are hashed (``tokens.py``): no vocabulary of n-grams to hold,
  so memory does not grow with the inbox; a text is counted from its word ids, and the
  counts of a batch are computed in C. Character n-grams inside words catch French
  inflections and typos ("gendarmerie", "gendarmeries", "jendarmerie" share most of theirs).
* Their IDF weights and a latent semantic space (``TruncatedSVD`` of the word block, LSA)
  are fitted on the whole inbox, tagged or not: what the consultation talks about is
  learned from every contribution, the themes only from the tagged ones. Beyond
  ``FIT_SAMPLE`` texts a seeded sample is used (the statistics no longer move).

The latent vectors are appended, scaled, to the sparse n-grams, and serve alone (unit
length) to measure how alike two contributions are (diversity of the priority view).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize

from assises_tui.analysis.tokens import (
    CHAR_FEATURES,
    TEXT_CHARS,
    TOKEN,
    WORD_FEATURES,
    Vocabulary,
    bigram_buckets,
)

LSA_COMPONENTS = 100
LSA_WEIGHT = 0.5  # of the latent block against the unit-length n-gram blocks
FIT_SAMPLE = 3_000
EXPLAIN_FLOOR = 0.2  # words weighing less than this share of the strongest are not named

_TOKEN = TOKEN

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
    """Turns texts (or their counts) into feature rows; ``fit`` on the inbox first.

    ``vocabulary``: the word table texts are counted with (the suggester shares its cache's;
    by default one of its own).
    """

    def __init__(
        self,
        *,
        lsa_components: int = LSA_COMPONENTS,
        lsa_weight: float = LSA_WEIGHT,
        seed: int = 0,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary()
        self.word_idf = np.ones(WORD_FEATURES, dtype=np.float32)
        self.char_idf = np.ones(CHAR_FEATURES, dtype=np.float32)
        self.lsa_components = lsa_components
        self.lsa_weight = lsa_weight
        self.lsa_basis: np.ndarray | None = None  # components × lsa_columns
        self.lsa_columns = np.zeros(0, dtype=np.int32)
        self.seed = seed
        self.fitted_on = 0

    @property
    def n_features(self) -> int:
        return (
            WORD_FEATURES
            + CHAR_FEATURES
            + (len(self.lsa_basis) if self.lsa_basis is not None else 0)
        )

    def counts(self, texts: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        return self.vocabulary.counts([self.vocabulary.sequence(t) for t in texts])

    def fit(self, texts: Sequence[str]) -> FeatureSpace:
        texts = list(texts)
        if len(texts) > FIT_SAMPLE:
            texts = random.Random(self.seed).sample(texts, FIT_SAMPLE)
        return self.fit_counts(*self.counts(texts or [""]))

    def fit_counts(
        self, word_counts: sparse.csr_matrix, char_counts: sparse.csr_matrix
    ) -> FeatureSpace:
        """Fit the IDF weights and the latent space on the counts of a sample of the inbox."""
        n = word_counts.shape[0]
        self.word_idf = _idf(word_counts)
        self.char_idf = _idf(char_counts)
        words = _weighted(word_counts, self.word_idf)
        self.lsa_basis = None
        # The latent space is fitted on the columns the inbox uses: the hashed space is wide
        # and mostly empty, and the SVD's work grows with the number of columns.
        self.lsa_columns = np.unique(words.indices).astype(np.int32)
        components = min(self.lsa_components, n - 1, len(self.lsa_columns) - 1)
        if self.lsa_weight > 0 and components >= 2:
            used = normalize(words[:, self.lsa_columns])
            svd = TruncatedSVD(components, random_state=self.seed).fit(used)
            self.lsa_basis = svd.components_.astype(np.float32)
        self.fitted_on = n
        return self

    def weigh(
        self, word_counts: sparse.csr_matrix, char_counts: sparse.csr_matrix
    ) -> sparse.csr_matrix:
        """Feature rows from counts: TF-IDF blocks, unit length, then the latent block."""
        if word_counts.shape[0] == 0:
            return sparse.csr_matrix((0, self.n_features), dtype=np.float32)
        words = _weighted(word_counts, self.word_idf)
        chars = _weighted(char_counts, self.char_idf)
        parts = [words, chars]
        if self.lsa_basis is not None:
            latent = normalize(words[:, self.lsa_columns] @ self.lsa_basis.T) * self.lsa_weight
            parts.append(sparse.csr_matrix(latent.astype(np.float32)))
        return sparse.hstack(parts, format="csr", dtype=np.float32)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.weigh(*self.counts(texts))

    def latent(self, rows: sparse.csr_matrix) -> np.ndarray:
        """Unit-length latent vectors of transformed rows (zeros without a latent space)."""
        if self.lsa_basis is None:
            return np.zeros((rows.shape[0], 1), dtype=np.float32)
        start = WORD_FEATURES + CHAR_FEATURES
        return normalize(np.asarray(rows[:, start:].todense(), dtype=np.float32))

    # -- explanations ---------------------------------------------------------
    def explain(
        self, text: str, row: sparse.csr_matrix, weights: np.ndarray, limit: int = 5
    ) -> list[str]:
        """The words and phrases of ``text`` that pushed ``weights · row`` up the most."""
        return self.evidence(text, row).words(weights, limit)

    def evidence(self, text: str, row: sparse.csr_matrix) -> Evidence:
        """What explaining ``text`` (featurised as ``row``) needs, for any label's weights."""
        return Evidence(self.vocabulary, text, row)


class Evidence:
    """The n-grams of one text and where they sit in its feature row.

    Word n-grams are found again from the text's word ids; the weight of a character n-gram
    is shared among the words of the text that contain it. Phrases are shown as written in
    the text (first occurrence), single words without stop words. Built once per text, then
    :meth:`words` costs a few array look-ups per label.
    """

    def __init__(self, vocabulary: Vocabulary, text: str, row: sparse.csr_matrix) -> None:
        row = row.tocsr()
        row.sort_indices()
        self.columns = row.indices
        self.values = row.data.astype(np.float64)
        text = _clip(text)
        written = _TOKEN.findall(text)
        sequence = vocabulary.sequence(text)
        unique, first = np.unique(sequence, return_index=True)
        folded = [vocabulary.words[i] for i in unique.tolist()]
        self.words_folded = folded
        self.surface = dict(
            zip(folded, (vocabulary.words[i] for i in unique.tolist()), strict=True)
        )
        if len(written) == len(sequence):
            self.surface = {vocabulary.words[sequence[i]]: written[i] for i in first.tolist()}
        hashes, buckets = vocabulary.hashes_and_buckets(unique)
        # Grams: the unique words, then the unique pairs of consecutive words.
        pairs = np.unique(np.stack([sequence[:-1], sequence[1:]], axis=1), axis=0)
        index = {wid: i for i, wid in enumerate(unique.tolist())}
        self.grams = list(folded) + [
            f"{vocabulary.words[a]} {vocabulary.words[b]}" for a, b in pairs.tolist()
        ]
        pair_hashes = [hashes[[index[a] for a in pairs[:, 0].tolist()]],
                       hashes[[index[b] for b in pairs[:, 1].tolist()]]]  # fmt: skip
        self.gram_columns = np.concatenate(
            [buckets, bigram_buckets(*pair_hashes) if len(pairs) else np.zeros(0, np.int64)]
        )
        chars = vocabulary.char_table()[unique].tocsr()
        chars.data[:] = 1  # a gram counts once per word
        owners = np.asarray(chars.sum(axis=0)).ravel()
        self.char_rows = np.repeat(np.arange(len(unique)), np.diff(chars.indptr))
        self.char_columns = chars.indices.astype(np.int64) + WORD_FEATURES
        self.char_share = 1.0 / owners[chars.indices]

    def _lookup(self, columns: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """``row[c] * weights[c]`` for each column ``c`` (0 where the row has nothing)."""
        if not len(self.columns) or not len(columns):
            return np.zeros(len(columns))
        at = np.minimum(np.searchsorted(self.columns, columns), len(self.columns) - 1)
        hit = self.columns[at] == columns
        return np.where(hit, self.values[at] * weights[columns], 0.0)

    def words(self, weights: np.ndarray, limit: int = 5) -> list[str]:
        word_level = self._lookup(self.gram_columns, weights)
        n_words = len(self.words_folded)
        letters = np.bincount(
            self.char_rows,
            weights=self._lookup(self.char_columns, weights) * self.char_share,
            minlength=n_words,
        )
        total = word_level.copy()
        total[:n_words] += letters
        # A word whose own weight pulls down is not named for its letters alone ("certaines"
        # shares "tain" with "certains" policemen…); an unseen word (a typo) may be.
        keep = np.flatnonzero((total > 0) & (word_level >= 0))
        ranked = sorted(((self.grams[i], total[i]) for i in keep.tolist()), key=lambda g: -g[1])
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
            out.append(" ".join(self.surface.get(p, p) for p in parts))
            taken.update(parts)
            if len(out) == limit:
                break
        return out


def _idf(counts: sparse.csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency, as scikit-learn's TfidfTransformer computes it."""
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)


def _weighted(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear TF × IDF, rows of unit length."""
    out = counts.tocsr(copy=True).astype(np.float32)
    out.data = (np.log(out.data) + 1) * idf[out.indices]
    return normalize(out)
