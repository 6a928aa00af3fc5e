"""One call to run the importer from the app's import screen, with a simple progress hook.

The importer (``services/importer.py``) owns parsing and storing; this module only adapts
its progress reports to ``progress(done, total, label)`` and refreshes the search index
afterwards so new contributions are searchable at once. No textual/rich here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assises_tui.domain.models import ImportReport
from assises_tui.errors import AssisesError

if TYPE_CHECKING:
    from assises_tui.search import SearchIndex
    from assises_tui.workspace import Workspace

Progress = Callable[[int, int | None, str], None]


def run_import(
    workspace: Workspace,
    search: SearchIndex,
    paths: Sequence[Path],
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``paths`` into ``workspace``, then index them in ``search``; ``progress(done, total, label)`` gets
    bytes read / bytes in total (total None when unknown) and a French label."""
    from assises_tui.ingest.sources import SourceError
    from assises_tui.services.importer import ImportProgress, import_sources

    def report(p: ImportProgress) -> None:
        if progress is not None:
            total = p.bytes_total or None
            label = p.current if p.stage else f"Import : {p.messages} message(s) lu(s)"
            progress(p.bytes_done, total, label)

    try:
        result = import_sources(workspace, [Path(p) for p in paths], report)
    except SourceError as exc:
        raise AssisesError(str(exc)) from None
    if progress is not None:
        progress(0, None, "Indexation pour la recherche…")
    try:
        search.refresh()
    except Exception:  # the index is a cache: search scans records not indexed yet
        pass
    return result


def summary(report: ImportReport) -> str:
    """A French sentence or two about what happened."""
    parts = [
        f"{report.read} message(s) lu(s)",
        f"{report.imported} importé(s)",
        f"{report.already_present} déjà présent(s)",
    ]
    if report.duplicates:
        parts.append(f"{report.duplicates} doublon(s)")
    if report.not_contributions:
        parts.append(f"{report.not_contributions} hors contribution")
    if report.late:
        parts.append(f"{report.late} en retard")
    if report.to_check:
        parts.append(f"{report.to_check} à vérifier")
    if report.recognised:
        parts.append(f"{report.recognised} document(s) scanné(s) lu(s) par OCR")
    if report.ocr_missing:
        parts.append(f"{report.ocr_missing} document(s) scanné(s) non lu(s) : OCR non installé")
    if report.quarantined:
        parts.append(f"{len(report.quarantined)} en quarantaine")
    if report.skipped:
        parts.append(f"{len(report.skipped)} fichier(s) ignoré(s) (pas des courriels)")
    if report.doubtful:
        parts.append(f"{len(report.doubtful)} découpage(s) de boîte mbox à vérifier")
    return ", ".join(parts) + "."
