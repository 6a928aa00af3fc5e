"""Bounded attachment text extraction: size, decompressed size, pages, time and characters.

Parsers of PDF/DOCX/ODT/RTF run in a separate worker process (``spawn``: safe even when the
import runs in a thread of the app). ``AsyncResult.get(timeout)`` bounds the time; on a
timeout or a dead worker the pool is terminated and rebuilt, so a hostile file can never hang
the import. Plain text is decoded in-process (cheap and bounded by size).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
from collections.abc import Iterable

from assises_tui.config import AttachmentLimits
from assises_tui.ingest.decode import decode_bytes
from assises_tui.ingest.extractors import extract_text, kind_of
from assises_tui.ingest.mime import ParsedAttachment
from assises_tui.ingest.worker_guard import die_with_parent
from assises_tui.text.normalize import normalize_text

WORKER_MEMORY_BYTES = 2 * 1024**3
INLINE_HTML_BYTES = 512 * 1024  # bigger HTML goes to the worker (parsing time grows)


def _start_worker(parent_pid: int) -> None:
    die_with_parent(parent_pid)  # a killed import leaves no worker behind
    # A decompression bomb that slips past the checks hits this ceiling, not the machine.
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass


def _ready() -> bool:
    # Import the heavy parsers now, so their import time is not charged to a document.
    import pypdf  # noqa: F401
    import striprtf.striprtf  # noqa: F401

    import assises_tui.ingest.html  # noqa: F401

    return True


def _mb(n: float) -> str:
    return f"{n / 1_048_576:.1f}".replace(".", ",") + " Mo"


class Extractor:
    """Fills ``text`` and ``note`` of parsed attachments. Use as a context manager."""

    def __init__(self, limits: AttachmentLimits | None = None) -> None:
        self.limits = limits or AttachmentLimits()
        self._pool: multiprocessing.pool.Pool | None = None

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def _get_pool(self) -> multiprocessing.pool.Pool:
        if self._pool is None:
            ctx = multiprocessing.get_context("spawn")
            self._pool = ctx.Pool(
                1, initializer=_start_worker, initargs=(os.getpid(),), maxtasksperchild=200
            )
            # Wait for the worker to be up, so start-up time is not charged to a document.
            self._pool.apply_async(_ready).get(timeout=120)
        return self._pool

    def _kill_pool(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def extract_all(self, attachments: Iterable[ParsedAttachment]) -> None:
        for att in attachments:
            self.extract(att)

    def extract(self, att: ParsedAttachment) -> None:
        lim = self.limits
        kind = kind_of(att.content_type, att.filename, att.data)
        if kind == "tnef":  # decoded while parsing: its note says what became of it
            return
        if kind is None:
            att.note = (
                None
                if att.content_type.startswith("image/")
                else ("Type de fichier sans texte lisible : conservé tel quel.")
            )
            return
        if len(att.data) > lim.max_bytes:
            att.note = (
                f"Pièce jointe trop volumineuse ({_mb(len(att.data))}, limite "
                f"{_mb(lim.max_bytes)}) : texte non extrait."
            )
            return
        bounds = (int(lim.max_decompressed_bytes), int(lim.max_pages), int(lim.max_text_chars))
        if kind == "text" or (kind == "html" and len(att.data) <= INLINE_HTML_BYTES):
            if kind == "text":
                text, note = decode_bytes(att.data, None), None
            else:
                text, note = extract_text(kind, att.data, att.filename, bounds)
        else:
            text, note = self._in_worker(kind, att, bounds)
        if len(text) > lim.max_text_chars:
            text = text[: int(lim.max_text_chars)]
            note = f"Texte tronqué à {int(lim.max_text_chars)} caractères."
        text = normalize_text(text)
        att.text = text if text.strip() else None
        att.note = note

    def _in_worker(self, kind: str, att: ParsedAttachment, bounds: tuple) -> tuple[str, str | None]:
        seconds = float(self.limits.max_seconds)
        try:
            pending = self._get_pool().apply_async(
                extract_text, (kind, att.data, att.filename, bounds)
            )
            return pending.get(timeout=seconds)
        except multiprocessing.TimeoutError:
            self._kill_pool()  # the worker may be stuck in a loop: start afresh
            shown = f"{seconds:g}".replace(".", ",")
            return "", f"Extraction interrompue au bout de {shown} s : texte non extrait."
        except Exception as exc:  # worker died (memory ceiling) or could not start
            self._kill_pool()
            return "", f"Extraction impossible ({type(exc).__name__}) : texte non extrait."
