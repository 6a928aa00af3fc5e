"""Bounded attachment text extraction: size, decompressed size, pages, time and characters.

Parsers of PDF/DOCX/ODT/RTF run in a separate worker process (``spawn``: safe even when the
import runs in a thread of the app), spoken to over a pipe that this module owns. Waiting on
the pipe with a timeout bounds the time; on a timeout or a dead worker the process is killed
and a new one started, so a hostile file can never hang the import. (A ``multiprocessing.Pool``
was used before: a worker that died while waiting for work kept the pool's queue lock, and
``Pool.terminate`` then waited for it for ever — an import that never ended.) Plain text is
decoded in-process (cheap and bounded by size).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
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


def _serve(conn: multiprocessing.connection.Connection, parent_pid: int) -> None:
    """The worker's loop: one request in, one answer out, until the pipe closes."""
    _start_worker(parent_pid)
    # Import the heavy parsers now, so their import time is not charged to a document.
    import pypdf  # noqa: F401
    import striprtf.striprtf  # noqa: F401

    import assises_tui.ingest.html  # noqa: F401

    conn.send(("ready", None))
    while True:
        try:
            args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = ("ok", extract_text(*args))
        except Exception as exc:  # the parent turns it into a note
            answer = ("error", type(exc).__name__)
        conn.send(answer)


def _mb(n: float) -> str:
    return f"{n / 1_048_576:.1f}".replace(".", ",") + " Mo"


class WorkerGone(Exception):
    """The extraction worker died or could not start."""


class TooSlow(Exception):
    """No answer within the time budget."""


class ParserFailed(Exception):
    """The parser raised on this document (the worker itself is fine)."""


class _Worker:
    """One extraction process and its pipe; killed, never waited on, when it misbehaves."""

    TASKS = 200  # a fresh process now and then: parsers may leak memory

    def __init__(self, start_seconds: float = 120) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_serve, args=(child, os.getpid()), name="assises-extract", daemon=True
        )
        self.process.start()
        child.close()
        self.tasks = 0
        self._answer(start_seconds)  # up, so start-up time is not charged to a document

    def _answer(self, seconds: float) -> tuple[str, object]:
        try:
            answered = self.conn.poll(seconds)
            if answered:
                return self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerGone from exc
        raise TooSlow

    def run(self, args: tuple, seconds: float) -> tuple[str, str | None]:
        self.tasks += 1
        try:
            self.conn.send(args)
        except (OSError, ValueError) as exc:
            raise WorkerGone from exc
        status, value = self._answer(seconds)
        if status != "ok":
            raise ParserFailed(value)
        return value  # type: ignore[return-value]

    def kill(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class Extractor:
    """Fills ``text`` and ``note`` of parsed attachments. Use as a context manager."""

    def __init__(self, limits: AttachmentLimits | None = None) -> None:
        self.limits = limits or AttachmentLimits()
        self._worker: _Worker | None = None

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.kill()

    def _get_worker(self) -> _Worker:
        worker = self._worker
        if worker is not None and (worker.tasks >= _Worker.TASKS or not worker.process.is_alive()):
            self.close()
        if self._worker is None:
            self._worker = _Worker()
        return self._worker

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
            return self._get_worker().run((kind, att.data, att.filename, bounds), seconds)
        except TooSlow:
            self.close()  # the worker may be stuck in a loop: start afresh
            shown = f"{seconds:g}".replace(".", ",")
            return "", f"Extraction interrompue au bout de {shown} s : texte non extrait."
        except ParserFailed as exc:
            return "", f"Extraction impossible ({exc}) : texte non extrait."
        except Exception as exc:  # worker died (memory ceiling) or could not start
            self.close()
            return "", f"Extraction impossible ({type(exc).__name__}) : texte non extrait."
