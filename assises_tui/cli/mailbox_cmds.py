"""``assises fetch`` (IMAP, read-only) and ``assises acknowledge`` (SMTP).

Exit codes: 0 done (also when offline: the fetch is postponed, not failed), 1 some
messages were put in quarantine or some acknowledgements failed, 2 the server refused
(password, folder, certificate), is away, or the configuration is wrong.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time

from assises_tui.cli.output import emit_json, say


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fetch",
        help="relever la boîte de la consultation (IMAP, sans rien y modifier)",
        description="Relève les nouveaux courriels du dossier IMAP de la table [imap] de "
        "consultation.toml, en lecture seule (aucun message marqué lu, déplacé ni supprimé "
        "sur le serveur), et les importe comme un export. Mot de passe : variable "
        "ASSISES_IMAP_PASSWORD, trousseau du système ou saisie.",
    )
    p.add_argument("--json", action="store_true", help="imprimer le bilan en JSON")
    p.add_argument(
        "--status",
        action="store_true",
        help="dire quand la boîte a été relevée pour la dernière fois, sans se connecter",
    )
    p.set_defaults(func=run_fetch)

    p = sub.add_parser(
        "acknowledge",
        help="envoyer un accusé de réception à chaque nouveau contributeur (SMTP)",
        description="Envoie, par le serveur de la table [smtp] de consultation.toml, un accusé "
        "de réception écrit d'après le modèle de l'espace de travail (accuse-reception.txt), "
        "une seule fois par contribution, jamais aux réponses automatiques, non-remises, "
        "doublons ni aux adresses de la préfecture. Mot de passe : ASSISES_SMTP_PASSWORD, "
        "trousseau du système ou saisie.",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="montrer ce qui partirait, sans rien envoyer"
    )
    p.add_argument(
        "--since",
        metavar="AAAA-MM-JJ",
        type=_date,
        help="seulement les contributions reçues ce jour-là ou après",
    )
    p.add_argument("--limit", type=int, metavar="N", help="au plus N envois cette fois-ci")
    p.add_argument(
        "--retry-uncertain",
        action="store_true",
        help="renvoyer aussi les accusés dont l'envoi a été interrompu (peut-être déjà partis)",
    )
    p.add_argument("--json", action="store_true", help="imprimer le bilan en JSON")
    p.set_defaults(func=run_acknowledge)


def _date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » (attendu AAAA-MM-JJ)") from None


def _prompt(question: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    try:
        return getpass.getpass(question)
    except (EOFError, OSError):
        return None


def run_fetch(args: argparse.Namespace) -> int:
    from assises_tui.cli.import_cmds import ProgressBar, _summary
    from assises_tui.cli.workspace_cmds import open_workspace
    from assises_tui.mailbox.settings import password
    from assises_tui.services.mailbox_fetch import MailboxFetch, last_fetch_sentence

    if args.status:
        with open_workspace(args, write=False) as ws:
            status = MailboxFetch(ws.store, ws.config, ws.reviewer).status()
        if args.json:
            emit_json(
                {
                    "last_fetch": status.last_success,
                    "last_attempt": status.last_attempt,
                    "last_error": status.last_error,
                }
            )
        else:
            say(last_fetch_sentence(status))
        return 0
    started = time.monotonic()
    with open_workspace(args, write=True) as ws:
        service = MailboxFetch(ws.store, ws.config, ws.reviewer)
        settings = service.settings()
        secret = password("imap", settings.user, settings.host, _prompt)
        bar = ProgressBar() if sys.stderr.isatty() and not args.json else None
        try:
            result = service.fetch(secret, bar, settings=settings)
        finally:
            if bar is not None:
                bar.done()
        if result.report.imported:
            _refresh_search(ws)
    if args.json:
        emit_json(result.to_dict())
    elif result.offline:
        say(f"{result.note} Relève reportée.")
        say(last_fetch_sentence(service.status()))
    else:
        _summary(result.report, time.monotonic() - started)
        if result.uidvalidity_changed:
            say(
                "  Le serveur a renuméroté le dossier (UIDVALIDITY) : les messages déjà "
                "présents ont été reconnus, aucun doublon créé."
            )
        say(
            f"  Dossier « {settings.folder} » : {result.server_messages} message(s) sur le serveur."
        )
    return 1 if result.report.quarantined else 0


def _refresh_search(ws) -> None:
    from assises_tui.services.session import Services

    try:
        Services(ws).search.refresh()
    except Exception:  # the index is a cache: the app rebuilds it, searches scan the rest
        pass


def run_acknowledge(args: argparse.Namespace) -> int:
    from assises_tui.cli.workspace_cmds import open_workspace
    from assises_tui.mailbox.settings import password
    from assises_tui.services.acknowledgements import Acknowledgements

    if args.limit is not None and args.limit < 0:
        from assises_tui.errors import AssisesError

        raise AssisesError("--limit doit être un nombre positif.")
    with open_workspace(args, write=not args.dry_run) as ws:
        service = Acknowledgements(ws.store, ws.config, ws.reviewer)
        settings = service.settings()
        secret = None
        if settings.user and not args.dry_run:
            secret = password("smtp", settings.user, settings.host, _prompt)
        report = service.run(
            secret,
            settings=settings,
            dry_run=args.dry_run,
            since=args.since,
            limit=args.limit,
            retry_uncertain=args.retry_uncertain,
        )
    if args.json:
        emit_json(report.to_dict())
    else:
        _ack_summary(report, settings)
    return 1 if (report.failed or report.refused or report.uncertain) else 0


def _ack_summary(report, settings) -> None:
    from assises_tui.text.safe import one_line

    if report.dry_run:
        say(
            f"Simulation : {report.planned} accusé(s) de réception partiraient "
            f"(modèle : {settings.template}, au plus {settings.per_minute} par minute)."
        )
        for item in report.to_send[:30]:
            say(f"  n° {item['id']} → {one_line(item['to'], 80)} — {one_line(item['subject'], 80)}")
        if len(report.to_send) > 30:
            say(f"  … et {len(report.to_send) - 30} autre(s).")
    elif report.offline:
        say(f"{report.note} Envoi reporté.")
    else:
        say(
            f"Accusés de réception : {report.sent} envoyé(s), {report.failed} en échec "
            f"(nouvel essai plus tard), {report.refused} refusé(s) par le serveur."
        )
    if report.already_sent:
        say(f"  {report.already_sent} déjà envoyé(s) auparavant")
    if report.waiting:
        say(f"  {report.waiting} en attente d'un nouvel essai")
    for reason, count in sorted(report.skipped.items()):
        say(f"  {count} sans accusé : {reason}")
    if report.uncertain:
        numbers = ", ".join(str(n) for n in report.uncertain[:20])
        say(
            f"  {len(report.uncertain)} envoi(s) interrompu(s) (n° {numbers}) : peut-être "
            "partis, non renvoyés sans --retry-uncertain."
        )
    if report.note and not report.offline:
        say(f"  {report.note}")
