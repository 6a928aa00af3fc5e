"""What a purge did (or would do): counts and numbers only, never personal data.

Also the small helpers the purge and its checks share. No textual/rich.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from assises_tui.domain.models import Contribution, blob_refs  # noqa: F401 - shared
from assises_tui.text.personal_data import KIND_LABELS

if TYPE_CHECKING:
    pass

PURGE_WHAT = "purge"


@dataclass
class PurgeReport:
    before: str  # the cut-off date (ISO)
    dry_run: bool
    at: str
    who: str
    ids: list[int] = field(default_factory=list)
    senders: int = 0  # records whose sender name/e-mail is erased
    raw_mails: int = 0  # raw e-mails deleted
    attachments: int = 0  # attachment files deleted
    texts_masked: int = 0  # records with personal data masked in their texts
    findings: dict[str, int] = field(default_factory=dict)  # kind -> count masked
    excerpts_masked: int = 0
    blobs_deleted: int = 0
    undated: int = 0  # without a reception date, imported on or after the date: kept
    quarantine_erased: int = 0  # quarantined raw mails imported before the date, erased
    already_purged: int = 0
    backups: int = 0  # backup archives made before the purge (they hold what it erases)
    backups_deleted: int = 0  # of those, replaced by one backup made after the purge
    backup_made: bool = False  # the backup made after the purge could be written
    restore_leftovers: int = 0  # stores set aside by a restore (they hold it too)
    restore_leftovers_deleted: int = 0
    saved_searches_masked: int = 0  # saved searches that named what was erased
    synthesis_files_masked: int = 0  # the draft and its versions, where it was quoted
    path: str | None = None  # the JSON report written in the workspace

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def lines(self) -> list[str]:
        """A French summary (no personal data: counts and numbers only)."""
        # A simulation speaks of what would happen, the purge of what was done.
        dry = self.dry_run
        verb = "seraient" if dry else "ont été"
        head = "Simulation de purge (rien n'est modifié)" if dry else "Purge"
        out = [
            f"{head} des données personnelles des contributions reçues avant le "
            f"{french_date(self.before)} : {len(self.ids)} contribution(s) concernée(s).",
            f"  Identités d'expéditeur (nom, adresse) {'à effacer' if dry else 'effacées'} : "
            f"{self.senders}",
            f"  Courriels d'origine {'à supprimer' if dry else 'supprimés'} : {self.raw_mails}",
            f"  Pièces jointes d'origine {'à supprimer' if dry else 'supprimées'} : "
            f"{self.attachments}",
            f"  Textes où des données personnelles {verb} masquées : {self.texts_masked}",
        ]
        if self.findings:
            detail = ", ".join(
                f"{KIND_LABELS.get(k, k)} : {n}" for k, n in sorted(self.findings.items())
            )
            out.append(f"  Éléments {'à masquer' if dry else 'masqués'} : {detail}")
        out.append(f"  Extraits {'à masquer' if dry else 'masqués'} : {self.excerpts_masked}")
        if self.quarantine_erased:
            out.append(
                "  Courriels en quarantaine importés avant la date, "
                f"{'à effacer' if self.dry_run else 'effacés'} : {self.quarantine_erased}"
            )
        if not self.dry_run:
            out.append(f"  Fichiers effacés du dossier blobs/ : {self.blobs_deleted}")
        kept = "Seraient conservés" if dry else "Conservés"
        out.append(f"  {kept} : textes pseudonymisés, thèmes, extraits, chiffres et synthèse.")
        if self.already_purged:
            out.append(f"  Déjà purgées auparavant : {self.already_purged}")
        if self.undated:
            out.append(
                "  Sans date de réception et importées après la date (non purgées) : "
                f"{self.undated}"
            )
        if self.saved_searches_masked:
            out.append(f"  Recherches enregistrées masquées : {self.saved_searches_masked}")
        if self.synthesis_files_masked:
            out.append(
                "  Synthèse : données des contributions purgées masquées dans "
                f"{self.synthesis_files_masked} fichier(s) (brouillon et versions)"
            )
        elif not self.dry_run:
            out.append("  Synthèse : aucune donnée des contributions purgées n'y figurait.")
        if self.restore_leftovers and self.dry_run:
            out.append(
                "  Bases mises de côté par une restauration (elles contiennent ces données), "
                f"qui seraient supprimées : {self.restore_leftovers}"
            )
        elif self.restore_leftovers_deleted:
            out.append(
                "  Bases mises de côté par une restauration supprimées : "
                f"{self.restore_leftovers_deleted}"
            )
        if self.backups and self.dry_run:
            out.append(
                f"  Sauvegardes antérieures (elles contiennent ces données) qui seraient "
                f"remplacées par une sauvegarde faite après la purge : {self.backups}"
            )
        elif self.backups_deleted:
            out.append(
                f"  Sauvegardes antérieures supprimées : {self.backups_deleted} (remplacées par "
                "une sauvegarde faite après la purge)"
            )
        if not self.dry_run and self.backups > self.backups_deleted:
            out.append(
                f"  Attention : {self.backups - self.backups_deleted} sauvegarde(s) antérieure(s) "
                "n'ont pas pu être remplacées et contiennent encore ces données."
            )
        if not self.dry_run:
            out.append(
                "  Les sauvegardes écrites hors de l'espace de travail (assises backup -o) "
                "restent à supprimer à la main."
            )
        if self.path:
            out.append(f"  Rapport : {self.path}")
        return out


def french_date(iso: str) -> str:
    try:
        return date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def is_purged(item: Contribution) -> bool:
    return any(h.what == PURGE_WHAT for h in item.history)
