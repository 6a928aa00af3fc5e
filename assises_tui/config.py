"""The consultation configuration: ``consultation.toml`` → frozen dataclasses.

Errors name the field and, where it can be found, the line of the file, because the
people who edit this file are prefecture staff, not developers.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class ConfigError(ValueError):
    """A consultation.toml that cannot be used; the message is a French sentence."""


@dataclass(frozen=True)
class SubTheme:
    key: str
    label: str


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    description: str
    keywords: tuple[str, ...] = ()
    subthemes: tuple[SubTheme, ...] = ()


@dataclass(frozen=True)
class AttachmentLimits:
    """Bounds applied to every attachment (hostile files must never hang the import)."""

    max_bytes: int = 25 * 1024 * 1024
    max_decompressed_bytes: int = 100 * 1024 * 1024
    max_pages: int = 200
    max_seconds: float = 10.0
    max_text_chars: int = 2_000_000


@dataclass(frozen=True)
class Consultation:
    title: str
    department: str
    mailbox: str
    deadline: datetime
    timezone: str
    themes: tuple[Theme, ...]
    reviewer: str | None = None
    announcement: str | None = None
    limits: AttachmentLimits = field(default_factory=AttachmentLimits)
    keymap: dict[str, str] = field(default_factory=dict)
    #: ``[store] url``: the team's PostgreSQL database (None: the local TinyDB store).
    store_url: str | None = None
    source_text: str = field(default="", repr=False, compare=False)
    #: Who signs the synthesis (« Préfecture de l'Allier »); see :attr:`signed_by`.
    authority: str | None = None

    @property
    def signed_by(self) -> str:
        """The issuing authority; without ``authority`` in the file, « Préfecture de
        l'Allier » for a name starting with a vowel, else « Préfecture — Cher » (the article
        of « du Cher », « de la Creuse » cannot be guessed)."""
        if self.authority:
            return self.authority
        if self.department[:1].lower() in "aeiouyhéèêîôâ":
            return f"Préfecture de l'{self.department}"
        return f"Préfecture — {self.department}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def theme(self, key: str) -> Theme | None:
        return next((t for t in self.themes if t.key == key), None)

    @property
    def theme_keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.themes)


def _line_of(text: str, key: str, block: str | None = None, index: int = 0) -> int | None:
    """Best-effort line number of ``key = ...`` (inside the ``index``-th ``[[block]]``)."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    if block is not None:
        heads = [i for i, ln in enumerate(lines) if ln.strip() == f"[[{block}]]"]
        if index >= len(heads):
            return None
        start = heads[index]
        end = next(
            (i for i, ln in enumerate(lines) if i > start and ln.strip().startswith("[")),
            len(lines),
        )
        if key == "":
            return start + 1
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i in range(start, end):
        if pattern.match(lines[i]):
            return i + 1
    return start + 1 if block is not None else None


class _Reader:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path

    def fail(self, field_name: str, problem: str, block: str | None = None, index: int = 0):
        key = field_name.split(".")[-1]
        line = _line_of(self.text, key, block, index)
        where = f" (ligne {line})" if line else ""
        raise ConfigError(f"{self.path}{where} : le champ « {field_name} » {problem}.")

    def string(self, data: dict, key: str, name: str, required: bool = True, **loc: Any) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(name, "est obligatoire et manque", **loc)
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(name, "doit être un texte non vide", **loc)
        return value.strip()


