"""``SearchIndex``: answers a query over the whole consultation in a few milliseconds.

Free words go through the persisted inverted index (:mod:`.wordindex`); metadata terms are
predicates over the in-memory records; quoted phrases take their candidates from the index
and are then checked on the folded text of those candidates only (bounded per keystroke).

Thread use: ``refresh`` may run in a worker thread while the interface calls ``search``;
the index is mutated in short batches under a lock, so a keystroke never waits long.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assises_tui.domain.models import Contribution
from assises_tui.search.facets import MetaSets
from assises_tui.search.filters import FieldMatcher
from assises_tui.search.postings import has, with_word, without_word
from assises_tui.search.query import Query, Term, parse_query
from assises_tui.search.tokenize import folded_words, index_words
from assises_tui.search.wordindex import IndexFileError, WordIndex, write_file

if TYPE_CHECKING:
    from assises_tui.config import Consultation
    from assises_tui.store.protocol import Store

Progress = Callable[[int, int], Any]

INDEX_DIR = "index"
INDEX_FILE = "words.bin"
#: Records indexed between two merges into the live index (bounds memory and lock time).
BATCH = 500
#: Shortest word that is matched as a prefix while typing (one letter matches everything).
MIN_PREFIX = 2
#: Time allowed per search for checking phrases on candidate texts (exhaustive=False).
PHRASE_BUDGET_S = 0.030
#: Below this many (candidate × prefix word) pairs, prefixes are checked by bisection.
FEW_LOOKUPS = 4096
#: Records not yet indexed that a search still scans directly (fresh imports).
SCAN_UNINDEXED = 300


def signature(item: Contribution) -> int:
    """What the index depends on; a change means the record is indexed again."""
    parts = [item.subject, item.sender_name, item.sender_email, item.body_blob or ""]
    parts.extend(a.text_blob or "" for a in item.attachments)
    return zlib.crc32("\x00".join(parts).encode("utf-8", "surrogatepass"))


class SearchIndex:
    def __init__(self, store: Store, consultation: Consultation, reviewer: str) -> None:
        self.store = store
        self.config = consultation
        self.reviewer = reviewer
        self._index: WordIndex | None = None
        self._lock = threading.RLock()  # guards the live index
        self._refreshing = threading.Lock()  # one refresh at a time
        self._matcher: FieldMatcher | None = None
        self._facets: MetaSets | None = None
        self._texts: OrderedDict[int, tuple[int, tuple[str, ...]]] = OrderedDict()
        self._missing: tuple[tuple[int, int], list[int]] | None = None
        self._sig_cache: dict[int, tuple[Contribution, int]] = {}
        #: Set by the last search when phrase checks were cut short (results may be a superset).
        self.truncated = False
        #: Why the persisted index was discarded, if it was (a French sentence).
        self.load_problem: str | None = None

    # -- plumbing ------------------------------------------------------------
    @property
    def path(self) -> Path:
        return Path(self.store.root) / INDEX_DIR / INDEX_FILE

    @property
    def matcher(self) -> FieldMatcher:
        if self._matcher is None:
            self._matcher = FieldMatcher(self.config, self.reviewer)
        return self._matcher

    @property
    def facets(self) -> MetaSets:
        if self._facets is None:
            self._facets = MetaSets(self.store, self.matcher)
        return self._facets

    def _loaded(self) -> WordIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    try:
                        self._index = WordIndex.load(self.path)
                    except FileNotFoundError:
                        self._index = WordIndex()
                    except (IndexFileError, OSError) as exc:
                        self.load_problem = f"Index de recherche illisible, reconstruit ({exc})."
                        self._index = WordIndex()
        return self._index

    def parse(self, text: str, *, prefix_last: bool = True) -> Query:
        """:func:`parse_query` with theme names checked against the consultation."""
        return parse_query(text, self.config, prefix_last=prefix_last)

    def texts(self, item: Contribution) -> tuple[str, ...]:
        """Every searchable text of a record: subject, sender, body, attachment texts."""
        store = self.store
        out = [item.subject, item.sender_name, item.sender_email]
        blobs = [item.body_blob] + [a.text_blob for a in item.attachments]
        for blob in blobs:
            if blob:
                try:
                    out.append(store.get_blob(blob).decode("utf-8", "replace"))
                except Exception:  # a purged or missing blob: index what remains
                    continue
        return tuple(out)

    # -- building ------------------------------------------------------------
    def _signature(self, item: Contribution) -> int:
        """``signature(item)``, remembered per record object (records are frozen)."""
        hit = self._sig_cache.get(item.id)
        if hit is not None and hit[0] is item:
            return hit[1]
        sig = signature(item)
        self._sig_cache[item.id] = (item, sig)
        return sig

    def _stale(self, idx: WordIndex) -> tuple[list[Contribution], set[int]]:
        items = self.store.all()
        sigs = idx.sigs
        sig_of = self._signature
        todo = [c for c in items if sigs.get(c.id) != sig_of(c)]
        gone: set[int] = set()
        if len(sigs) > len(items) - len(todo):  # some indexed ids may have left the store
            gone = set(sigs).difference(c.id for c in items)
        return todo, gone

    @property
    def indexed(self) -> int:
        """How many records the index holds (compare with ``store.count()``)."""
        return len(self._loaded())

    def pending(self) -> int:
        """How many records ``refresh`` would (re)index now."""
        todo, gone = self._stale(self._loaded())
        return len(todo) + len(gone)

    def refresh(self, progress: Progress | None = None) -> int:
        """Index what is missing or changed; persist unless read-only. Returns the count."""
        with self._refreshing:
            idx = self._loaded()
            todo, gone = self._stale(idx)
            if not todo and not gone:
                return 0
            self._reindex(idx, todo, gone, progress)
            self.save()
            return len(todo)

    def follow(self, ids: Iterable[int]) -> int:
        """Index again these records (another reviewer changed them), without the check
        of every record ``refresh`` makes and without saving: a status or a theme leaves
        the words as they were, and the next start's ``refresh`` saves what did change."""
        with self._refreshing:
            idx = self._loaded()
            todo: list[Contribution] = []
            gone: set[int] = set()
            for cid in ids:
                item = self.store.get(cid)
                if item is None:
                    if cid in idx.sigs:
                        gone.add(cid)
                elif idx.sigs.get(cid) != self._signature(item):
                    todo.append(item)
            if todo or gone:
                self._reindex(idx, todo, gone, None)
            return len(todo)

    def _reindex(
        self,
        idx: WordIndex,
        todo: list[Contribution],
        gone: set[int],
        progress: Progress | None,
    ) -> None:
        with self._lock:
            idx.remove(gone | {c.id for c in todo if c.id in idx.sigs})
        total = len(todo)
        batch: list[tuple[int, set[str], int]] = []
        for n, item in enumerate(todo, 1):
            words: set[str] = set()
            for text in self.texts(item):
                words |= index_words(text)
            batch.append((item.id, words, self._signature(item)))
            if len(batch) >= BATCH or n == total:
                with self._lock:
                    for cid, ws, sig in batch:
                        idx.add(cid, ws, sig)
                    idx.finish()  # searches between batches need sorted arrays
                batch = []
                if progress is not None:
                    progress(n, total)
        with self._lock:
            idx.finish()
            self._missing = None

    def warm(self) -> None:
        """Load the index and prepare the metadata groupings, so that the first keystrokes
        are as fast as the next ones. For a background worker, after :meth:`refresh`."""
        self._loaded()
        self.facets.warm()

    def save(self) -> bool:
        """Write the index to the workspace (not in read-only mode). False if not written."""
        store = self.store
        if store.read_only or self._index is None:
            return False
        try:
            with self._lock:  # serialise under the lock, write without it (searches go on)
                data = self._index.to_bytes()
            write_file(self.path, data)
        except OSError:  # a cache: failing to write it only costs a rebuild later
            return False
        return True

    # -- searching -----------------------------------------------------------
    def matches(self, query: str | Query, contribution: Contribution) -> bool:
        """Metadata-only check of one record (free words and phrases are not looked at)."""
        q = self.parse(query) if isinstance(query, str) else query
        return self.matcher.matches(q, contribution)

    def search(
        self, query: str | Query, ids: Sequence[int] | None = None, *, exhaustive: bool = False
    ) -> list[int]:
        """Ids matching ``query`` (within ``ids`` if given), ascending.

        Faulty terms (see ``Query.errors``) are ignored. ``exhaustive``: check every phrase
        candidate however long it takes (the CLI); otherwise phrase checks stop after a
        time budget, keep the unchecked candidates, and set ``self.truncated``.
        """
        q = self.parse(query) if isinstance(query, str) else query
        self.truncated = False
        cand: set[int] | None = set(ids) if ids is not None else None
        unchecked = cand is not None  # ids that may not exist in the store
        done: list[Term] = []
        for term in q.field_terms:  # id:… narrows before anything else, without a scan
            if term.field == "id" and not term.negated:
                span = sum(b - a + 1 for a, b in term.values)
                if span <= 100_000:
                    wanted = {i for a, b in term.values for i in range(a, b + 1)}
                    cand = wanted if cand is None else cand & wanted
                    unchecked = True
                    done.append(term)
        text_terms = q.text_terms
        if text_terms and exhaustive:
            self.refresh()  # a complete answer needs every record indexed
        if text_terms:
            cand = self._text_candidates(text_terms, cand)
            unchecked = False
        field_terms = sorted(
            (t for t in q.field_terms if t not in done), key=lambda t: t.negated
        )  # positive terms first: they narrow
        gen = self.facets.generation() if field_terms else None
        for term in field_terms:
            if cand is not None and not cand:
                break
            found = self.facets.ids_for(term, gen)
            if not term.negated:
                cand = set(found) if cand is None else cand.intersection(found)
                unchecked = False
            else:
                if cand is None:
                    cand = set(self.facets.all_ids())
                cand.difference_update(found)
        if cand is None:
            result = self.facets.all_ids()
        elif unchecked:
            store = self.store
            result = [i for i in sorted(cand) if store.get(i) is not None]
        else:
            result = sorted(cand)
        phrases = [t for t in text_terms if t.phrase]
        if phrases and result:
            result = self._check_phrases(phrases, result, exhaustive)
        return result

    def _text_candidates(self, terms: tuple[Term, ...], cand: set[int] | None) -> set[int]:
        idx = self._loaded()
        unindexed = self._unindexed(idx)
        if unindexed and cand is not None:
            unindexed = [i for i in unindexed if i in cand]
        with self._lock:
            positive = sorted(
                (t for t in terms if not t.negated), key=lambda t: self._estimate(idx, t)
            )
            for term in positive:
                cand = self._term_ids(idx, term, cand)
                if not cand:
                    break
            if cand is None:  # only exclusions: start from everything indexed
                cand = set(idx.all_ids())
            for term in terms:
                if term.negated and not term.phrase and cand:
                    cand = without_word(idx, term.words[0], cand, copy=False)
        if unindexed:  # fresh records not indexed yet: look at their words directly
            cand.update(self._scan(unindexed, terms))
        return cand

    @staticmethod
    def _estimate(idx: WordIndex, term: Term) -> int:
        if term.prefix:
            return 1 << 40  # unions are the dearest: do them last, on a narrowed set
        return min(len(idx.lookup(w)) for w in term.words)

    def _term_ids(self, idx: WordIndex, term: Term, cand: set[int] | None) -> set[int]:
        """Ids having every word of ``term`` (the last one as a prefix when typing).

        May update ``cand`` in place (always a set this search made).
        """
        words = sorted(term.words, key=lambda w: len(idx.lookup(w)))
        for w in words:
            if term.prefix and len(w) >= MIN_PREFIX:
                expansions = sorted(idx.words_with_prefix(w), key=lambda x: -len(idx.lookup(x)))
                if not expansions:
                    return set()
                if cand is None:
                    cand = set(idx.all_ids())
                if len(cand) * len(expansions) <= FEW_LOOKUPS:  # few candidates: look each up
                    postings = [idx.lookup(x) for x in expansions]
                    cand = {c for c in cand if any(has(p, c) for p in postings)}
                else:
                    # The candidates no expansion covers, struck out word by word (commonest
                    # first, through its complement): this set shrinks fast.
                    missing: set[int] | None = None
                    for x in expansions:
                        missing = without_word(
                            idx, x, cand if missing is None else missing, copy=missing is None
                        )
                        if not missing:
                            break
                    cand.difference_update(missing or ())
            else:
                cand = with_word(idx, w, cand)
            if not cand:
                return set()
        return cand if cand is not None else set()

    def _unindexed(self, idx: WordIndex) -> list[int]:
        """Records the index lacks, if few enough to scan (cached per store size)."""
        store = self.store
        key = (store.count(), len(idx))
        if key[0] == key[1]:
            return []
        if self._missing is None or self._missing[0] != key:
            missing = [c.id for c in store.all() if c.id not in idx.sigs]
            self._missing = (key, missing if len(missing) <= SCAN_UNINDEXED else [])
        return self._missing[1]

    def _scan(self, ids: list[int], terms: tuple[Term, ...]) -> set[int]:
        out = set()
        for cid in ids:
            item = self.store.get(cid)
            if item is None:
                continue
            words = set(" ".join(self._folded_texts(item)).split())
            ok = True
            for t in terms:
                if t.prefix and len(t.words[0]) >= MIN_PREFIX:
                    has = any(w.startswith(t.words[0]) for w in words)
                else:
                    has = all(w in words for w in t.words)
                if has == t.negated and not (t.negated and t.phrase):
                    ok = False
                    break
            if ok:
                out.add(cid)
        return out

    def _folded_texts(self, item: Contribution) -> tuple[str, ...]:
        """Each text as " word word … " (folded tokens), memoised for recent records."""
        sig = self._signature(item)
        hit = self._texts.get(item.id)
        if hit is not None and hit[0] == sig:
            self._texts.move_to_end(item.id)
            return hit[1]
        folded = tuple(" " + " ".join(folded_words(t)) + " " for t in self.texts(item))
        self._texts[item.id] = (sig, folded)
        if len(self._texts) > 2000:
            self._texts.popitem(last=False)
        return folded

    def _check_phrases(self, phrases: list[Term], ids: list[int], exhaustive: bool) -> list[int]:
        needles = [(" " + " ".join(t.words) + " ", t.negated) for t in phrases]
        deadline = time.perf_counter() + PHRASE_BUDGET_S
        store = self.store
        out = []
        for n, cid in enumerate(ids):
            if not exhaustive and time.perf_counter() > deadline:
                self.truncated = True
                out.extend(ids[n:])
                break
            item = store.get(cid)
            if item is None:
                continue
            texts = self._folded_texts(item)
            if all(any(needle in t for t in texts) != negated for needle, negated in needles):
                out.append(cid)
        return out
