"""Personal data (RGPD): pseudonymised display, retention purge, inventory.

* :class:`Privacy` gives screens what to show when the view is pseudonymised
  (``sender_label``, ``display_text``) and lets a coordinator ``reveal`` the real data
  (recorded in the audit trail).
* ``Privacy.purge(before)`` erases the personal data of contributions received before a
  date: sender identity, raw e-mails and attachment files are deleted; personal data found
  in texts (body, subject, attachment texts, excerpts, notes, history values) is masked.
  Themes, excerpts (masked, offsets re-mapped), figures and the synthesis stay.
* ``Privacy.report()`` (``privacy_report.py``) lists what personal data the workspace
  holds, where and since when.

Masking with offset tracking is in ``privacy_masking.py``, the purge report in
``purge_report.py``. Detection is :mod:`assises_tui.text.personal_data`; for one
contribution only its own sender's name is searched (searching every sender's name in
every text is quadratic: a purge of 100,000 records would take hours). No textual/rich here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from assises_tui.clock import now_iso
from assises_tui.domain.models import Attachment, Contribution, Excerpt, HistoryEntry, Note
from assises_tui.durable import remove_durably
from assises_tui.errors import AssisesError
from assises_tui.services.acknowledgement_records import forget_addresses
from assises_tui.services.privacy_masking import Masked, mask_text, mask_value
from assises_tui.services.purge_report import (
    PURGE_WHAT,
    PurgeReport,
    blob_refs,
    french_date,
    is_purged,
)
from assises_tui.store.backup import list_backups
from assises_tui.store.blobs import sha256_hex
from assises_tui.store.texts import body_text
from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from assises_tui.config import Consultation
    from assises_tui.search import SearchIndex
    from assises_tui.store.protocol import Store

SETTINGS_DOC = "settings"
PENDING_DOC = "privacy_purge_pending"
REPORTS_DIR = "purge-reports"
SNIPPET_CHARS = 200


def _instant(iso: str, tz) -> datetime:
    """An ISO time stamp as an aware instant (naive ones in the consultation's zone); an
    unreadable one counts as "now", so it is never purged by mistake."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return datetime.now(tz)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


class PrivacyError(AssisesError):
    """A privacy request that cannot be honoured (French message, exit code 2)."""


# -- the service ---------------------------------------------------------------------------------
class Privacy:
    def __init__(
        self,
        store: Store,
        consultation: Consultation,
        reviewer: str,
        search: SearchIndex | None = None,
        pseudonymised: bool | None = None,
    ) -> None:
        self.store = store
        self.config = consultation
        self.reviewer = reviewer
        #: Re-indexed after a purge (the index holds words of the erased texts).
        self.search = search
        if pseudonymised is None:
            pseudonymised = bool(self.settings().get("pseudonymised", False))
        #: The current view's mode (a session choice; the workspace default is a setting).
        self.pseudonymised = pseudonymised

    # -- settings --------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        try:
            return self.store.get_doc(SETTINGS_DOC) or {}
        except Exception:  # an unreadable settings doc must not block display
            return {}

    def set_default(self, pseudonymised: bool) -> None:
        """Make the pseudonymised view the workspace default (or not); recorded."""
        self._writable()
        doc = {**self.settings(), "pseudonymised": bool(pseudonymised)}
        self.store.put_doc(SETTINGS_DOC, doc)
        self._audit("privacy.settings", pseudonymised=bool(pseudonymised))

    # -- display -----------------------------------------------------------------
    def sender_label(self, c: Contribution) -> str:
        """What to show as the sender (untrusted: still pass it through ``printable``)."""
        if self.pseudonymised:
            return f"Contributeur n° {c.id}"
        return c.sender_name or c.sender_email or f"Contributeur n° {c.id}"

    def sender_email(self, c: Contribution) -> str:
        return "" if self.pseudonymised else c.sender_email

    def display_text(self, c: Contribution, text: str) -> str:
        """``text`` (body, subject, snippet, excerpt…) as it may be shown in this mode."""
        if not self.pseudonymised or not text:
            return text
        return mask_text(text, [c.sender_name], self._allowed()).text

    def masking(self, c: Contribution, text: str) -> Masked | None:
        """``text`` masked with its offset maps when the view is pseudonymised, else None
        (the excerpt screen selects on the masked text and files original offsets)."""
        if not self.pseudonymised:
            return None
        return mask_text(text, [c.sender_name], self._allowed())

    def reveal(self, cid: int | None = None) -> None:
        """Show real names and addresses for this session (a coordinator's decision, recorded
        in the audit trail with who and when; refused in a read-only view, where it could not
        be recorded)."""
        if self.store.read_only:
            raise PrivacyError(
                "Espace de travail ouvert en lecture seule : l'affichage des données "
                "personnelles doit être consigné au journal, ce qui est impossible ici."
            )
        details: dict[str, Any] = {"id": cid} if cid is not None else {}
        self._audit("privacy.reveal", **details)
        self.pseudonymised = False

    def hide(self) -> None:
        self.pseudonymised = True

    # -- purge ------------------------------------------------------------------------
    def purge(self, before: date | datetime, *, dry_run: bool = False) -> PurgeReport:
        """Erase personal data of contributions received strictly before ``before``.

        Crash-safe: new masked texts are stored first, then every record is replaced in
        one all-or-nothing write, then the files nobody references any more are deleted
        (a list kept in the ``privacy_purge_pending`` document lets the next purge finish
        deletions a crash interrupted).
        """
        if not dry_run:
            self._writable()
        store = self.store
        tz = self.config.tz
        if isinstance(before, datetime):
            cutoff = before if before.tzinfo else before.replace(tzinfo=tz)
        else:
            cutoff = datetime.combine(before, time.min, tzinfo=tz)
        at = now_iso()
        report = PurgeReport(cutoff.date().isoformat(), dry_run, at, self.reviewer)
        report.backups = len(list_backups(self.store.root))
        if not dry_run:
            report.blobs_deleted += self._finish_pending()
        allowed = self._allowed()
        new_items: list[Contribution] = []
        new_texts: list[bytes] = []
        dropped: set[str] = set()
        for item in store.all():
            if item.received_at is None:
                # Received before it was imported: imported before the date is enough.
                imported = next((h.at for h in item.history if h.what == "import"), None)
                if imported is None or _instant(imported, tz) >= cutoff:
                    report.undated += 1
                    continue
            else:
                received = item.received_at
                if (received if received.tzinfo else received.replace(tzinfo=tz)) >= cutoff:
                    continue
            if is_purged(item):
                report.already_purged += 1
                continue
            new = self._purged(item, report, allowed, at, new_texts)
            dropped |= blob_refs(item) - blob_refs(new)
            new_items.append(new)
            report.ids.append(item.id)
        # A message set aside in quarantine was received before it was imported: imported
        # before the date, it was received before it too.
        quarantined = [q for q in store.quarantine() if q.raw_blob and _instant(q.at, tz) < cutoff]
        report.quarantine_erased = len(quarantined)
        dropped |= {q.raw_blob for q in quarantined}
        if dry_run or not (new_items or quarantined):
            return report
        store_put = getattr(store, "put_blobs", None)
        if new_texts:
            if store_put is not None:
                store_put(new_texts)
            else:
                for data in new_texts:
                    store.put_blob(data)
        # Listed before the records change: a crash after the write leaves orphans that
        # the next purge deletes (each one re-checked against every record first).
        store.put_doc(PENDING_DOC, {"blobs": sorted(dropped)})
        if new_items:
            store.save_many(new_items)
        if quarantined:
            store.erase_quarantine_raw(
                [q.id for q in quarantined],
                f"(courriel d'origine effacé par la purge du {french_date(at)})",
            )
        forget_addresses(store, report.ids)  # the acknowledgements' address book
        report.blobs_deleted += self._finish_pending()
        report.backups_deleted = self._replace_backups()
        report.path = self._write_report(report)
        self._audit(
            "privacy.purge",
            received_before=report.before,
            count=len(report.ids),
            ids=report.ids,
            report=report.path,
        )
        try:  # the search index holds words of the old texts: re-index the purged records
            if self.search is not None:
                self.search.refresh()
        except Exception:
            pass
        return report

    def _replace_backups(self) -> int:
        """Backups made before the purge still hold what it erased: one backup made now
        replaces them (so the workspace keeps a safety net, without the erased data)."""
        root = self.store.root
        older = list_backups(root)
        if not older:
            return 0
        try:
            fresh = self.store.backup("purge")
        except OSError:  # no clean backup: keep the old ones rather than none (reported)
            return 0
        deleted = 0
        for path in older:
            if path != fresh:
                remove_durably(path)
                deleted += 1
        return deleted

    def _purged(
        self,
        item: Contribution,
        report: PurgeReport,
        allowed: list[str],
        at: str,
        new_texts: list[bytes],
    ) -> Contribution:
        store = self.store
        names = [item.sender_name] if item.sender_name else []
        counted = False

        def count(masked: Masked) -> None:
            nonlocal counted
            for f in masked.findings:
                report.findings[f.kind] = report.findings.get(f.kind, 0) + 1
            if masked.findings and not counted:
                report.texts_masked += 1
                counted = True

        def clean(text: str) -> str:
            masked = mask_text(text, names, allowed)
            count(masked)
            return masked.text

        body_blob = item.body_blob
        body = body_text(self.store, item) if item.body_blob else ""
        masked_body = mask_text(body, names, allowed)
        count(masked_body)
        if masked_body.findings:
            data = masked_body.text.encode("utf-8")
            new_texts.append(data)
            body_blob = sha256_hex(data)
        excerpts = tuple(
            self._excerpt(e, body, masked_body, names, allowed, report) for e in item.excerpts
        )
        attachments: list[Attachment] = []
        texts = [masked_body.text]
        day = french_date(at)
        for a in item.attachments:
            text_blob = a.text_blob
            if a.text_blob:
                try:
                    text = store.get_blob(a.text_blob).decode("utf-8", "replace")
                except Exception:  # a missing text is verify's business: drop the reference
                    text, text_blob = "", None
                masked = clean(text)
                texts.append(masked)
                if text_blob and masked != text:
                    data = masked.encode("utf-8")
                    new_texts.append(data)
                    text_blob = sha256_hex(data)
            if a.blob:
                report.attachments += 1
            note = f"Fichier d'origine effacé (purge du {day})."
            attachments.append(
                Attachment(clean(a.filename), a.content_type, a.size, None, text_blob, note)
            )
        if item.raw_blob:
            report.raw_mails += 1
        if item.sender_name or item.sender_email:
            report.senders += 1
        history = tuple(
            HistoryEntry(
                h.who,
                h.at,
                h.what,
                mask_value(h.before, names, allowed),
                mask_value(h.after, names, allowed),
            )
            for h in item.history
        )
        entry = HistoryEntry(
            self.reviewer,
            at,
            PURGE_WHAT,
            None,
            {
                "avant le": report.before,
                "données effacées": "expéditeur, courriel "
                "d'origine, pièces jointes d'origine, données personnelles des textes",
            },
        )
        return replace(
            item,
            sender_name="",
            sender_email="",
            subject=clean(item.subject),
            body_blob=body_blob,
            raw_blob=None,
            attachments=tuple(attachments),
            excerpts=excerpts,
            notes=tuple(Note(n.author, n.at, clean(n.text)) for n in item.notes),
            snippet=one_line("\n\n".join(t for t in texts if t), SNIPPET_CHARS),
            history=history + (entry,),
        )

    @staticmethod
    def _excerpt(
        e: Excerpt,
        body: str,
        masked: Masked,
        names: list[str],
        allowed: list[str],
        report: PurgeReport,
    ) -> Excerpt:
        if body[e.start : e.end] == e.text and 0 <= e.start < e.end <= len(body):
            start, end = masked.offset(e.start), masked.offset(e.end, end=True)
            text = masked.text[start:end]
        else:  # offsets no longer match the body: mask the text alone, keep the offsets
            start, end = e.start, e.end
            text = mask_text(e.text, names, allowed).text
        note = mask_text(e.note, names, allowed).text
        if text != e.text or note != e.note:
            report.excerpts_masked += 1
        return replace(e, start=start, end=end, text=text, note=note)

    def _finish_pending(self) -> int:
        """Delete the listed files that no record or quarantine entry names any more."""
        store = self.store
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

    def _write_report(self, report: PurgeReport) -> str:
        import json

        from assises_tui.durable import ensure_dir, write_atomic

        folder = self.store.root / REPORTS_DIR
        ensure_dir(folder)
        stamp = report.at[:19].replace(":", "").replace("-", "")
        base = folder / f"purge-{stamp}"
        n = 1
        while base.with_suffix(".json").exists():
            n += 1
            base = folder / f"purge-{stamp}-{n}"
        path = base.with_suffix(".json")
        report.path = str(path.relative_to(self.store.root))
        write_atomic(base.with_suffix(".txt"), ("\n".join(report.lines()) + "\n").encode())
        write_atomic(path, json.dumps(report.to_dict(), ensure_ascii=False, indent=2).encode())
        return report.path

    # -- inventory -------------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        from assises_tui.services.privacy_report import privacy_report

        return privacy_report(self.store, self.config)

    # -- internals -----------------------------------------------------------------
    def _allowed(self) -> list[str]:
        return [self.config.mailbox]

    def _writable(self) -> None:
        if self.store.read_only:
            raise PrivacyError(
                "Espace de travail ouvert en lecture seule : aucune modification possible "
                "(fermez l'autre session d'Assises)."
            )

    def _audit(self, what: str, **details: Any) -> None:
        entry = {"at": now_iso(), "who": self.reviewer, "what": what, **details}
        self.store.append_audit([entry])
