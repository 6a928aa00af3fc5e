"""Where messages come from: mbox files, Maildir folders, folders of .eml/.msg, single files.

``iter_sources`` streams: an mbox is read line by line, so a 1 GB export never sits in
memory whole. A file that is not mail is yielded with a ``problem`` (the importer puts it in
quarantine) rather than stopping the walk.
"""

from __future__ import annotations

import os
import re
from collections import deque
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
    kind: str = "rfc822"  # "rfc822", "msg" (Outlook) or "skipped" (a file that is not mail)
    doubt: str | None = None  # French: why the mbox split around this message may be wrong


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


_MAIL_HEADER = re.compile(
    rb"(?im)^(from|date|subject|message-id|received|return-path|mime-version|to|"
    rb"delivered-to|sender|reply-to)[ \t]*:"
)


def _has_mail_header(head: bytes) -> bool:
    """A header every mail carries at least one of, in the header block of ``head``."""
    block = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return _MAIL_HEADER.search(block) is not None


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def skipped(label: str, reason: str) -> RawMessage:
    """A file of a folder that is not read, with why (listed in the import report)."""
    return RawMessage(label, b"", reason, kind="skipped")


SKIP_NOT_MAIL = "Pas un courriel (ni en-têtes de message, ni boîte mbox, ni fichier Outlook)"
SKIP_DELIVERING = "Message en cours de livraison (dossier tmp/ d'une boîte Maildir)"
SKIP_LINK = "Lien symbolique : non suivi"
SKIP_WORKSPACE = "Espace de travail d'Assises : son contenu n'est pas importé"


def _iter_dir(root: Path) -> Iterator[RawMessage]:
    """Every file under ``root``: mail is recognised by its content, whatever its name;
    every other file is reported as skipped, with the reason."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames.sort()
        if _is_workspace(here):  # its blobs are mail already imported, its files are not mail
            dirnames[:] = []
            yield skipped(_label(here, root), SKIP_WORKSPACE)
            continue
        for name in sorted(d for d in dirnames if (here / d).is_symlink()):
            yield skipped(_label(here / name, root), SKIP_LINK)
        if _is_maildir(here):
            dirnames[:] = [d for d in dirnames if d not in ("cur", "new", "tmp")]
            for sub in ("cur", "new", "tmp"):
                folder = here / sub
                prefix = _label(folder, root)  # once per folder: 10,000 mails, one label each
                for name, is_link, is_file in _entries(folder):
                    if not is_file or is_link or name.startswith("."):
                        continue
                    label = f"{prefix}/{name}"
                    if sub == "tmp":
                        yield skipped(label, SKIP_DELIVERING)
                    else:
                        yield from _iter_file(folder / name, label, maildir=True)
        names = set(filenames)
        for name, is_link, is_file in _entries(here):
            if name not in names:
                continue
            file = here / name
            if is_link:
                yield skipped(_label(file, root), SKIP_LINK)
            elif is_file:
                yield from _iter_file(file, _label(file, root), in_folder=True)


def _entries(folder: Path) -> list[tuple[str, bool, bool]]:
    """(name, is a symlink, is a regular file) of a folder's entries, sorted by name; the
    types come with the listing (no stat per file: 10,000 mails, 10,000 system calls less)."""
    try:
        with os.scandir(folder) as listing:
            found = [(e.name, e.is_symlink(), e.is_file(follow_symlinks=False)) for e in listing]
    except OSError:
        return []
    return sorted(found)


def _is_workspace(path: Path) -> bool:
    return (path / "consultation.toml").is_file() and (path / "store").is_dir()


#: A file this small is read whole at once (one open, one read) when it is looked at.
WHOLE_READ = 1 << 20


def _starts_mbox(head: bytes) -> bool:
    """An mbox, possibly after a UTF-8 byte order mark and blank lines."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"From ")


