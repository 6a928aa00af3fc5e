"""Every save of the draft is kept as a version: list, compare, restore.

The current draft is ``synthesis.md``; each save that changes it also writes
``synthesis_versions/<UTC timestamp>.md`` (written once, never modified). Both writes are
atomic (temp file + fsync + replace), so a crash leaves the old text or the new one.
Restoring a version writes its text as the current draft and records that as a new
version: history is never rewritten.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

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
    path: Path

    def label(self, tz: tzinfo) -> str:
        """When it was saved, « 05/12/2026 19:14 » in ``tz`` (the consultation's)."""
        return local_time(self.at, tz)


def _now() -> datetime:
    return datetime.now(UTC)


class DraftVersions:
    def __init__(
        self, draft_path: Path, folder: Path | None = None, clock: Callable[[], datetime] = _now
    ) -> None:
        self.draft_path = Path(draft_path)
        self.folder = folder or self.draft_path.parent / "synthesis_versions"
        self.clock = clock

    # -- reading -----------------------------------------------------------
    def current(self) -> str | None:
        try:
            return self.draft_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def list(self) -> list[Version]:
        """Versions, oldest first."""
        if not self.folder.is_dir():
            return []
        out = []
        for path in self.folder.iterdir():
            m = _NAME.match(path.name)
            if not m:
                continue
            at = datetime.strptime(m.group(1), "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
            out.append(Version(m.group(1), at, path.stat().st_size, path))
        out.sort(key=lambda v: v.id)
        return out

    def get(self, version_id: str) -> Version:
        for v in self.list():
            if v.id == version_id or (len(version_id) >= 8 and v.id.startswith(version_id)):
                return v
        raise AssisesError(
            f"Version « {version_id} » introuvable (voir « assises synthesis versions »)."
        )

    def read(self, version_id: str) -> str:
        return self.get(version_id).path.read_text(encoding="utf-8")

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

    # -- writing -----------------------------------------------------------
    def save(self, text: str) -> Version | None:
        """Write the draft and keep a version; None when the text did not change."""
        latest = self.list()
        if self.current() == text and latest and latest[-1].path.read_text("utf-8") == text:
            return None
        data = text.encode("utf-8")
        ensure_dir(self.folder)
        at = self.clock()
        if latest and at <= latest[-1].at:  # keep ids strictly increasing (fast saves, clocks)
            at = latest[-1].at + _TICK
        version_id = at.strftime("%Y%m%dT%H%M%S.%fZ")
        path = self.folder / f"{version_id}.md"
        write_atomic(path, data)
        write_atomic(self.draft_path, data)
        return Version(version_id, at, len(data), path)

    def restore(self, version_id: str) -> Version:
        text = self.read(version_id)
        saved = self.save(text)
        return saved if saved is not None else self.list()[-1]
