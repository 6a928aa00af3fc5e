"""Import the consultation mailbox into the store: parse, classify, deduplicate, save.

Writes go in batches (blobs first, then ``add_many`` of the records naming them), so an
import killed half-way leaves a consistent store; running it again skips what is already
there (same Message-ID or same raw bytes) and finishes the job. Campaign groups are
recomputed over the whole store at the end of every run, which also repairs groups left
half-written by an interrupted run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assises_tui.clock import now_iso
from assises_tui.config import Consultation
from assises_tui.domain.models import (
    Attachment,
    Contribution,
    HistoryEntry,
    ImportReport,
    Status,
)
from assises_tui.errors import from_os_error
from assises_tui.ingest.dedup import TextSignature, signature
from assises_tui.ingest.extract import Extractor
from assises_tui.ingest.mime import ParsedMessage, Unreadable, parse_message, sha256
from assises_tui.ingest.msg import parse_msg
from assises_tui.ingest.parallel import SERIAL_FIRST, ParallelParser
from assises_tui.ingest.sources import RawMessage, check_paths, iter_sources
from assises_tui.services.campaigns import assign_campaigns
from assises_tui.store.protocol import Store
from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from assises_tui.workspace import Workspace

BATCH_SIZE = 500
#: A batch is also written once it holds this much mail: a few big messages are not kept
#: in memory until 500 have been read.
BATCH_BYTES = 64 * 1024 * 1024
SNIPPET_CHARS = 200
REASON_DUPLICATE = "Même texte déjà reçu du même expéditeur (n° {id})."
CHECK_NEW_VERSION = (
    "Même identifiant de message (Message-ID) que le n° {id}, mais contenu différent : "
    "nouvelle version ou doublon à confirmer."
)
CHECK_SPLIT = "Découpage de la boîte mbox : {doubt}"


@dataclass
class ImportProgress:
    messages: int  # messages read so far
    bytes_done: int
    bytes_total: int  # size of the sources (0 when unknown)
    elapsed: float
    current: str = ""
    #: "" while messages are read; "ocr" while scans are read (``current`` then says which
    #: document and page, ``bytes_done``/``bytes_total`` count documents).
    stage: str = ""


ProgressCallback = Callable[[ImportProgress], None]


@dataclass
class _Pending:
    parsed: ParsedMessage
    text: str  # body + attachment texts: what duplicates and campaigns compare
    signature: TextSignature  # of ``text``
    version_of: str | None = None  # Message-ID of an earlier mail with other content


def total_size(paths: Iterable[Path]) -> int:
    total = 0
    for path in paths:
        if path.is_dir():
            for dirpath, _dirs, files in os.walk(path):
                for name in files:
                    try:
                        total += os.stat(os.path.join(dirpath, name)).st_size
                    except OSError:
                        pass
        else:
            try:
                total += path.stat().st_size
            except OSError:
                pass
    return total


def _put_blobs(store: Store, datas: list[bytes]) -> list[str]:
    put_many = getattr(store, "put_blobs", None)  # batched flush when the backend has it
    if put_many is not None:
        return list(put_many(datas))
    return [store.put_blob(d) for d in datas]


class Importer:
    def __init__(
        self,
        store: Store,
        config: Consultation,
        *,
        who: str = "import",
        batch_size: int = BATCH_SIZE,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.who = who
        self.batch_size = batch_size
        self.progress = progress
        self.report = ImportReport()
        self._pending: list[_Pending] = []
        self._pending_bytes = 0  # raw mails and attachments held until the next flush
        self._seen_raw: set[str] = set()
        self._seen_mid: dict[str, tuple[str, frozenset[str]]] = {}  # mid -> content
        self._first_by_mid: dict[str, int] = {}  # this run's ids, for version links
        self._by_text: dict[tuple[str, str], int] = {}
        self._signatures: dict[int, TextSignature] = {}  # this run's: no need to re-read
        #: Blobs this run wrote: those no record names after a failure are removed.
        self.written: set[str] = set()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
        self._inflight: Future[None] | None = None
        # By sha256: a purged entry keeps it, so its raw mail is not stored again.
        self._quarantined_blobs = {
            q.raw_blob or q.raw_sha256 for q in store.quarantine() if q.raw_blob or q.raw_sha256
        }
        for item in store.all():
            self._index_duplicate(item)

    def _index_duplicate(self, item: Contribution) -> None:
        if item.status is Status.NOT_CONTRIBUTION or not item.text_fingerprint:
            return
        key = (item.sender_email, item.text_fingerprint)
        if key not in self._by_text or item.id < self._by_text[key]:
            self._by_text[key] = item.id

    # -- one message ---------------------------------------------------------
    def _parse(self, raw: RawMessage) -> ParsedMessage | Unreadable:
        tz = self.config.tz
        if raw.kind == "msg":
            return parse_msg(raw.raw, raw.source, self.config.mailbox, tz)
        return parse_message(raw.raw, raw.source, self.config.mailbox, tz)

    def _quarantine(self, source: str, raw: bytes, reason: str) -> None:
        self.report.quarantined.append({"source": source, "reason": reason})
        blob = None
        if raw:
            if sha256(raw) in self._quarantined_blobs:
                return  # already set aside by an earlier run: do not list it twice
            self.written.add(sha256(raw))
            blob = self.store.put_blob(raw)
            self._quarantined_blobs.add(blob)
        self.store.add_quarantine(source, reason, blob)

    def needs_parsing(self, raw: RawMessage) -> bool:
        """Settle what needs no parsing (source problems, same raw bytes already in)."""
        if raw.doubt:
            self.report.doubtful.append({"source": raw.source, "reason": raw.doubt})
        if raw.problem is not None:
            self._quarantine(raw.source, raw.raw, raw.problem)
            return False
        raw_sha = sha256(raw.raw)
        if raw_sha in self._seen_raw or self.store.id_for_raw_sha256(raw_sha) is not None:
            self.report.already_present += 1
            return False
        self._seen_raw.add(raw_sha)
        return True

    def add(self, raw: RawMessage, extractor: Extractor) -> None:
        if self.needs_parsing(raw):
            self.add_parsed(self._parse(raw), extractor, raw.doubt)

    def _earlier_content(self, mid: str) -> tuple[str, frozenset[str]] | None:
        """(body digest, attachment digests) of the mail already known under ``mid``."""
        if mid in self._seen_mid:
            return self._seen_mid[mid]
        cid = self.store.id_for_message_id(mid)
        item = self.store.get(cid) if cid is not None else None
        if item is None:
            return None
        return item.body_blob or "", frozenset(a.blob for a in item.attachments if a.blob)

    def add_parsed(
        self, parsed: ParsedMessage | Unreadable, extractor: Extractor, doubt: str | None = None
    ) -> None:
        if isinstance(parsed, Unreadable):
            self._quarantine(parsed.source, parsed.raw, parsed.reason)
            return
        mid = parsed.message_id
        content = (
            sha256(parsed.body.encode("utf-8")),
            frozenset(sha256(a.data) for a in parsed.attachments),
        )
        earlier = self._earlier_content(mid)
        version_of = None
        if earlier is not None:
            # Same Message-ID: already present only if the content is the same (a mail
            # resent with an attachment added must not lose the attachment).
            if earlier == content or content[1] <= earlier[1] and content[0] == earlier[0]:
                self.report.already_present += 1
                return
            version_of = mid
        else:
            self._seen_mid[mid] = content
        if doubt:
            parsed.to_check.append(CHECK_SPLIT.format(doubt=doubt))
        extractor.extract_all(parsed.attachments)
        texts = [parsed.body] + [a.text for a in parsed.attachments if a.text]
        text = "\n\n".join(t for t in texts if t)
        sig = parsed.signature
        if sig is None or text != parsed.body:
            sig = signature(text)
        pending = _Pending(parsed, text, sig, version_of=version_of)
        self._pending.append(pending)
        self._pending_bytes += len(parsed.raw) + sum(len(a.data) for a in parsed.attachments)
        if len(self._pending) >= self.batch_size or self._pending_bytes >= BATCH_BYTES:
            self.flush()

    # -- batches -------------------------------------------------------------
    def _record(self, cid: int, item: _Pending, digests: dict[int, str], at: str) -> Contribution:
        p = item.parsed
        cfg = self.config
        attachments = []
        for a in p.attachments:
            text_blob = digests.get(id(a.text)) if a.text else None
            attachments.append(
                Attachment(
                    a.filename, a.content_type, len(a.data), digests[id(a.data)], text_blob, a.note
                )
            )
        status, reason, duplicate_of = Status.NEW, "", None
        fp = item.signature.fingerprint
        to_check = list(p.to_check)
        first_version = self._first_version(item)
        if first_version is not None:
            # Left open, linked to the first: the reviewer confirms "doublon" or keeps both.
            duplicate_of = first_version
            to_check.insert(0, CHECK_NEW_VERSION.format(id=first_version))
        elif p.message_id not in self._first_by_mid:
            self._first_by_mid[p.message_id] = cid
        if p.not_contribution:
            status, reason = Status.NOT_CONTRIBUTION, p.not_contribution
        elif first_version is not None:
            pass
        elif fp:
            key = (p.sender_email, fp)
            first = self._by_text.get(key)
            if first is not None:
                status, duplicate_of = Status.DUPLICATE, first
                reason = REASON_DUPLICATE.format(id=first)
            else:
                self._by_text[key] = cid
        late = p.received_at is not None and p.received_at > cfg.deadline
        return Contribution(
            id=cid,
            message_id=p.message_id,
            received_at=p.received_at,
            date_uncertain=p.date_uncertain,
            sender_name=p.sender_name,
            sender_email=p.sender_email,
            subject=p.subject,
            body_blob=digests[id(p.body)],
            raw_blob=digests[id(p.raw)],
            raw_sha256=p.raw_sha256,
            attachments=tuple(attachments),
            status=status,
            status_reason=reason,
            late=late,
            duplicate_of=duplicate_of,
            source=one_line(p.source, 300),
            snippet=one_line(item.text[: SNIPPET_CHARS * 4], SNIPPET_CHARS),
            text_fingerprint=fp,
            history=(HistoryEntry(self.who, at, "import", None, one_line(p.source, 300)),),
            to_check=tuple(to_check),
        )

    def _first_version(self, item: _Pending) -> int | None:
        if item.version_of is None:
            return None
        first = self._first_by_mid.get(item.version_of)
        return first if first is not None else self.store.id_for_message_id(item.version_of)

    def flush(self) -> None:
        """Write the pending batch. Blob and record writes run in a writer thread (disk
        bound) while the next batch is parsed; batches are written strictly in order."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        self._pending_bytes = 0
        datas: list[bytes] = []
        digests: dict[int, str] = {}
        for item in pending:
            p = item.parsed
            datas.append(p.raw)
            digests[id(p.raw)] = p.raw_sha256  # hashed once, when it was parsed
            objs: list[Any] = [p.body]
            for a in p.attachments:
                objs.append(a.data)
                if a.text:
                    objs.append(a.text)
            for obj in objs:
                data = obj if isinstance(obj, bytes) else obj.encode("utf-8")
                datas.append(data)
                digests[id(obj)] = sha256(data)  # the blob store names blobs by sha256
        self.written.update(digests.values())
        ids = self.store.allocate_ids(len(pending))
        at = now_iso()
        records = [
            self._record(cid, item, digests, at) for cid, item in zip(ids, pending, strict=True)
        ]
        self.wait()
        self._inflight = self._writer.submit(self._write, datas, records)
        for rec, item in zip(records, pending, strict=True):
            if rec.status not in (Status.NOT_CONTRIBUTION, Status.DUPLICATE):
                self._signatures[rec.id] = item.signature
            self.report.imported += 1
            if rec.status is Status.DUPLICATE:
                self.report.duplicates += 1
            elif rec.status is Status.NOT_CONTRIBUTION:
                self.report.not_contributions += 1
            if rec.late and rec.status is not Status.NOT_CONTRIBUTION:
                self.report.late += 1
            if item.version_of is not None:
                self.report.new_versions += 1
            if rec.to_check and rec.status is not Status.NOT_CONTRIBUTION:
                self.report.to_check += 1

    def _write(self, datas: list[bytes], records: list[Contribution]) -> None:
        # Blobs first: a record must never name a blob a crash could lose.
        _put_blobs(self.store, datas)
        self.store.add_many(records)

    def wait(self) -> None:
        """Block until the batch being written is durable (re-raises its error)."""
        if self._inflight is not None:
            inflight, self._inflight = self._inflight, None
            inflight.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._writer.shutdown(wait=True)

    def remove_unsaved_blobs(self) -> int:
        """After a failure (a full disk between a batch's blobs and its records): delete the
        blobs this run wrote that nothing names, instead of leaving them to fill the disk."""
        try:
            left = self.store.unreferenced_blobs(self.written)
            for sha in left:
                self.store.delete_blob(sha)
        except Exception:  # a store refusing writes: ``assises verify`` lists what stays
            return 0
        return len(left)

    # -- campaigns -----------------------------------------------------------
    def update_campaigns(self) -> int:
        """Give campaign members their ``cluster``; returns how many records changed."""
        result = assign_campaigns(self.store, self._signatures)
        self.report.duplicates += result.near_duplicates
        return result.changed


