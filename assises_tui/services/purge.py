"""The RGPD purge: erase the personal data of contributions received before a date.

Per record (:func:`purge_record`): sender identity erased, raw e-mail and attachment files
deleted, personal data masked in the subject, body, attachment texts and names, notes,
excerpts (offsets re-mapped onto the masked text), assignee and history values. Themes,
statuses, excerpts, figures and the synthesis stay.

Around the records (``purge_workspace.py``): what was erased is masked wherever a reviewer
may have copied it (the synthesis draft and its versions, saved searches); every backup
and every store set aside by a restore is replaced or deleted.

Crash-safe: masked texts are stored first, then every record is replaced in one
all-or-nothing write, then the files nobody references any more are deleted (the list is
kept in the ``privacy_purge_pending`` document, so the next purge finishes deletions a
crash interrupted). No textual/rich.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, tzinfo
from typing import TYPE_CHECKING

from assises_tui.clock import now_iso
from assises_tui.domain.models import (
    Attachment,
    Contribution,
    Excerpt,
    HistoryEntry,
    Note,
    QuarantineEntry,
    blob_refs,
)
from assises_tui.durable import ensure_dir, write_atomic
from assises_tui.services.acknowledgement_records import forget_addresses
from assises_tui.services.privacy_masking import Masked, mask_text, mask_value
from assises_tui.services.purge_report import PURGE_WHAT, PurgeReport, french_date, is_purged
from assises_tui.services.purge_workspace import (
    Identities,
    backup_files,
    mask_saved_searches,
    mask_synthesis,
    remove_restore_leftovers,
    replace_backups,
    restore_leftovers,
)
from assises_tui.store.blobs import sha256_hex
from assises_tui.store.texts import body_text
from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from collections.abc import Callable

    from assises_tui.config import Consultation
    from assises_tui.search import SearchIndex
    from assises_tui.store.protocol import Store

PENDING_DOC = "privacy_purge_pending"
REPORTS_DIR = "purge-reports"
SNIPPET_CHARS = 200
ERASED = "expéditeur, courriel d'origine, pièces jointes d'origine, données personnelles des textes"


def _instant(iso: str, tz: tzinfo) -> datetime:
    """An ISO time stamp as an aware instant (naive ones in the consultation's zone); an
    unreadable one counts as "now", so it is never purged by mistake."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return datetime.now(tz)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def received_before(item: Contribution, cutoff: datetime, tz: tzinfo) -> bool | None:
    """True when ``item`` was received before ``cutoff``; None when it has no reception
    date and was imported on or after it (it may be newer: kept, and counted apart)."""
    if item.received_at is None:
        # Received before it was imported: imported before the date is enough.
        imported = next((h.at for h in item.history if h.what == "import"), None)
        return True if imported is not None and _instant(imported, tz) < cutoff else None
    received = item.received_at
    return (received if received.tzinfo else received.replace(tzinfo=tz)) < cutoff


@dataclass
class _Masker:
    """Masks one contribution's texts and counts what it masked into the report."""

    names: list[str]
    allowed: list[str]
    report: PurgeReport
    identities: Identities
    counted: bool = False

    def masked(self, text: str) -> Masked:
        result = mask_text(text, self.names, self.allowed)
        self.identities.add_findings(result.findings)
        for f in result.findings:
            self.report.findings[f.kind] = self.report.findings.get(f.kind, 0) + 1
        if result.findings and not self.counted:
            self.report.texts_masked += 1
            self.counted = True
        return result

    def clean(self, text: str) -> str:
        return self.masked(text).text


@dataclass
class _Purged:
    """What purging one record produced: the new record and the texts to store first."""

    original: Contribution
    item: Contribution
    new_texts: list[bytes] = field(default_factory=list)


def purge_record(
    store: Store, item: Contribution, masker: _Masker, reviewer: str, at: str
) -> _Purged:
    """``item`` with its personal data erased or masked (nothing is written here)."""
    out = _Purged(item, item)
    body = body_text(store, item) if item.body_blob else ""
    masked_body = masker.masked(body)
    body_blob = item.body_blob
    if masked_body.findings:
        data = masked_body.text.encode("utf-8")
        out.new_texts.append(data)
        body_blob = sha256_hex(data)
    attachments, texts = _purged_attachments(store, item, masker, at, out.new_texts)
    report = masker.report
    report.raw_mails += bool(item.raw_blob)
    report.senders += bool(item.sender_name or item.sender_email)
    entry = HistoryEntry(
        reviewer, at, PURGE_WHAT, None, {"avant le": report.before, "données effacées": ERASED}
    )
    out.item = replace(
        item,
        sender_name="",
        sender_email="",
        subject=masker.clean(item.subject),
        body_blob=body_blob,
        raw_blob=None,
        attachments=attachments,
        excerpts=tuple(_purged_excerpt(e, body, masked_body, masker) for e in item.excerpts),
        notes=tuple(Note(n.author, n.at, masker.clean(n.text)) for n in item.notes),
        assignee=masker.clean(item.assignee),
        snippet=one_line("\n\n".join(t for t in [masked_body.text, *texts] if t), SNIPPET_CHARS),
        history=_purged_history(item.history, masker) + (entry,),
    )
    return out


def _purged_attachments(
    store: Store, item: Contribution, masker: _Masker, at: str, new_texts: list[bytes]
) -> tuple[tuple[Attachment, ...], list[str]]:
    """Files dropped (their text kept, masked), names masked; and the masked texts."""
    attachments: list[Attachment] = []
    texts: list[str] = []
    note = f"Fichier d'origine effacé (purge du {french_date(at)})."
    for a in item.attachments:
        text_blob = a.text_blob
        if a.text_blob:
            try:
                text = store.get_blob(a.text_blob).decode("utf-8", "replace")
            except Exception:  # a missing text is verify's business: drop the reference
                text, text_blob = "", None
            masked = masker.clean(text)
            texts.append(masked)
            if text_blob and masked != text:
                data = masked.encode("utf-8")
                new_texts.append(data)
                text_blob = sha256_hex(data)
        masker.report.attachments += bool(a.blob)
        attachments.append(
            Attachment(masker.clean(a.filename), a.content_type, a.size, None, text_blob, note)
        )
    return tuple(attachments), texts


def _purged_history(history: tuple[HistoryEntry, ...], masker: _Masker) -> tuple[HistoryEntry, ...]:
    names, allowed = masker.names, masker.allowed
    return tuple(
        HistoryEntry(
            h.who,
            h.at,
            h.what,
            mask_value(h.before, names, allowed),
            mask_value(h.after, names, allowed),
        )
        for h in history
    )


def _purged_excerpt(e: Excerpt, body: str, masked: Masked, masker: _Masker) -> Excerpt:
    if body[e.start : e.end] == e.text and 0 <= e.start < e.end <= len(body):
        start, end = masked.offset(e.start), masked.offset(e.end, end=True)
        text = masked.text[start:end]
    else:  # offsets no longer match the body: mask the text alone, keep the offsets
        start, end = e.start, e.end
        text = mask_text(e.text, masker.names, masker.allowed).text
    note = mask_text(e.note, masker.names, masker.allowed).text
    if text != e.text or note != e.note:
        masker.report.excerpts_masked += 1
    return replace(e, start=start, end=end, text=text, note=note)


def finish_pending(store: Store) -> int:
    """Delete the listed files that no record or quarantine entry names any more."""
    pending = list((store.get_doc(PENDING_DOC) or {}).get("blobs", []))
    if not pending:
        return 0
    used: set[str] = set()
    for item in store.all():
        used |= blob_refs(item)
    used |= {q.raw_blob for q in store.quarantine() if q.raw_blob}
    deleted = 0
    for sha in pending:
        if sha not in used and store.has_blob(sha):
            store.delete_blob(sha)
            deleted += 1
    store.put_doc(PENDING_DOC, {"blobs": []})
    return deleted


def write_report(store: Store, report: PurgeReport) -> str:
    """``purge-reports/purge-<stamp>.json`` and ``.txt`` (counts and numbers only)."""
    folder = store.root / REPORTS_DIR
    ensure_dir(folder)
    stamp = report.at[:19].replace(":", "").replace("-", "")
    base = folder / f"purge-{stamp}"
    n = 1
    while base.with_suffix(".json").exists():
        n += 1
        base = folder / f"purge-{stamp}-{n}"
    path = base.with_suffix(".json")
    report.path = str(path.relative_to(store.root))
    write_atomic(base.with_suffix(".txt"), ("\n".join(report.lines()) + "\n").encode())
    write_atomic(path, json.dumps(report.to_dict(), ensure_ascii=False, indent=2).encode())
    return report.path


class Purge:
    """``Purge(store, consultation, reviewer, search).run(before, dry_run=…)``."""

    def __init__(
        self,
        store: Store,
        consultation: Consultation,
        reviewer: str,
        search: SearchIndex | None = None,
        forget_texts: Callable[[list[int]], None] | None = None,
    ) -> None:
        self.store = store
        self.config = consultation
        self.reviewer = reviewer
        #: Re-indexed after a purge (the index holds words of the erased texts).
        self.search = search
        #: Drops what the theme suggestions keep of the purged texts (word ids, model).
        self.forget_texts = forget_texts

    def run(self, before: date | datetime, *, dry_run: bool = False) -> PurgeReport:
        """Erase personal data of contributions received strictly before ``before``."""
        from assises_tui.services.privacy import writable

        if not dry_run:
            writable(self.store)
        tz = self.config.tz
        if isinstance(before, datetime):
            cutoff = before if before.tzinfo else before.replace(tzinfo=tz)
        else:
            cutoff = datetime.combine(before, time.min, tzinfo=tz)
        at = now_iso()
        report = PurgeReport(cutoff.date().isoformat(), dry_run, at, self.reviewer)
        report.backups = len(backup_files(self.store.root))
        report.restore_leftovers = len(restore_leftovers(self.store.root))
        if not dry_run:
            report.blobs_deleted += finish_pending(self.store)
        identities = Identities([self.config.mailbox])
        purged = self._purge_records(cutoff, at, report, identities)
        # A message set aside in quarantine was received before it was imported: imported
        # before the date, it was received before it too.
        quarantined = [
            q for q in self.store.quarantine() if q.raw_blob and _instant(q.at, tz) < cutoff
        ]
        report.quarantine_erased = len(quarantined)
        if dry_run or not (purged or quarantined):
            return report
        self._write(purged, quarantined, at, report)
        report.saved_searches_masked = mask_saved_searches(self.store, identities)
        report.synthesis_files_masked = mask_synthesis(self.store.root, identities)
        report.backups, report.backups_deleted, report.backup_made = replace_backups(self.store)
        report.restore_leftovers_deleted = remove_restore_leftovers(self.store.root)
        report.path = write_report(self.store, report)
        self._audit(report)
        if self.forget_texts is not None:
            self.forget_texts(report.ids)
        try:  # the search index holds words of the old texts: re-index the purged records
            if self.search is not None:
                self.search.refresh()
        except Exception:
            pass
        return report

    def _purge_records(
        self, cutoff: datetime, at: str, report: PurgeReport, identities: Identities
    ) -> list[_Purged]:
        allowed = [self.config.mailbox]
        purged = []
        for item in self.store.all():
            due = received_before(item, cutoff, self.config.tz)
            if due is None:
                report.undated += 1
                continue
            if not due:
                continue
            if is_purged(item):
                report.already_purged += 1
                continue
            identities.add_record(item)
            names = [item.sender_name] if item.sender_name else []
            masker = _Masker(names, allowed, report, identities)
            purged.append(purge_record(self.store, item, masker, self.reviewer, at))
            report.ids.append(item.id)
        return purged

    def _write(
        self,
        purged: list[_Purged],
        quarantined: list[QuarantineEntry],
        at: str,
        report: PurgeReport,
    ) -> None:
        store = self.store
        new_texts = [data for p in purged for data in p.new_texts]
        if new_texts:
            store.put_blobs(new_texts)
        dropped: set[str] = {q.raw_blob for q in quarantined if q.raw_blob}
        for p in purged:
            dropped |= blob_refs(p.original) - blob_refs(p.item)
        # Listed before the records change: a crash after the write leaves orphans that
        # the next purge deletes (each one re-checked against every record first).
        store.put_doc(PENDING_DOC, {"blobs": sorted(dropped)})
        if purged:
            store.save_many([p.item for p in purged])
        if quarantined:
            store.erase_quarantine_raw(
                [q.id for q in quarantined],
                f"(courriel d'origine effacé par la purge du {french_date(at)})",
            )
        forget_addresses(store, [p.item.id for p in purged])  # the acknowledgements' address book
        report.blobs_deleted += finish_pending(store)

    def _audit(self, report: PurgeReport) -> None:
        entry = {
            "at": now_iso(),
            "who": self.reviewer,
            "what": "privacy.purge",
            "received_before": report.before,
            "count": len(report.ids),
            "ids": report.ids,
            "report": report.path,
        }
        self.store.append_audit([entry])
