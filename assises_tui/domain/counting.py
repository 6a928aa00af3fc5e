"""What counts: the one definition behind every figure (``assises stats``, the inbox views,
the statistics screen, the synthesis and its charts).

- a **message** is every record received (the quarantine aside: it could not be read);
- a message set aside is « hors contribution » (auto-reply, bounce, the prefecture's own
  mail) or a « doublon » of another one; every other message is a **contribution**, off-topic
  ones included (they were received and answered);
- a contribution is **sans thème** when it has no theme and is not off-topic (an off-topic
  contribution needs none);
- against the deadline a contribution is **dans les délais**, **hors délai**, or of
  **date incertaine** when its date could not be read from the mail (counted apart, never
  « dans les délais » by default).

``summary(counts)`` is the sentence every screen and document uses: « 357 messages reçus,
dont 342 contributions ».
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from assises_tui.domain.models import Contribution, Status

SET_ASIDE = frozenset({Status.NOT_CONTRIBUTION, Status.DUPLICATE})

ON_TIME, LATE, UNCERTAIN = "on_time", "late", "uncertain"
DEADLINE_LABELS = {
    ON_TIME: "dans les délais",
    LATE: "hors délai",
    UNCERTAIN: "date incertaine",
}


def is_contribution(c: Contribution) -> bool:
    return c.status not in SET_ASIDE


def needs_theme(c: Contribution) -> bool:
    """A contribution still to tag: the inbox's « Sans thème » view and its count."""
    return not c.themes and c.status is not Status.OFF_TOPIC and c.status not in SET_ASIDE


def deadline_class(c: Contribution) -> str:
    if c.received_at is None or c.date_uncertain:
        return UNCERTAIN
    return LATE if c.late else ON_TIME


def theme_root(key: str) -> str:
    return key.split("/", 1)[0]


@dataclass
class Counts:
    messages: int = 0
    contributions: int = 0
    not_contributions: int = 0
    duplicates: int = 0
    off_topic: int = 0
    untagged: int = 0
    deadline: Counter[str] = field(default_factory=Counter)  # ON_TIME / LATE / UNCERTAIN
    by_status: Counter[Status] = field(default_factory=Counter)  # every message
    by_theme: Counter[str] = field(default_factory=Counter)  # contributions, by main theme

    @property
    def on_time(self) -> int:
        return self.deadline[ON_TIME]

    @property
    def late(self) -> int:
        return self.deadline[LATE]

    @property
    def date_uncertain(self) -> int:
        return self.deadline[UNCERTAIN]


def count(items: Iterable[Contribution]) -> Counts:
    counts = Counts()
    for c in items:
        counts.messages += 1
        counts.by_status[c.status] += 1
        if c.status is Status.NOT_CONTRIBUTION:
            counts.not_contributions += 1
            continue
        if c.status is Status.DUPLICATE:
            counts.duplicates += 1
            continue
        counts.contributions += 1
        counts.off_topic += c.status is Status.OFF_TOPIC
        counts.untagged += needs_theme(c)
        counts.deadline[deadline_class(c)] += 1
        counts.by_theme.update({theme_root(t) for t in c.themes})
    return counts


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n < 2 else (many or one + 's')}"


def summary(counts: Counts) -> str:
    """« 357 messages reçus, dont 342 contributions »."""
    return (
        f"{plural(counts.messages, 'message reçu', 'messages reçus')}, "
        f"dont {plural(counts.contributions, 'contribution')}"
    )
