"""Command-line front door: ``assises [--workspace DIR] COMMAND``.

Each subcommand lives in its own module under ``assises_tui.cli`` and exposes
``register(subparsers)``; the parser it adds sets ``func=run`` where
``run(args) -> int``. Exit codes: 0 ok, 1 the command ran and found problems,
2 usage or environment error. Errors are one French sentence on stderr; ``--debug``
shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

from assises_tui.errors import AssisesError

#: Subcommand modules, in the order they appear in ``assises --help``.
COMMAND_MODULES = [
    "workspace_cmds",  # init, verify, backup, restore
    "app_cmds",  # open (the app), demo
    "browse_cmds",  # list, show, stats
    "import_cmds",  # import
    "mailbox_cmds",  # fetch, acknowledge
    "tag_cmds",  # tag, suggest, codebook, agreement
    "export_cmds",  # export synthesis|contributions, synthesis versions|diff|restore|check
    "privacy_cmds",  # history, purge, privacy-report
    "team_cmds",  # assign, db upgrade, migrate
    "serve_cmds",  # serve, users
]


#: What a command is doing, for an error sentence (« Disque plein pendant la purge : … »).
DOING = {
    "import": "l'import",
    "purge": "la purge",
    "backup": "la sauvegarde",
    "restore": "la restauration",
    "init": "la création de l'espace de travail",
    "tag": "l'étiquetage",
    "export": "l'export",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 already; keep it French-ish
        self.print_usage(sys.stderr)
        print(f"assises : erreur d'utilisation — {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    importlib.import_module("assises_tui.cli.argparse_fr").install()  # argparse's own words
    parser = _Parser(
        prog="assises",
        description="Assises — dépouillement d'une consultation publique reçue par courriel.",
    )
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        help="dossier de travail (sinon $ASSISES_WORKSPACE, sinon le dossier par défaut)",
    )
    parser.add_argument(
        "--reviewer",
        metavar="NOM",
        help="relecteur inscrit dans l'historique (sinon $ASSISES_REVIEWER, sinon le nom de connexion)",
    )
    parser.add_argument(
        "--debug", action="store_true", help="afficher la trace complète des erreurs"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"assises_tui.cli.{name}").register(sub)
    return parser


def _run_asking_password(func, args: argparse.Namespace) -> int:  # noqa: ANN001
    """Run the command; if the team database wants a password, ask once on a terminal."""
    try:
        return int(func(args) or 0)
    except AssisesError as exc:
        url = getattr(exc, "url", None)
        if url is None or not sys.stdin.isatty():
            raise
        import getpass

        from assises_tui.store.postgres.connection import remember_password

        remember_password(url, getpass.getpass(f"Mot de passe pour {url} : "))
        return int(func(args) or 0)  # nothing was written: it failed at the connection


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.reviewer and args.reviewer.strip():
        # read by workspace.default_reviewer; for this command only (main runs in tests too)
        previous = os.environ.get("ASSISES_REVIEWER")
        os.environ["ASSISES_REVIEWER"] = args.reviewer.strip()
        try:
            return _main(args)
        finally:
            if previous is None:
                os.environ.pop("ASSISES_REVIEWER", None)
            else:
                os.environ["ASSISES_REVIEWER"] = previous
    return _main(args)


def _main(args: argparse.Namespace) -> int:
    func = getattr(args, "func", None)
    if func is None:  # no command: open the app
        from assises_tui.cli.app_cmds import run_open

        func = run_open
    try:
        return _run_asking_password(func, args)
    except AssisesError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"assises : {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("assises : interrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a full or read-only disk, a wrong path: the user can act
        from assises_tui.errors import os_error_message

        message = os_error_message(exc, DOING.get(getattr(args, "command", None) or "", ""))
        if message is None:
            return _unexpected(args, exc)
        if args.debug:
            traceback.print_exc()
        print(f"assises : {message}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one French sentence, the full trace with --debug
        return _unexpected(args, exc)


def _unexpected(args: argparse.Namespace, exc: Exception) -> int:
    if args.debug:
        traceback.print_exc()
    from assises_tui.text.safe import one_line

    detail = one_line(f"{type(exc).__name__} : {exc}", 300)
    print(
        f"assises : erreur inattendue ({detail}). Relancez avec --debug pour la trace "
        "complète et signalez-la.",
        file=sys.stderr,
    )
    return 2
