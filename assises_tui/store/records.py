"""The TinyDB store's records in memory: every contribution, decoded at open.

Reads never touch the disk: ``get``, ``ids``, ``all`` and the message-id / raw-digest
lookups answer from here. The loader (``loading.py``) fills it, the store's write path
(``tinydb_store.py``) updates it after each durable write. ``generation`` goes up at every
change, so caches (search) compare it instead of the records.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable
from typing import Any

from assises_tui.domain.models import Contribution
from assises_tui.store.codec import encode


class Records:
    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock  # the store's: ids() and all() build their caches under it
        self.objs: dict[int, Contribution] = {}
        #: Bumped whenever records change: caches (search) compare it instead of records.
        self.generation = 0
        #: Ids a read-only view took from a pending journal: re-read with their shard.
        self.overlaid: set[int] = set()
        self._all: list[Contribution] | None = None  # all(), in id order, until a change
        self._sorted_ids: list[int] | None = None
        # (message id -> id, raw sha256 -> id), built on first lookup; see _index().
        self._indexes: tuple[dict[str, int], dict[str, int]] | None = None

    # -- reading -------------------------------------------------------------
    def get(self, cid: int) -> Contribution | None:
        return self.objs.get(cid)

    def __contains__(self, cid: int) -> bool:
        return cid in self.objs

    def ids(self) -> list[int]:
        """Every contribution id, ascending."""
        with self._lock:
            if self._sorted_ids is None:
                self._sorted_ids = sorted(self.objs)
            return list(self._sorted_ids)

    def all(self) -> list[Contribution]:
        with self._lock:
            items = self._all
            if items is None:
                objs = self.objs
                items = self._all = [objs[cid] for cid in self.ids()]
            return list(items)  # a copy: callers may sort or filter it in place

    def count(self) -> int:
        return len(self.objs)

    def id_for_message_id(self, message_id: str) -> int | None:
        return self._index()[0].get(message_id) if message_id else None

    def id_for_raw_sha256(self, sha256: str) -> int | None:
        return self._index()[1].get(sha256) if sha256 else None

    def _index(self) -> tuple[dict[str, int], dict[str, int]]:
        # Built on first use (the importer's lookups): hashing 200,000 long strings
        # would add a tenth of a second to every open, and browsing never needs them.
        indexes = self._indexes
        if indexes is None:
            with self._lock:
                by_mid: dict[str, int] = {}
                by_sha: dict[str, int] = {}
                for cid, item in self.objs.items():
                    if item.message_id:
                        by_mid.setdefault(item.message_id, cid)
                    if item.raw_sha256:
                        by_sha.setdefault(item.raw_sha256, cid)
                self._indexes = indexes = (by_mid, by_sha)
        return indexes

    def encoded_shard(self, index: int, shard_size: int) -> dict[int, dict[str, Any]]:
        """A shard's records encoded from memory (see ``Shards.source``)."""
        low = index * shard_size + 1
        objs = self.objs
        return {cid: encode(objs[cid]) for cid in range(low, low + shard_size) if cid in objs}

    # -- changing ------------------------------------------------------------
    def remember(self, items: Iterable[Contribution]) -> None:
        """Records just written durably (added or replaced)."""
        indexes = self._indexes
        for item in items:
            old = self.objs.get(item.id)
            if old is None:
                self._sorted_ids = None
            elif indexes is not None:
                by_mid, by_sha = indexes
                if old.message_id and by_mid.get(old.message_id) == item.id:
                    del by_mid[old.message_id]
                if old.raw_sha256 and by_sha.get(old.raw_sha256) == item.id:
                    del by_sha[old.raw_sha256]
            self.objs[item.id] = item
            if indexes is not None:
                if item.message_id:
                    indexes[0].setdefault(item.message_id, item.id)
                if item.raw_sha256:
                    indexes[1].setdefault(item.raw_sha256, item.id)
        self._all = None
        self.generation += 1

    def replace(self, objs: dict[int, Contribution]) -> None:
        """Every record at once (an open, a migration)."""
        # Move what was just loaded out of the collector's sight: a full collection over
        # millions of long-lived record objects would freeze the interface for ~0.5 s,
        # and they form no cycles (refcounting frees replaced records).
        gc.freeze()
        self.objs = objs
        self.overlaid = set()
        self.changed()

    def changed(self) -> None:
        """Records were put into ``objs`` directly (a reload, a journal overlay)."""
        self._sorted_ids = None
        self._all = None
        self._indexes = None
        self.generation += 1
