"""Fetch the consultation's mailbox over IMAP into the store, incrementally and read-only.

Position: the workspace document ``mailbox-fetch`` holds the folder fetched (``account``),
its ``uidvalidity`` and the highest UID made durable (``last_uid``), plus when the last
fetch succeeded and the last error. New messages go through the importer's whole pipeline
(``import_messages``) in groups of about a hundred; after each group is durable, a
checkpoint moves ``last_uid`` forward, so an interrupted fetch resumes where it stopped
and, at worst, reads one group again (the pipeline recognises it: no duplicate).

A changed UIDVALIDITY (the server renumbered the folder) or a changed account starts from
UID 0 again: every message is read once more and the pipeline recognises those already
stored, as it does for any re-import (a Message-ID alone is not enough: a mail resent
under the same Message-ID with other content is a new version, the importer's call).

An unreachable network is not an error: the result says ``offline`` and when the last
fetch succeeded. No textual/rich here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from assises_tui.clock import now_iso
from assises_tui.config import Consultation
from assises_tui.domain.models import ImportReport
from assises_tui.ingest.sources import MAX_MESSAGE_BYTES, RawMessage
from assises_tui.mailbox.imap import ImapFolder, MailboxOffline, batches
from assises_tui.mailbox.settings import ImapSettings, MailboxError, imap_settings
from assises_tui.services.importer import (
    Checkpoint,
    ProgressCallback,
    import_messages,
)
from assises_tui.store.protocol import Store

FETCH_DOC = "mailbox-fetch"
FETCH_BATCH = 100  # messages per checkpoint (and per FETCH command)
FETCH_BATCH_BYTES = 32 * 1024 * 1024
BACKUP_EVERY_SECONDS = 6 * 3600  # a fetch every few minutes must not rotate backups away

OpenFolder = Callable[[ImapSettings, str], ImapFolder]


@dataclass(frozen=True)
class FetchStatus:
    """What the workspace remembers about its mailbox (all None before the first fetch)."""

    account: str | None = None
    uidvalidity: int | None = None
    last_uid: int = 0
    last_success: str | None = None  # ISO time of the last fetch that completed
    last_attempt: str | None = None
    last_error: str | None = None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> FetchStatus:
        def num(key: str) -> int | None:
            value = doc.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        def text(key: str) -> str | None:
            value = doc.get(key)
            return value if isinstance(value, str) else None

        return cls(
            account=text("account"),
            uidvalidity=num("uidvalidity"),
            last_uid=num("last_uid") or 0,
            last_success=text("last_success"),
            last_attempt=text("last_attempt"),
            last_error=text("last_error"),
        )


@dataclass
class FetchResult:
    report: ImportReport = field(default_factory=ImportReport)
    folder: str = ""
    server_messages: int = 0  # messages in the folder when it was opened
    uidvalidity_changed: bool = False
    offline: bool = False
    note: str = ""  # why nothing was fetched (offline), in French
    last_success: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.report.to_dict(),
            "folder": self.folder,
            "server_messages": self.server_messages,
            "uidvalidity_changed": self.uidvalidity_changed,
            "offline": self.offline,
            "note": self.note,
            "last_fetch": self.last_success,
        }


class MailboxFetch:
    """Fetch service: ``status()`` for screens, ``fetch(password)`` to run one fetch."""

    def __init__(
        self,
        store: Store,
        config: Consultation,
        reviewer: str,
        *,
        open_folder: OpenFolder = ImapFolder,
    ) -> None:
        self.store = store
        self.config = config
        self.reviewer = reviewer
        self._open_folder = open_folder

    def settings(self) -> ImapSettings:
        """The ``[imap]`` table (``MailboxSettingsError`` when absent or wrong)."""
        return imap_settings(self.config, self.store.root)

    def status(self) -> FetchStatus:
        try:
            return FetchStatus.from_doc(self.store.get_doc(FETCH_DOC) or {})
        except Exception:  # an unreadable document must not stop the app from opening
            return FetchStatus()

    def _update(self, **changes: Any) -> None:
        doc = dict(self.store.get_doc(FETCH_DOC) or {})
        doc.update(changes)
        self.store.put_doc(FETCH_DOC, doc)

    # -- one fetch ----------------------------------------------------------------
    def fetch(
        self,
        password: str,
        progress: ProgressCallback | None = None,
        *,
        settings: ImapSettings | None = None,
    ) -> FetchResult:
        settings = settings or self.settings()
        status = self.status()
        started = now_iso()
        result = FetchResult(folder=settings.folder, last_success=status.last_success)
        try:
            folder = self._open_folder(settings, password)
            folder.open()
        except MailboxOffline as exc:
            self._update(last_attempt=started)
            result.offline, result.note = True, str(exc)
            return result
        except MailboxError as exc:
            self._update(last_attempt=started, last_error=str(exc))
            raise
        settled = [0]  # messages made durable by checkpoints, for the error message
        try:
            self._fetch_open(folder, settings, status, result, progress, settled)
        except MailboxError as exc:
            message = str(exc)
            if settled[0]:
                message += (
                    f" {settled[0]} message(s) ont été enregistrés avant la coupure : "
                    "relancez la relève pour reprendre."
                )
            self._update(last_attempt=started, last_error=message)
            raise type(exc)(message) from None
        finally:
            folder.close()
        finished = now_iso()
        self._update(last_attempt=started, last_success=finished, last_error=None)
        result.last_success = finished
        report = result.report
        self.store.append_audit(
            [
                {
                    "at": finished,
                    "who": self.reviewer,
                    "what": "mailbox.fetch",
                    "folder": settings.folder,
                    "read": report.read,
                    "imported": report.imported,
                    "already_present": report.already_present,
                    "quarantined": len(report.quarantined),
                }
            ]
        )
        return result

    def _fetch_open(
        self,
        folder: ImapFolder,
        settings: ImapSettings,
        status: FetchStatus,
        result: FetchResult,
        progress: ProgressCallback | None,
        settled: list[int],
    ) -> None:
        state = folder.state
        result.server_messages = state.exists
        fresh = status.account != settings.account or status.uidvalidity != state.uidvalidity
        if fresh:
            result.uidvalidity_changed = (
                status.account == settings.account and status.uidvalidity is not None
            )
            # Recorded before anything is imported: checkpoints then move this position.
            self._update(account=settings.account, uidvalidity=state.uidvalidity, last_uid=0)
        last_uid = 0 if fresh else status.last_uid
        uids = folder.uids_after(last_uid)
        if not uids:
            return
        sizes = folder.sizes(uids)
        self._backup_if_due()
        label = f"IMAP {settings.folder} UID {{}}"

        def advance(uid: int, count: int) -> None:
            self._update(last_uid=uid)
            settled[0] += count

        def stream() -> Iterator[RawMessage | Checkpoint]:
            for group in batches(uids, sizes, count=FETCH_BATCH, size=FETCH_BATCH_BYTES):
                small = [uid for uid in group if sizes.get(uid, 0) <= MAX_MESSAGE_BYTES]
                fetched = dict(folder.fetch(small)) if small else {}
                for uid in group:
                    if uid in fetched:
                        yield RawMessage(label.format(uid), fetched[uid])
                    elif uid not in small:
                        mb = sizes.get(uid, 0) // 1_048_576
                        reason = f"Message trop volumineux ({mb} Mo) : laissé sur le serveur."
                        yield RawMessage(label.format(uid), b"", reason)
                    # else: deleted on the server since the search; nothing to keep
                yield Checkpoint(partial(advance, group[-1], len(group)))

        result.report = import_messages(
            self.store,
            self.config,
            stream(),
            progress,
            who=self.reviewer,
            bytes_total=sum(sizes.values()),
        )
        self._update(last_uid=uids[-1])

    def _backup_if_due(self) -> None:
        try:
            from assises_tui.store.backup import list_backups

            newest = list_backups(self.store.root)[:1]
            if newest and time.time() - newest[0].stat().st_mtime < BACKUP_EVERY_SECONDS:
                return
        except OSError:
            pass
        self.store.backup("releve")


def french_moment(iso: str | None) -> str:
    """``le 05/12/2026 à 18:31`` (in the local time of the workstation)."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso
    return moment.strftime("le %d/%m/%Y à %H:%M")


def last_fetch_sentence(status: FetchStatus) -> str:
    """What the app and ``assises fetch --status`` say about the last fetch."""
    if status.last_success:
        sentence = f"Dernière relève de la boîte : {french_moment(status.last_success)}."
    else:
        sentence = "La boîte de la consultation n'a encore jamais été relevée."
    if status.last_error and status.last_attempt:
        sentence += f" Échec de la tentative du {french_moment(status.last_attempt)[3:]} : "
        sentence += status.last_error
    return sentence
