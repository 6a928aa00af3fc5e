"""The codebook: the consultation's main themes (from the config) and the sub-themes that
coordinators add, rename, merge and retire while reading.

Sub-themes live in the workspace document ``codebook``; on contributions they are stored as
``"parent/sub"`` keys in ``Contribution.themes`` (and in ``Excerpt.theme``). A rename or a
merge rewrites those keys on every tagged record through ``services.changes`` so each record's
history shows it, and every codebook change is appended to the workspace audit. Retiring a
sub-theme only stops offering it: records keep it (nothing a reviewer decided is erased).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from assises_tui.clock import now_iso
from assises_tui.errors import AssisesError
from assises_tui.services.changes import ChangeSet
from assises_tui.services.departments import in_department, resolve
from assises_tui.text.fold import fold

if TYPE_CHECKING:
    from assises_tui.config import Consultation
    from assises_tui.domain.models import Contribution
    from assises_tui.services.changes import Changes
    from assises_tui.store.protocol import Store

DOC = "codebook"
_SLUG_RE = re.compile(r"[^a-z0-9]+")
_SUBKEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class CodebookError(AssisesError):
    """A codebook request that cannot be honoured (French message, exit code 2)."""


@dataclass(frozen=True)
class CodebookEntry:
    key: str  # "service" or "service/accueil"
    label: str
    parent: str | None  # None for a main theme
    retired: bool = False
    count: int = 0  # contributions carrying the key (main theme: itself or any sub-theme)

    @property
    def is_sub(self) -> bool:
        return self.parent is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "parent": self.parent,
            "retired": self.retired,
            "count": self.count,
        }


READ_ONLY_MESSAGE = (
    "Espace de travail ouvert en lecture seule : aucune modification possible "
    "(fermez l'autre session d'Assises)."
)


def ensure_writable(changes: Changes) -> None:
    if changes.read_only:
        raise CodebookError(READ_ONLY_MESSAGE)


def slugify(label: str) -> str:
    return _SLUG_RE.sub("-", fold(label)).strip("-")[:40]


def parent_of(key: str) -> str:
    return key.split("/", 1)[0]


class Codebook:
    def __init__(self, store: Store, consultation: Consultation, changes: Changes) -> None:
        self.store = store
        self.config = consultation
        self.changes = changes

    # -- reading -------------------------------------------------------------
    def _doc(self) -> dict[str, Any]:
        doc = self.store.get_doc(DOC) or {}
        if "subthemes" not in doc:  # first use: seed from the configuration
            doc = {
                "subthemes": {
                    t.key: [{"key": s.key, "label": s.label, "retired": False} for s in t.subthemes]
                    for t in self.config.themes
                }
            }
        doc.setdefault("subthemes", {})
        return doc

    def _save(self, doc: dict[str, Any], event: dict[str, Any]) -> None:
        ensure_writable(self.changes)
        self.store.put_doc(DOC, doc)
        entry = {"at": now_iso(), "who": self.changes.reviewer, **event}
        self.store.append_audit([entry])

    def entries(
        self,
        *,
        counts: bool = True,
        include_retired: bool = True,
        department: str | None = None,
    ) -> list[CodebookEntry]:
        """Main themes in config order, each followed by its sub-themes; the counts are of
        one département of a national roll-up when ``department`` names one."""
        doc = self._doc()
        tally: dict[str, int] = {}
        if counts:
            items = self.store.all()
            if department is not None:
                home = self.config.department
                items = in_department(items, resolve(department, items, home), home)
            for item in items:
                keys = set(item.themes)
                keys |= {parent_of(k) for k in item.themes}
                for k in keys:
                    tally[k] = tally.get(k, 0) + 1
        out: list[CodebookEntry] = []
        for theme in self.config.themes:
            out.append(CodebookEntry(theme.key, theme.label, None, False, tally.get(theme.key, 0)))
            for sub in doc["subthemes"].get(theme.key, []):
                if sub.get("retired") and not include_retired:
                    continue
                key = f"{theme.key}/{sub['key']}"
                out.append(
                    CodebookEntry(
                        key, sub["label"], theme.key, bool(sub.get("retired")), tally.get(key, 0)
                    )
                )
        return out

    def entry(self, key: str) -> CodebookEntry | None:
        return next((e for e in self.entries(counts=False) if e.key == key), None)

    def active_keys(self) -> list[str]:
        return [e.key for e in self.entries(counts=False, include_retired=False)]

    def label(self, key: str) -> str:
        """Human label: "Service rendu" or "Service rendu › Accueil"; the key if unknown."""
        labels = {e.key: e.label for e in self.entries(counts=False)}
        if key in labels:
            parent = parent_of(key)
            if "/" in key and parent in labels:
                return f"{labels[parent]} › {labels[key]}"
            return labels[key]
        return key

    # -- changing ------------------------------------------------------------
    def _require_parent(self, parent: str) -> None:
        if self.config.theme(parent) is None:
            known = ", ".join(self.config.theme_keys)
            raise CodebookError(f"Thème inconnu : « {parent} » (thèmes : {known}).")

    def _find_sub(self, doc: dict[str, Any], key: str) -> dict[str, Any]:
        if "/" not in key:
            raise CodebookError(
                f"« {key} » est un thème principal (défini dans consultation.toml) ; "
                "seuls les sous-thèmes se modifient ici."
            )
        parent, sub = key.split("/", 1)
        self._require_parent(parent)
        for entry in doc["subthemes"].get(parent, []):
            if entry["key"] == sub:
                return entry
        raise CodebookError(f"Sous-thème inconnu : « {key} ».")

    def add(self, parent: str, label: str, key: str | None = None) -> CodebookEntry:
        self._require_parent(parent)
        label = " ".join(label.split())
        if not label:
            raise CodebookError("Le libellé du sous-thème est vide.")
        sub = key or slugify(label)
        if not sub or not _SUBKEY_RE.match(sub):
            raise CodebookError(
                f"Clé de sous-thème invalide : « {sub} » (a-z, 0-9, - et _ seulement)."
            )
        doc = self._doc()
        subs = doc["subthemes"].setdefault(parent, [])
        if any(s["key"] == sub for s in subs):
            raise CodebookError(f"Le sous-thème « {parent}/{sub} » existe déjà.")
        subs.append({"key": sub, "label": label, "retired": False})
        self._save(doc, {"what": "codebook:add", "key": f"{parent}/{sub}", "label": label})
        return CodebookEntry(f"{parent}/{sub}", label, parent)

    def rename(self, key: str, label: str | None = None, new_key: str | None = None) -> ChangeSet:
        """New label and/or new key; a new key is rewritten on every tagged record."""
        doc = self._doc()
        entry = self._find_sub(doc, key)
        parent = parent_of(key)
        old_label = entry["label"]
        if label is not None:
            label = " ".join(label.split())
            if not label:
                raise CodebookError("Le nouveau libellé est vide.")
            entry["label"] = label
        target = key
        if new_key:
            given_parent, _slash, sub = new_key.rpartition("/")
            if given_parent and given_parent != parent:  # never moved silently
                raise CodebookError(
                    f"Un renommage garde le thème « {parent} » : pour passer sous "
                    f"« {given_parent} », ajoutez-y un sous-thème puis fusionnez."
                )
            if not _SUBKEY_RE.match(sub):
                raise CodebookError(
                    f"Clé de sous-thème invalide : « {sub} » (a-z, 0-9, - et _ seulement)."
                )
            target = f"{parent}/{sub}"
            if target != key and any(s["key"] == sub for s in doc["subthemes"][parent]):
                raise CodebookError(
                    f"« {target} » existe déjà : utilisez la fusion pour regrouper."
                )
            entry["key"] = sub
        self._save(
            doc,
            {
                "what": "codebook:rename",
                "key": key,
                "new_key": target,
                "label": old_label,
                "new_label": entry["label"],
            },
        )
        if target == key:
            return ChangeSet("codebook:rename", {}, {})
        return self._rewrite([key], target, "codebook:rename")

    def merge(self, source: str, target: str) -> ChangeSet:
        """Fold sub-theme ``source`` into ``target`` (a sub-theme or a main theme)."""
        if source == target:
            raise CodebookError("Un sous-thème ne peut pas être fusionné avec lui-même.")
        doc = self._doc()
        self._find_sub(doc, source)
        if "/" in target:
            tentry = self._find_sub(doc, target)
            if tentry.get("retired"):
                raise CodebookError(f"« {target} » est retiré : choisissez une cible active.")
        else:
            self._require_parent(target)
        parent, sub = source.split("/", 1)
        doc["subthemes"][parent] = [s for s in doc["subthemes"][parent] if s["key"] != sub]
        self._save(doc, {"what": "codebook:merge", "key": source, "into": target})
        return self._rewrite([source], target, "codebook:merge")

    def retire(self, key: str) -> CodebookEntry:
        doc = self._doc()
        entry = self._find_sub(doc, key)
        if entry.get("retired"):
            raise CodebookError(f"« {key} » est déjà retiré.")
        entry["retired"] = True
        self._save(doc, {"what": "codebook:retire", "key": key})
        return CodebookEntry(key, entry["label"], parent_of(key), True)

    def _rewrite(self, olds: list[str], new: str, what: str) -> ChangeSet:
        """Replace keys ``olds`` by ``new`` on themes and excerpts of every record."""
        old_set = set(olds)

        def change(item: Contribution) -> dict[str, Any]:
            themes = [new if k in old_set else k for k in item.themes]
            if new in themes and parent_of(new) not in themes:
                themes.insert(themes.index(new), parent_of(new))
            excerpts = tuple(
                replace(e, theme=new) if e.theme in old_set else e for e in item.excerpts
            )
            return {"themes": tuple(dict.fromkeys(themes)), "excerpts": excerpts}

        ids = [
            c.id
            for c in self.store.all()
            if old_set & set(c.themes) or any(e.theme in old_set for e in c.excerpts)
        ]
        return self.changes.apply(ids, what, change)
