"""What the theme model needs of each contribution's text, computed once and kept on disk.

Reading and analysing a text (its word ids, its keyword prior) is the dominant cost of
suggestions at scale; a text never changes once imported, except by a purge, which masks
it. So each contribution's entry is kept with the *fingerprint* of the texts it was made
from (subject and blob names: blobs are named by their content); an entry whose record no
longer has that fingerprint is stale, dropped and recomputed.

Saved as one ``.npz`` file in the workspace (written to a temporary file, synced, renamed:
the old or the new cache after any crash). A file that cannot be read, of another format,
or made for other keywords is ignored and rebuilt: the cache is never the only copy of
anything. Whenever entries were dropped, the vocabulary is rebuilt from the entries kept
before saving, so no word of a dropped (e.g. purged) text stays in the file.

Readers take :attr:`TextCache.state` once and use it throughout: compaction swaps in a new
state rather than changing the one in use.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assises_tui.analysis.tokens import Vocabulary
from assises_tui.durable import FILE_MODE, fsync_dir

FORMAT = 1


@dataclass
class Entry:
    fingerprint: bytes
    words: np.ndarray  # word ids (uint32) in the state's vocabulary
    prior: np.ndarray  # keyword prior per main theme (float32)


@dataclass
class CacheState:
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    entries: dict[int, Entry] = field(default_factory=dict)


def fingerprint(subject: str, blobs: Iterable[str]) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(subject.encode("utf-8", "replace"))
    for name in blobs:
        digest.update(b"\0" + name.encode())
    return digest.digest()


class TextCache:
    def __init__(self, keywords_digest: str) -> None:
        #: Of the keyword configuration the priors were computed with.
        self.keywords_digest = keywords_digest
        self.state = CacheState()
        self.changed = False  # since the last save
        #: The file holds this cache (it was read whole, or written): False for a new
        #: cache, or one rebuilt because the file was damaged or out of date.
        self.on_disk = False
        self._dropped = False  # entries dropped since the last save: compact before saving
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.state.entries)

    @property
    def compaction_due(self) -> bool:
        """Entries were dropped: the file still holds their words until the next save."""
        return self._dropped

    def get(self, cid: int, fp: bytes) -> Entry | None:
        entry = self.state.entries.get(cid)
        return entry if entry is not None and entry.fingerprint == fp else None

    def put(self, cid: int, entry: Entry, vocabulary: Vocabulary) -> None:
        """Keep ``entry``, made with ``vocabulary`` (not if the cache was compacted since)."""
        with self._lock:
            if vocabulary is not self.state.vocabulary:
                return
            old = self.state.entries.get(cid)
            self.state.entries[cid] = entry
            self.changed = True
            self._dropped |= old is not None

    def keep_only(self, fingerprints: dict[int, bytes]) -> int:
        """Drop the entries of contributions gone or whose texts changed; how many."""
        with self._lock:
            entries = self.state.entries
            gone = [cid for cid, e in entries.items() if fingerprints.get(cid) != e.fingerprint]
            for cid in gone:
                del entries[cid]
            if gone:
                self.changed = self._dropped = True
            return len(gone)

    def forget(self, ids: Iterable[int]) -> None:
        with self._lock:
            for cid in ids:
                if self.state.entries.pop(cid, None) is not None:
                    self.changed = self._dropped = True

    # -- on disk -----------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        with self._lock:
            if self._dropped:
                self.state = _compacted(self.state)
                self._dropped = False
            state = self.state
            self.changed = False
            self.on_disk = True
            items = sorted(state.entries.items())
            words = list(state.vocabulary.words)
        ids = np.array([cid for cid, _e in items], dtype=np.int64)
        lengths = np.array([len(e.words) for _cid, e in items], dtype=np.int64)
        arrays = {
            "format": np.array([FORMAT]),
            "keywords": np.frombuffer(self.keywords_digest.encode(), dtype=np.uint8),
            "vocabulary": np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
            "ids": ids,
            "fingerprints": np.frombuffer(b"".join(e.fingerprint for _c, e in items), np.uint8),
            "offsets": np.concatenate([[0], np.cumsum(lengths)]),
            "priors": (
                np.vstack([e.prior for _c, e in items]).astype(np.float32)
                if items
                else np.zeros((0, 0), np.float32)
            ),
        }
        # The word ids are most of the file (~1.5 KB per contribution): written entry by
        # entry rather than joined into one more copy in memory.
        pieces = (e.words.astype(np.uint32, copy=False) for _c, e in items)
        write_npz_atomic(path, arrays, {"words": (int(lengths.sum()), np.uint32, pieces)})

    @classmethod
    def load(cls, path: Path, keywords_digest: str) -> TextCache:
        """The saved cache, or an empty one if there is none or it cannot serve."""
        cache = cls(keywords_digest)
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["format"][0]) != FORMAT:
                    return cache
                if bytes(data["keywords"]).decode() != keywords_digest:
                    return cache
                text = bytes(data["vocabulary"]).decode("utf-8")
                vocabulary = Vocabulary(text.split("\n") if text else [])
                ids = data["ids"].tolist()
                fps = bytes(data["fingerprints"])
                offsets = data["offsets"]
                words = data["words"]
                priors = data["priors"]
        except (OSError, ValueError, KeyError, EOFError, UnicodeDecodeError, zipfile.BadZipFile):
            return cache
        n = len(ids)
        if (
            len(fps) != 16 * n
            or len(offsets) != n + 1
            or priors.shape[0] != n
            or (n and (offsets[-1] != len(words) or np.any(np.diff(offsets) < 0)))
            or (len(words) and int(words.max()) >= len(vocabulary))
        ):
            return cache
        entries = {
            cid: Entry(fps[16 * i : 16 * i + 16], words[offsets[i] : offsets[i + 1]], priors[i])
            for i, cid in enumerate(ids)
        }
        cache.state = CacheState(vocabulary, entries)
        cache.on_disk = True
        return cache


def _compacted(state: CacheState) -> CacheState:
    entries = state.entries
    if not entries:
        return CacheState()
    used = np.concatenate([e.words for e in entries.values()] + [np.zeros(0, np.uint32)])
    vocabulary, remap = state.vocabulary.compacted(used)
    return CacheState(
        vocabulary,
        {
            cid: Entry(e.fingerprint, remap[e.words.astype(np.int64)].astype(np.uint32), e.prior)
            for cid, e in entries.items()
        },
    )


def write_npz_atomic(
    path: Path,
    arrays: dict[str, np.ndarray],
    streamed: dict[str, tuple[int, type, Iterable[np.ndarray]]] | None = None,
) -> None:
    """An ``.npz`` (as ``np.savez`` writes it, readable by ``np.load``) written to a
    temporary file, synced, then renamed over ``path``. ``streamed``: name -> (length,
    dtype, pieces) of one-dimensional arrays written piece by piece."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as out:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
                for name, array in arrays.items():
                    with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, np.asanyarray(array))
                for name, (length, dtype, pieces) in (streamed or {}).items():
                    with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                        header = {"descr": np.dtype(dtype).str, "fortran_order": False}
                        np.lib.format.write_array_header_1_0(member, {**header, "shape": (length,)})
                        written = 0
                        for piece in pieces:
                            member.write(piece.tobytes())
                            written += len(piece)
                        if written != length:
                            raise ValueError("streamed array shorter or longer than announced")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
