"""The block at the top of the reader: number, status, date, sender, subject, themes, flags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from assises_tui.config import Consultation
from assises_tui.domain.models import Contribution
from assises_tui.text.safe import one_line
from assises_tui.widgets import formatting as fmt

if TYPE_CHECKING:
    from assises_tui.services.privacy import Privacy


def header_text(item: Contribution, config: Consultation, privacy: Privacy | None = None) -> Text:
    """Every untrusted value is appended as plain text (never parsed as markup); with a
    pseudonymised ``privacy`` the sender and personal data in the subject are masked."""
    text = Text(no_wrap=False, overflow="fold")
    text.append(f"N° {item.id}", style="bold")
    text.append("  ·  ")
    text.append(item.status_label, style="bold reverse")
    if item.status_reason:
        text.append(f" ({one_line(item.status_reason, 200)})")
    text.append("  ·  ")
    text.append(fmt.format_date(item.received_at, config.tz))
    words = fmt.flag_words(item)
    if words:
        text.append("  ·  ")
        text.append(", ".join(words), style="italic")
    text.append("\nDe : ", style="bold")
    if fmt.pseudonymised(privacy):
        text.append(fmt.sender_label(item, privacy))
        text.append("  (vue pseudonymisée, P : afficher)", style="italic dim")
    else:
        text.append(one_line(item.sender_name, 200))
        if item.sender_email:
            text.append(f" <{one_line(item.sender_email, 200)}>")
    text.append("\nObjet : ", style="bold")
    text.append(fmt.subject_label(item, privacy))
    text.append("\nThèmes : ", style="bold")
    text.append(fmt.theme_labels(item, config))
    if item.assignee:
        text.append("\nAttribuée à : ", style="bold")
        text.append(one_line(item.assignee, 100))
    if item.contributor_category or item.commune:
        text.append("\nContributeur : ", style="bold")
        text.append(
            " · ".join(one_line(v, 100) for v in (item.contributor_category, item.commune) if v)
        )
    for check in item.to_check:  # set by the import: what a reviewer should look at
        text.append("\nÀ vérifier : ", style="bold")
        text.append(one_line(check, 400), style="italic")
    return text


class HeaderBlock(Static):
    DEFAULT_CSS = """
    HeaderBlock { padding: 0 1; background: $boost; border-bottom: solid $primary; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)

    def show(
        self, item: Contribution | None, config: Consultation, privacy: Privacy | None = None
    ) -> None:
        self.update(header_text(item, config, privacy) if item else Text("Aucune contribution."))
