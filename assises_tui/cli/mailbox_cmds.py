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
