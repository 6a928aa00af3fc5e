"""``assises tag``, ``suggest``, ``codebook`` and ``agreement``.

``tag`` exit codes: 0 the query matched (even if every record already had the themes),
1 the query matched nothing, 2 usage error (unknown theme, faulty query, no query).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from assises_tui.cli.output import add_department_option, emit_json, say
from assises_tui.domain.models import STATUS_LABELS, Status
from assises_tui.errors import AssisesError
from assises_tui.services.changes import ChangeSet, _plain
from assises_tui.services.departments import resolve
from assises_tui.text.fold import fold
from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from assises_tui.services.session import Services

TAG_USAGE = "assises tag [+THÈME ...] [-THÈME ...] [--status STATUT] [--json] -- REQUÊTE"
TAG_HELP = f"""usage : {TAG_USAGE}

Ajoute (+thème) ou retire (-thème) des thèmes, et change le statut (--status), sur toutes les
contributions que trouve la REQUÊTE (même langage que la recherche de l'application). Un
sous-thème s'écrit thème/sous-thème ; l'ajouter ajoute aussi son thème. Chaque fiche garde la
trace du changement dans son historique.

Exemple : assises tag +lien -service -- "police de proximité" status:nouveau

Codes de sortie : 0 la requête a trouvé des contributions (même déjà à jour), 1 elle n'a rien
trouvé, 2 erreur d'utilisation (thème inconnu, requête invalide).
"""


def open_services(args: argparse.Namespace, *, write: bool = True) -> Services:
    """The workspace named by ``--workspace`` (or the default one), as a Services bundle."""
    from assises_tui.cli.workspace_cmds import open_workspace
    from assises_tui.services.session import Services

    return Services(open_workspace(args, write=write))


def _close(services: Services) -> None:
    close = getattr(services.workspace, "close", None)
    if close is not None:
        close()


def _closing(func):
    """Run ``func(args, services)`` and always release the workspace (and its lock)."""

    def run(args: argparse.Namespace) -> int:
        write = getattr(args, "action", None) is not None  # listing needs no writer lock
        services = open_services(args, write=write)
        try:
            return func(args, services)
        finally:
            _close(services)

    run.__name__ = func.__name__
    return run


def register(sub: argparse._SubParsersAction) -> None:
    # "-service" must reach us as a word, not as an unknown option: no prefix characters,
    # the words are parsed by parse_tag_words (which also handles -h, --json, --status).
    p = sub.add_parser(
        "tag",
        help="ajouter (+thème) ou retirer (-thème) des thèmes aux contributions d'une recherche",
        usage=TAG_USAGE,
        prefix_chars="\x00",
        add_help=False,
    )
    p.add_argument("words", nargs=argparse.REMAINDER)
    p.set_defaults(func=run_tag)

    p = sub.add_parser(
        "suggest", help="thèmes suggérés (jamais appliqués) pour chaque contribution"
    )
    p.add_argument("--search", metavar="REQUÊTE", help="limiter aux contributions trouvées")
    p.add_argument(
        "--all-themes",
        action="store_true",
        help="inclure les thèmes déjà posés sur la contribution",
    )
    p.add_argument(
        "--report",
        action="store_true",
        help="qualité des suggestions : F1 par thème (validation croisée) et fiabilité "
        "des confiances annoncées",
    )
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=run_suggest)

    p = sub.add_parser("codebook", help="référentiel des thèmes et sous-thèmes (avec effectifs)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    add_department_option(p)
    cb = p.add_subparsers(dest="action", metavar="ACTION")
    a = cb.add_parser("add", help="ajouter un sous-thème : add THÈME LIBELLÉ [--key CLÉ]")
    a.add_argument("parent")
    a.add_argument("label")
    a.add_argument("--key")
    a = cb.add_parser("rename", help="renommer : rename THÈME/SOUS LIBELLÉ [--key NOUVELLE]")
    a.add_argument("key")
    a.add_argument("label", nargs="?")
    a.add_argument("--key", dest="new_key")
    a = cb.add_parser("merge", help="fusionner : merge THÈME/SOUS CIBLE")
    a.add_argument("source")
    a.add_argument("target")
    a = cb.add_parser("retire", help="retirer (plus proposé, conservé sur les fiches)")
    a.add_argument("key")
    for action in cb.choices.values():
        _json_here_too(action)
    p.set_defaults(func=run_codebook)

    p = sub.add_parser("agreement", help="double codage : accord entre codeurs (kappa de Cohen)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    ag = p.add_subparsers(dest="action", metavar="ACTION")
    a = ag.add_parser("sample", help="tirer l'échantillon à recoder : sample N [--seed S]")
    a.add_argument("n", type=int)
    a.add_argument("--seed", type=int, default=1)
    _json_here_too(a)
    p.set_defaults(func=run_agreement)


def _json_here_too(parser: argparse.ArgumentParser) -> None:
    """``--json`` also after the action ("codebook add … --json"); SUPPRESS keeps the value
    given before it ("codebook --json add …") when it is absent here."""
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="sortie JSON"
    )


# -- tag ----------------------------------------------------------------------
def parse_tag_words(words: list[str]) -> dict[str, Any]:
    add: list[str] = []
    remove: list[str] = []
    status: str | None = None
    as_json = False
    query: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w == "--":
            query = words[i + 1 :]
            break
        if w in ("-h", "--help"):
            return {"help": True}
        if w == "--json":
            as_json = True
        elif w == "--status" or w.startswith("--status="):
            if "=" in w:
                status = w.split("=", 1)[1]
            elif i + 1 < len(words):
                i += 1
                status = words[i]
            else:
                raise AssisesError("--status attend un statut.")
        elif w.startswith("+") and len(w) > 1:
            add.append(w[1:])
        elif w.startswith("-") and len(w) > 1 and not w.startswith("--"):
            remove.append(w[1:])
        else:
            raise AssisesError(
                f"Argument inattendu « {w} » : la requête vient après « -- ». Usage : {TAG_USAGE}"
            )
        i += 1
    return {
        "add": add,
        "remove": remove,
        "status": status,
        "json": as_json,
        "query": " ".join(query).strip(),
    }


def parse_status(text: str) -> Status:
    wanted = fold(text).replace(" ", "_")
    for status in Status:
        if wanted in (status.value, fold(STATUS_LABELS[status]).replace(" ", "_")):
            return status
    known = ", ".join(STATUS_LABELS[s].lower() for s in Status)
    raise AssisesError(f"Statut inconnu : « {text} » (statuts : {known}).")


def run_tag(args: argparse.Namespace) -> int:
    opts = parse_tag_words(list(args.words))
    if opts.get("help"):
        sys.stdout.write(TAG_HELP)
        return 0
    if not opts["add"] and not opts["remove"] and opts["status"] is None:
        raise AssisesError(f"Rien à faire : indiquez +thème ou -thème. Usage : {TAG_USAGE}")
    if not opts["query"]:
        raise AssisesError(f"Requête manquante après « -- ». Usage : {TAG_USAGE}")
    status = parse_status(opts["status"]) if opts["status"] is not None else None
    services = open_services(args, write=True)
    try:
        return _tag(services, opts, status)
    finally:
        _close(services)


def _tag(services: Services, opts: dict[str, Any], status: Status | None) -> int:
    tagging = services.tagging
    for key in opts["add"]:
        tagging.check_theme(key)
    for key in opts["remove"]:
        tagging.check_theme(key, for_adding=False)
    query = services.search.parse(opts["query"], prefix_last=False)
    if query.errors:
        raise AssisesError("Requête invalide : " + " ".join(query.errors))
    ids = services.search.search(query, exhaustive=True)
    if not ids:
        if opts["json"]:
            emit_json({"matched": [], "changed": []})
        else:
            print("assises : aucune contribution ne correspond à la requête.", file=sys.stderr)
        return 1
    with services.changes.together():  # one command, one all-or-nothing write
        parts = [tagging.update_themes(ids, add=opts["add"], remove=opts["remove"])]
        if status is not None:
            parts.append(services.changes.set_fields(ids, "status", status=status))
    # This command's change as its history entries record it. Not a re-read of the records:
    # in team mode the write merges what other reviewers did meanwhile (their themes too),
    # and a report of the merged record would claim their change as this command's.
    done = ChangeSet.combined(parts)
    changed = [
        {"id": cid, "before": _plain(done.before[cid]), "after": _plain(done.after[cid])}
        for cid in ids
        if cid in done.before
    ]
    if opts["json"]:
        emit_json({"matched": ids, "changed": changed})
        return 0
    for row in changed:
        parts = [
            f"{FIELD_LABELS[k]} : {_show(k, row['before'][k])} → {_show(k, row['after'][k])}"
            for k in row["after"]
        ]
        say(f"n° {row['id']} — " + " ; ".join(parts))
    say(f"{len(ids)} contribution(s) trouvée(s), {len(changed)} modifiée(s).")
    return 0


#: The human output speaks French; the JSON keeps the stable field names and codes.
FIELD_LABELS = {"themes": "thèmes", "status": "statut"}


def _show(field: str, value: Any) -> str:
    if field == "status":
        return STATUS_LABELS[Status(value)]
    if isinstance(value, list):
        return ", ".join(value) or "—"  # theme keys, as typed after + and -
    return str(value)


# -- suggest --------------------------------------------------------------------
@_closing
def run_suggest(args: argparse.Namespace, services: Services) -> int:
    if args.report:
        return _suggest_report(args, services)
    if args.search:
        query = services.search.parse(args.search, prefix_last=False)
        if query.errors:
            raise AssisesError("Requête invalide : " + " ".join(query.errors))
        ids = services.search.search(query, exhaustive=True)
    else:
        ids = [c.id for c in services.store.all()]
    result = services.suggester.suggest_many(ids, exclude_tagged=not args.all_themes)
    if args.json:
        emit_json([{"id": cid, "suggestions": [s.to_dict() for s in result[cid]]} for cid in ids])
        return 0
    label = services.tagging.codebook.label  # "Service rendu › Accueil" for a sub-theme
    for cid in ids:
        shown = " ; ".join(
            f"{label(s.theme)} {round(s.confidence * 100)} % ({', '.join(s.because[:3])})"
            for s in result[cid]
        )
        say(f"n° {cid} : {shown or '—'}")
    return 0


def _suggest_report(args: argparse.Namespace, services: Services) -> int:
    report = services.suggester.report()
    if args.json:
        emit_json(report)
        return 0
    labels = services.tagging.codebook
    say(f"Contributions étiquetées : {report['labelled']}")
    say(
        f"F1 (validation croisée, thèmes principaux) : micro {_pct(report['micro_f1'])}, "
        f"macro {_pct(report['macro_f1'])}"
    )
    say("")
    say(
        f"{'Thème':<34} {'avec':>5} {'sans':>5} {'appris':>7} {'seuil':>6} "
        f"{'précision':>9} {'rappel':>7} {'F1':>5}"
    )
    for row in report["labels"]:
        learned = f"{round((1 - row['keyword_weight']) * 100)} %" if row["learned"] else "non"
        say(
            f"{one_line(labels.label(row['theme']), 34):<34} {row['positives']:>5} "
            f"{row['negatives']:>5} {learned:>7} {_pct(row['threshold']):>6} "
            f"{_pct(row['precision']):>9} {_pct(row['recall']):>7} {_pct(row['f1']):>5}"
        )
    say("")
    if not report["reliability"]:
        say("Fiabilité : pas encore assez d'étiquettes pour la mesurer (confiances non calibrées).")
        return 0
    say("Fiabilité des confiances (prédictions hors échantillon, thèmes principaux) :")
    say(f"{'confiance annoncée':<20} {'suggestions':>11} {'justes':>8} {'moyenne annoncée':>17}")
    for band in report["reliability"]:
        say(
            f"{_pct(band['low']) + ' – ' + _pct(band['high']):<20} {band['count']:>11} "
            f"{_pct(band['precision']):>8} {_pct(band['mean_confidence']):>17}"
        )
    return 0


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


# -- codebook -----------------------------------------------------------------------
@_closing
def run_codebook(args: argparse.Namespace, services: Services) -> int:
    action = getattr(args, "action", None)
    codebook = services.tagging.codebook
    # With --json, stdout carries the JSON document only (the codebook after the change).
    tell = (lambda _message: None) if args.json else say
    if action == "add":
        entry = codebook.add(args.parent, args.label, args.key)
        tell(f"Sous-thème ajouté : {entry.key} — {entry.label}")
    elif action == "rename":
        if args.label is None and not args.new_key:
            raise AssisesError("Indiquez un nouveau libellé ou --key NOUVELLE_CLÉ.")
        cs = codebook.rename(args.key, args.label, args.new_key)
        tell(f"Sous-thème renommé ; {len(cs)} contribution(s) réécrite(s).")
    elif action == "merge":
        cs = codebook.merge(args.source, args.target)
        tell(
            f"« {args.source} » fusionné dans « {args.target} » ; "
            f"{len(cs)} contribution(s) réécrite(s)."
        )
    elif action == "retire":
        codebook.retire(args.key)
        tell(f"« {args.key} » retiré : il n'est plus proposé, les fiches le conservent.")
    entries = codebook.entries(department=args.department)
    if args.json:
        emit_json([e.to_dict() for e in entries])
    elif action is None:
        if args.department:
            name = resolve(
                args.department, services.contributions.all(), services.config.department
            )
            say(f"Effectifs du département : {name}")
        for e in entries:
            indent = "    " if e.is_sub else ""
            retired = " (retiré)" if e.retired else ""
            say(f"{indent}{e.key:<32} {e.count:>6}  {e.label}{retired}")
    return 0


# -- agreement ------------------------------------------------------------------------
@_closing
def run_agreement(args: argparse.Namespace, services: Services) -> int:
    from assises_tui.analysis.agreement import format_kappa, percent

    action = getattr(args, "action", None)
    dc = services.double_coding
    if action == "sample":
        ids = dc.draw_sample(args.n, args.seed)
        if args.json:
            emit_json({"sample": ids, "seed": args.seed})
        else:
            say(
                f"Échantillon de {len(ids)} contribution(s) (graine {args.seed}) : "
                + ", ".join(map(str, ids))
            )
        return 0
    report = dc.report()
    if args.json:
        emit_json(report.to_dict())
        return 0
    say(f"Échantillon : {report.sample_size} ; recodées : {report.coded}")
    if report.coded == 0:  # no pair to compare: percentages of nothing would mislead
        say(
            "Rien à comparer : tirez un échantillon (« assises agreement sample N ») et "
            "faites-le recoder par un second relecteur (référentiel, touche c)."
        )
        return 0
    for t in report.themes:
        kappa = format_kappa(t.kappa)
        say(f"{t.label:<32} kappa {kappa:>10}  accord observé {percent(t.observed)}  (n={t.n})")
    if report.disagreements:
        say("Désaccords à trancher :")
        for d in report.disagreements:
            who = "1er codeur seulement" if d.first else "2e codeur seulement"
            say(f"  n° {d.id} — {d.theme} : {who}")
    return 0
