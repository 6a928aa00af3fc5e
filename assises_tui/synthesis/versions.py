"""Every save of the draft is kept as a version: list, compare, restore.

Locally (``DraftVersions``) the current draft is ``synthesis.md``; each save that changes
it also writes ``synthesis_versions/<UTC timestamp>.md`` (written once, never modified).
Both writes are atomic (temp file + fsync + replace), so a crash leaves the old text or the
new one. In team mode (``SharedDraftVersions``) the draft and each version are documents
of the shared store, so the whole team drafts the same synthesis; two saves at once both
become versions, the later one is the draft. Restoring a version writes its text as the
current draft and records that as a new version: history is never rewritten.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from assises_tui.clock import local_time
from assises_tui.durable import ensure_dir, write_atomic
from assises_tui.errors import AssisesError

_TICK = timedelta(microseconds=1)
_NAME = re.compile(r"^(\d{8}T\d{6}\.\d{6}Z)\.md$")


@dataclass(frozen=True)
class Version:
    id: str  # e.g. 20191125T143000.123456Z
    at: datetime  # UTC
    size: int
    path: Path | None = None  # the version's file, for a local workspace

    def label(self, tz: tzinfo) -> str:
        """When it was saved, « 05/12/2026 19:14 » in ``tz`` (the consultation's)."""
        return local_time(self.at, tz)


def _now() -> datetime:
    return datetime.now(UTC)


class _Versions:
    """What both kinds of draft storage share: lookup, diff, save, restore."""

    clock: Callable[[], datetime]

    def current(self) -> str | None:
        raise NotImplementedError

    def list(self) -> list[Version]:
        """Versions, oldest first."""
        raise NotImplementedError

    def read(self, version_id: str) -> str:
        raise NotImplementedError

    def put_version(self, version_id: str, text: str) -> Path | None:
        """Keep ``text`` as version ``version_id`` (also used to copy versions across)."""
        raise NotImplementedError

    def put_current(self, text: str) -> None:
        raise NotImplementedError

    def get(self, version_id: str) -> Version:
        for v in self.list():
            if v.id == version_id or (len(version_id) >= 8 and v.id.startswith(version_id)):
                return v
        raise AssisesError(
            f"Version « {version_id} » introuvable (voir « assises synthesis versions »)."
        )

    def diff(self, old_id: str, new_id: str | None = None) -> str:
        """Unified diff from version ``old_id`` to ``new_id`` (the current draft when None)."""
        old = self.read(old_id)
        if new_id is None:
            new, new_name = self.current() or "", "brouillon actuel"
        else:
            new, new_name = self.read(new_id), f"version {new_id}"
        return "".join(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"version {old_id}",
                tofile=new_name,
            )
        )

    def save(self, text: str) -> Version | None:
        """Write the draft and keep a version; None when the text did not change."""
        latest = self.list()
        if self.current() == text and latest and self.read(latest[-1].id) == text:
            return None
        at = self.clock()
        if latest and at <= latest[-1].at:  # keep ids strictly increasing (fast saves, clocks)
            at = latest[-1].at + _TICK
        version_id = at.strftime("%Y%m%dT%H%M%S.%fZ")
        path = self.put_version(version_id, text)
        self.put_current(text)
        return Version(version_id, at, len(text.encode("utf-8")), path)

    def restore(self, version_id: str) -> Version:
        text = self.read(version_id)
        saved = self.save(text)
        return saved if saved is not None else self.list()[-1]

    def copy_to(self, other: _Versions) -> int:
        """Every version (same ids) and the draft into ``other`` (``assises migrate``)."""
        versions = self.list()
        for version in versions:
            other.put_version(version.id, self.read(version.id))
        current = self.current()
        if current is not None:
            other.put_current(current)
        return len(versions)


def _version_at(version_id: str) -> datetime:
    return datetime.strptime(version_id, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)


class DraftVersions(_Versions):
    def __init__(
        self, draft_path: Path, folder: Path | None = None, clock: Callable[[], datetime] = _now
    ) -> None:
        self.draft_path = Path(draft_path)
        self.folder = folder or self.draft_path.parent / "synthesis_versions"
        self.clock = clock

    def current(self) -> str | None:
        try:
            return self.draft_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def list(self) -> list[Version]:
        if not self.folder.is_dir():
            return []
        out = []
        for path in self.folder.iterdir():
            m = _NAME.match(path.name)
            if m:
                out.append(Version(m.group(1), _version_at(m.group(1)), path.stat().st_size, path))
        out.sort(key=lambda v: v.id)
        return out

    def read(self, version_id: str) -> str:
        path = self.get(version_id).path
        assert path is not None
        return path.read_text(encoding="utf-8")

    def put_version(self, version_id: str, text: str) -> Path:
        ensure_dir(self.folder)
        path = self.folder / f"{version_id}.md"
        write_atomic(path, text.encode("utf-8"))
        return path

    def put_current(self, text: str) -> None:
        write_atomic(self.draft_path, text.encode("utf-8"))


class SharedDraftVersions(_Versions):
    """The draft and its versions as documents of a shared store (team mode)."""

    DRAFT = "synthesis.draft"
    PREFIX = "synthesis.version."

    def __init__(self, docs: Any, clock: Callable[[], datetime] = _now) -> None:
        self.docs = docs  # a Store: get_doc, put_doc, doc_names
        self.clock = clock

    @classmethod
    def owns(cls, name: str) -> bool:
        """Whether document ``name`` is part of the shared draft."""
        return name == cls.DRAFT or name.startswith(cls.PREFIX)

    def current(self) -> str | None:
        return self.docs.get_doc(self.DRAFT).get("text")

    def list(self) -> list[Version]:
        out = []
        for name in self.docs.doc_names():
            version_id = name[len(self.PREFIX) :]
            if name.startswith(self.PREFIX) and _NAME.match(f"{version_id}.md"):
                size = int(self.docs.get_doc(name).get("size", 0))
                out.append(Version(version_id, _version_at(version_id), size))
        out.sort(key=lambda v: v.id)
        return out

    def read(self, version_id: str) -> str:
        return self.docs.get_doc(self.PREFIX + self.get(version_id).id).get("text", "")

    def put_version(self, version_id: str, text: str) -> None:
        size = len(text.encode("utf-8"))
        self.docs.put_doc(self.PREFIX + version_id, {"text": text, "size": size})

    def put_current(self, text: str) -> None:
        self.docs.put_doc(self.DRAFT, {"text": text})
