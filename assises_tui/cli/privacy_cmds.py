"""``assises history``, ``assises purge`` and ``assises privacy-report``.

``history [ID] [--kind K] [--since DATE] [--until DATE] [--json]``: the audit trail (a
contribution's history merged with the workspace events). JSON: a list of objects
``{"id", "who", "at", "what", "before", "after"}`` (see docs/privacy.md).

``purge --before DATE [--dry-run] [--json]``: erase the personal data of contributions
received before DATE (the dry run opens the workspace read-only and changes nothing).

``privacy-report [--json]``: inventory of the personal data held by the workspace.

Exit codes: 0 done, 2 usage or environment error (bad date, workspace locked…).
"""

from __future__ import annotations

import argparse
from datetime import date, tzinfo

from assises_tui import clock
from assises_tui.cli.output import emit_json, say
from assises_tui.errors import AssisesError
from assises_tui.text.safe import one_line


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        pass
    try:  # the French way: 31/12/2019
        day, month, year = (int(p) for p in value.strip().split("/"))
        return date(year, month, day)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date invalide « {value} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"
        ) from None


def local_time(at: str, tz: tzinfo) -> str:
    """ "14/01/2020 10:02" in the consultation's time zone (the JSON keeps the instant)."""
    return one_line(clock.local_time(at, tz), 40)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "history",
        help="historique des modifications (journal d'audit)",
        description="Qui a changé quoi et quand : l'historique d'une contribution, ou de tout "
        "l'espace de travail avec ses événements (exports, référentiel, purges…).",
    )
    p.add_argument("id", nargs="?", type=int, metavar="ID", help="numéro de la contribution")
    p.add_argument(
        "--kind",
        action="append",
        metavar="TYPE",
        help="type de changement (status, themes, note, excerpt, synthesis…), répétable",
    )
    p.add_argument("--since", type=_date, metavar="DATE", help="à partir du (AAAA-MM-JJ)")
    p.add_argument("--until", type=_date, metavar="DATE", help="jusqu'au (AAAA-MM-JJ inclus)")
    p.add_argument("--json", action="store_true", help="sortie JSON (voir docs/privacy.md)")
    p.set_defaults(func=run_history)

    p = sub.add_parser(
        "purge",
        help="effacer les données personnelles des contributions anciennes (RGPD)",
        description="Efface nom et adresse des expéditeurs, courriels et pièces jointes "
        "d'origine, et masque les données personnelles des textes, pour les contributions "
        "reçues avant DATE. Thèmes, extraits, chiffres et synthèse sont conservés.",
    )
    p.add_argument(
        "--before",
        required=True,
        type=_date,
        metavar="DATE",
        help="date limite de réception (AAAA-MM-JJ), exclue",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="dire ce qui serait effacé, sans rien modifier"
    )
    p.add_argument("--json", action="store_true", help="bilan en JSON")
    p.set_defaults(func=run_purge)

    p = sub.add_parser(
        "privacy-report",
        help="inventaire des données personnelles détenues (registre RGPD)",
        description="Quelles données personnelles l'espace de travail contient, où, combien "
        "et depuis quand ; finalité, base légale, durée de conservation, destinataires.",
    )
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=run_privacy_report)


def _services(args: argparse.Namespace, *, write: bool):
    from assises_tui.cli.workspace_cmds import open_workspace
    from assises_tui.services.session import Services

    return Services(open_workspace(args, write=write))


def run_history(args: argparse.Namespace) -> int:
    from assises_tui.services.audit import describe_change

    services = _services(args, write=False)
    tz = services.config.tz
    try:
        if args.id is not None and services.store.get(args.id) is None:
            raise AssisesError(f"La contribution n° {args.id} n'existe pas.", exit_code=1)
        entries = services.audit.history(
            args.id, kinds=args.kind, since=args.since, until=args.until
        )
    finally:
        services.workspace.close()
    if args.json:
        emit_json([e.to_dict() for e in entries])
        return 0
    if not entries:
        say("Aucune modification enregistrée.")
        return 0
    for e in entries:
        where = f"n° {e.id}" if e.id is not None else "espace de travail"
        say(
            f"{local_time(e.at, tz)}  {one_line(e.who, 30)}  {where}  {e.label} : "
            f"{describe_change(e)}"
        )
    say(f"{len(entries)} entrée(s).")
    return 0


def run_purge(args: argparse.Namespace) -> int:

    services = _services(args, write=not args.dry_run)
    try:
        report = services.purge.run(args.before, dry_run=args.dry_run)
    finally:
        services.workspace.close()
    if args.json:
        emit_json(report.to_dict())
    else:
        for line in report.lines():
            say(line)
    return 0


def run_privacy_report(args: argparse.Namespace) -> int:
    from assises_tui.services.privacy_report import report_lines

    services = _services(args, write=False)
    try:
        report = services.privacy.report()
    finally:
        services.workspace.close()
    if args.json:
        emit_json(report)
    else:
        for line in report_lines(report):
            say(line)
    return 0