@dataclass(frozen=True)
class Checkpoint:
    """A marker in a message stream: every message before it is made durable (parsed,
    written, fsync'd), then ``reached()`` is called. A source that can resume (IMAP) records
    its position there, so an interrupted run never skips a message."""

    reached: Callable[[], None]


def import_sources(
    target: Workspace | Store,
    paths: Iterable[str | os.PathLike[str]],
    progress: ProgressCallback | None = None,
    *,
    config: Consultation | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> ImportReport:
    """Import every message under ``paths`` into the workspace (or store + config).

    ``workers`` > 1 parses in that many processes once an import proves longer than a few
    hundred messages (default: one per core, at most 2; 1 turns it off). On a quiet 2-core
    machine it took plain messages from ~1,000 to ~1,600 per second (docs/benchmarks.md).

    Raises :class:`~assises_tui.ingest.sources.SourceError` (French message) when a path
    does not exist, before anything is written.
    """
    if config is None:
        config = target.config  # type: ignore[union-attr]
        store: Store = target.store  # type: ignore[union-attr]
        who = getattr(target, "reviewer", "import")
    else:
        store = target  # type: ignore[assignment]
        who = "import"
    checked = check_paths(paths)
    try:
        store.backup("import")
    except OSError as exc:
        raise from_os_error(exc, "l'import") or exc from None
    return import_messages(
        store,
        config,
        iter_sources(checked),
        progress,
        who=who,
        bytes_total=total_size(checked),
        batch_size=batch_size,
        workers=workers,
    )


def import_messages(
    store: Store,
    config: Consultation,
    messages: Iterable[RawMessage | Checkpoint],
    progress: ProgressCallback | None = None,
    *,
    who: str = "import",
    bytes_total: int = 0,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> ImportReport:
    """Import a stream of raw messages (files, an IMAP folder…) through the whole pipeline:
    decoding, classification, deduplication, quarantine, campaigns. ``Checkpoint`` items in
    the stream are honoured once what precedes them is durable. No backup is taken here."""
    if workers is None:
        workers = min(os.cpu_count() or 1, 2)
    importer = Importer(store, config, who=who, batch_size=batch_size, progress=progress)
    try:
        _import_all(importer, messages, progress, workers, bytes_total)
    except Exception as exc:
        importer.remove_unsaved_blobs()
        if isinstance(exc, OSError) and (told := from_os_error(exc, "l'import")):
            raise told from None
        raise
    return importer.report


def _import_all(
    importer: Importer,
    messages: Iterable[RawMessage | Checkpoint],
    progress: ProgressCallback | None,
    workers: int,
    bytes_total: int,
) -> None:
    store, config, who = importer.store, importer.config, importer.who
    started = time.monotonic()
    done_bytes = 0
    last_tick = 0.0
    count = 0
    parser = ParallelParser(config, workers) if workers > 1 else None
    try:
        with Extractor(config.limits) as extractor:
            for raw in messages:
                if isinstance(raw, Checkpoint):
                    if parser is not None:
                        for parsed, doubt in parser.drain():
                            importer.add_parsed(parsed, extractor, doubt)
                    importer.flush()
                    importer.wait()
                    raw.reached()
                    continue
                count += 1
                if raw.kind == "skipped":  # not a message: listed apart, with the reason
                    importer.report.skipped.append({"source": raw.source, "reason": raw.problem})
                    continue
                importer.report.read += 1
                if parser is None or count <= SERIAL_FIRST:
                    importer.add(raw, extractor)
                elif importer.needs_parsing(raw):
                    for parsed, doubt in parser.submit(raw):
                        importer.add_parsed(parsed, extractor, doubt)
                done_bytes += len(raw.raw)
                now = time.monotonic()
                if progress is not None and now - last_tick >= 0.1:
                    last_tick = now
                    progress(
                        ImportProgress(count, done_bytes, bytes_total, now - started, raw.source)
                    )
            if parser is not None:
                for parsed, doubt in parser.drain():
                    importer.add_parsed(parsed, extractor, doubt)
            importer.flush()
    finally:
        if parser is not None:
            parser.close()
        importer.close()  # whatever happened, the batch in flight is finished (or raised)
    importer.update_campaigns()
    _recognise_scans(store, config, who, importer.report, progress, started)
    if progress is not None:
        total = bytes_total or done_bytes
        progress(ImportProgress(importer.report.read, total, total, time.monotonic() - started))


def _recognise_scans(
    store: Store,
    config: Consultation,
    who: str,
    report: ImportReport,
    progress: ProgressCallback | None,
    started: float,
) -> None:
    """OCR of the scanned letters still without text (this import's and any left pending)."""
    from assises_tui.services.text_recognition import TextRecognition

    def tell(done: int, total: int, label: str) -> None:
        if progress is not None:
            elapsed = time.monotonic() - started
            progress(ImportProgress(report.read, done, total, elapsed, label, stage="ocr"))

    result = TextRecognition(store, config.limits, who=who).run(tell)
    report.recognised = result.documents + result.from_cache
    report.ocr_missing = result.missing_engine
