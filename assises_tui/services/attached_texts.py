"""The attachments' texts as the excerpt screen shows them after the body, and the way
back from a selection there to (attachment, offsets in its text).

The screen shows one text: the body, then each attachment with text under a rule. Offsets
past the body are "virtual": the body's length plus the distance into what follows it. A
selection that falls inside one attachment's text becomes an excerpt of that attachment
(pseudonymised views select on masked text: offsets are mapped back to the original).
No Textual here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from assises_tui.domain.models import Contribution
    from assises_tui.services.contributions import Contributions
    from assises_tui.services.privacy import Privacy
    from assises_tui.text.personal_data import Masked

Spans = list[tuple[int, int]]


@dataclass(frozen=True)
class AttachedText:
    index: int  # in Contribution.attachments
    text: str  # the extracted text as stored
    shown: str  # as displayed (masked when pseudonymised, unsafe characters replaced)
    masked: Masked | None
    start: int  # virtual offset of shown[0]

    @property
    def end(self) -> int:
        return self.start + len(self.shown)

    def original(self, offset: int, *, end: bool = False) -> int:
        """An offset into ``shown`` as an offset into ``text``."""
        return self.masked.original(offset, end=end) if self.masked else offset


def attached_texts(
    item: Contribution | None,
    contributions: Contributions,
    privacy: Privacy,
    body_length: int,
    display: Callable[[str], str],
) -> tuple[str, list[AttachedText]]:
    """(what the screen shows after the body, one entry per attachment with text)."""
    if item is None:
        return "", []
    shown_all: list[str] = []
    sections: list[AttachedText] = []
    length = 0
    for index, att in enumerate(item.attachments):
        text = contributions.blob_text(att.text_blob)
        if not text:
            continue
        name = one_line(privacy.display_text(item, att.filename), 80)
        ocr = " — texte reconnu par OCR, à vérifier" if att.recognised else ""
        rule = f"\n\n── Pièce jointe : {name}{ocr} ──\n\n"
        masked = privacy.masking(item, text)
        shown = display(masked.text if masked else text)
        length += len(rule)
        sections.append(AttachedText(index, text, shown, masked, body_length + length))
        shown_all += [rule, shown]
        length += len(shown)
    return "".join(shown_all), sections


def spans_in(sections: list[AttachedText], spans_of: Callable[[str], Spans]) -> Spans:
    """Sentence or paragraph spans of every attachment, in virtual offsets."""
    return [(s.start + a, s.start + b) for s in sections for a, b in spans_of(s.shown)]


def locate(sections: list[AttachedText], start: int, end: int) -> tuple[int, int, int] | None:
    """(attachment index, start, end in its stored text) when the virtual selection lies in
    one attachment's text; None when it spans two texts or a rule."""
    for s in sections:
        if s.start <= start and end <= s.end:
            return s.index, s.original(start - s.start), s.original(end - s.start, end=True)
    return None
