"""Figures of the consultation, always computed from the store (never typed in the draft).

What counts is defined once, in ``domain/counting.py`` (messages, contributions, set aside,
on time / late / date uncertain), and used here as by ``assises stats`` and the app.
- by theme: contributions tagged with the theme or one of its sub-themes (counted once);
- by week: ISO week of arrival in the consultation's timezone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from assises_tui.config import Consultation
from assises_tui.domain.counting import SET_ASIDE, count, is_contribution, summary  # noqa: F401
from assises_tui.domain.models import CATEGORY_LABELS, Contribution

UNKNOWN_CATEGORY = "Non renseignée"
UNKNOWN_DATE = "Date inconnue"


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def numeric(self, column: int) -> bool:
        """A column of figures (every exported format aligns it right, as tables of
        numbers are read); the first column holds the labels."""
        return column > 0 and all(_FIGURE.fullmatch(row[column]) for row in self.rows)


#: A figure as shown: digits, thousands separated by a (narrow) space, maybe a percentage.
_FIGURE = re.compile(r"[\d\u202f\u00a0 ]+(?:,\d+)?(?:[\u202f\u00a0 ]?%)?")


@dataclass
class Figures:
    messages: int = 0
    contributions: int = 0
    on_time: int = 0
    late: int = 0
    date_uncertain: int = 0
    not_contributions: int = 0
    duplicates: int = 0
    first_date: date | None = None
    last_date: date | None = None
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_theme: list[tuple[str, int]] = field(default_factory=list)
    by_week: list[tuple[str, int]] = field(default_factory=list)  # ("2019-W48", n)

    def placeholders(self) -> dict[str, str]:
        """Values for the ``{{name}}`` placeholders of the draft."""

        def fmt(d: date | None) -> str:
            return d.strftime("%d/%m/%Y") if d else "date inconnue"

        return {
            "bilan": self.summary,
            "messages": str(self.messages),
            "contributions": str(self.contributions),
            "dans_les_delais": str(self.on_time),
            "hors_delai": str(self.late),
            "date_incertaine": str(self.date_uncertain),
            "hors_contribution": str(self.not_contributions),
            "doublons": str(self.duplicates),
            "premiere_date": fmt(self.first_date),
            "derniere_date": fmt(self.last_date),
        }

    summary: str = ""  # « 357 messages reçus, dont 342 contributions »

    def tables(self) -> list[Table]:
        summary = Table(
            "Messages reçus",
            ("Indicateur", "Nombre"),
            (
                ("Messages reçus", str(self.messages)),
                ("Contributions", str(self.contributions)),
                ("dont dans les délais", str(self.on_time)),
                ("dont hors délai", str(self.late)),
                ("dont date incertaine", str(self.date_uncertain)),
                ("Messages sans contribution écartés", str(self.not_contributions)),
                ("Doublons écartés", str(self.duplicates)),
            ),
        )
        return [
            summary,
            Table(
                "Contributions par catégorie de contributeur",
                ("Catégorie", "Contributions"),
                tuple((k, str(v)) for k, v in self.by_category),
            ),
            Table(
                "Contributions par thème",
                ("Thème", "Contributions"),
                tuple((k, str(v)) for k, v in self.by_theme),
            ),
            Table(
                "Contributions par semaine d'arrivée",
                ("Semaine", "Contributions"),
                tuple((week_label(k), str(v)) for k, v in self.by_week),
            ),
        ]


def week_label(key: str) -> str:
    """ "2019-W48" → "2019, semaine 48 (du 25/11)"."""
    if key == UNKNOWN_DATE or "-W" not in key:
        return key
    year, week = key.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    return f"{year}, semaine {int(week)} (du {monday.strftime('%d/%m')})"


def compute_figures(items: Iterable[Contribution], config: Consultation) -> Figures:
    items = list(items)
    counts = count(items)
    fig = Figures(
        messages=counts.messages,
        contributions=counts.contributions,
        on_time=counts.on_time,
        late=counts.late,
        date_uncertain=counts.date_uncertain,
        not_contributions=counts.not_contributions,
        duplicates=counts.duplicates,
        summary=summary(counts),
    )
    tz = config.tz
    categories: Counter[str] = Counter()
    weeks: Counter[str] = Counter()
    dates: list[date] = []
    for item in items:
        if not is_contribution(item):
            continue
        categories[item.contributor_category or ""] += 1
        if item.received_at is not None:
            local = item.received_at.astimezone(tz)
            iso = local.isocalendar()
            weeks[f"{iso.year}-W{iso.week:02d}"] += 1
            dates.append(local.date())
        else:
            weeks[UNKNOWN_DATE] += 1
    if dates:
        fig.first_date, fig.last_date = min(dates), max(dates)
    known = [k for k in CATEGORY_LABELS if categories.get(k)]
    others = sorted(k for k in categories if k and k not in CATEGORY_LABELS)
    fig.by_category = [(CATEGORY_LABELS[k], categories[k]) for k in known]
    fig.by_category += [(k, categories[k]) for k in others]
    if categories.get(""):
        fig.by_category.append((UNKNOWN_CATEGORY, categories[""]))
    fig.by_theme = [(t.label, counts.by_theme.get(t.key, 0)) for t in config.themes]
    fig.by_week = sorted(
        ((k, v) for k, v in weeks.items() if k != UNKNOWN_DATE), key=lambda kv: kv[0]
    )
    if weeks.get(UNKNOWN_DATE):
        fig.by_week.append((UNKNOWN_DATE, weeks[UNKNOWN_DATE]))
    return fig


def bar(value: int, maximum: int, width: int = 20) -> str:
    """A small unicode bar (eighth blocks) for text displays."""
    if maximum <= 0 or value <= 0:
        return ""
    eighths = round(value / maximum * width * 8)
    full, rest = divmod(max(eighths, 1), 8)
    return "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])
