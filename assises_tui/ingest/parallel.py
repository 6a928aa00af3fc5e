"""Parse messages in worker processes, in order, a chunk at a time.

Parsing is CPU-bound pure Python: a second core nearly doubles it. Chunks keep the pickling
overhead low; results come back in submission order so ids follow the mailbox order. A worker
that dies (or a pool that cannot start) never loses a message: the chunk is parsed in-process.
A big message (over ``large_parts.BIG_MESSAGE``) is always parsed in-process, in its turn.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from zoneinfo import ZoneInfo

from assises_tui.config import Consultation
from assises_tui.ingest import large_parts
from assises_tui.ingest.dedup import signature
from assises_tui.ingest.mime import ParsedMessage, Unreadable, parse_message
from assises_tui.ingest.msg import parse_msg
from assises_tui.ingest.sources import RawMessage
from assises_tui.ingest.worker_guard import die_with_parent

SERIAL_FIRST = 300  # small imports never pay for starting processes
CHUNK = 64
IN_FLIGHT = 4

Parsed = ParsedMessage | Unreadable


def parse_one(raw: RawMessage, mailbox: str, tz: ZoneInfo) -> Parsed:
    if raw.kind == "msg":
        return parse_msg(raw.raw, raw.source, mailbox, tz)
    return parse_message(raw.raw, raw.source, mailbox, tz)


def _parse_chunk(raws: list[RawMessage], mailbox: str, tzname: str) -> list[Parsed]:
    tz = ZoneInfo(tzname)
    out = []
    for raw in raws:
        parsed = parse_one(raw, mailbox, tz)
        if isinstance(parsed, ParsedMessage) and not parsed.attachments:
            parsed.signature = signature(parsed.body)  # its whole text: spared to the parent
        parsed.raw = b""  # the raw bytes are already in the parent: not sent back
        out.append(parsed)
    return out


class ParallelParser:
    def __init__(self, config: Consultation, workers: int = 2) -> None:
        self.mailbox = config.mailbox
        self.tzname = config.timezone
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False
        self._chunk: list[RawMessage] = []
        self._queue: deque[tuple[list[RawMessage], Future[list[Parsed]] | None]] = deque()

    def _executor(self) -> ProcessPoolExecutor | None:
        if self._pool is None and not self._broken:
            try:
                ctx = multiprocessing.get_context("spawn")  # safe from the app's threads
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=ctx,
                    initializer=die_with_parent,
                    initargs=(os.getpid(),),
                )
            except (OSError, ValueError):
                self._broken = True
        return self._pool

    def submit(self, raw: RawMessage) -> Iterator[tuple[Parsed, str | None]]:
        """Queue ``raw``; yields the parsed messages that are ready, in order, each with
        the doubt its mbox split raised (``RawMessage.doubt``)."""
        if len(raw.raw) > large_parts.BIG_MESSAGE:
            # A big mail is parsed here, in its turn: sent to a worker it would be copied
            # four times (pickled, unpickled, its attachments pickled back and unpickled).
            if self._chunk:
                self._send()
            self._queue.append(([raw], None))
        else:
            self._chunk.append(raw)
            if len(self._chunk) >= CHUNK:
                self._send()
        while len(self._queue) > IN_FLIGHT:
            yield from self._take()

    def drain(self) -> Iterator[tuple[Parsed, str | None]]:
        if self._chunk:
            self._send()
        while self._queue:
            yield from self._take()

    def _send(self) -> None:
        chunk, self._chunk = self._chunk, []
        pool = self._executor()
        future = None
        if pool is not None:
            try:
                future = pool.submit(_parse_chunk, chunk, self.mailbox, self.tzname)
            except Exception:  # broken pool: parse here
                self._broken = True
        self._queue.append((chunk, future))

    def _take(self) -> Iterator[tuple[Parsed, str | None]]:
        chunk, future = self._queue.popleft()
        results = None
        if future is not None:
            try:
                results = future.result()
            except Exception:  # a worker died: this chunk is parsed in-process
                self._broken = True
        if results is None:
            tz = ZoneInfo(self.tzname)
            results = [parse_one(raw, self.mailbox, tz) for raw in chunk]
        else:
            for parsed, raw in zip(results, chunk, strict=True):
                parsed.raw = raw.raw  # (fresh objects from the worker: set in place)
        for parsed, raw in zip(results, chunk, strict=True):
            yield parsed, raw.doubt

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
