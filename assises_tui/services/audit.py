"""The audit trail: every contribution's history merged with the workspace events.

Two sources, one shape. Each contribution carries its own history (``Contribution.history``,
written by ``services.changes`` and the importer); workspace-level events (codebook changes,
exports, accepted personal-data findings, purges, reveals of personal data) are appended to
``store.audit()``. :func:`history` merges both into :class:`AuditEntry` objects, sorted by
time, filterable by contribution, kind and date.

The exported JSON shape (``assises history --json``) is a list of objects with ``id``
(contribution number, or null for a workspace event), ``who``, ``at`` (ISO 8601 with
offset), ``what`` (kind of change), ``before`` and ``after`` (JSON values; for a workspace
event, ``after`` holds the event's details). No textual/rich here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, time, tzinfo
from enum import Enum
from typing import TYPE_CHECKING, Any

from assises_tui.domain.models import Status
from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from assises_tui.store.protocol import Store

#: French labels of the kinds of change (``what``); unknown kinds are shown as they are.
WHAT_LABELS: dict[str, str] = {
    "import": "Import",
    "ocr": "Texte reconnu (OCR)",
    "status": "Statut",
    "duplicate": "Doublon",
    "not_contribution": "Hors contribution",
    "note": "Note",
    "assignee": "Attribution",
    "themes": "Thèmes",
    "excerpt": "Extrait",
    "received_at": "Date de réception",
    "late": "Hors délai",
    "contributor_category": "Catégorie de contributeur",
    "commune": "Commune",
    "purge": "Purge des données personnelles",
    "privacy.purge": "Purge des données personnelles",
    "privacy.reveal": "Affichage des données personnelles",
    "privacy.settings": "Réglage de confidentialité",
    "synthesis.export": "Export de la synthèse",
    "synthesis.restore": "Restauration d'une version de la synthèse",
    "synthesis.accept_finding": "Donnée personnelle acceptée dans la synthèse",
    "contributions.export": "Export des contributions",
    "web.login": "Connexion (navigateur)",
    "web.logout": "Déconnexion (navigateur)",
    "web.session_expired": "Session expirée (navigateur)",
    "web.session_revoked": "Session fermée : compte supprimé ou rôle changé",
    "mailbox.fetch": "Relève de la boîte",
    "acknowledgement.sent": "Accusé de réception envoyé",
    "acknowledgement.failed": "Accusé de réception en échec (nouvel essai plus tard)",
    "acknowledgement.refused": "Accusé de réception refusé par le serveur",
}

_BASE_KEYS = ("at", "who", "what")


@dataclass(frozen=True)
class AuditEntry:
    id: int | None  # contribution number; None for a workspace event
    who: str
    at: str
    what: str
    before: Any = None
    after: Any = None

    @property
    def label(self) -> str:
        return what_label(self.what)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "who": self.who,
            "at": self.at,
            "what": self.what,
            "before": self.before,
            "after": self.after,
        }


def what_label(what: str) -> str:
    if what.startswith("undo:"):
        return f"Annulation ({what_label(what[5:]).lower()})"
    if what in WHAT_LABELS:
        return WHAT_LABELS[what]
    if what.startswith("codebook"):
        action = what.replace(".", ":").partition(":")[2]
        return f"Référentiel des thèmes ({_CODEBOOK_ACTIONS.get(action, action or what)})"
    return what


_CODEBOOK_ACTIONS = {"add": "ajout", "rename": "renommage", "merge": "fusion", "retire": "retrait"}


def _moment(at: str, tz: tzinfo | None) -> datetime | None:
    try:
        value = datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return None
    if value.tzinfo is None and tz is not None:
        value = value.replace(tzinfo=tz)
    return value


def _bound(value: date | datetime | None, tz: tzinfo, end: bool) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    # A plain date covers the whole day in the consultation's time zone.
    return datetime.combine(value, time.max if end else time.min, tzinfo=tz)


def _event_ids(event: dict[str, Any]) -> set[int]:
    ids: set[int] = set()
    for key in ("id", "ids", "contribution", "contributions"):
        value = event.get(key)
        values = value if isinstance(value, list) else [value]
        ids.update(v for v in values if isinstance(v, int) and not isinstance(v, bool))
    return ids


def workspace_entry(event: dict[str, Any]) -> AuditEntry:
    """A ``store.audit()`` event as an entry: details beyond who/when/what go in ``after``."""
    renamed = [k[4:] for k in event if k.startswith("new_") and k[4:] in event]
    if "before" in event or "after" in event:
        before, after = event.get("before"), event.get("after")
    elif renamed:  # {"key": a, "new_key": b} reads as a before → after change
        before = {k: event[k] for k in renamed}
        after = {k: event["new_" + k] for k in renamed}
    else:
        before = None
        after = {k: v for k, v in event.items() if k not in _BASE_KEYS} or None
    ids = _event_ids(event)
    return AuditEntry(
        next(iter(ids)) if len(ids) == 1 and "id" in event else None,
        str(event.get("who", "")),
        str(event.get("at", "")),
        str(event.get("what", "")),
        before,
        after,
    )


def plain(value: Any) -> Any:
    """A JSON value: records fresh from a change may still hold tuples, enums, dataclasses."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    return value