def parse_consultation(text: str, path: str = "consultation.toml") -> Consultation:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} : syntaxe TOML invalide — {exc}.") from None
    r = _Reader(text, path)
    title = r.string(data, "title", "title")
    department = r.string(data, "department", "department")
    mailbox = r.string(data, "mailbox", "mailbox")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", mailbox):
        r.fail("mailbox", "doit être une adresse électronique")
    deadline = data.get("deadline")
    if deadline is None:
        r.fail("deadline", "est obligatoire et manque")
    if not isinstance(deadline, datetime) or deadline.tzinfo is None:
        r.fail("deadline", "doit être une date et heure avec fuseau (2020-01-20T00:00:00+01:00)")
    timezone = r.string(data, "timezone", "timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        r.fail("timezone", f"désigne un fuseau inconnu ({timezone!r}), par ex. Europe/Paris")
    raw_themes = data.get("themes")
    if not isinstance(raw_themes, list) or not raw_themes:
        r.fail("themes", "doit contenir au moins un bloc [[themes]]")
    themes: list[Theme] = []
    for i, raw in enumerate(raw_themes):
        loc = {"block": "themes", "index": i}
        if not isinstance(raw, dict):
            r.fail(f"themes[{i + 1}]", "doit être un bloc [[themes]]", **loc)
        key = r.string(raw, "key", f"themes[{i + 1}].key", **loc)
        if not KEY_RE.match(key):
            r.fail(f"themes[{i + 1}].key", "ne doit contenir que a-z, 0-9, - et _", **loc)
        if any(t.key == key for t in themes):
            r.fail(f"themes[{i + 1}].key", f"répète la clé « {key} »", **loc)
        label = r.string(raw, "label", f"themes[{i + 1}].label", **loc)
        description = r.string(raw, "description", f"themes[{i + 1}].description", **loc)
        keywords = raw.get("keywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            r.fail(f"themes[{i + 1}].keywords", "doit être une liste de textes", **loc)
        subs: list[SubTheme] = []
        for j, sub in enumerate(raw.get("subthemes", []) or []):
            name = f"themes[{i + 1}].subthemes[{j + 1}]"
            if isinstance(sub, str):
                sub = {"key": sub, "label": sub}
            if not isinstance(sub, dict):
                r.fail(name, "doit être un texte ou un bloc {key, label}", **loc)
            skey = r.string(sub, "key", f"{name}.key", **loc)
            subs.append(SubTheme(skey, r.string(sub, "label", f"{name}.label", **loc)))
        themes.append(Theme(key, label, description, tuple(keywords), tuple(subs)))
    limits = AttachmentLimits()
    raw_limits = data.get("limits", {})
    if raw_limits:
        if not isinstance(raw_limits, dict):
            r.fail("limits", "doit être une table [limits]")
        values = {}
        for name in AttachmentLimits.__dataclass_fields__:
            if name in raw_limits:
                v = raw_limits[name]
                if not isinstance(v, int | float) or isinstance(v, bool) or v <= 0:
                    r.fail(f"limits.{name}", "doit être un nombre positif")
                values[name] = v
        limits = AttachmentLimits(**values)
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        r.fail("keymap", "doit être une table d'identifiants vers des touches")
    reviewer = data.get("reviewer")
    if reviewer is not None and not isinstance(reviewer, str):
        r.fail("reviewer", "doit être un texte")
    announcement = data.get("announcement")
    store = data.get("store", {})
    if not isinstance(store, dict) or not isinstance(store.get("url", ""), str):
        r.fail("store", 'doit être une table [store] avec url = "postgresql://…"')
    authority = data.get("authority")
    if authority is not None and (not isinstance(authority, str) or not authority.strip()):
        r.fail("authority", "doit être un texte (« Préfecture de l'Allier »)")
    return Consultation(
        title=title,
        department=department,
        mailbox=mailbox.lower(),
        deadline=deadline,
        timezone=timezone,
        themes=tuple(themes),
        reviewer=reviewer,
        announcement=announcement if isinstance(announcement, str) else None,
        limits=limits,
        keymap=dict(keymap),
        store_url=store.get("url") or None,
        source_text=text,
        authority=authority.strip() if authority else None,
    )


def load_consultation(path: Path) -> Consultation:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"Fichier de consultation introuvable : {path}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} n'est pas encodé en UTF-8.") from None
    except OSError as exc:
        raise ConfigError(f"Lecture impossible de {path} : {exc.strerror}.") from None
    return parse_consultation(text, str(path))


def bundled_config_dir() -> Path:
    """The Allier 2019-2020 consultation shipped in ``data/allier``."""
    return Path(__file__).resolve().parent.parent / "data" / "allier"
