"""Stored form of a contribution: the model's dict without default-valued fields.

Measured at 100,000 records (2 cores), which shaped this module:

* parsing is half of the open time and grows with the number of keys: dropping fields
  that hold their default (no notes, no excerpts, not late…) made a shard parse ~35 %
  faster;
* records are decoded once, at open, and the parsed dicts are dropped at once: keeping
  both the dicts and the objects cost ~450 MB, the objects alone (slotted, with their
  repeated strings shared) ~150 MB;
* records are decoded by msgspec, straight from the shard's bytes (``shard_records.py``)
  or from a dict (``decode``, for a journal, a migration, a hand-edited file); both check
  every type strictly: a wrong type is refused, never coerced;
* a changed record rewrites its whole shard, so the shard's other records are encoded
  again from their objects (``encode``, generated once from the dataclass fields, as
  ``dataclasses`` does for ``__init__``: a few µs each).

Repeated values are shared instead of being held once per record: statuses, theme keys,
category, commune, source, assignee, history authors and actions, attachment types, and
``raw_sha256`` (the same digest as ``raw_blob``).
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import msgspec

from assises_tui.domain.models import (
    Attachment,
    Contribution,
    Excerpt,
    HistoryEntry,
    Note,
    Status,
)


def _status_out(value: Status | str) -> str:
    return value.value if isinstance(value, Status) else str(value)


# -- code generation -----------------------------------------------------------------
# How each field is written to its stored form (an expression on ``v``); fields not
# listed are stored as they are.
_OUT = {
    "received_at": "v.isoformat() if v is not None else None",
    "status": "_status_out(v)",
    "themes": "list(v)",
    "attachments": "list(map(_encode_Attachment, v))",
    "excerpts": "list(map(_encode_Excerpt, v))",
    "notes": "list(map(_encode_Note, v))",
    "history": "list(map(_encode_HistoryEntry, v))",
    "to_check": "list(v)",
}
_ENV: dict[str, Any] = {"_status_out": _status_out}


def _has_default(f: dataclasses.Field) -> bool:
    return f.default is not dataclasses.MISSING


def _make_encoder(cls: type) -> Callable[[Any], dict[str, Any]]:
    """Build ``_encode_<cls>(o)``: required fields always, the others when not default.

    Sub-records (history, attachments…) keep every field, as ``asdict`` wrote them.
    """
    name = cls.__name__
    top = cls is Contribution
    lines = [f"def _encode_{name}(o):", "    d = {}"]
    for f in dataclasses.fields(cls):
        value = _OUT.get(f.name, "v") if top else "v"
        lines.append(f"    v = o.{f.name}")
        if not top or not _has_default(f):
            lines.append(f'    d["{f.name}"] = {value}')
            continue
        _ENV[f"_default_{name}_{f.name}"] = f.default
        # Any empty sequence counts as the () default.
        test = "v" if f.default == () else f"v != _default_{name}_{f.name}"
        lines.append(f'    if {test}: d["{f.name}"] = {value}')
    lines.append("    return d")
    exec("\n".join(lines), _ENV)  # source built above from the field names only
    return _ENV[f"_encode_{name}"]


for _cls in (Attachment, Excerpt, Note, HistoryEntry):
    _make_encoder(_cls)

#: ``encode(item) -> dict``: the stored form (JSON-ready; default-valued fields left out).
encode: Callable[[Contribution], dict[str, Any]] = _make_encoder(Contribution)


class MalformedRecord(ValueError):
    """A stored record whose shape or types are not the schema's (French message)."""


_TYPE_NAMES = {
    "array": "une liste",
    "object": "un objet",
    "str": "un texte",
    "int": "un nombre entier",
    "float": "un nombre",
    "bool": "un booléen",
    "null": "vide (null)",
    "datetime": "une date",
}
_EXPECTED = re.compile(r"Expected `([^`]+)`, got `([^`]+)` - at `\$(.*)`")
_MISSING = re.compile(r"Object missing required field `([^`]+)`(?: - at `\$(.*)`)?")
_INVALID = re.compile(r"Invalid (?:enum value|value) (.*?)(?: - at `\$(.*)`)?$")


def _where(path: str | None) -> str:
    return (path or "").lstrip(".") or "l'enregistrement"


def _french(error: msgspec.ValidationError) -> str:
    """msgspec's message in French, naming the field (``themes``, ``notes[0].text``…)."""
    text = str(error)
    found = _EXPECTED.match(text)
    if found:
        expected, got, path = found.groups()
        expected = " ou ".join(_TYPE_NAMES.get(t, t) for t in expected.split(" | "))
        return f"« {_where(path)} » devrait être {expected}, c'est {_TYPE_NAMES.get(got, got)}"
    found = _MISSING.match(text)
    if found:
        name, path = found.groups()
        inside = f" dans « {_where(path)} »" if path else ""
        return f"le champ « {name} » manque{inside}"
    found = _INVALID.match(text)
    if found:
        value, path = found.groups()
        return f"« {_where(path)} » a une valeur invalide ({value})"
    return text


