"""``assises import SOURCE... [--json]``: read mbox, Maildir, .eml and .msg into the workspace.

Exit codes: 0 all read, 1 some messages were put in quarantine, 2 a wrong path or an
unusable workspace (one French sentence on stderr).
"""

from __future__ import annotations

import argparse
import sys
import time

from assises_tui.cli.output import emit_json, say
from assises_tui.errors import AssisesError
from assises_tui.text.safe import one_line


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="importer des courriels (mbox, dossier Maildir, dossiers de .eml/.msg, fichiers)",
        description="Importe les courriels de la consultation. Relancer l'import sur un export "
        "plus récent n'ajoute que les nouveaux messages.",
    )
    p.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="fichier mbox, dossier Maildir, dossier de .eml/.msg ou fichier .eml/.msg",
    )
    p.add_argument("--json", action="store_true", help="imprimer le bilan en JSON")
    p.set_defaults(func=run_import)


def _duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


class ProgressBar:
    """One line on stderr, redrawn in place: count, rate, time left (from bytes read)."""

    WIDTH = 24

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.shown = False
        self._last = 0.0

    def __call__(self, p) -> None:
        now = time.monotonic()
        if now - self._last < 0.2 and p.bytes_done < p.bytes_total:
            return
        self._last = now
        if p.stage:  # after the messages: a named step, counted in documents
            self.stream.write(f"\r{one_line(p.current, 76)}".ljust(78)[:100])
            self.stream.flush()
            self.shown = True
            return
        rate = p.messages / p.elapsed if p.elapsed > 0 else 0.0
        frac = min(p.bytes_done / p.bytes_total, 1.0) if p.bytes_total else 0.0
        filled = int(frac * self.WIDTH)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        left = ""
        if 0 < frac < 1 and p.elapsed > 1:
            left = f", reste ~{_duration(p.elapsed * (1 - frac) / frac)}"
        line = f"\r{bar} {frac:4.0%}  {p.messages} message(s), {rate:.0f}/s{left}"
        self.stream.write(line.ljust(78)[:100])
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def import_and_index(ws, paths, *, show: bool):
    """Import ``paths`` (with the progress bar when ``show``), then index the new
    contributions, so they are searchable at once in the app and in ``list --search``."""
    from assises_tui.services.importer import import_sources
    from assises_tui.services.session import Services

    bar = ProgressBar() if show else None
    try:
        report = import_sources(ws, paths, progress=bar)
    finally:
        if bar is not None:
            bar.done()
    if show:
        sys.stderr.write("Indexation pour la recherche…\r")
        sys.stderr.flush()
    try:
        Services(ws).search.refresh()
    except Exception:  # the index is a cache: the app rebuilds it, searches scan the rest
        pass
    if show:
        sys.stderr.write(" " * 40 + "\r")
    return report


def run_import(args: argparse.Namespace) -> int:
    from assises_tui.cli.workspace_cmds import open_workspace
    from assises_tui.ingest.sources import SourceError, check_paths

    try:
        paths = check_paths(args.sources)  # before taking the lock or writing anything
    except SourceError as exc:
        raise AssisesError(str(exc), exit_code=2) from None
    started = time.monotonic()
    with open_workspace(args, write=True) as ws:
        try:
            report = import_and_index(ws, paths, show=sys.stderr.isatty() and not args.json)
        except SourceError as exc:
            raise AssisesError(str(exc), exit_code=2) from None
    elapsed = time.monotonic() - started
    if args.json:
        emit_json(report.to_dict())
    else:
        _summary(report, elapsed)
    return 1 if report.quarantined else 0


def _summary(report, elapsed: float) -> None:
    say(f"Import terminé en {_duration(elapsed)} : {report.read} message(s) lu(s).")
    say(f"  {report.imported} nouveau(x) message(s) enregistré(s)")
    if report.already_present:
        say(f"  {report.already_present} déjà présent(s), ignoré(s)")
    if report.duplicates:
        say(f"  {report.duplicates} doublon(s) (même texte, même expéditeur)")
    if report.not_contributions:
        say(
            f"  {report.not_contributions} hors contribution (réponses automatiques, "
            "non-remises, accusés de lecture, envois de la préfecture)"
        )
    if report.late:
        say(f"  {report.late} contribution(s) reçue(s) après la date limite")
    if report.new_versions:
        say(
            f"  {report.new_versions} nouvelle(s) version(s) d'un courriel déjà reçu "
            "(même Message-ID, contenu différent)"
        )
    if report.to_check:
        say(f"  {report.to_check} contribution(s) à vérifier (vue « À vérifier »)")
    if report.recognised:
        say(
            f"  {report.recognised} document(s) scanné(s) dont le texte a été reconnu (OCR, "
            "à relire : il peut contenir des erreurs)"
        )
    if report.ocr_missing:
        from assises_tui.ingest.ocr import INSTALL_HINT

        say(
            f"  {report.ocr_missing} document(s) scanné(s) sans texte : la reconnaissance de "
            f"texte (OCR) n'est pas installée ({INSTALL_HINT}, puis relancer l'import)"
        )
    _listing(report.quarantined, "message(s) mis en quarantaine")
    _listing(report.doubtful, "message(s) dont le découpage de la boîte mbox est à vérifier")
    _listing(report.skipped, "fichier(s) ignoré(s)")


def _listing(items: list[dict[str, str]], what: str) -> None:
    if not items:
        return
    say(f"  {len(items)} {what} :")
    for item in items[:20]:
        say(f"    - {one_line(item['source'], 80)} : {item['reason']}")
    if len(items) > 20:
        say(f"    … et {len(items) - 20} autre(s).")
