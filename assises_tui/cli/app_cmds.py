"""``assises`` (no command), ``assises open`` and ``assises demo``: open the app.

The app opens as the writer; if another process holds the writer lock it opens read-only
with a banner naming that process. ``demo`` builds a fresh workspace only in a folder that
is absent, empty, or marked as a previous demo (``.assises-demo``): a user's workspace is
never touched.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from assises_tui.config import bundled_config_dir
from assises_tui.durable import write_atomic
from assises_tui.errors import AssisesError

DEMO_MARKER = ".assises-demo"
DEMO_MBOX = Path(__file__).resolve().parents[2] / "data" / "demo" / "allier-demo.mbox"


def _workspace_dir(args: argparse.Namespace) -> Path:
    from assises_tui.cli.workspace_cmds import workspace_dir

    return workspace_dir(args)


def _run_app(root: Path, *, pseudonymised: bool = False) -> int:
    from assises_tui.app import AssisesApp
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace

    ws = Workspace.open(root, fallback_read_only=True, background_load=True)
    try:
        services = Services(ws)
        if pseudonymised:  # else the workspace's default (privacy settings)
            services.privacy.hide()
        AssisesApp(services).run()
    finally:
        ws.close()
    return 0


def run_open(args: argparse.Namespace) -> int:
    root = _workspace_dir(args)
    if not (root / "consultation.toml").is_file():
        raise AssisesError(
            f"Aucun espace de travail dans {root}. Créez-le avec « assises init {root} » "
            f"ou essayez la démonstration : « assises demo --workspace DOSSIER »."
        )
    return _run_app(root, pseudonymised=getattr(args, "pseudonymised", False))


def prepare_demo(root: Path, mbox: Path = DEMO_MBOX) -> str:
    """Create a fresh demo workspace in ``root`` and import the demo mailbox; returns a summary."""
    from assises_tui.cli.import_cmds import import_and_index
    from assises_tui.services.import_bridge import summary
    from assises_tui.workspace import Workspace

    root = root.expanduser().absolute()
    if root.exists():
        if not root.is_dir():
            raise AssisesError(f"{root} existe et n'est pas un dossier : démonstration refusée.")
        if (root / DEMO_MARKER).is_file():
            shutil.rmtree(root)
        elif any(root.iterdir()):
            raise AssisesError(
                f"Le dossier {root} n'est pas vide et n'est pas un espace de démonstration : "
                "il n'est pas touché. Choisissez un autre dossier pour la démonstration."
            )
    if not mbox.is_file():
        raise AssisesError(f"Boîte de démonstration introuvable : {mbox}.")
    ws = Workspace.init(root, bundled_config_dir() / "consultation.toml")
    try:
        write_atomic(
            root / DEMO_MARKER,
            "Espace de démonstration : rouvert par « assises demo », recréé par "
            "« assises demo --fresh ».\n".encode(),
        )
        report = import_and_index(ws, [mbox], show=sys.stderr.isatty())
    finally:
        ws.close()
    return summary(report)


def _demo_dir(args: argparse.Namespace) -> Path:
    """The folder named by --workspace or $ASSISES_WORKSPACE, else a "demo" folder beside
    the default workspace (never the default workspace itself)."""
    import os

    if getattr(args, "workspace", None) or os.environ.get("ASSISES_WORKSPACE"):
        return _workspace_dir(args)
    from assises_tui.paths import default_workspace_dir

    return default_workspace_dir().with_name("demo")


def run_demo(args: argparse.Namespace) -> int:
    root = _demo_dir(args)
    if (root / DEMO_MARKER).is_file() and not args.fresh:
        # Quitting and starting again must not erase the day's work: reopen it.
        print(
            f"Démonstration existante rouverte ({root}) : vos modifications sont conservées. "
            "« assises demo --fresh » repart d'une démonstration neuve.",
            file=sys.stderr,
        )
    else:
        print(f"Démonstration dans {root} …", file=sys.stderr)
        print(prepare_demo(root), file=sys.stderr)
    if args.no_open:
        return 0
    return _run_app(root)


def register(sub: argparse._SubParsersAction) -> None:
    # --workspace is accepted after the command too (``assises demo --workspace DIR``);
    # SUPPRESS keeps the global value when it is not repeated here.
    p = sub.add_parser("open", help="ouvrir l'application sur l'espace de travail")
    p.add_argument(
        "--workspace", metavar="DIR", default=argparse.SUPPRESS, help="dossier de travail"
    )
    p.add_argument(
        "--pseudonymise",
        dest="pseudonymised",
        action="store_true",
        help="masquer noms, adresses et téléphones des contributeurs (touche P dans l'application)",
    )
    p.set_defaults(func=run_open)
    p = sub.add_parser(
        "demo",
        help="ouvrir la démonstration (créée et importée la première fois, puis rouverte)",
    )
    p.add_argument(
        "--workspace",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="dossier de la démonstration (rouvert s'il en contient déjà une)",
    )
    p.add_argument(
        "--fresh",
        action="store_true",
        help="effacer la démonstration existante et repartir d'une démonstration neuve",
    )
    p.add_argument(
        "--no-open",
        action="store_true",
        help="préparer seulement, sans ouvrir l'application (tests, CI)",
    )
    p.set_defaults(func=run_demo)
