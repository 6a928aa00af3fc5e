"""``assises init | verify | backup | restore`` and ``open_workspace`` for other commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from assises_tui.cli.output import emit_json, say
from assises_tui.config import load_consultation
from assises_tui.paths import default_workspace_dir
from assises_tui.store.layout import Layout
from assises_tui.store.protocol import StoreCorruptError
from assises_tui.workspace import Workspace


def workspace_dir(args: argparse.Namespace) -> Path:
    """``--workspace``, else ``$ASSISES_WORKSPACE``, else the user's default folder."""
    given = getattr(args, "workspace", None)
    return Path(given).expanduser() if given else default_workspace_dir()


def open_workspace(args: argparse.Namespace, *, write: bool) -> Workspace:
    """Open the workspace named by the global options.

    ``write=False`` opens a read-only view (no lock needed, works while the app is open);
    ``write=True`` takes the writer lock and raises StoreLockedError (exit 2, the lock
    message) when another process holds it.
    """
    return Workspace.open(workspace_dir(args), read_only=not write)


# -- commands ----------------------------------------------------------------
def run_init(args: argparse.Namespace) -> int:
    root = Path(args.dir).expanduser() if args.dir else workspace_dir(args)
    config = Path(args.config) if args.config else None
    with Workspace.init(root, config, postgres_url=args.postgres) as ws:
        say(f"Espace de travail créé : {ws.root}")
        if args.postgres:
            say(f"Base partagée de l'équipe : {args.postgres}")
            if ws.store.count():
                say(
                    f"Cette base contient déjà {ws.store.count()} contribution(s) : vous la rejoignez."
                )
        say(f"Consultation : {ws.config.title} ({ws.config.department})")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    unreferenced: dict[str, int] = {}
    removed = 0
    try:
        # Removing files needs the writer lock; checking works beside the app.
        with open_workspace(args, write=args.remove_unreferenced) as ws:
            problems = ws.store.verify()
            count: int | None = ws.store.count()
            unreferenced = ws.store.unreferenced_blobs()
            if args.remove_unreferenced and not problems:
                for sha in unreferenced:
                    ws.store.delete_blob(sha)
                removed = len(unreferenced)
    except StoreCorruptError as exc:  # an unreadable file is a finding, not a usage error
        problems, count = [str(exc)], None
    size = sum(unreferenced.values())
    if args.json:
        emit_json(
            {
                "ok": not problems,
                "contributions": count,
                "problems": problems,
                "unreferenced_blobs": {"files": len(unreferenced), "bytes": size},
                "removed_blobs": removed,
            }
        )
        return 1 if problems else 0
    if problems:
        say(f"{len(problems)} problème(s) trouvé(s) :")
        for problem in problems:
            say(f"  - {problem}")
    else:
        say(f"Tout est en ordre : {count} contribution(s), fichiers et empreintes vérifiés.")
    if removed:
        say(f"{removed} fichier(s) que rien ne cite supprimé(s) de blobs/ ({_mb(size)}).")
    elif unreferenced:
        say(
            f"{len(unreferenced)} fichier(s) de blobs/ ne sont cités par aucune contribution "
            f"({_mb(size)}, restes d'un import interrompu) ; « assises verify "
            "--remove-unreferenced » les supprime."
            + (" (après réparation des problèmes ci-dessus)" if problems else "")
        )
    return 1 if problems else 0


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.1f}".replace(".", ",") + " Mo"


def run_backup(args: argparse.Namespace) -> int:
    # Read-only is enough: the copy is consistent and the app may stay open meanwhile.
    with open_workspace(args, write=False) as ws:
        dest = Path(args.output).expanduser().absolute() if args.output else None
        path = ws.store.backup("manuelle", dest)
    if args.json:
        emit_json({"backup": str(path)})
    else:
        say(f"Sauvegarde écrite : {path}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from assises_tui.store.backup import restore_backup

    root = workspace_dir(args)
    config = Layout(root).config
    if config.is_file() and load_consultation(config).store_url:
        from assises_tui.store.backup import resolve_backup
        from assises_tui.store.postgres.maintenance import restore

        with Workspace.open(root) as ws:
            aside = restore(ws.store, resolve_backup(root, args.backup))  # type: ignore[arg-type]
        say(f"Sauvegarde restaurée dans la base {ws.config.store_url}.")
        say(f"Le contenu d'avant est sauvegardé dans : {aside}")
        return 0
    aside = restore_backup(root, args.backup)
    say(f"Sauvegarde restaurée dans {root}.")
    say(f"L'ancienne base est conservée à part : {aside}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init",
        help="créer un espace de travail",
        description="Crée un espace de travail à partir d'un consultation.toml "
        "(par défaut celui de l'Allier).",
    )
    p.add_argument("dir", nargs="?", metavar="DIR", help="dossier à créer (vide ou absent)")
    p.add_argument("--config", metavar="FICHIER", help="consultation.toml à utiliser")
    p.add_argument(
        "--postgres",
        metavar="URL",
        help="mode équipe : base PostgreSQL vide (postgresql://utilisateur@hôte/base, "
        "sans mot de passe)",
    )
    p.set_defaults(func=run_init)

    p = sub.add_parser(
        "verify",
        help="vérifier la base et les empreintes",
        description="Relit chaque fichier de la base et vérifie l'empreinte de chaque pièce.",
    )
    p.add_argument("--json", action="store_true", help="résultat en JSON")
    p.add_argument(
        "--remove-unreferenced",
        action="store_true",
        help="supprimer les fichiers de blobs/ que rien ne cite (restes d'un import interrompu)",
    )
    p.set_defaults(func=run_verify)

    p = sub.add_parser("backup", help="sauvegarder la base", description="Sauvegarde la base.")
    p.add_argument("-o", "--output", metavar="FICHIER", help="fichier .tar.gz à écrire")
    p.add_argument("--json", action="store_true", help="résultat en JSON")
    p.set_defaults(func=run_backup)

    p = sub.add_parser(
        "restore",
        help="restaurer une sauvegarde",
        description="Remet en place une sauvegarde ; la base actuelle est conservée à part.",
    )
    p.add_argument(
        "backup", metavar="SAUVEGARDE", help="fichier .tar.gz (ou son nom dans backups/)"
    )
    p.set_defaults(func=run_restore)
