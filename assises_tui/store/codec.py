"""Stored form of a contribution: the model's dict without default-valued fields.

Two measured reasons, both at 100,000 records:

* parsing is most of the open time, and it grows with the number of keys: dropping
  fields that hold their default (no notes, no excerpts, not late…) made a shard parse
  ~35 % faster;
* ``Contribution.from_dict`` (~20 µs, mostly ``dataclasses.fields`` and the frozen
  ``__init__``) made the first ``all()`` cost 2 s. ``decode`` fills a fresh instance's
  ``__dict__`` directly, like ``pickle`` does, in a few µs. It is only used while the
  models stay plain frozen dataclasses (no ``__slots__``, no ``__post_init__``);
  otherwise it falls back to ``from_dict``. A test checks both give equal records.

``Contribution.from_dict`` still reads the stored form (missing keys take defaults).
"""

from __future__ import annotations

import dataclasses
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

_REQUIRED: set[str] = set()
_DEFAULTS: dict[str, Any] = {}
for _f in dataclasses.fields(Contribution):
    if _f.default is not dataclasses.MISSING:
        _DEFAULTS[_f.name] = _f.default
    elif _f.default_factory is not dataclasses.MISSING:  # pragma: no cover - none today
        _REQUIRED.add(_f.name)
    else:
        _REQUIRED.add(_f.name)
_STATUS = {s.value: s for s in Status}


def _plain_dataclass(cls: type) -> bool:
    return not hasattr(cls, "__slots__") and not hasattr(cls, "__post_init__")


_FAST = all(_plain_dataclass(c) for c in (Contribution, Attachment, Excerpt, Note, HistoryEntry))
_NEW = object.__new__
_FIELD_NAMES = {
    cls: frozenset(f.name for f in dataclasses.fields(cls))
    for cls in (Contribution, Attachment, Excerpt, Note, HistoryEntry)
}
_SUB_DEFAULTS = {
    Attachment: {"text_blob": None, "note": None},
    Excerpt: {"note": "", "author": "", "created_at": ""},
    Note: {},
    HistoryEntry: {"before": None, "after": None},
}


def encode(item: Contribution) -> dict[str, Any]:
    data = item.to_dict()
    for key, default in _DEFAULTS.items():
        # StrEnum defaults equal their value; tuple defaults are stored as lists.
        if key in data and (data[key] == default or (default == () and not data[key])):
            del data[key]
    return data


_SET_ATTR = object.__setattr__  # bypasses the frozen __setattr__, like pickle does
_HISTORY_FIELDS = _FIELD_NAMES[HistoryEntry]
_CONTRIBUTION_FIELDS = _FIELD_NAMES[Contribution]


def _sub(cls: type, data: dict[str, Any]) -> Any:
    # A missing or unknown key falls back to the slow, tolerant from_dict.
    values = {**_SUB_DEFAULTS[cls], **data}
    if values.keys() != _FIELD_NAMES[cls]:
        return cls.from_dict(data)
    obj = _NEW(cls)
    _SET_ATTR(obj, "__dict__", values)
    return obj


def _history(data: dict[str, Any]) -> HistoryEntry:
    # Every record has history, and it grows with each change: its own fast path.
    values = {"before": None, "after": None, **data}
    if values.keys() != _HISTORY_FIELDS:
        return HistoryEntry.from_dict(data)
    obj = _NEW(HistoryEntry)
    _SET_ATTR(obj, "__dict__", values)
    return obj


def decode(data: dict[str, Any]) -> Contribution:
    if not _FAST:
        return Contribution.from_dict(data)
    values = {**_DEFAULTS, **data}
    if values.keys() != _CONTRIBUTION_FIELDS:  # missing or unknown keys: from_dict decides
        return Contribution.from_dict(data)
    received = values["received_at"]
    values["received_at"] = datetime.fromisoformat(received) if received else None
    status = values["status"]
    values["status"] = _STATUS.get(status) or Status(status)
    history = values["history"]
    values["history"] = tuple(map(_history, history)) if history else ()
    for key, cls in _SUBS:
        seq = values[key]
        values[key] = tuple(_sub(cls, d) for d in seq) if seq else ()
    themes = values["themes"]
    values["themes"] = tuple(themes) if themes else ()
    obj = _NEW(Contribution)
    _SET_ATTR(obj, "__dict__", values)
    return obj


_SUBS = (("attachments", Attachment), ("excerpts", Excerpt), ("notes", Note))
