"""``assises export …`` and ``assises synthesis …``: documents, archives and draft versions.

Exit codes: 0 written / sound, 1 the check found problems (nothing written; each problem
is listed with its line), 2 usage or environment error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assises_tui.cli.output import add_department_option, emit_json, say
from assises_tui.cli.workspace_cmds import open_workspace
from assises_tui.errors import AssisesError
from assises_tui.services.session import Services
from assises_tui.services.synthesis import ARCHIVE_FORMATS, FORMATS, ExportBlocked
from assises_tui.text.safe import printable


def _format(args: argparse.Namespace, choices: tuple[str, ...]) -> str:
    if args.format:
        return args.format
    suffix = Path(args.output).suffix.lower().lstrip(".")
    if suffix in choices:
        return suffix
    raise AssisesError(
        f"Précisez --format ({'|'.join(choices)}) : l'extension de {args.output} ne le dit pas."
    )


def cannot_write(path: str, exc: OSError) -> AssisesError:
    """One French sentence for a file that could not be written (no Python trace)."""
    if isinstance(exc, FileNotFoundError):
        why = "le dossier n'existe pas"
    elif isinstance(exc, PermissionError):
        why = "permission refusée"
    elif isinstance(exc, IsADirectoryError):
        why = "c'est un dossier"
    else:
        why = exc.strerror or exc.__class__.__name__
    return AssisesError(f"Impossible d'écrire {printable(path)} : {why}.")


def run_export_synthesis(args: argparse.Namespace) -> int:
    fmt = _format(args, FORMATS)
    with open_workspace(args, write=True) as ws:
        services = Services(ws)
        department = services.synthesis.scope_to(args.department)
        try:
            report = services.synthesis.export(
                fmt, Path(args.output), accept=args.accept or (), omit_empty=args.omit_empty
            )
        except OSError as exc:
            raise cannot_write(args.output, exc) from exc
        except ExportBlocked as blocked:
            if args.json:
                emit_json({"written": False, "department": department, **blocked.report.to_dict()})
            else:
                # The findings quote the draft, which may hold text copied from e-mails.
                print(printable(f"assises : {blocked}"), file=sys.stderr)
            return 1
    accepted = sum(1 for f in report.findings if f.id in report.accepted)
    if args.json:
        emit_json(
            {
                "written": True,
                "path": args.output,
                "format": fmt,
                "department": department,
                **report.to_dict(),
            }
        )
    else:
        of = f" du département {department}" if department else ""
        say(f"Synthèse{of} exportée ({fmt}) : {args.output}")
        if report.warnings and not args.omit_empty:
            say(
                f"{len(report.warnings)} section(s) vide(s) exportée(s) sous leur seul titre "
                "(« assises synthesis check » les liste ; --omit-empty les omet) :"
            )
            for line in report.warning_lines():
                say(f"  {line}")
        elif report.warnings:
            say(f"{len(report.warnings)} section(s) vide(s) omise(s).")
        if accepted:
            say(f"{accepted} signalement(s) de données personnelles accepté(s) explicitement.")
    return 0


def run_export_contributions(args: argparse.Namespace) -> int:
    fmt = _format(args, ARCHIVE_FORMATS)
    with open_workspace(args, write=True) as ws:
        synthesis = Services(ws).synthesis
        department = synthesis.scope_to(args.department)
        try:
            count = synthesis.export_contributions(
                fmt, Path(args.output), with_personal_data=args.with_personal_data
            )
        except OSError as exc:
            raise cannot_write(args.output, exc) from exc
    if args.json:
        emit_json(
            {
                "written": True,
                "path": args.output,
                "format": fmt,
                "count": count,
                "personal_data": args.with_personal_data,
                "department": department,
            }
        )
    else:
        masked = "avec" if args.with_personal_data else "sans"
        say(
            f"{count} enregistrement(s) exporté(s) ({fmt}, {masked} données personnelles) : "
            f"{args.output}"
        )
    return 0


def run_versions(args: argparse.Namespace) -> int:
    with open_workspace(args, write=False) as ws:
        versions = Services(ws).synthesis.list_versions()
        tz = ws.config.tz
    if args.json:
        emit_json([{"id": v.id, "at": v.at.isoformat(), "size": v.size} for v in versions])
    elif not versions:
        say("Aucune version enregistrée : la synthèse n'a pas encore été sauvegardée.")
    else:
        for v in versions:
            say(f"{v.id}  {v.label(tz)}  {v.size} octets")
    return 0


def run_diff(args: argparse.Namespace) -> int:
    with open_workspace(args, write=False) as ws:
        text = Services(ws).synthesis.diff(args.old, args.new)
    sys.stdout.write(text or "Aucune différence.\n")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    with open_workspace(args, write=True) as ws:
        synthesis = Services(ws).synthesis
        synthesis.restore(args.version)
        latest = synthesis.list_versions()[-1]
    if args.json:
        emit_json({"restored": args.version, "new_version": latest.id})
    else:
        say(f"Version {args.version} restaurée (enregistrée comme version {latest.id}).")
    return 0


def run_check(args: argparse.Namespace) -> int:
    with open_workspace(args, write=False) as ws:
        report = Services(ws).synthesis.check()
    if args.json:
        emit_json(report.to_dict())
    else:
        if report.ok:
            say("Synthèse vérifiée : aucune citation invalide ni donnée personnelle non acceptée.")
        else:
            say(f"{len(report.lines())} problème(s) :")
            for line in report.lines():
                say(f"  {line}")
        if report.warnings:
            say(
                f"{len(report.warnings)} avertissement(s) (l'export reste possible ; "
                "« --omit-empty » omet les sections vides) :"
            )
            for line in report.warning_lines():
                say(f"  {line}")
    return 0 if report.ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser(
        "export",
        help="exporter la synthèse ou les contributions",
        description="Exporte la synthèse (odt, docx, md, pdf) après vérification, ou les "
        "contributions pour archive (csv, jsonl).",
    )
    what = export.add_subparsers(dest="what", metavar="QUOI", parser_class=type(export))
    what.required = True
    p = what.add_parser(
        "synthesis",
        help="exporter la synthèse",
        description="Vérifie les citations et les données personnelles, puis écrit le document. "
        "Refuse (code 1) en listant chaque problème avec sa ligne.",
    )
    p.add_argument("--format", choices=FORMATS, help="format (sinon l'extension du fichier)")
    p.add_argument("-o", "--output", required=True, metavar="FICHIER", help="fichier à écrire")
    p.add_argument(
        "--accept",
        action="append",
        metavar="ID",
        help="accepter explicitement un signalement (répétable ; voir « synthesis check »)",
    )
    p.add_argument(
        "--omit-empty",
        action="store_true",
        help="omettre les sections sans texte (sinon exportées sous leur seul titre)",
    )
    add_department_option(p)
    p.add_argument("--json", action="store_true", help="résultat en JSON")
    p.set_defaults(func=run_export_synthesis)

    p = what.add_parser(
        "contributions",
        help="archiver les contributions",
        description="Écrit toutes les contributions (sans nom ni adresse de l'expéditeur, "
        "texte masqué) sauf avec --with-personal-data.",
    )
    p.add_argument("--format", choices=ARCHIVE_FORMATS, help="format (sinon l'extension)")
    p.add_argument("-o", "--output", required=True, metavar="FICHIER", help="fichier à écrire")
    p.add_argument(
        "--with-personal-data",
        action="store_true",
        help="garder noms, adresses et textes non masqués",
    )
    add_department_option(p)
    p.add_argument("--json", action="store_true", help="résultat en JSON")
    p.set_defaults(func=run_export_contributions)

    synth = sub.add_parser(
        "synthesis",
        help="versions et vérification de la synthèse",
        description="Versions du brouillon de synthèse (liste, comparaison, restauration) et "
        "vérification avant export.",
    )
    cmds = synth.add_subparsers(
        dest="synthesis_command", metavar="ACTION", parser_class=type(synth)
    )
    cmds.required = True
    p = cmds.add_parser("versions", help="lister les versions enregistrées")
    p.add_argument("--json", action="store_true", help="résultat en JSON")
    p.set_defaults(func=run_versions)
    p = cmds.add_parser("diff", help="comparer deux versions (diff unifié)")
    p.add_argument("old", metavar="VERSION", help="version de départ")
    p.add_argument(
        "new", nargs="?", metavar="VERSION2", help="version d'arrivée (sinon le brouillon actuel)"
    )
    p.set_defaults(func=run_diff)
    p = cmds.add_parser("restore", help="restaurer une version")
    p.add_argument("version", metavar="VERSION", help="identifiant (voir « versions »)")
    p.add_argument("--json", action="store_true", help="résultat en JSON")
    p.set_defaults(func=run_restore)
    p = cmds.add_parser("check", help="vérifier citations et données personnelles")
    p.add_argument("--json", action="store_true", help="résultat en JSON")
    p.set_defaults(func=run_check)
