"""``assises privacy-report``: what personal data the workspace holds, where and since when.

Written in the spirit of an entry of the register of processing activities (article 30 of
the RGPD): purpose, legal basis, retention, recipients, then an inventory by category with
the folders that hold it, how many records, and the dates. The report itself never quotes
personal data: only counts, dates, file locations and reviewer logins. No textual/rich.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assises_tui.services.purge_workspace import (
    RESTORE_LEFTOVER,
    backup_files,
    restore_leftovers,
)
from assises_tui.text.personal_data import KIND_LABELS, find_personal_data

if TYPE_CHECKING:
    from assises_tui.config import Consultation
    from assises_tui.domain.models import Contribution
    from assises_tui.store.protocol import Store

DEFAULT_RETENTION = (
    "Jusqu'à la publication de la synthèse, puis purge des données personnelles "
    "(« assises purge --before DATE ») ; durée à fixer par le responsable du traitement "
    "(réglage « retention » de l'espace de travail)."
)


#: Where a team workspace keeps what a local one keeps in these folders and files.
IN_DATABASE = {
    "store/contributions/": "base PostgreSQL (table contributions)",
    "blobs/": "base PostgreSQL (table blobs)",
    "store/meta.json": "base PostgreSQL (table quarantine)",
    "store/audit.jsonl": "base PostgreSQL (table audit)",
}


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _span(values: list[str]) -> dict[str, str | None]:
    # As instants, not as text: "…T10:00+01:00" is before "…T09:30+00:00".
    values = sorted((v for v in values if v), key=_instant)
    return {"first": values[0] if values else None, "last": values[-1] if values else None}


def privacy_report(store: Store, config: Consultation) -> dict[str, Any]:
    """The register entry and the inventory (no personal data in it: counts, dates,
    folders, reviewer logins)."""
    items = store.all()
    events = store.audit()
    categories = [
        _senders(items),
        _raw_mails(store, items),
        _attachments(store, items),
        _texts(store, items, [config.mailbox]),
        _quarantine(store),
        _backups(store.root),
        _restore_leftovers(store.root),
        _reviewers(items, events),
    ]
    if getattr(store, "url", None):  # team mode: records and blobs live in the database
        for category in categories:
            category["where"] = [IN_DATABASE.get(w, w) for w in category["where"]]
    return {
        "register": _register(store, config),
        "records": len(items),
        "purged_records": sum(1 for c in items if any(h.what == "purge" for h in c.history)),
        "received": _span([c.received_at.isoformat() for c in items if c.received_at]),
        "imported": _span([h.at for c in items for h in c.history if h.what == "import"]),
        "categories": categories,
        "exports_with_personal_data": [
            {"at": e.get("at"), "who": e.get("who"), "path": e.get("path"), "count": e.get("count")}
            for e in events
            if e.get("what") == "contributions.export" and e.get("personal_data")
        ],
        "purges": [
            {
                "at": e.get("at"),
                "who": e.get("who"),
                "before": e.get("received_before"),
                "count": e.get("count"),
                "report": e.get("report"),
            }
            for e in events
            if e.get("what") == "privacy.purge"
        ],
    }


def _register(store: Store, config: Consultation) -> dict[str, Any]:
    try:
        settings = store.get_doc("settings") or {}
    except Exception:  # an unreadable settings document must not hide the register
        settings = {}
    return {
        "processing": f"Dépouillement de la consultation « {config.title} »",
        "controller": f"Préfecture — {config.department}",
        "purpose": (
            "Recevoir, lire, classer par thème et synthétiser les contributions envoyées "
            f"par courriel à {config.mailbox} ; publier une synthèse sans donnée personnelle."
        ),
        "legal_basis": (
            "Mission d'intérêt public dont est investi le responsable du traitement "
            "(article 6.1.e du RGPD)."
        ),
        "data_subjects": (
            "Personnes ayant écrit à l'adresse de la consultation ; personnes citées dans "
            "leurs messages ; agents qui dépouillent (identifiant de connexion)."
        ),
        "recipients": (
            "Agents de la préfecture chargés du dépouillement. La synthèse exportée est "
            "vérifiée (aucune donnée personnelle non acceptée) ; l'archive des "
            "contributions est pseudonymisée sauf demande explicite."
        ),
        "retention": settings.get("retention") or DEFAULT_RETENTION,
        "pseudonymised_view_default": bool(settings.get("pseudonymised", False)),
    }


def _size_of(store: Store, shas: Iterable[str]) -> int:
    # from the store, whichever it is (files, or the team database); a missing blob is
    # verify's business
    return sum(store.blob_sizes(shas).values())


def _senders(items: list[Contribution]) -> dict[str, Any]:
    return {
        "key": "sender_identities",
        "label": "Identités des expéditeurs (nom, adresse électronique)",
        "where": ["store/contributions/"],
        "records": sum(1 for c in items if c.sender_name or c.sender_email),
    }


def _raw_mails(store: Store, items: list[Contribution]) -> dict[str, Any]:
    raw = [c.raw_blob for c in items if c.raw_blob]
    return {
        "key": "raw_mails",
        "label": "Courriels d'origine (en-têtes complets, octet pour octet)",
        "where": ["blobs/"],
        "records": len(raw),
        "bytes": _size_of(store, raw),
    }


def _attachments(store: Store, items: list[Contribution]) -> dict[str, Any]:
    files = [(c.id, a.blob) for c in items for a in c.attachments if a.blob]
    return {
        "key": "attachments",
        "label": "Pièces jointes d'origine",
        "where": ["blobs/"],
        "records": len({cid for cid, _ in files}),
        "files": len(files),
        "bytes": _size_of(store, [sha for _, sha in files]),
    }


def _texts(store: Store, items: list[Contribution], allowed: list[str]) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    with_findings = 0
    for c in items:
        if not c.body_blob:
            continue
        try:
            body = store.get_blob(c.body_blob).decode("utf-8", "replace")
        except Exception:  # a missing blob is verify's business
            continue
        found = find_personal_data(body, [c.sender_name] if c.sender_name else [], allowed=allowed)
        with_findings += bool(found)
        for f in found:
            kinds[f.kind] = kinds.get(f.kind, 0) + 1
    return {
        "key": "body_personal_data",
        "label": "Données personnelles repérées dans le texte des messages",
        "where": ["blobs/", "index/"],
        "records": with_findings,
        "by_kind": dict(sorted(kinds.items())),  # stable keys, as in purge --json
    }


def _quarantine(store: Store) -> dict[str, Any]:
    return {
        "key": "quarantine",
        "label": "Courriels mis en quarantaine (illisibles)",
        "where": ["blobs/", "store/meta.json"],
        "records": sum(1 for q in store.quarantine() if q.raw_blob),
    }


def _mtime(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime).astimezone().isoformat(timespec="seconds")


def _backups(root: Path) -> dict[str, Any]:
    files = backup_files(root)  # every archive of backups/, automatic or not
    return {
        "key": "backups",
        "label": "Sauvegardes de la base (identités et historiques)",
        "where": ["backups/"],
        "records": len(files),
        **_span([_mtime(p) for p in files]),
    }


def _restore_leftovers(root: Path) -> dict[str, Any]:
    folders = restore_leftovers(root)
    return {
        "key": "restore_leftovers",
        "label": "Bases mises de côté par une restauration (identités et historiques)",
        "where": [f"{RESTORE_LEFTOVER}…/"],
        "records": len(folders),
        **_span([_mtime(p) for p in folders]),
    }


def _reviewers(items: list[Contribution], events: list[dict[str, Any]]) -> dict[str, Any]:
    reviewers = {h.who for c in items for h in c.history if h.who}
    reviewers |= {str(e.get("who")) for e in events if e.get("who")}
    return {
        "key": "reviewers",
        "label": "Identifiants des agents (historique et journal d'audit)",
        "where": ["store/contributions/", "store/audit.jsonl"],
        "records": len(reviewers),
    }


def report_lines(report: dict[str, Any]) -> list[str]:
    """The French, human version of :func:`privacy_report` (no personal data in it)."""
    reg = report["register"]
    out = [
        "Registre — traitement de données personnelles",
        f"  Traitement : {reg['processing']}",
        f"  Responsable : {reg['controller']}",
        f"  Finalité : {reg['purpose']}",
        f"  Base légale : {reg['legal_basis']}",
        f"  Personnes concernées : {reg['data_subjects']}",
        f"  Destinataires : {reg['recipients']}",
        f"  Durée de conservation : {reg['retention']}",
        "  Affichage pseudonymisé par défaut : "
        + ("oui" if reg["pseudonymised_view_default"] else "non"),
        "",
        f"Contributions : {report['records']} (dont {report['purged_records']} déjà purgée(s))",
        f"  Reçues du {_day(report['received']['first'])} au {_day(report['received']['last'])}",
        f"  Importées du {_day(report['imported']['first'])} au {_day(report['imported']['last'])}",
        "",
        "Inventaire :",
    ]
    for cat in report["categories"]:
        extra = ""
        if cat.get("bytes"):
            extra += f", {cat['bytes']} octets"
        if cat.get("files"):
            extra += f", {cat['files']} fichier(s)"
        out.append(f"  - {cat['label']} : {cat['records']}{extra} — {', '.join(cat['where'])}")
        for kind, n in (cat.get("by_kind") or {}).items():
            out.append(f"      {KIND_LABELS.get(kind, kind)} : {n}")
        if cat["key"] in ("backups", "restore_leftovers") and cat.get("first"):
            out.append(f"      de {_day(cat['first'])} à {_day(cat['last'])}")
    if report["exports_with_personal_data"]:
        out.append("")
        out.append("Exports AVEC données personnelles (fichiers hors de l'espace de travail) :")
        for e in report["exports_with_personal_data"]:
            out.append(f"  - {_day(e['at'])} par {e['who']} : {e['path']}")
    out.append("")
    if report["purges"]:
        out.append("Purges effectuées :")
        for p in report["purges"]:
            out.append(
                f"  - {_day(p['at'])} par {p['who']} : {p['count']} contribution(s) "
                f"reçue(s) avant le {_day(p['before'])}"
            )
    else:
        out.append("Aucune purge effectuée.")
    return out


def _day(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso
