"""What a purge erases outside the records: every other place of the workspace where a
reviewer may have copied a purged contributor's personal data.

* the synthesis draft and each of its saved versions (the synthesis is kept by design:
  only the purged contributors' addresses, phones and names are masked in it);
* saved searches (``from:adresse@…`` names a sender);
* backups: every archive in ``backups/``, whatever its name, is replaced by one made
  after the purge; the stores set aside by ``assises restore``
  (``store.avant-restauration-…``) are deleted: both hold the erased data in clear.

:class:`Identities` is what was erased (sender names and addresses, and every e-mail
address, phone number and postal address found in the purged texts), compared on the
text as a reader sees it, so an obfuscated copy (zero-width space, fullwidth digits) is
masked too. No textual/rich.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assises_tui.domain.models import Contribution
from assises_tui.durable import fsync_dir, remove_durably, write_atomic
from assises_tui.store.layout import Layout
from assises_tui.store.protocol import Store
from assises_tui.text.fold import fold
from assises_tui.text.personal_data import MASKS, Finding, as_read, find_personal_data

SAVED_SEARCHES_DOC = "saved_searches"
RESTORE_LEFTOVER = "store.avant-restauration-"
VERSIONS_DIR = "synthesis_versions"


def identity_key(kind: str, text: str) -> str:
    """How two writings of one piece of personal data compare: digits of a phone
    (+33 6… and 06… alike), an address in lower case, a name or street folded."""
    shown = as_read(text)
    if kind == "phone":
        digits = re.sub(r"\D", "", shown)
        return "0" + digits[2:] if digits.startswith("33") else digits
    if kind == "email":
        return shown.strip().lower()
    return " ".join(fold(shown).split())


class Identities:
    """The personal data a purge erased, to find again wherever it was copied."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.names: set[str] = set()
        self.keys: set[tuple[str, str]] = set()
        self.allowed = list(allowed)

    def __bool__(self) -> bool:
        return bool(self.names or self.keys)

    def add_record(self, item: Contribution) -> None:
        if item.sender_name:
            self.names.add(item.sender_name)
        if item.sender_email:
            self.keys.add(("email", identity_key("email", item.sender_email)))
        if item.assignee:
            self.add_text(item.assignee)

    def add_findings(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            if f.kind == "name":
                self.names.add(f.text)
            else:
                self.keys.add((_family(f.kind), identity_key(f.kind, f.text)))

    def add_text(self, text: str) -> None:
        self.add_findings(find_personal_data(text, allowed=self.allowed))

    def mask(self, text: str) -> tuple[str, int]:
        """``text`` with the erased data masked (other people's data left as it is), and
        how many pieces were masked."""
        if not text or not self:
            return text, 0
        found = [
            f
            for f in find_personal_data(text, sorted(self.names), allowed=self.allowed)
            if f.kind == "name" or (_family(f.kind), identity_key(f.kind, f.text)) in self.keys
        ]
        out, pos = [], 0
        for f in found:
            out += [text[pos : f.start], MASKS.get(f.kind, "[masqué]")]
            pos = f.end
        out.append(text[pos:])
        return "".join(out), len(found)

    def mask_value(self, value: Any) -> tuple[Any, int]:
        """Every string inside a JSON-like value, masked."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list):
            pairs = [self.mask_value(v) for v in value]
            return [v for v, _ in pairs], sum(n for _, n in pairs)
        if isinstance(value, dict):
            pairs = {k: self.mask_value(v) for k, v in value.items()}
            return {k: v for k, (v, _) in pairs.items()}, sum(n for _, n in pairs.values())
        return value, 0


def _family(kind: str) -> str:
    return "address" if kind == "postcode" else kind


# -- the synthesis and saved searches -----------------------------------------------------
def synthesis_files(root: Path) -> list[Path]:
    """The draft and every saved version."""
    layout = Layout(root)
    files = [layout.synthesis] if layout.synthesis.is_file() else []
    versions = root / VERSIONS_DIR
    if versions.is_dir():
        files += sorted(p for p in versions.iterdir() if p.is_file())
    return files


def mask_synthesis(root: Path, identities: Identities) -> int:
    """Mask the erased data in the draft and its versions; how many files changed."""
    changed = 0
    for path in synthesis_files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        masked, found = identities.mask(text)
        if found:
            write_atomic(path, masked.encode("utf-8"))
            changed += 1
    return changed


def mask_saved_searches(store: Store, identities: Identities) -> int:
    """Mask the erased data in saved searches (name and query); how many were changed."""
    doc = store.get_doc(SAVED_SEARCHES_DOC) or {}
    searches = doc.get("searches")
    if not isinstance(searches, list):
        return 0
    changed = 0
    kept = []
    for entry in searches:
        masked, found = identities.mask_value(entry)
        changed += bool(found)
        kept.append(masked)
    if changed:
        store.put_doc(SAVED_SEARCHES_DOC, {**doc, "searches": kept})
    return changed


# -- backups and restore leftovers ------------------------------------------------------
def backup_files(root: Path) -> list[Path]:
    """Every file of ``backups/``, automatic or not (newest first)."""
    folder = Layout(root).backups
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    return sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)


def restore_leftovers(root: Path) -> list[Path]:
    """The stores ``assises restore`` set aside in the workspace."""
    return sorted(p for p in root.glob(RESTORE_LEFTOVER + "*") if p.is_dir())


def replace_backups(store: Store) -> tuple[int, int, bool]:
    """Backups made before the purge hold what it erased: one made now replaces them all
    (the workspace keeps a safety net, without the erased data). Returns how many there
    were, how many were deleted, and whether the new one could be written (if not, the
    old ones stay). Listed after the new one is written: a backup taken when the store
    was opened (the daily one) is finished by then, and goes too."""
    try:
        fresh = store.backup("purge")
    except OSError:
        return len(backup_files(store.root)), 0, False
    older = [path for path in backup_files(store.root) if path != fresh]
    for path in older:
        remove_durably(path)
    return len(older), len(older), True


def remove_restore_leftovers(root: Path) -> int:
    leftovers = restore_leftovers(root)
    for folder in leftovers:
        shutil.rmtree(folder)
    if leftovers:
        fsync_dir(root)
    return len(leftovers)
