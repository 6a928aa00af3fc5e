"""The inverted word index: folded word → sorted array of contribution ids, kept on disk.

It is a derived cache: a file that cannot be read (wrong version, truncated, bad checksum)
is ignored and rebuilt from the store. Written atomically (temp file, fsync, ``os.replace``,
fsync of the folder) so a crash leaves either the old index or the new one.

File layout (little-endian)::

    MAGIC | u32 header length | header JSON | words ("\\n"-joined ASCII)
    | counts u32[n_words] | postings u32[n_postings] | doc ids u32[n_docs]
    | doc signatures u32[n_docs] | crc32 of everything before (u32)
"""

from __future__ import annotations

import bisect
import json
import struct
import sys
import zlib
from array import array
from collections.abc import Iterable
from pathlib import Path

from assises_tui.durable import ensure_dir, write_atomic

MAGIC = b"ASSIDX\x00\x01"
#: Bump when the tokenizer or the layout changes: older files are then rebuilt.
FORMAT_VERSION = 1


class IndexFileError(Exception):
    """The file is not a usable index (caller rebuilds)."""


def _u32(values: Iterable[int] = ()) -> array:
    return array("I", values)


class WordIndex:
    def __init__(self) -> None:
        self.postings: dict[str, array] = {}
        self.sigs: dict[int, int] = {}  # id -> signature of what was indexed for it
        self._vocab: list[str] | None = None  # sorted words, built on first prefix lookup
        self._unsorted: set[str] = set()
        # Derived sets (all ids, complements of common words), dropped on any change.
        self._derived: dict[str, frozenset[int]] = {}

    # -- reading -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.sigs)

    def all_ids(self) -> frozenset[int]:
        found = self._derived.get("")
        if found is None:
            found = self._derived[""] = frozenset(self.sigs)
        return found

    def is_common(self, word: str) -> bool:
        """In more than half of the documents: cheaper handled through its complement."""
        return 2 * len(self.postings.get(word, ())) > len(self.sigs)

    def complement(self, word: str) -> frozenset[int]:
        """Documents NOT containing ``word`` (small for common words; cached)."""
        found = self._derived.get(word)
        if found is None:
            # Bound the memory: complements are at most half the documents each.
            if sum(map(len, self._derived.values())) > 4 * len(self.sigs):
                self._derived.clear()
            found = self._derived[word] = self.all_ids().difference(self.lookup(word))
        return found

    def lookup(self, word: str) -> array:
        return self.postings.get(word) or _u32()

    def words_with_prefix(self, prefix: str) -> list[str]:
        vocab = self._vocab
        if vocab is None:
            vocab = self._vocab = sorted(self.postings)
        lo = bisect.bisect_left(vocab, prefix)
        hi = bisect.bisect_left(vocab, prefix + "\x7f")
        return vocab[lo:hi]

    # -- updating ------------------------------------------------------------
    def add(self, cid: int, words: Iterable[str], sig: int) -> None:
        """Index one document (its words must be distinct; ``remove`` it first if known)."""
        postings = self.postings
        if self._derived:
            self._derived.clear()
        for w in words:
            arr = postings.get(w)
            if arr is None:
                postings[w] = _u32((cid,))
                self._vocab = None
            else:
                if arr[-1] >= cid:
                    self._unsorted.add(w)
                arr.append(cid)
        self.sigs[cid] = sig

    def remove(self, ids: set[int]) -> None:
        """Forget these documents. Rare (re-imported body, personal-data purge)."""
        if not ids:
            return
        self._derived.clear()
        self.finish()
        few = sorted(ids) if len(ids) <= 64 else None
        emptied = []
        for w, arr in self.postings.items():
            if few is not None:
                for cid in few:  # sorted arrays: a bisect per id beats a full scan
                    i = bisect.bisect_left(arr, cid)
                    if i < len(arr) and arr[i] == cid:
                        del arr[i]
            else:
                arr = self.postings[w] = _u32(x for x in arr if x not in ids)
            if not arr:
                emptied.append(w)
        for w in emptied:
            del self.postings[w]
        if emptied:
            self._vocab = None
        for cid in ids:
            self.sigs.pop(cid, None)

    def finish(self) -> None:
        """Restore sorted, duplicate-free arrays after out-of-order additions."""
        for w in self._unsorted:
            arr = self.postings.get(w)
            if arr is not None:
                self.postings[w] = _u32(sorted(set(arr)))
        self._unsorted.clear()

    # -- persistence ---------------------------------------------------------
    def to_bytes(self) -> bytes:
        self.finish()
        words = sorted(self.postings)
        counts = _u32(len(self.postings[w]) for w in words)
        big = _u32()
        for w in words:
            big.extend(self.postings[w])
        doc_ids = _u32(sorted(self.sigs))
        sigs = _u32(self.sigs[i] for i in doc_ids)
        word_blob = "\n".join(words).encode("ascii")
        header = json.dumps(
            {
                "version": FORMAT_VERSION,
                "words": len(words),
                "word_bytes": len(word_blob),
                "postings": len(big),
                "docs": len(doc_ids),
            }
        ).encode()
        parts = [MAGIC, struct.pack("<I", len(header)), header, word_blob]
        for arr in (counts, big, doc_ids, sigs):
            if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
                arr = _u32(arr)
                arr.byteswap()
            parts.append(arr.tobytes())
        body = b"".join(parts)
        return body + struct.pack("<I", zlib.crc32(body))

    @classmethod
    def from_bytes(cls, data: bytes) -> WordIndex:
        try:
            return cls._from_bytes(data)
        except IndexFileError:
            raise
        except Exception as exc:  # any decoding problem means "rebuild"
            raise IndexFileError(str(exc)) from None

    @classmethod
    def _from_bytes(cls, data: bytes) -> WordIndex:
        if len(data) < 16 or not data.startswith(MAGIC):
            raise IndexFileError("en-tête absent")
        (crc,) = struct.unpack("<I", data[-4:])
        view = memoryview(data)[:-4]
        if zlib.crc32(view) != crc:
            raise IndexFileError("somme de contrôle fausse")
        pos = len(MAGIC)
        (hlen,) = struct.unpack_from("<I", data, pos)
        pos += 4
        header = json.loads(bytes(view[pos : pos + hlen]))
        pos += hlen
        if header.get("version") != FORMAT_VERSION:
            raise IndexFileError("version différente")
        n_words, n_post, n_docs = header["words"], header["postings"], header["docs"]
        wb = header["word_bytes"]
        words = bytes(view[pos : pos + wb]).decode("ascii").split("\n") if n_words else []
        pos += wb

        def take(n: int) -> array:
            nonlocal pos
            arr = _u32()
            arr.frombytes(view[pos : pos + 4 * n])
            if len(arr) != n:
                raise IndexFileError("fichier tronqué")
            if sys.byteorder != "little":  # pragma: no cover
                arr.byteswap()
            pos += 4 * n
            return arr

        counts, big, doc_ids, sigs = take(n_words), take(n_post), take(n_docs), take(n_docs)
        if pos != len(view) or len(words) != n_words or sum(counts) != n_post:
            raise IndexFileError("tailles incohérentes")
        index = cls()
        start = 0
        postings = index.postings
        for w, n in zip(words, counts, strict=True):
            postings[w] = big[start : start + n]
            start += n
        index.sigs = dict(zip(doc_ids, sigs, strict=True))
        index._vocab = words  # already sorted
        return index

    def save(self, path: Path) -> None:
        """Atomic replace of ``path``; raises OSError (the caller decides how loud to be)."""
        write_file(path, self.to_bytes())

    @classmethod
    def load(cls, path: Path) -> WordIndex:
        """Raises FileNotFoundError when absent, IndexFileError when unusable."""
        return cls.from_bytes(path.read_bytes())


def write_file(path: Path, data: bytes) -> None:
    """Durably, in a private folder (the index holds words of citizens' texts)."""
    ensure_dir(path.parent)
    write_atomic(path, data)