def _kind_matches(what: str, kinds: set[str]) -> bool:
    for kind in kinds:
        if what == kind or what.startswith((kind + ".", kind + ":")):
            return True
        if what.startswith("undo:") and what[5:] == kind:
            return True
    return False


def history(
    store: Store,
    tz: tzinfo,
    cid: int | None = None,
    *,
    kinds: Iterable[str] | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    workspace_events: bool = True,
) -> list[AuditEntry]:
    """The audit trail, oldest first.

    ``cid``: only that contribution's history, plus the workspace events naming it.
    ``kinds``: ``what`` values to keep (``"status"`` also keeps ``"undo:status"``;
    ``"synthesis"`` keeps every ``"synthesis.…"``). ``since``/``until``: inclusive bounds
    (a plain date is a whole day in the consultation's time zone).
    """
    entries: list[AuditEntry] = []
    items = [store.get(cid)] if cid is not None else store.all()
    for item in items:
        if item is None:
            continue
        for h in item.history:
            entries.append(
                AuditEntry(item.id, h.who, h.at, h.what, plain(h.before), plain(h.after))
            )
    if workspace_events:
        for event in store.audit():
            if cid is not None and cid not in _event_ids(event):
                continue
            entries.append(workspace_entry(event))
    wanted = set(kinds) if kinds else None
    low, high = _bound(since, tz, False), _bound(until, tz, True)
    out: list[tuple[datetime | None, int, AuditEntry]] = []
    for n, entry in enumerate(entries):
        if wanted is not None and not _kind_matches(entry.what, wanted):
            continue
        moment = _moment(entry.at, tz)
        if (low or high) and moment is None:
            continue
        if low is not None and moment < low:  # type: ignore[operator]
            continue
        if high is not None and moment > high:  # type: ignore[operator]
            continue
        out.append((moment, n, entry))
    # Entries without a readable date go first; the stable index keeps same-instant order.
    out.sort(key=lambda t: (t[0] is not None, t[0].timestamp() if t[0] else 0.0, t[1]))
    return [entry for _moment_, _n, entry in out]


class AuditTrail:
    """The workspace's history as screens and commands read it (see :func:`history`)."""

    def __init__(self, store: Store, tz: tzinfo) -> None:
        self.store = store
        self.tz = tz

    def history(
        self,
        cid: int | None = None,
        *,
        kinds: Iterable[str] | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        workspace_events: bool = True,
    ) -> list[AuditEntry]:
        return history(
            self.store,
            self.tz,
            cid,
            kinds=kinds,
            since=since,
            until=until,
            workspace_events=workspace_events,
        )


def describe(value: Any, limit: int = 120) -> str:
    """One bounded, printable French line for a before/after value."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dict):
        if "text" in value and ("theme" in value or "author" in value):
            return describe(value["text"], limit)  # an excerpt or a note: its text says it
        if len(value) == 1:
            key, inner = next(iter(value.items()))
            return _field(key, inner, limit)
        parts = [f"{FIELD_LABELS.get(k, k)} : {_field(k, v, limit)}" for k, v in value.items()]
        return one_line(" ; ".join(parts), limit)
    if isinstance(value, list):
        return one_line(", ".join(describe(v, limit) for v in value), limit)
    return one_line(str(value), limit)


#: The stored fields as the history names them (never ``duplicate_of``).
FIELD_LABELS = {
    "status": "statut",
    "status_reason": "motif",
    "duplicate_of": "doublon de",
    "themes": "thèmes",
    "assignee": "attribuée à",
    "late": "hors délai",
    "received_at": "date",
    "date_uncertain": "date incertaine",
    "contributor_category": "catégorie",
    "commune": "commune",
    "notes": "notes",
    "excerpts": "extraits",
}


def _field(key: str, value: Any, limit: int) -> str:
    if key == "status" and isinstance(value, str):
        try:
            return Status(value).label
        except ValueError:
            pass
    if key == "duplicate_of" and isinstance(value, int):
        return f"n° {value}"
    return describe(value, limit)


def describe_change(entry: AuditEntry, limit: int = 120) -> str:
    """``avant → après`` for a change, or the details of an event."""
    if entry.before is None:
        return describe(entry.after, limit)
    return f"{describe(entry.before, limit // 2)} → {describe(entry.after, limit // 2)}"
