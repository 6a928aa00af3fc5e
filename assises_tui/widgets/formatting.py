"""How contribution fields are written on screen (French formats, short forms, flags).

Pure functions: every untrusted string passes through ``one_line``/``printable`` here,
so widgets only ever receive text that is safe to draw.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from assises_tui.config import Consultation
from assises_tui.domain.models import Contribution, Status
from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from assises_tui.services.privacy import Privacy

SHORT_STATUS: dict[Status, str] = {
    Status.NEW: "Nouveau",
    Status.IN_PROGRESS: "En cours",
    Status.DONE: "Traité",
    Status.OFF_TOPIC: "Hors sujet",
    Status.DUPLICATE: "Doublon",
    Status.NOT_CONTRIBUTION: "Hors contr.",
}

#: Flag letters, in column order, with their meaning (shown in the help screen).
FLAG_LEGEND: tuple[tuple[str, str], ...] = (
    ("R", "arrivée en retard (après la date limite)"),
    ("P", "pièce jointe"),
    ("D", "doublon d'une autre contribution"),
    ("C", "campagne (texte identique envoyé par plusieurs personnes)"),
    ("N", "note d'un relecteur"),
)


def format_date(value: datetime | None, tz: tzinfo, *, short: bool = False) -> str:
    """``13/01/2020 14:02`` in the consultation time zone ("date inconnue" when missing)."""
    if value is None:
        return "date inconnue" if not short else "inconnue"
    if value.tzinfo is None:  # stored naive: assume already local
        local = value
    else:
        local = value.astimezone(tz)
    return local.strftime("%d/%m/%y" if short else "%d/%m/%Y %H:%M")


def pseudonymised(privacy: Privacy | None) -> bool:
    return privacy is not None and privacy.pseudonymised


def sender_label(item: Contribution, privacy: Privacy | None = None, *, short: bool = False) -> str:
    """``short`` (the list, whose number column already names the contribution): what may
    be shown of a masked sender is its category and commune, when a reviewer set them."""
    if pseudonymised(privacy):
        if short:
            known = [v for v in (item.contributor_category, item.commune) if v]
            return one_line(", ".join(known), 200) or "(masqué)"
        return one_line(privacy.sender_label(item), 200)
    return one_line(item.sender_name or item.sender_email or "(expéditeur inconnu)", 200)


def subject_label(item: Contribution, privacy: Privacy | None = None) -> str:
    subject = item.subject
    if pseudonymised(privacy):  # a subject may carry a phone number or an address
        subject = privacy.display_text(item, subject)
    return one_line(subject, 300) or "(sans objet)"


def theme_digits(item: Contribution, config: Consultation) -> str:
    """Positional theme column: ``1·3·`` means themes 1 and 3 (the same digits as the keys)."""
    keys = config.theme_keys
    return "".join(str(i + 1) if k in item.themes else "·" for i, k in enumerate(keys[:9]))


def theme_labels(item: Contribution, config: Consultation) -> str:
    labels = []
    for key in item.themes:
        theme = config.theme(key)
        labels.append(theme.label if theme else one_line(key, 60))
    return ", ".join(labels) or "aucun thème"


def flags(item: Contribution) -> str:
    """Fixed-width flag column: R retard, P pièce jointe, D doublon, C campagne, N note."""
    return "".join(
        (
            "R" if item.late else " ",
            "P" if item.attachments else " ",
            "D" if item.duplicate_of is not None else " ",
            "C" if item.cluster is not None else " ",
            "N" if item.notes else " ",
        )
    )


def flag_words(item: Contribution) -> list[str]:
    words = []
    if item.late:
        words.append("en retard")
    if item.date_uncertain:
        words.append("date incertaine")
    if item.attachments:
        n = len(item.attachments)
        words.append(f"{n} pièce{'s' if n > 1 else ''} jointe{'s' if n > 1 else ''}")
    if item.duplicate_of is not None:
        words.append(f"doublon du n° {item.duplicate_of}")
    if item.cluster is not None:
        words.append(f"campagne n° {item.cluster}")
    if item.notes:
        words.append(f"{len(item.notes)} note{'s' if len(item.notes) > 1 else ''}")
    return words


def plural(n: int, word: str, plural_word: str | None = None) -> str:
    return f"{n:,} {word if n <= 1 else (plural_word or word + 's')}".replace(",", "\u202f")
