"""``assises serve`` (the app in a browser) and ``assises users add|list|remove|passwd|role``.

The server and the accounts live with the workspace; nothing of the web stack is imported
until one of these commands runs.
"""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import sys
from pathlib import Path

from assises_tui.errors import AssisesError


def _workspace(args: argparse.Namespace) -> Path:
    from assises_tui.cli.workspace_cmds import workspace_dir

    root = workspace_dir(args).absolute()
    if not (root / "consultation.toml").is_file():
        raise AssisesError(
            f"Aucun espace de travail dans {root}. Créez-le avec « assises init {root} »."
        )
    return root


# -- users ---------------------------------------------------------------------------------
def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise AssisesError(
            "Pas de terminal pour demander le mot de passe : utilisez --password-stdin."
        )
    first = getpass.getpass("Mot de passe : ")
    second = getpass.getpass("Mot de passe (confirmation) : ")
    if first != second:
        raise AssisesError("Les deux saisies du mot de passe diffèrent : rien n'est changé.")
    return first


def run_users(args: argparse.Namespace) -> int:
    from assises_tui.cli.output import emit_json, say
    from assises_tui.web.accounts import ROLE_LABELS, Accounts

    accounts = Accounts(_workspace(args))
    action = args.users_action
    if action == "list":
        listed = accounts.list()
        if getattr(args, "json", False):
            emit_json([{"name": a.name, "role": a.role, "created": a.created} for a in listed])
        elif not listed:
            say("Aucun compte. Créez-en un avec « assises users add NOM ».")
        else:
            for a in listed:
                say(f"{a.name}\t{ROLE_LABELS.get(a.role, a.role)}\tcréé le {a.created}")
        return 0
    if action == "add":
        accounts.add(args.name, _read_password(args), args.role)
        say(f"Compte « {args.name} » créé ({ROLE_LABELS[args.role]}).")
    elif action == "passwd":
        if accounts.get(args.name) is None:
            raise AssisesError(f"Aucun compte « {args.name} ».")
        accounts.set_password(args.name, _read_password(args))
        say(f"Mot de passe de « {args.name} » changé.")
    elif action == "remove":
        accounts.remove(args.name)
        say(f"Compte « {args.name} » supprimé (ses sessions ouvertes sont fermées).")
    elif action == "role":
        accounts.set_role(args.name, args.role)
        say(f"« {args.name} » est maintenant {ROLE_LABELS[args.role]}.")
    return 0


# -- serve ---------------------------------------------------------------------------------
def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_serve(args: argparse.Namespace) -> int:
    root = _workspace(args)
    if bool(args.cert) != bool(args.key):
        raise AssisesError("--cert et --key vont ensemble : donnez les deux fichiers.")
    if not _is_loopback(args.host) and not args.cert and not args.forwarded_allow:
        raise AssisesError(
            f"Servir sur {args.host} sans chiffrement exposerait les mots de passe sur le réseau : "
            "donnez --cert et --key, ou placez un mandataire HTTPS (nginx) devant le serveur et "
            "nommez-le avec --forwarded-allow."
        )
    for address in args.forwarded_allow:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise AssisesError(
                f"--forwarded-allow attend l'adresse IP du mandataire (reçu « {address} »)."
            ) from None

    import logging

    from aiohttp import web

    from assises_tui.config import load_consultation
    from assises_tui.web.accounts import Accounts
    from assises_tui.web.server import AssisesWebServer, ServeSettings, ssl_context

    config = load_consultation(root / "consultation.toml")
    accounts = Accounts(root)
    if not accounts.list():
        raise AssisesError(
            "Aucun compte : créez-en au moins un avec « assises users add NOM --role coordinator »."
        )
    context = None
    if args.cert:
        try:
            context = ssl_context(Path(args.cert), Path(args.key))
        except (OSError, ValueError) as exc:
            raise AssisesError(f"Certificat ou clé TLS illisible : {exc}.") from None
    settings = ServeSettings(
        workspace_root=root,
        consultation_title=f"{config.title} — {config.department}",
        tls=context is not None,
        forwarded_allow=frozenset(args.forwarded_allow),
        idle_timeout=args.idle_minutes * 60,
    )
    server = AssisesWebServer(settings, accounts)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    scheme = "https" if context else "http"
    print(
        f"Assises servi sur {scheme}://{args.host}:{args.port}/ (Ctrl+C pour arrêter)",
        file=sys.stderr,
    )
    try:
        web.run_app(
            server.make_app(),
            host=args.host,
            port=args.port,
            ssl_context=context,
            print=None,
            access_log=None,
        )
    except OSError as exc:
        raise AssisesError(
            f"Impossible d'écouter sur {args.host}:{args.port} : {exc.strerror or exc}."
        ) from None
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    workspace = {"metavar": "DIR", "default": argparse.SUPPRESS, "help": "dossier de travail"}
    p = sub.add_parser(
        "serve", help="servir l'application aux navigateurs (un compte par relecteur)"
    )
    p.add_argument("--workspace", **workspace)
    p.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (défaut : 8000)")
    p.add_argument("--cert", metavar="FICHIER", help="certificat TLS (PEM)")
    p.add_argument("--key", metavar="FICHIER", help="clé privée TLS (PEM)")
    p.add_argument(
        "--forwarded-allow",
        metavar="ADRESSE",
        action="append",
        default=[],
        help="adresse IP du mandataire (nginx) dont on croit X-Forwarded-For/-Proto",
    )
    p.add_argument(
        "--idle-minutes",
        type=int,
        default=30,
        help="une session sans activité se ferme après ce délai (défaut : 30)",
    )
    p.set_defaults(func=run_serve)

    p = sub.add_parser("users", help="comptes des relecteurs pour « assises serve »")
    p.add_argument("--workspace", **workspace)
    actions = p.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    roles = {"choices": ["reviewer", "coordinator"]}
    a = actions.add_parser("add", help="créer un compte")
    a.add_argument("name", metavar="NOM")
    a.add_argument("--role", default="reviewer", help="reviewer (défaut) ou coordinator", **roles)
    a.add_argument(
        "--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée"
    )
    a = actions.add_parser("list", help="lister les comptes")
    a.add_argument("--json", action="store_true", help="sortie JSON")
    a = actions.add_parser("remove", help="supprimer un compte")
    a.add_argument("name", metavar="NOM")
    a = actions.add_parser("passwd", help="changer le mot de passe d'un compte")
    a.add_argument("name", metavar="NOM")
    a.add_argument(
        "--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée"
    )
    a = actions.add_parser("role", help="changer le rôle d'un compte")
    a.add_argument("name", metavar="NOM")
    a.add_argument("role", metavar="ROLE", **roles)
    for parser in actions.choices.values():
        parser.add_argument("--workspace", **workspace)
    for parser in (p,):
        parser.set_defaults(func=run_users)
