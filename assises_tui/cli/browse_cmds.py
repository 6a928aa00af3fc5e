"""``assises list``, ``show`` and ``stats``: read-only views of the workspace.

The JSON output is a contract (field names documented in docs/cli-json.md). Human output
passes every untrusted string through ``one_line``/``printable`` and shows dates in the
consultation's time zone.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from assises_tui.cli.output import add_department_option, emit_json, say
from assises_tui.domain.models import CATEGORY_LABELS, EXCERPT_KINDS, STATUS_LABELS, Contribution
from assises_tui.errors import AssisesError
from assises_tui.search import Query
from assises_tui.services.stats import NO_CATEGORY, stats
from assises_tui.text.safe import one_line, printable

if TYPE_CHECKING:
    from assises_tui.services.session import Services

SEARCH_HELP = (
    'requête de recherche : mots (sans accents ni majuscules obligatoires), "expression '
    'exacte", -mot pour exclure, champs id: from: subject: theme: status: late: has: '
    "assignee: cluster: category:"
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="lister les contributions (filtres et recherche)")
    p.add_argument(
        "--status", metavar="S", help="statut (clé ou libellé ; plusieurs séparés par des virgules)"
    )
    p.add_argument("--theme", metavar="T", help="thème (clé ou début du libellé ; « aucun »)")
    p.add_argument("--late", action="store_true", help="seulement les contributions hors délai")
    p.add_argument("--search", metavar="Q", help=SEARCH_HELP)
    p.add_argument("--json", action="store_true", help="sortie JSON (voir docs/cli-json.md)")
    p.set_defaults(func=run_list)

    p = sub.add_parser("show", help="afficher une contribution")
    p.add_argument("id", type=int, metavar="ID", help="numéro de la contribution")
    p.add_argument("--json", action="store_true", help="sortie JSON (voir docs/cli-json.md)")
    p.set_defaults(func=run_show)

    p = sub.add_parser("stats", help="décomptes par statut, thème, délai, catégorie")
    add_department_option(p)
    p.add_argument("--json", action="store_true", help="sortie JSON (voir docs/cli-json.md)")
    p.set_defaults(func=run_stats)


def _open(args: argparse.Namespace) -> Services:
    from assises_tui.cli.workspace_cmds import open_workspace
    from assises_tui.services.session import Services

    return Services(open_workspace(args, write=False))


def _close(services: Services) -> None:
    close = getattr(services.workspace, "close", None)
    if close is not None:
        close()


# -- JSON shapes (the contract) ------------------------------------------------
def _iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # stored dates carry an offset; be safe with old records
        value = value.replace(tzinfo=tz)
    return value.astimezone(tz).isoformat()


def summary(item: Contribution, tz: ZoneInfo) -> dict[str, Any]:
    """One element of ``assises list --json``."""
    return {
        "id": item.id,
        "message_id": item.message_id,
        "received_at": _iso(item.received_at, tz),
        "date_uncertain": item.date_uncertain,
        "sender_name": item.sender_name,
        "sender_email": item.sender_email,
        "subject": item.subject,
        "status": item.status.value,
        "themes": list(item.themes),
        "late": item.late,
        "duplicate_of": item.duplicate_of,
        "cluster": item.cluster,
        "attachments": len(item.attachments),
        "assignee": item.assignee or None,
    }


def _body(services: Services, item: Contribution) -> str:
    try:
        return services.contributions.body_text(item.id)
    except Exception:  # a body erased by a personal-data purge: show the rest
        return ""


def detail(services: Services, item: Contribution) -> dict[str, Any]:
    """The document of ``assises show ID --json``."""
    data = summary(item, services.config.tz)
    store = services.store
    attachments = []
    for a in item.attachments:
        text = None
        if a.text_blob:
            try:
                text = store.get_blob(a.text_blob).decode("utf-8", "replace")
            except Exception:  # purged or missing blob: say so with null
                text = None
        attachments.append(
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "text": text,
                "note": a.note,
            }
        )
    data.update(
        {
            "contributor_category": item.contributor_category or None,
            "commune": item.commune or None,
            "status_reason": item.status_reason or None,
            "to_check": list(item.to_check),
            "source": item.source or None,
            "body": _body(services, item),
            "attachments": attachments,
            "excerpts": [
                {
                    "id": e.id,
                    "start": e.start,
                    "end": e.end,
                    "text": e.text,
                    "theme": e.theme,
                    "kind": e.kind,
                    "note": e.note,
                    "author": e.author,
                    "created_at": e.created_at,
                    "attachment": e.attachment,
                }
                for e in item.excerpts
            ],
            "notes": [{"author": n.author, "at": n.at, "text": n.text} for n in item.notes],
            "history": [
                {"who": h.who, "at": h.at, "what": h.what, "before": h.before, "after": h.after}
                for h in item.history
            ],
        }
    )
    return data


# -- human output --------------------------------------------------------------
def _date(value: datetime | None, tz: ZoneInfo, uncertain: bool = False) -> str:
    if value is None:
        return "date inconnue"
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    text = value.astimezone(tz).strftime("%d/%m/%Y %H:%M")
    return text + (" ?" if uncertain else "")


def _cell(text: str, width: int) -> str:
    text = one_line(text, width + 1)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.ljust(width)


def _privacy(services: Services):
    """The workspace's display mode: pseudonymised when its privacy setting says so."""
    privacy = services.privacy
    if privacy.pseudonymised:
        say(
            "Vue pseudonymisée (réglage de l'espace de travail) : noms, adresses et "
            "téléphones masqués."
        )
    return privacy


