"""Where messages come from: mbox files, Maildir folders, folders of .eml/.msg, single files.

``iter_sources`` streams: an mbox is read line by line, so a 1 GB export never sits in
memory whole. A file that is not mail is yielded with a ``problem`` (the importer puts it in
quarantine) rather than stopping the walk.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assises_tui.ingest.mime import looks_like_mail

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAIL_SUFFIXES = (".eml", ".msg")
MBOX_SUFFIXES = (".mbox", ".mbx")
MAX_MESSAGE_BYTES = 200 * 1024 * 1024  # a single message larger than this is not read whole


@dataclass(frozen=True)
class RawMessage:
    source: str  # a label for people ("export.mbox #12"), never reused as a path
    raw: bytes
    problem: str | None = None  # French reason when this is not a readable message
    kind: str = "rfc822"  # "rfc822" or "msg" (Outlook)


class SourceError(Exception):
    """A path given by the user that does not exist or cannot be read (French message)."""


def check_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The paths as Path objects; SourceError naming the first one that does not exist."""
    result = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise SourceError(f"Chemin introuvable : {path}")
        if not os.access(path, os.R_OK):
            raise SourceError(f"Lecture impossible (droits insuffisants) : {path}")
        result.append(path)
    return result


def iter_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[RawMessage]:
    """Every message found under ``paths``, in a stable order."""
    for path in check_paths(paths):
        if path.is_dir():
            yield from _iter_dir(path)
        else:
            yield from _iter_file(path, path.name)


def _label(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return path.name


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _iter_dir(root: Path) -> Iterator[RawMessage]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames.sort()
        if _is_maildir(here):
            dirnames[:] = [d for d in dirnames if d not in ("cur", "new", "tmp")]
            for sub in ("cur", "new"):
                for name in sorted(os.listdir(here / sub)):
                    file = here / sub / name
                    if file.is_file() and not name.startswith("."):
                        yield from _iter_file(file, _label(file, root), maildir=True)
        for name in sorted(filenames):
            file = here / name
            if name.lower().endswith(MAIL_SUFFIXES + MBOX_SUFFIXES) and file.is_file():
                yield from _iter_file(file, _label(file, root))


def _read_head(path: Path, size: int = 8192) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


def _iter_file(path: Path, label: str, maildir: bool = False) -> Iterator[RawMessage]:
    try:
        head = _read_head(path)
        size = path.stat().st_size
    except OSError as exc:
        yield RawMessage(label, b"", f"Lecture impossible du fichier ({exc.strerror}).")
        return
    if head.startswith(OLE_MAGIC):
        yield _whole(path, label, size, kind="msg")
        return
    if path.suffix.lower() == ".msg" and not looks_like_mail(head):
        yield RawMessage(
            label, _small(path, size), "Fichier .msg qui n'est pas un message Outlook lisible."
        )
        return
    is_mbox = path.suffix.lower() in MBOX_SUFFIXES or (
        not maildir and path.suffix.lower() not in MAIL_SUFFIXES and head.startswith(b"From ")
    )
    if is_mbox and head.startswith(b"From "):
        yield from iter_mbox(path, label)
        return
    if not looks_like_mail(head):
        yield RawMessage(label, _small(path, size), "Ce fichier n'est pas un courriel.")
        return
    yield _whole(path, label, size)


def _small(path: Path, size: int) -> bytes:
    # Quarantine keeps the bytes, within reason (a 2 GB video is not kept).
    if size > MAX_MESSAGE_BYTES:
        return b""
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _whole(path: Path, label: str, size: int, kind: str = "rfc822") -> RawMessage:
    if size > MAX_MESSAGE_BYTES:
        return RawMessage(label, b"", f"Message trop volumineux ({size // 1_048_576} Mo).", kind)
    try:
        return RawMessage(label, path.read_bytes(), None, kind)
    except OSError as exc:
        return RawMessage(label, b"", f"Lecture impossible du fichier ({exc.strerror}).", kind)


def iter_mbox(path: Path, label: str | None = None) -> Iterator[RawMessage]:
    """Messages of an mbox (mboxo or mboxrd, LF or CRLF), streamed block by block.

    A "From " line starts a message only at the start of the file or after a blank line
    (unescaped "From " lines inside bodies, mboxo style, stay in the body). One level of
    ">From " quoting is removed, as mboxrd readers do.
    """
    label = label or path.name
    with open(path, "rb") as fh:
        yield from _split_mbox(iter(lambda: fh.read(BLOCK), b""), label)


BLOCK = 1 << 20
_SEPARATOR = re.compile(rb"\n\r?\nFrom ")  # a blank line, then a "From " line
_UNQUOTE = re.compile(rb"(?m)^>(>*From )")
_KEEP = 9  # len(b"\n\r\nFrom "): a separator cut by a block boundary is found again


def _message(label: str, index: int, data: bytes, too_big: bool) -> RawMessage:
    name = f"{label} #{index}"
    if too_big:
        return RawMessage(name, b"", "Message trop volumineux pour être lu.")
    if b">From " in data:
        data = _UNQUOTE.sub(rb"\1", data)
    return RawMessage(name, data)


def _split_mbox(blocks: Iterable[bytes], label: str) -> Iterator[RawMessage]:
    # Two virtual newlines before the file: its start counts as "after a blank line".
    buf = b"\n\n"
    pos = 0  # where to search for the next separator
    start = -1  # where the current message starts in buf; -1 before the first "From "
    index = 0
    too_big = False
    for block in blocks:
        buf += block
        hold = None  # a separator whose "From " line is not complete yet
        while True:
            found = _SEPARATOR.search(buf, pos)
            if found is None:
                break
            eol = buf.find(b"\n", found.end())
            if eol < 0:
                hold = found.start()
                break
            if start >= 0:
                yield _message(label, index, buf[start : found.start() + 1], too_big)
            start, index, too_big = eol + 1, index + 1, False
            pos = eol  # the newline ending the "From " line may start a separator
        # Drop what is no longer needed; a message over the limit is not kept at all.
        if start >= 0 and len(buf) - start > MAX_MESSAGE_BYTES:
            too_big = True
            start = len(buf) - _KEEP
        cut = start - 1 if start >= 0 else len(buf) - _KEEP
        if hold is not None:
            cut = min(cut, hold)
        cut = max(cut, 0)
        buf = buf[cut:]
        if start >= 0:
            start -= cut
        pos = hold - cut if hold is not None else max(len(buf) - _KEEP, 0)
        if start >= 0:
            pos = max(pos, start - 1) if hold is None else pos
    if start >= 0:
        end = len(buf)
        # The blank line ending the file belongs to the mbox, not the message (the byte
        # before ``start`` is the newline of the "From " line, so an empty message works).
        if buf.endswith(b"\n\r\n") and end - 2 >= start:
            end -= 2
        elif buf.endswith(b"\n\n") and end - 1 >= start:
            end -= 1
        yield _message(label, index, buf[start:end], too_big)
