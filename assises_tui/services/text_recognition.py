"""Recognise the text of scanned letters (OCR) stored as attachments, once per file.

A scanned PDF (no text layer) or a photo of a letter gets its text from
``ingest/ocr.py``; the text becomes the attachment's text blob, marked ``recognised`` with a
note telling the reviewer it may hold errors, and is searchable like any other. Results
are cached by the attachment's sha256 in the store document ``ocr`` (an empty text too),
so the same scan sent twice, or an import run again, costs nothing. Without the engine,
the attachment's note says OCR is not installed and how to install it; the next import
after installing it recognises what is pending.

Runs where the import runs (a worker thread in the app, the CLI's process), after the
messages are stored; each contribution is saved as soon as its attachments are read, so
an interrupted run keeps what it did.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from assises_tui.clock import now_iso
from assises_tui.config import AttachmentLimits
from assises_tui.domain.models import Attachment, Contribution, HistoryEntry
from assises_tui.ingest import ocr
from assises_tui.store.protocol import Store
from assises_tui.text.normalize import normalize_text

CACHE_DOC = "ocr"
PDF_NO_TEXT = "PDF sans texte"  # start of the extractor's note on a scanned PDF
NOTHING_FOUND = "Document scanné : aucun texte n'a pu y être reconnu (OCR)."

#: progress(done, total, label): documents done, documents to read, a French label.
Progress = Callable[[int, int, str], None]


def recognised_note(pages: int, total: int) -> str:
    read = (
        f"sur {pages} page(s)" if pages >= total else f"sur les {pages} premières pages sur {total}"
    )
    return f"Texte reconnu automatiquement (OCR) {read} : il peut contenir des erreurs."


def ocr_kind(att: Attachment) -> str | None:
    """ "pdf" or "image" when the attachment may be a scan still without text."""
    if att.text_blob or not att.blob or att.recognised:
        return None
    name = att.filename.lower()
    ctype = att.content_type.lower()
    if ctype == "application/pdf" or name.endswith(".pdf"):
        note = att.note or ""
        return "pdf" if note.startswith(PDF_NO_TEXT) or note == ocr.NOT_INSTALLED else None
    if (ctype in ocr.IMAGE_TYPES or name.endswith(ocr.IMAGE_SUFFIXES)) and (
        att.size >= ocr.MIN_IMAGE_BYTES
    ):
        return "image"
    return None


@dataclass
class RecognitionReport:
    documents: int = 0  # attachments read by the engine this time
    from_cache: int = 0  # attachments whose text was already known
    pages: int = 0
    missing_engine: int = 0  # attachments left with the "not installed" note


class TextRecognition:
    def __init__(self, store: Store, limits: AttachmentLimits, *, who: str = "import") -> None:
        self.store = store
        self.limits = limits
        self.who = who

    def pending(self) -> list[Contribution]:
        """Contributions with at least one attachment that may be a scan without text."""
        return [c for c in self.store.all() if any(ocr_kind(a) for a in c.attachments)]

    def run(self, progress: Progress | None = None) -> RecognitionReport:
        report = RecognitionReport()
        todo = self.pending()
        total = sum(1 for c in todo for a in c.attachments if ocr_kind(a))
        cache: dict[str, str] = dict(self.store.get_doc(CACHE_DOC).get("texts", {}))
        done = 0
        for item in todo:
            attachments = list(item.attachments)
            changed = []
            for i, att in enumerate(attachments):
                kind = ocr_kind(att)
                if kind is None:
                    continue
                done += 1
                label = f"Reconnaissance du texte (OCR) : document {done}/{total}"
                if progress is not None:
                    progress(done - 1, total, label)
                new = self._recognise(att, kind, cache, report, label, progress, done, total)
                if new is not None and new != att:
                    attachments[i] = new
                    changed.append(new.filename)
            if changed:
                history = HistoryEntry(self.who, now_iso(), "ocr", None, ", ".join(changed))
                self.store.save(
                    dataclasses.replace(
                        item, attachments=tuple(attachments), history=(*item.history, history)
                    )
                )
        if progress is not None and total:
            progress(total, total, "Reconnaissance du texte (OCR) terminée")
        return report

    def _recognise(
        self,
        att: Attachment,
        kind: str,
        cache: dict[str, str],
        report: RecognitionReport,
        label: str,
        progress: Progress | None,
        done: int,
        total: int,
    ) -> Attachment | None:
        assert att.blob is not None
        cached = cache.get(att.blob)
        if cached is not None and self.store.has_blob(cached.split(":", 1)[0] or att.blob):
            report.from_cache += 1  # (a text purged since is read again)
            return self._with_text(att, cached)
        try:
            data = self.store.get_blob(att.blob)
        except Exception:  # a purged blob: nothing to read
            return None
        try:
            if kind == "pdf":

                def on_page(page: int, pages: int) -> None:
                    if progress is not None:
                        progress(done - 1, total, f"{label}, page {page}/{pages}")

                result = ocr.pdf_text(data, int(self.limits.max_pages), on_page)
            else:
                result = ocr.image_text(data)
        except ocr.OcrUnavailable as missing:
            report.missing_engine += 1
            return dataclasses.replace(att, note=str(missing))
        report.documents += 1
        report.pages += result.pages
        text = normalize_text(result.text)[: int(self.limits.max_text_chars)]
        entry = ""
        if text.strip():
            entry = (
                f"{self.store.put_blob(text.encode('utf-8'))}:{result.pages}:{result.total_pages}"
            )
        cache[att.blob] = entry
        self.store.put_doc(CACHE_DOC, {"texts": cache})
        return self._with_text(att, entry)

    @staticmethod
    def _with_text(att: Attachment, entry: str) -> Attachment:
        if not entry:
            if kind_is_image(att):  # a photo with no text is simply a photo
                return dataclasses.replace(att, recognised=True)
            return dataclasses.replace(att, note=NOTHING_FOUND, recognised=True)
        blob, pages, total = entry.split(":")
        return dataclasses.replace(
            att, text_blob=blob, recognised=True, note=recognised_note(int(pages), int(total))
        )


def kind_is_image(att: Attachment) -> bool:
    return not (
        att.content_type.lower() == "application/pdf" or att.filename.lower().endswith(".pdf")
    )
