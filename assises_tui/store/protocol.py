"""The one interface services use to reach stored data: everything a backend must do.

Screens, widgets and CLI commands never see it: they call services, which call a
``Store``. A new backend implements every method here and passes the contract suite in
``tests/contract/test_store_contract.py`` (durability, all-or-nothing batches, ids never
reused, blobs, quarantine, documents, audit, verify, backups). Nothing in it names a file
format: a backend keeps its data where it likes under the workspace ``root``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from assises_tui.domain.models import Contribution, QuarantineEntry
from assises_tui.errors import (  # noqa: F401 - re-exported: the store raises them
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreReadOnlyMediaError,
    StoreVersionError,
)


class Store(Protocol):
    #: True for a view opened without the writer lock: every write raises ``StoreError``.
    read_only: bool
    #: The workspace folder (caches such as the search index live beside the store).
    root: Path
    #: Bumped whenever records change (a write here, or another writer's change picked up
    #: by ``reload_if_changed``): caches compare it instead of comparing records.
    generation: int

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

    def ids(self) -> list[int]:
        """Every contribution id, ascending."""

    def all(self) -> list[Contribution]:
        """Every record, ordered by id (served from memory after open)."""

    def count(self) -> int: ...

    def id_for_message_id(self, message_id: str) -> int | None: ...

    def id_for_raw_sha256(self, sha256: str) -> int | None: ...

    def reload_if_changed(self) -> bool:
        """Read-only views: pick up the writer's changes. True when something changed."""

    def reload_changes(self) -> dict[int, Contribution | None] | None:
        """``reload_if_changed`` saying what changed: the previous version of each record
        another process changed (None for one new here), ``{}`` when nothing changed, None
        when the store cannot tell which (a view then recomputes itself from ``all``)."""

    # -- blobs (content-addressed, sha256, written once) --------------------
    def put_blob(self, data: bytes) -> str: ...

    def put_blobs(self, datas: Iterable[bytes]) -> list[str]:
        """Several blobs at once, durable together when it returns (imports, purges)."""

    def get_blob(self, sha256: str) -> bytes:
        """The stored bytes; ``StoreError`` when the blob is missing."""

    def has_blob(self, sha256: str) -> bool: ...

    def delete_blob(self, sha256: str) -> None:
        """Only for the RGPD purge (erase personal data on request) and for blobs that
        ``unreferenced_blobs`` lists."""

    def blob_sizes(self, shas: Iterable[str]) -> dict[str, int]:
        """Size in bytes of each stored blob among ``shas`` (missing ones left out): what
        ``privacy-report`` says the mails and attachments weigh, wherever they live."""

    def unreferenced_blobs(self, among: Iterable[str] | None = None) -> dict[str, int]:
        """Blobs (sha256 -> size in bytes) no record, quarantine entry or committed write
        names (``among``: only these candidates): what an import that failed between its
        blobs and its records left behind."""

    # -- quarantine ----------------------------------------------------------
    def add_quarantine(self, source: str, reason: str, raw_blob: str | None) -> QuarantineEntry: ...

    def quarantine(self) -> list[QuarantineEntry]: ...

    def put_quarantine(self, entries: Sequence[QuarantineEntry]) -> None:
        """Entries copied verbatim, numbers included, from another store (``migrate``)."""

    def erase_quarantine_raw(self, ids: list[int], note: str) -> None:
        """Only for the RGPD purge: forget the raw mail of these entries (its sha256 stays,
        so a re-import recognises it); ``note`` is added to their reason."""

    # -- workspace documents (saved searches, codebook, audit, settings) -----
    def get_doc(self, name: str) -> dict[str, Any]: ...

    def put_doc(self, name: str, value: dict[str, Any]) -> None: ...

    def doc_names(self) -> list[str]:
        """Names of every stored document, sorted (``migrate`` copies them all)."""

    def append_audit(self, entries: Iterable[dict[str, Any]]) -> None:
        """Workspace-level audit events (exports, codebook, accepted findings…)."""

    def audit(self) -> list[dict[str, Any]]: ...

    # -- maintenance ---------------------------------------------------------
    def verify(self) -> list[str]:
        """Problems found (French sentences); empty when sound."""

    def backup(self, reason: str, dest: Path | None = None) -> Path:
        """A consistent copy of the records, documents and audit (not the blobs, which
        are immutable); ``dest`` or a new file among the workspace's backups."""
