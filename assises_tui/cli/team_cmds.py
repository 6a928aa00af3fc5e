"""Team mode: ``assises db upgrade`` and ``assises migrate --to postgres|tinydb``."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from assises_tui.cli.output import emit_json, say
from assises_tui.cli.workspace_cmds import workspace_dir
from assises_tui.domain.models import OPEN_STATUSES
from assises_tui.errors import AssisesError
from assises_tui.store.layout import CONFIG_NAME, Layout
from assises_tui.synthesis.versions import DraftVersions, SharedDraftVersions
from assises_tui.workspace import Workspace, WorkspaceError, store_section, without_store_section


def run_db_upgrade(args: argparse.Namespace) -> int:
    from assises_tui.config import load_consultation
    from assises_tui.store.postgres import schema
    from assises_tui.store.postgres.connection import check_url, connect

    url = args.url
    if not url:
        root = workspace_dir(args)
        config = load_consultation(Layout(root).config) if Layout(root).config.is_file() else None
        url = config.store_url if config else None
        if not url:
            raise WorkspaceError(
                f"L'espace de travail {root} n'utilise pas de base PostgreSQL : rien à mettre "
                "à jour (ou donnez --url postgresql://…)."
            )
    with connect(check_url(url), autocommit=True) as conn:
        applied = schema.upgrade(conn)
    if args.json:
        emit_json({"applied": applied, "schema_version": schema.SCHEMA_VERSION})
    elif applied:
        say(f"Base mise à jour : schéma {schema.SCHEMA_VERSION} (étapes {applied}).")
    else:
        say(f"La base est déjà à jour (schéma {schema.SCHEMA_VERSION}).")
    return 0


def _to_postgres(args: argparse.Namespace, root: Path) -> dict:
    from assises_tui.store.postgres import schema
    from assises_tui.store.postgres.connection import check_url, connect
    from assises_tui.store.postgres.store import PostgresStore
    from assises_tui.store.transfer import copy_store

    url = check_url(args.target)
    # the writer lock (TinyDB) keeps anyone from changing the workspace during the move
    with Workspace.open(root, read_only=args.merge) as ws:
        if ws.config.store_url and not args.merge:
            raise WorkspaceError(
                f"L'espace de travail {root} est déjà dans une base PostgreSQL "
                f"({ws.config.store_url})."
            )
        department = ws.config.department
        if args.merge:
            with connect(url, autocommit=True) as conn:
                if schema.current_version(conn) == 0:
                    schema.upgrade(conn)
        elif PostgresStore.create(url, department=department):
            raise WorkspaceError(
                f"La base {url} contient déjà des contributions : choisissez une base vide, "
                "ou --merge pour y ajouter cet espace (regroupement)."
            )
        with PostgresStore.open(root, url, department=department) as dst:
            report = copy_store(ws.store, dst, merge=args.merge, department=department)
            # a roll-up's synthesis is written nationally, not gathered from the départements
            versions = 0 if args.merge else _versions_of(ws).copy_to(SharedDraftVersions(dst))
        aside = None if args.merge else str(_switch_to(root, url))
    return {
        "to": "postgres",
        "department": department,
        "aside": aside,
        **report.to_dict(),
        "synthesis_versions": versions,
    }


def _versions_of(ws: Workspace):  # noqa: ANN202 - DraftVersions or SharedDraftVersions
    if ws.config.store_url:
        return SharedDraftVersions(ws.store)
    return DraftVersions(ws.synthesis_path)


def _switch_to(root: Path, url: str) -> Path:
    """The workspace now names the database; the local store is set aside, not deleted."""
    from assises_tui.durable import write_atomic

    layout = Layout(root)
    text = layout.config.read_bytes()
    write_atomic(layout.config, text.rstrip(b"\n") + store_section(url))
    aside = root / f"avant-migration-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    aside.mkdir(mode=0o700)
    for name in ("store", "blobs", "synthesis.md", "synthesis_versions"):
        if (root / name).exists():
            os.replace(root / name, aside / name)
    return aside


def _to_tinydb(args: argparse.Namespace, root: Path) -> dict:
    from assises_tui.store.transfer import copy_store

    target = Path(args.target).expanduser().absolute()
    with Workspace.open(root, read_only=True) as ws:
        with tempfile.TemporaryDirectory() as folder:
            config = Path(folder) / CONFIG_NAME
            config.write_bytes(without_store_section(ws.layout.config.read_bytes()))
            if ws.announcement_path is not None:
                shutil.copyfile(ws.announcement_path, Path(folder) / ws.announcement_path.name)
            with Workspace.init(target, config) as new:
                report = copy_store(ws.store, new.store, skip_document=SharedDraftVersions.owns)
                versions = _versions_of(ws).copy_to(DraftVersions(new.synthesis_path))
    return {
        "to": "tinydb",
        "workspace": str(target),
        **report.to_dict(),
        "synthesis_versions": versions,
    }


def run_migrate(args: argparse.Namespace) -> int:
    root = workspace_dir(args).expanduser().absolute()
    if args.merge and args.backend != "postgres":
        raise AssisesError("--merge ne vaut que pour --to postgres.")
    result = _to_postgres(args, root) if args.backend == "postgres" else _to_tinydb(args, root)
    if args.json:
        emit_json(result)
    else:
        say(
            f"Migration terminée : {result['contributions']} contribution(s), "
            f"{result['blobs']} pièce(s), {result['quarantine']} courriel(s) en quarantaine, "
            f"{result['documents']} document(s), {result['audit']} événement(s) d'audit."
        )
        if result.get("aside"):
            say(f"Les fichiers locaux d'avant la migration sont conservés dans {result['aside']}.")
    return 0


def run_assign(args: argparse.Namespace) -> int:
    from assises_tui.cli.tag_cmds import open_services

    services = open_services(args, write=True)
    try:
        query = services.search.parse(args.search or "", prefix_last=False)
        if query.errors:
            raise AssisesError("Requête invalide : " + " ".join(query.errors))
        found = services.search.search(query, exhaustive=True)
        records = [services.store.get(cid) for cid in found]
        ids = [
            c.id
            for c in sorted((c for c in records if c is not None), key=_by_date)
            if c.status in OPEN_STATUSES and (args.reassign or not c.assignee)
        ]
        changeset = services.triage.spread(ids, args.reviewers)
    finally:
        services.workspace.close()
    given: dict[str, list[int]] = {name: [] for name in args.reviewers}
    for cid, after in changeset.after.items():
        given.setdefault(after["assignee"], []).append(cid)
    if args.json:
        emit_json({"assigned": given})
    else:
        for name, cids in given.items():
            say(f"{name} : {len(cids)} contribution(s) attribuée(s)")
    return 0


def _by_date(item):  # noqa: ANN001, ANN202
    return (item.received_at is None, item.received_at.timestamp() if item.received_at else 0)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "assign",
        help="répartir les contributions entre relecteurs",
        description="Attribue les contributions à traiter et non attribuées (celles de "
        "--search si donné), par date de réception, à chacun à tour de rôle en commençant "
        "par le moins chargé.",
    )
    p.add_argument("reviewers", nargs="+", metavar="RELECTEUR", help="noms des relecteurs")
    p.add_argument("--search", metavar="REQUÊTE", help="seulement ces contributions")
    p.add_argument("--reassign", action="store_true", help="répartir aussi celles déjà attribuées")
    p.add_argument("--json", action="store_true", help="résultat en JSON")
    p.set_defaults(func=run_assign)

    p = sub.add_parser(
        "db",
        help="base PostgreSQL de l'équipe",
        description="Gestion de la base PostgreSQL partagée (mode équipe).",
    )
    dbsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = dbsub.add_parser(
        "upgrade",
        help="mettre le schéma de la base à jour",
        description="Applique les étapes de schéma manquantes (une seule fois, même lancée "
        "par plusieurs personnes).",
    )
    up.add_argument("--url", metavar="URL", help="base à mettre à jour (sinon celle de [store])")
    up.add_argument("--json", action="store_true", help="résultat en JSON")
    up.set_defaults(func=run_db_upgrade)

    p = sub.add_parser(
        "migrate",
        help="déplacer l'espace de travail vers PostgreSQL ou TinyDB",
        description="« --to postgres URL » déplace l'espace de travail dans une base "
        "PostgreSQL vide (avec --merge : l'ajoute à une base nationale, chaque contribution "
        "gardant son département et son numéro) ; « --to tinydb DOSSIER » en fait une copie "
        "locale complète.",
    )
    p.add_argument(
        "--to",
        dest="backend",
        choices=["postgres", "tinydb"],
        required=True,
        help="destination : postgres (URL) ou tinydb (dossier)",
    )
    p.add_argument("target", metavar="URL_OU_DOSSIER", help="base postgresql://… ou dossier")
    p.add_argument("--merge", action="store_true", help="ajouter à une base nationale")
    p.add_argument("--json", action="store_true", help="résultat en JSON")
    p.set_defaults(func=run_migrate)