def _iter_file(
    path: Path, label: str, maildir: bool = False, in_folder: bool = False
) -> Iterator[RawMessage]:
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(WHOLE_READ if size <= WHOLE_READ else 8192)
    except OSError as exc:
        yield RawMessage(label, b"", f"Lecture impossible du fichier ({exc.strerror}).")
        return
    head = data[:8192]
    whole = data if len(data) == size else None
    suffix = path.suffix.lower()
    if head.startswith(OLE_MAGIC):
        yield _whole(path, label, size, kind="msg", data=whole)
        return
    if suffix == ".msg" and not looks_like_mail(head):
        yield RawMessage(
            label, _small(path, size), "Fichier .msg qui n'est pas un message Outlook lisible."
        )
        return
    if not maildir and suffix not in MAIL_SUFFIXES and _starts_mbox(head):
        yield from iter_mbox(path, label)
        return
    if in_folder and suffix not in MAIL_SUFFIXES + MBOX_SUFFIXES:
        # Any file of a folder is looked at; a mail has headers a mail must have.
        if looks_like_mail(head) and _has_mail_header(head):
            yield _whole(path, label, size, data=whole)
            return

        # A PDF or a photo beside the mails: said in the report, not put in quarantine.
        yield skipped(label, SKIP_NOT_MAIL)
        return
    if looks_like_mail(head):
        yield _whole(path, label, size, data=whole)
        return
    yield RawMessage(label, _small(path, size), "Ce fichier n'est pas un courriel.")


def _small(path: Path, size: int) -> bytes:
    # Quarantine keeps the bytes, within reason (a 2 GB video is not kept).
    if size > MAX_MESSAGE_BYTES:
        return b""
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _whole(
    path: Path, label: str, size: int, kind: str = "rfc822", data: bytes | None = None
) -> RawMessage:
    if size > MAX_MESSAGE_BYTES:
        return RawMessage(label, b"", f"Message trop volumineux ({size // 1_048_576} Mo).", kind)
    if data is not None:
        return RawMessage(label, data, None, kind)
    try:
        return RawMessage(label, path.read_bytes(), None, kind)
    except OSError as exc:
        return RawMessage(label, b"", f"Lecture impossible du fichier ({exc.strerror}).", kind)


def iter_mbox(path: Path, label: str | None = None) -> Iterator[RawMessage]:
    """Messages of an mbox (mboxo or mboxrd, LF or CRLF), streamed line by line.

    See :func:`split_mbox` for the separator rule. One level of ">From " quoting is
    removed, as mboxrd readers do.
    """
    label = label or path.name
    with open(path, "rb") as fh:
        yield from split_mbox(iter(lambda: fh.readline(LINE_LIMIT), b""), label)


#: A line longer than this is read in pieces (a base64 blob without line breaks); only the
#: first piece of a line can be a separator.
LINE_LIMIT = 1 << 20
_UNQUOTE = re.compile(rb"(?m)^>(>*From )")
_BLANK = (b"\n", b"\r\n")
# "From sender date": the envelope line mbox writers put before each message; it always
# holds a time of day ("From MAILER-DAEMON Fri Jul  8 12:08:34 2011", "From - Mon …").
_ENVELOPE = re.compile(rb"^From \S* +\S.*\b\d{1,2}:\d\d")
_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
DOUBT_NO_BLANK = (
    "Séparé du message précédent sur une ligne « From » sans ligne vide avant : "
    "découpage à vérifier."
)
DOUBT_KEPT = (
    "Une ligne « From » après une ligne vide est restée dans le corps (ni date d'enveloppe "
    "ni en-têtes après elle) : découpage à vérifier."
)


def _headers_follow(first: bytes | None, second: bytes | None) -> bool:
    """True when the lines after a "From " line start a header block."""
    if first is None or not _HEADER_LINE.match(first):
        return False
    return second is None or bool(_HEADER_LINE.match(second)) or second[:1] in b" \t\r\n"


