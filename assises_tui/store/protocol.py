"""The one interface services use to reach stored data.

Screens and the CLI never see it directly: they call services, which call a ``Store``.
A server backend can be added later by implementing this Protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from assises_tui.domain.models import Contribution, QuarantineEntry
from assises_tui.errors import AssisesError


class StoreError(AssisesError):
    """A store problem with a French, user-facing message (no traceback needed).

    An ``AssisesError``, so the CLI prints its sentence and exits 2 without a traceback.
    """


class StoreLockedError(StoreError):
    """Another process holds the writer lock (message names pid, host and since when)."""


class StoreCorruptError(StoreError):
    """A store file cannot be read; it is left untouched. Message names the newest good backup."""


class StoreVersionError(StoreError):
    """The store was written by a newer version of Assises."""


class Store(Protocol):
    read_only: bool
    root: Path

    # -- lifecycle ---------------------------------------------------------
    def close(self) -> None: ...

    # -- contributions -----------------------------------------------------
    def allocate_ids(self, count: int) -> list[int]:
        """Reserve ``count`` new contribution numbers (never reused)."""

    def add_many(self, items: Sequence[Contribution]) -> None:
        """Insert new records durably, all or nothing."""

    def save(self, item: Contribution) -> None:
        """Replace one record durably (fsync'd before returning)."""

    def save_many(self, items: Sequence[Contribution]) -> None:
        """Replace several records durably, all or nothing (bulk actions)."""

    def get(self, cid: int) -> Contribution | None: ...

    def all(self) -> list[Contribution]:
        """Every record, ordered by id (served from memory after open)."""

    def count(self) -> int: ...

    def id_for_message_id(self, message_id: str) -> int | None: ...

    def id_for_raw_sha256(self, sha256: str) -> int | None: ...

    def reload_if_changed(self) -> bool:
        """Read-only views: pick up the writer's changes. True when something changed."""

    # -- blobs (content-addressed, sha256, written once) --------------------
    def put_blob(self, data: bytes) -> str: ...

    def get_blob(self, sha256: str) -> bytes: ...

    def has_blob(self, sha256: str) -> bool: ...

    def delete_blob(self, sha256: str) -> None:
        """Only for the RGPD purge: erase personal data on request."""

    # -- quarantine ----------------------------------------------------------
    def add_quarantine(self, source: str, reason: str, raw_blob: str | None) -> QuarantineEntry: ...

    def quarantine(self) -> list[QuarantineEntry]: ...

    def erase_quarantine_raw(self, ids: list[int], note: str) -> None:
        """Only for the RGPD purge: forget the raw mail of these entries (its sha256 stays,
        so a re-import recognises it); ``note`` is added to their reason."""

    # -- workspace documents (saved searches, codebook, audit, settings) -----
    def get_doc(self, name: str) -> dict[str, Any]: ...

    def put_doc(self, name: str, value: dict[str, Any]) -> None: ...

    def append_audit(self, entries: Iterable[dict[str, Any]]) -> None:
        """Workspace-level audit events (exports, codebook, accepted findings…)."""

    def audit(self) -> list[dict[str, Any]]: ...

    # -- maintenance ---------------------------------------------------------
    def verify(self) -> list[str]:
        """Problems found (French sentences); empty when sound."""

    def backup(self, reason: str, dest: Path | None = None) -> Path: ...
