"""Texts as sequences of word ids, and the hashed n-gram counts computed from them.

The theme model's features are word 1-2-grams and character 3-5-grams inside words, hashed
into fixed-width spaces. Computing character n-grams text by text in Python costs ~10 ms per
3 KB contribution (scikit-learn's analyser), 15 minutes of CPU for 100,000. But a text's
character n-grams are those of its words, and an inbox reuses a few tens of thousands of
words: here each distinct word is analysed once (its row of character n-gram counts kept in
a sparse table), a text is kept as the sequence of its word ids, and the counts of a batch
of texts are one sparse product (words of the texts × n-grams of the words) in C.

Words are folded (lower case, no accents) ``\\w\\w+`` tokens of the text's first
``TEXT_CHARS`` characters; bigrams pair consecutive words. A word's bucket is scikit-learn's
(``murmurhash3_32``); a bigram's is a mix of its two words' hashes, computed in numpy.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from assises_tui.text.fold import fold

WORD_FEATURES = 2**18
CHAR_FEATURES = 2**18
TEXT_CHARS = 3_000  # the themes of a long letter show in its first pages; time grows with size
TOKEN = re.compile(r"(?u)\b\w\w+\b")

_CHARS = HashingVectorizer(
    analyzer="char_wb",
    ngram_range=(3, 5),
    n_features=CHAR_FEATURES,
    lowercase=False,
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)
_MASK64 = np.uint64(2**64 - 1)


def word_hash(word: str) -> int:
    """The unsigned 32-bit hash of a folded word."""
    return murmurhash3_32(word, seed=0, positive=True)


def word_bucket(word: str) -> int:
    """The column of a folded word (HashingVectorizer's, alternate_sign=False)."""
    return abs(murmurhash3_32(word, seed=0)) % WORD_FEATURES


def bigram_buckets(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Columns of word pairs, from the two words' 32-bit hashes (splitmix64 finaliser)."""
    with np.errstate(over="ignore"):
        x = (first.astype(np.uint64) << np.uint64(32)) | second.astype(np.uint64)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9) & _MASK64
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB) & _MASK64
        x ^= x >> np.uint64(31)
    return (x % np.uint64(WORD_FEATURES)).astype(np.int64)


def char_ngrams(word: str) -> list[str]:
    """The character n-grams of a folded word, as counted."""
    return _CHARS.build_analyzer()(word)


def char_bucket(gram: str) -> int:
    return abs(murmurhash3_32(gram, seed=0)) % CHAR_FEATURES


class Vocabulary:
    """Folded words seen so far, each with an id, its hashes and its character n-grams."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words: list[str] = []
        self._ids: dict[str, int] = {}  # folded word -> id
        self._raw: dict[str, int] = {}  # lower-case word as written -> id (saves a fold)
        self._hashes: list[int] = []
        self._buckets: list[int] = []
        self._char_parts: list[sparse.csr_matrix] = []
        self._pending: list[str] = []  # words whose character n-grams are not computed yet
        self._char_table: sparse.csr_matrix | None = None
        # The interface counts one text on the event loop while a worker counts thousands:
        # additions are short and serialised; the character table is rebuilt under it too.
        self._lock = threading.Lock()
        self.add(list(words))

    def __len__(self) -> int:
        return len(self.words)

    def add(self, folded_words: Sequence[str]) -> list[int]:
        with self._lock:
            return self._add(folded_words)

    def _add(self, folded_words: Sequence[str]) -> list[int]:
        out = []
        for word in folded_words:
            wid = self._ids.get(word)
            if wid is None:
                wid = len(self.words)
                self._ids[word] = wid
                self.words.append(word)
                self._hashes.append(word_hash(word))
                self._buckets.append(word_bucket(word))
                self._pending.append(word)
            out.append(wid)
        return out

    def sequence(self, text: str) -> np.ndarray:
        """The word ids of ``text`` (its first ``TEXT_CHARS`` characters), in order."""
        raw = TOKEN.findall(text[:TEXT_CHARS].lower())
        ids = self._raw
        out = [ids.get(w, -1) for w in raw]
        for i, wid in enumerate(out):
            if wid < 0:
                word = raw[i]
                folded = fold(word)
                # Folding may split or drop characters ("ﬁ" → "fi"): keep one token.
                wid = self.add([folded])[0]
                ids[word] = wid
                out[i] = wid
        return np.asarray(out, dtype=np.uint32)

    def hashes_and_buckets(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """32-bit hashes and word columns of the words ``ids``."""
        with self._lock:
            listed = ids.tolist()
            hashes = np.array([self._hashes[i] for i in listed], dtype=np.uint32)
            buckets = np.array([self._buckets[i] for i in listed], dtype=np.int64)
        return hashes, buckets

    # -- counts ----------------------------------------------------------------------------
    def char_table(self) -> sparse.csr_matrix:
        """Words × character n-gram buckets (counts)."""
        with self._lock:
            return self._settled_char_table()

    def _settled_char_table(self) -> sparse.csr_matrix:
        if self._pending:
            self._char_parts.append(_CHARS.transform(self._pending).tocsr())
            self._pending = []
            self._char_table = None
        if self._char_table is None:
            if not self._char_parts:
                return sparse.csr_matrix((0, CHAR_FEATURES), dtype=np.float32)
            self._char_table = sparse.vstack(self._char_parts, format="csr", dtype=np.float32)
            self._char_parts = [self._char_table]
        return self._char_table

    def counts(
        self, sequences: Sequence[np.ndarray]
    ) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """(word 1-2-gram counts, character n-gram counts), one row per sequence."""
        n = len(sequences)
        lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=n)
        flat = (
            np.concatenate(sequences).astype(np.int64)
            if n and lengths.sum()
            else np.zeros(0, np.int64)
        )
        rows = np.repeat(np.arange(n), lengths)
        with self._lock:
            table = self._settled_char_table()
            hashes = np.asarray(self._hashes, dtype=np.uint32)
            buckets = np.asarray(self._buckets, dtype=np.int64)
        same_text = rows[1:] == rows[:-1]
        pair_rows = rows[1:][same_text]
        pair_cols = bigram_buckets(hashes[flat[:-1]][same_text], hashes[flat[1:]][same_text])
        word_rows = np.concatenate([rows, pair_rows])
        word_cols = np.concatenate([buckets[flat], pair_cols])
        words = sparse.csr_matrix(
            (np.ones(len(word_rows), dtype=np.float32), (word_rows, word_cols)),
            shape=(n, WORD_FEATURES),
        )
        words.sum_duplicates()
        bag = sparse.csr_matrix(
            (np.ones(len(flat), dtype=np.float32), (rows, flat)), shape=(n, table.shape[0])
        )
        bag.sum_duplicates()
        chars = (bag @ table).tocsr()
        return words, chars

    # -- keeping only what is still used -------------------------------------------------
    def compacted(self, used: np.ndarray) -> tuple[Vocabulary, np.ndarray]:
        """A vocabulary of the ``used`` ids only, and the old id → new id map (-1: gone)."""
        used = np.unique(used.astype(np.int64))
        remap = np.full(len(self.words), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        return Vocabulary(self.words[i] for i in used.tolist()), remap