def separator(line: bytes, after_blank: bool, next1: bytes | None, next2: bytes | None):
    """Is this "From " line a message separator? ``(is_separator, doubt or None)``.

    The rule of the tolerant readers (Python's ``mailbox``, GMime), made safer for text:
    after a blank line, a "From " line opens a message when it looks like an envelope line
    or a header block follows; without the blank line before it, only when both hold
    (writers that forget the blank line exist; a body line "From …" followed by headers
    does not). Every guess that could be wrong comes with a doubt for the import report.
    """
    headers = _headers_follow(next1, next2)
    envelope = bool(_ENVELOPE.match(line))
    if after_blank:
        if headers or envelope:
            return True, None
        return False, DOUBT_KEPT
    if headers and envelope:
        return True, DOUBT_NO_BLANK
    return False, None


class _Message:
    __slots__ = ("lines", "size", "too_big", "doubts")

    def __init__(self) -> None:
        self.lines: list[bytes] = []
        self.size = 0
        self.too_big = False
        self.doubts: list[str] = []

    def add(self, line: bytes) -> None:
        if self.too_big:
            return
        self.size += len(line)
        if self.size > MAX_MESSAGE_BYTES:  # not kept at all: said in quarantine
            self.too_big, self.lines = True, []
            return
        self.lines.append(line)

    def raw(self, label: str, index: int, drop_blank_end: bool) -> RawMessage:
        name = f"{label} #{index}"
        doubt = " ".join(self.doubts) or None
        if self.too_big:
            return RawMessage(name, b"", "Message trop volumineux pour être lu.", doubt=doubt)
        if drop_blank_end and self.lines and self.lines[-1] in _BLANK:
            self.lines.pop()  # the blank line before a separator belongs to the mbox
        data = b"".join(self.lines)
        if b">From " in data:
            data = _UNQUOTE.sub(rb"\1", data)
        return RawMessage(name, data, doubt=doubt)


def split_mbox(chunks: Iterable[bytes], label: str) -> Iterator[RawMessage]:
    """Split an mbox given as lines (a line may come in pieces: see ``LINE_LIMIT``).

    A UTF-8 byte order mark and blank lines before the first message are skipped. Text
    before the first separator is not dropped: it is yielded as a message of its own (it
    is read, or quarantined with its reason).
    """
    source = iter(chunks)
    ahead: deque[bytes] = deque()

    def fill() -> None:
        while len(ahead) < 3:
            piece = next(source, None)
            if piece is None:
                return
            ahead.append(piece)

    fill()
    if ahead and ahead[0].startswith(b"\xef\xbb\xbf"):
        ahead[0] = ahead[0][3:]
    current: _Message | None = None
    preamble = _Message()
    index = 0
    after_blank = True  # the start of the file counts as "after a blank line"
    at_line_start = True
    while ahead:
        line = ahead.popleft()
        fill()
        starts_line, at_line_start = at_line_start, line.endswith(b"\n")
        if starts_line and line.startswith(b"From "):
            if current is None and not preamble.lines:
                is_sep, doubt = True, None  # the first line of the file
            else:
                nexts = list(ahead)[:2] if at_line_start else []
                is_sep, doubt = separator(line, after_blank, *(nexts + [None, None])[:2])
            if is_sep:
                if current is not None:
                    index += 1
                    yield current.raw(label, index, drop_blank_end=after_blank)
                elif preamble.lines and any(ln.strip() for ln in preamble.lines):
                    index += 1
                    yield preamble.raw(label, index, drop_blank_end=after_blank)
                current = _Message()
                if doubt:
                    current.doubts.append(doubt)
                after_blank = False
                while not at_line_start and ahead:  # the rest of a very long "From " line
                    at_line_start = ahead.popleft().endswith(b"\n")
                    fill()
                continue
            if doubt and current is not None and doubt not in current.doubts:
                current.doubts.append(doubt)
        if current is None:
            if line.strip() or preamble.lines:
                preamble.add(line)
        else:
            current.add(line)
        if starts_line:
            after_blank = line in _BLANK
    if current is not None:
        index += 1
        yield current.raw(label, index, drop_blank_end=True)
    elif preamble.lines:
        index += 1
        yield preamble.raw(label, index, drop_blank_end=True)
