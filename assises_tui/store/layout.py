"""Where things live inside a workspace folder.

::

    <workspace>/
      consultation.toml        the consultation (+ its announcement file, if any)
      lock                     writer lock (pid, host, since) — flock'd while open
      store/meta.json          schema version, counters, quarantine, documents (TinyDB)
      store/contributions/     0000.json, 0001.json… (TinyDB shards of 1,000 records)
      store/journal.json       only during a multi-shard write (replayed on open if left)
      store/audit.jsonl        workspace audit events, append-only
      blobs/ab/cdef…           raw mails, attachments, texts (sha256-named, immutable)
      backups/                 rotating tar.gz copies of store/ (not the blobs)
      synthesis.md             the synthesis draft
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONFIG_NAME = "consultation.toml"
DEFAULT_SHARD_SIZE = 1000
BACKUPS_KEPT = 10


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def lock(self) -> Path:
        return self.root / "lock"

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def meta(self) -> Path:
        return self.store / "meta.json"

    @property
    def contributions(self) -> Path:
        return self.store / "contributions"

    @property
    def journal(self) -> Path:
        return self.store / "journal.json"

    @property
    def audit(self) -> Path:
        return self.store / "audit.jsonl"

    @property
    def blobs(self) -> Path:
        return self.root / "blobs"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def synthesis(self) -> Path:
        return self.root / "synthesis.md"
