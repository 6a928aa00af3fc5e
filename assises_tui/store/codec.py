"""Stored form of a contribution: the model's dict without default-valued fields.

Measured at 100,000 records (2 cores), which shaped this module:

* parsing is half of the open time and grows with the number of keys: dropping fields
  that hold their default (no notes, no excerpts, not late…) made a shard parse ~35 %
  faster;
* records are decoded once, at open, and the parsed dicts are dropped at once: keeping
  both the dicts and the objects cost ~450 MB, the objects alone (slotted, with their
  repeated strings shared) ~150 MB;
* ``Contribution.from_dict`` (~20 µs, mostly ``dataclasses.fields`` and keyword calls)
  made decoding cost 2 s. ``decode`` sets the slots of a fresh instance directly, through
  straight-line code generated once from the dataclass fields (as ``dataclasses`` does
  for ``__init__``): a few µs per record, history included;
* a changed record rewrites its whole shard, so the shard's other records are encoded
  again from their objects (``encode``, also generated, a few µs each).

Repeated values are shared instead of being held once per record: statuses, theme keys,
category, commune, source, assignee, history authors and actions, attachment types, and
``raw_sha256`` (the same digest as ``raw_blob``).

``Contribution.from_dict`` still reads the stored form (missing keys take defaults); it is
the fallback for a record the fast path cannot read, so that it copes or raises the same
errors as before.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from assises_tui.domain.models import (
    Attachment,
    Contribution,
    Excerpt,
    HistoryEntry,
    Note,
    Status,
)

_STATUS: dict[str, Status] = {s.value: s for s in Status}
_ODD = (KeyError, TypeError, AttributeError)  # a record or sub-record of unexpected shape


def _status_in(value: Any) -> Status:
    found = _STATUS.get(value) if type(value) is str else None
    return found if found is not None else Status(value)


def _status_out(value: Status | str) -> str:
    return value.value if isinstance(value, Status) else str(value)


# -- code generation -----------------------------------------------------------------
# How each field is read from a stored dict (statements on ``v``; ``v`` is then set in the
# slot) and written back (an expression on ``v``). Fields not listed are taken as they are.
_INTERN = "if v: v = _intern(v)"  # a short string repeated across records
_IN: dict[type, dict[str, str]] = {
    Contribution: {
        "received_at": "v = _fromisoformat(v) if v else None",
        "status": "if v is not _NEW: v = _status_in(v)",
        "themes": "v = tuple(map(_intern, v)) if v else ()",
        "attachments": "v = _attachments_in(v) if v else ()",
        "excerpts": "v = _excerpts_in(v) if v else ()",
        "notes": "v = _notes_in(v) if v else ()",
        "history": "v = _history_in(v) if v else ()",
        "to_check": "v = tuple(v) if v else ()",
        "raw_blob": "raw_blob = v",
        "raw_sha256": "if v and v == raw_blob: v = raw_blob",  # usually the same digest
        "assignee": _INTERN,
        "status_reason": _INTERN,
        "contributor_category": _INTERN,
        "commune": _INTERN,
        "source": _INTERN,
    },
    Attachment: {"content_type": _INTERN},
    Excerpt: {"theme": _INTERN, "kind": _INTERN, "author": _INTERN},
    Note: {"author": _INTERN},
    HistoryEntry: {
        "who": _INTERN,
        "what": _INTERN,
        # Before/after: statuses and short field values (shared), or lists (themes).
        "before": "if type(v) is str: v = _intern(v)",
        "after": "if type(v) is str: v = _intern(v)",
    },
}
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
_ENV: dict[str, Any] = {
    "_new": object.__new__,
    "_intern": sys.intern,
    "_fromisoformat": datetime.fromisoformat,
    "_status_in": _status_in,
    "_status_out": _status_out,
    "_NEW": Status.NEW,
}


def _has_default(f: dataclasses.Field) -> bool:
    return f.default is not dataclasses.MISSING


def _make_decoder(cls: type) -> Callable[[dict[str, Any]], Any]:
    """Build ``_decode_<cls>(d)``: one slot set per field, in field order, no dict built."""
    name = cls.__name__
    _ENV[f"_{name}"] = cls
    lines = [f"def _decode_{name}(d):", f"    o = _new(_{name})"]
    for f in dataclasses.fields(cls):
        setter = f"_set_{name}_{f.name}"
        _ENV[setter] = getattr(cls, f.name).__set__  # the slot's member descriptor
        if _has_default(f):
            _ENV[f"_default_{name}_{f.name}"] = f.default
            lines.append(f'    v = d.get("{f.name}", _default_{name}_{f.name})')
        else:
            lines.append(f'    v = d["{f.name}"]')
        convert = _IN[cls].get(f.name)
        if convert:
            lines.append(f"    {convert}")
        lines.append(f"    {setter}(o, v)")
    lines.append("    return o")
    exec("\n".join(lines), _ENV)  # source built above from the field names only
    return _ENV[f"_decode_{name}"]


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


def _make_sequence_decoder(cls: Any) -> Callable[[list[Any]], tuple[Any, ...]]:
    fast = _make_decoder(cls)

    def decode_all(seq: list[Any]) -> tuple[Any, ...]:
        try:
            return tuple(map(fast, seq))
        except _ODD:  # an odd sub-record: from_dict copes, or raises the clear error
            return tuple(map(cls.from_dict, seq))

    return decode_all


for _field, _cls in (
    ("attachments", Attachment),
    ("excerpts", Excerpt),
    ("notes", Note),
    ("history", HistoryEntry),
):
    _ENV[f"_{_field}_in"] = _make_sequence_decoder(_cls)
    _make_encoder(_cls)

_decode_fast = _make_decoder(Contribution)

#: ``encode(item) -> dict``: the stored form (JSON-ready; default-valued fields left out).
encode: Callable[[Contribution], dict[str, Any]] = _make_encoder(Contribution)


def decode(data: dict[str, Any]) -> Contribution:
    """A ``Contribution`` from its stored form (unknown keys ignored, like ``from_dict``)."""
    try:
        return _decode_fast(data)
    except _ODD:
        # A missing required field or an odd value: from_dict raises the clear error
        # (or copes, e.g. with a value of an unexpected type).
        return Contribution.from_dict(data)


# -- records decoded elsewhere (msgspec, see shard_records.py) -------------------------
def _setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    return getattr(cls, name).__set__  # the slot's member descriptor


_set_raw_sha256 = _setter(Contribution, "raw_sha256")
#: Short strings repeated across records: (read, write) of each slot.
_INTERNED_FIELDS = tuple(
    (getattr(Contribution, name).__get__, getattr(Contribution, name).__set__)
    for name in ("contributor_category", "commune", "source", "assignee", "status_reason")
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
