"""What screens and widgets read: the records, their texts, the quarantine, and news of
the writer's changes. The one read path of the interface: no screen touches a ``Store``.

Writes go the other way, through ``Changes`` (history and undo in one place).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from assises_tui.domain.models import Contribution, QuarantineEntry
from assises_tui.store import texts

if TYPE_CHECKING:
    from assises_tui.store.protocol import Store


class Contributions:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, cid: int) -> Contribution | None:
        return self._store.get(cid)

    def exists(self, cid: int) -> bool:
        return self._store.get(cid) is not None

    def all(self) -> list[Contribution]:
        """Every contribution in id order (the inbox's rows); a copy the caller may sort."""
        return self._store.all()

    def quarantine(self) -> list[QuarantineEntry]:
        """Messages set aside at import (unreadable, too big…), oldest first."""
        return self._store.quarantine()

    def refresh(self) -> bool:
        """Pick up what another process (the writer) changed; True when something did.

        Views that can show stale data (a read-only window beside the writer) call it on
        a timer: the store has no push notifications, the poll is cheap when nothing moved.
        """
        return self._store.reload_if_changed()

    def refresh_changes(self) -> dict[int, Contribution | None] | None:
        """``refresh`` saying what changed: the previous version of each record another
        process changed (None for a new one), ``{}`` when nothing did, None when the
        store cannot tell which (the caller then starts again from ``all``)."""
        return self._store.reload_changes()

    def watch(self, callback: Callable[[], None]) -> bool:
        """Call ``callback`` (from another thread) whenever another process changes records.

        Only a shared store (PostgreSQL: LISTEN/NOTIFY) can tell; False when it cannot, and
        views then poll ``refresh`` instead.
        """
        start = getattr(self._store, "start_listening", None)
        if start is None:
            return False
        start(callback)
        return True

    # -- the first reading (a shared database opened in the background) ---------------
    def loading(self) -> tuple[int, int] | None:
        """(records read, records in all) while the store is still reading them, else None.

        Meanwhile ``get`` works (a missing record is fetched at once) but ``all`` waits
        for the end: a view shows its first screen with ``dated_ids`` instead.
        """
        progress = getattr(self._store, "loading_progress", None)
        return progress() if progress is not None else None

    def start_loading(self) -> None:
        """Start reading the records in the background (once the first screen is drawn)."""
        start = getattr(self._store, "start_loading", None)
        if start is not None:
            start()

    def wait_loaded(self) -> None:
        """Block (in a worker) until every record is in memory; StoreError if it failed."""
        wait = getattr(self._store, "wait_loaded", None)
        if wait is not None:
            wait()

    def prefetch(self, ids: list[int]) -> None:
        """Fetch in one round trip the records about to be drawn (while loading)."""
        prefetch = getattr(self._store, "prefetch", None)
        if prefetch is not None:
            prefetch(ids)

    def dated_ids(
        self,
        statuses: Sequence[str] | None = None,
        assignee: str | None = None,
        *,
        reverse: bool = False,
    ) -> list[int]:
        """Ids by reception date (undated last, ties by number) asked of the database,
        without reading the records: a view's rows while they are still being read."""
        return self._store.ordered_ids(statuses, assignee, reverse=reverse)  # type: ignore[attr-defined]

    def status_counts(self) -> dict[str, int]:
        """Contributions per status value, counted by the database."""
        return self._store.status_counts()  # type: ignore[attr-defined]

    # -- texts ---------------------------------------------------------------------
    def blob_text(self, sha: str | None) -> str:
        """A stored text (body, extracted attachment text); '' when absent or purged."""
        if not sha:
            return ""
        try:
            return self._store.get_blob(sha).decode("utf-8", "replace")
        except Exception:  # a purged or missing blob must not break a reader
            return ""

    def body_text(self, cid: int) -> str:
        """The normalised body text of a contribution ('' when it has none)."""
        return texts.body_text(self._store, self._store.get(cid))

    def attachment_texts(self, cid: int) -> list[tuple[str, str]]:
        """(file name, extracted text) for each attachment with text."""
        return texts.attachment_texts(self._store, self._store.get(cid))

    def raw_mail(self, item: Contribution) -> bytes | None:
        """The e-mail as received, byte for byte; None when not kept or purged."""
        if not item.raw_blob:
            return None
        try:
            return self._store.get_blob(item.raw_blob)
        except Exception:  # a purged or missing blob must not break the reader
            return None