def _table(services: Services, items: list[Contribution]) -> None:
    tz = services.config.tz
    privacy = _privacy(services)
    rows = [
        (
            str(c.id),
            _date(c.received_at, tz, c.date_uncertain),
            privacy.sender_label(c),
            privacy.display_text(c, c.subject) or "(sans objet)",
            STATUS_LABELS[c.status],
            ", ".join(c.themes) or "—",
            "hors délai" if c.late else "",
        )
        for c in items
    ]
    head = ("N°", "Reçue le", "Expéditeur", "Objet", "Statut", "Thèmes", "Délai")
    limits = (8, 18, 28, 44, 17, 30, 10)
    widths = [
        min(limit, max([len(h)] + [len(one_line(r[i], limit + 1)) for r in rows]))
        for i, (h, limit) in enumerate(zip(head, limits, strict=True))
    ]
    lines = ["  ".join(_cell(h, w) for h, w in zip(head, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(_cell(v, w) for v, w in zip(r, widths, strict=True)).rstrip())
    say("\n".join(lines))
    n = len(items)
    say(f"{n} contribution{'s' if n > 1 else ''}.")


def build_query(services: Services, args: argparse.Namespace) -> Query:
    """--status/--theme/--late/--search as one query; a faulty one is a usage error (2)."""
    parts = []

    def quoted(value: str) -> str:
        return '"' + value.replace('"', " ") + '"'

    if args.status:
        parts.append(f"status:{quoted(args.status)}")
    if args.theme:
        parts.append(f"theme:{quoted(args.theme)}")
    if args.late:
        parts.append("late:oui")
    query = services.search.parse(" ".join(parts), prefix_last=False)
    if args.search:
        query = query & services.search.parse(args.search, prefix_last=False)
    if query.errors:
        raise AssisesError(" ".join(query.errors), exit_code=2)
    return query


def run_list(args: argparse.Namespace) -> int:
    services = _open(args)
    try:
        query = build_query(services, args)
        ids = services.search.search(query, exhaustive=True)
        store = services.store
        items = [c for c in (store.get(i) for i in ids) if c is not None]
        if args.json:
            tz = services.config.tz
            emit_json([summary(c, tz) for c in items])
        elif items:
            _table(services, items)
        else:
            say("Aucune contribution ne correspond.")
        return 0
    finally:
        _close(services)


def _show_text(services: Services, item: Contribution) -> None:
    config = services.config
    tz = config.tz
    privacy = _privacy(services)

    def shown(text: str) -> str:
        return privacy.display_text(item, text)

    email = privacy.sender_email(item)
    sender = privacy.sender_label(item)

    def theme_label(key: str) -> str:
        theme = config.theme(key.partition("/")[0])
        return f"{theme.label} ({key})" if theme else key

    rows = [
        (
            "Reçue le",
            _date(item.received_at, tz) + (" (date incertaine)" if item.date_uncertain else ""),
        ),
        ("De", f"{sender} <{email}>" if email and sender != email else sender),
        ("Objet", shown(item.subject) or "(sans objet)"),
        (
            "Statut",
            STATUS_LABELS[item.status] + (f" — {item.status_reason}" if item.status_reason else ""),
        ),
        ("Thèmes", ", ".join(theme_label(t) for t in item.themes) or "aucun"),
        ("Délai", "hors délai" if item.late else "dans les délais"),
    ]
    if item.duplicate_of is not None:
        rows.append(("Doublon de", f"n° {item.duplicate_of}"))
    rows.extend(("À vérifier", check) for check in item.to_check)
    if item.cluster is not None:
        rows.append(("Groupe", str(item.cluster)))
    rows.append(("Attribuée à", item.assignee or "personne"))
    category = item.contributor_category
    rows.append(("Catégorie", CATEGORY_LABELS.get(category, category) or "non renseignée"))
    say(f"Contribution n° {item.id}")
    for label, value in rows:
        say(f"{label:<12} : {one_line(value)}")
    say("")
    say(printable(shown(_body(services, item))) or "(corps vide)")
    if item.attachments:
        say(f"\nPièces jointes ({len(item.attachments)}) :")
        for a in item.attachments:
            extra = f" — {a.note}" if a.note else ""
            say(
                f"  - {one_line(shown(a.filename))} ({one_line(a.content_type)}, {a.size} "
                f"octets){extra}"
            )
    if item.excerpts:
        say(f"\nExtraits ({len(item.excerpts)}) :")
        for e in item.excerpts:
            kind = EXCERPT_KINDS.get(e.kind, e.kind)
            say(f"  - [{kind} · {e.theme}] « {one_line(shown(e.text))} »")
    # Same French wording and local times as « assises history » (never Python reprs).
    from assises_tui.cli.privacy_cmds import local_time
    from assises_tui.services.audit import AuditEntry, describe_change

    if item.notes:
        say("\nNotes :")
        for n in item.notes:
            say(f"  - {local_time(n.at, tz)} {one_line(n.author)} : {printable(shown(n.text))}")
    if item.history:
        say("\nHistorique :")
        for h in item.history:
            entry = AuditEntry(item.id, h.who, h.at, h.what, h.before, h.after)
            say(
                f"  - {local_time(h.at, tz)} {one_line(h.who)} : {entry.label} : "
                f"{shown(describe_change(entry))}"
            )


def run_show(args: argparse.Namespace) -> int:
    services = _open(args)
    try:
        item = services.store.get(args.id)
        if item is None:
            print(f"assises : La contribution n° {args.id} n'existe pas.", file=sys.stderr)
            return 1
        if args.json:
            emit_json(detail(services, item))
        else:
            _show_text(services, item)
        return 0
    finally:
        _close(services)


def run_stats(args: argparse.Namespace) -> int:
    services = _open(args)
    try:
        data = stats(services.store, services.config, args.department)
    finally:
        _close(services)
    if args.json:
        emit_json(data)
        return 0
    config = services.config

    def block(title: str, pairs: list[tuple[str, int]]) -> None:
        say(title)
        width = max(len(label) for label, _n in pairs)
        for label, n in pairs:
            say(f"  {label:<{width}}  {n:>7}")

    if data["department"]:
        say(f"Département : {data['department']}")
    say(f"{data['summary']} ; {data['open']} à traiter ; en quarantaine : {data['quarantined']}")
    block(
        "Par statut :",
        [
            (STATUS_LABELS[s], n)
            for s, n in ((k, data["by_status"][k.value]) for k in STATUS_LABELS)
        ],
    )
    themes = [
        ((config.theme(k).label if config.theme(k) else k), n) for k, n in data["by_theme"].items()
    ]
    block("Contributions par thème :", themes + [("Sans thème", data["untagged"])])
    block(
        "Contributions et date limite :",
        [
            ("Dans les délais", data["on_time"]),
            ("Hors délai", data["late"]),
            ("Date incertaine", data["date_uncertain"]),
        ],
    )
    block(
        "Contributions par catégorie de contributeur :",
        [
            ("Non renseignée" if k == NO_CATEGORY else CATEGORY_LABELS.get(k, k), n)
            for k, n in data["by_category"].items()
        ],
    )
    if data["by_reviewer"]:
        say("Par relecteur (attribuées / encore à traiter / traitées par lui) :")
        width = max(len(name) for name in data["by_reviewer"])
        for name, row in data["by_reviewer"].items():
            say(
                f"  {one_line(name, 40):<{width}}  {row['assigned']:>7}  {row['left']:>7}  "
                f"{row['closed']:>7}"
            )
    return 0