def decode(data: Any) -> Contribution:
    """A ``Contribution`` from its stored form, its types checked strictly.

    Unknown keys are ignored and missing optional fields take their defaults, but a value
    of the wrong type is refused, never coerced (``themes: "lien"`` is not four themes
    l, i, e, n). Raises :class:`MalformedRecord` naming the field.
    """
    received = data.get("received_at") if isinstance(data, dict) else None
    if isinstance(received, str):
        # Python writes offsets RFC 3339 has no room for (a 1911 local mean time,
        # +00:09:21); fromisoformat reads back whatever isoformat wrote.
        try:
            data = {**data, "received_at": datetime.fromisoformat(received)}
        except ValueError:
            raise MalformedRecord(f"« received_at » n'est pas une date ({received!r})") from None
    try:
        item = msgspec.convert(data, Contribution)
    except msgspec.ValidationError as exc:
        raise MalformedRecord(_french(exc)) from None
    share_strings((item,))
    return item


# -- records decoded elsewhere (msgspec, see shard_records.py) -------------------------
def _setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    return getattr(cls, name).__set__  # the slot's member descriptor


_set_raw_sha256 = _setter(Contribution, "raw_sha256")
#: Short strings repeated across records: (read, write) of each slot.
_INTERNED_FIELDS = tuple(
    (getattr(Contribution, name).__get__, getattr(Contribution, name).__set__)
    for name in (
        "contributor_category",
        "commune",
        "source",
        "assignee",
        "status_reason",
        "department",
    )
)
_set_themes = _setter(Contribution, "themes")
_set_history = _setter(Contribution, "history")
_set_who = _setter(HistoryEntry, "who")
_set_what = _setter(HistoryEntry, "what")
_set_before = _setter(HistoryEntry, "before")
_set_after = _setter(HistoryEntry, "after")
_set_content_type = _setter(Attachment, "content_type")


class SharePool:
    """History entries seen during one load, to share equal ones (see ``share_strings``).

    Sharing pays when entries repeat (an import writes the same who, time, action and
    source for a whole batch of messages). When they do not (the first 2,000 entries
    matched less than half the time), the pool stops growing: its keys would only cost
    time and memory.
    """

    TRIAL = 2_000

    def __init__(self) -> None:
        self.entries: dict[tuple[Any, ...], tuple[HistoryEntry]] = {}
        self.tries = 0
        self.hits = 0
        self.enabled = True

    def shared(self, one: tuple[HistoryEntry]) -> tuple[HistoryEntry]:
        """The pooled one-entry tuple equal to ``one`` (``one`` itself when new)."""
        entry = one[0]
        if self.enabled:
            key = (entry.who, entry.at, entry.what, entry.before, entry.after)
            try:
                found = self.entries.get(key)
            except TypeError:  # a list before/after (themes): not hashable, not shared
                found = key = None
            self.tries += 1
            if found is not None:
                self.hits += 1
                return found
            if key is not None:
                self.entries[key] = one
            if self.tries == self.TRIAL and self.hits * 2 < self.tries:
                self.enabled = False
                self.entries.clear()
        _intern_entry(entry)
        return one


def _intern_entry(entry: HistoryEntry) -> None:
    intern = sys.intern
    _set_who(entry, intern(entry.who))
    _set_what(entry, intern(entry.what))
    value = entry.before
    if type(value) is str:
        _set_before(entry, intern(value))
    value = entry.after
    if type(value) is str:
        _set_after(entry, intern(value))


def share_strings(items: Iterable[Contribution], pool: SharePool | None = None) -> None:
    """Share the repeated values of freshly decoded records (as ``decode`` does, and more).

    Only for records nobody else holds yet: it sets slots of frozen instances. Strings
    repeated across records are interned (~45 MB at 100,000 records, for ~0.1 s). History
    entries equal in every field become one shared entry, and one-entry histories one
    shared tuple, through ``pool``, which the caller keeps for a whole load (~20 MB at
    100,000 records imported in batches).
    """
    intern = sys.intern
    if pool is None:
        pool = SharePool()
    shared = pool.shared
    for item in items:
        value = item.raw_blob
        if value and item.raw_sha256 == value:
            _set_raw_sha256(item, value)
        for get, put in _INTERNED_FIELDS:
            value = get(item)
            if value:
                put(item, intern(value))
        value = item.themes
        if value:
            _set_themes(item, tuple(map(intern, value)))
        history = item.history
        if len(history) == 1:
            value = shared(history)
            if value is not history:
                _set_history(item, value)
        elif history:
            _set_history(item, tuple([shared((entry,))[0] for entry in history]))
        for attachment in item.attachments:
            _set_content_type(attachment, intern(attachment.content_type))
