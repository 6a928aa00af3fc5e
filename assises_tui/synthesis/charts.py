"""The charts of the consultation, as data: what the statistics screen draws with text
characters and the exports draw as images (``chart_images.py``).

Each chart counts with ``domain.counting`` (contributions only, the same numbers as
``assises stats``) and carries its own table, which every format prints beside the picture
for readers who cannot see it. Pure functions over the records: no Textual, no plotting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from assises_tui.config import Consultation
from assises_tui.domain.counting import deadline_class, is_contribution
from assises_tui.domain.models import CATEGORY_LABELS, STATUS_LABELS, Contribution, Status
from assises_tui.synthesis.figures import UNKNOWN_CATEGORY, Table
from assises_tui.synthesis.typography import typeset

#: Communes shown by name; the others are added up in one bar (the Allier has 317).
TOP_COMMUNES = 15
UNKNOWN_COMMUNE = "Non renseignée"
UNASSIGNED = "Non attribuées"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    labels: tuple[str, ...]
    values: tuple[int, ...]
    #: Stacked series (status progress): name → one value per label; empty otherwise.
    series: tuple[tuple[str, tuple[int, ...]], ...] = ()
    kind: str = "bars"  # "bars" (horizontal), "days" (columns over time), "stacked"
    value_label: str = "Contributions"
    #: For "days": the index of the deadline among the labels (None when out of range).
    deadline_index: int | None = None
    note: str = ""
    days: tuple[date, ...] = field(default=(), compare=False)
    #: The heading of the labels' column in the table (a table never has an empty heading).
    label_heading: str = "Libellé"

    @property
    def total(self) -> int:
        return sum(self.values)

    def table(self) -> Table:
        if self.series:
            headers = (self.label_heading, *(name for name, _v in self.series), "Total")
            rows = tuple(
                (label, *(str(v[n]) for _name, v in self.series), str(self.values[n]))
                for n, label in enumerate(self.labels)
            )
            return Table(self.title, headers, rows)
        return Table(
            self.title,
            (self.label_heading, self.value_label),
            tuple((label, str(v)) for label, v in zip(self.labels, self.values, strict=True)),
        )

    def description(self) -> str:
        """A sentence for the image's alternative text (French typography, as the text)."""
        if not self.values:
            return typeset(f"{self.title} : aucune donnée.")
        top = max(range(len(self.values)), key=lambda n: self.values[n])
        text = (
            f"{self.title}. {len(self.labels)} valeurs, total {self.total} ; la plus forte : "
            f"{self.labels[top]} ({self.values[top]})."
        )
        return typeset(f"{text} {self.note}".strip())


def _day_label(d: date) -> str:
    return d.strftime("%d/%m")


def per_day(items: Iterable[Contribution], config: Consultation) -> Chart:
    """Contributions per day of arrival (the consultation's time zone), every day from the
    first to the last shown, with the deadline marked; undated ones are noted apart."""
    tz = config.tz
    days: Counter[date] = Counter()
    undated = 0
    for c in items:
        if not is_contribution(c):
            continue
        if c.received_at is None or deadline_class(c) == "uncertain":
            undated += 1
            continue
        days[c.received_at.astimezone(tz).date()] += 1
    deadline_day = config.deadline.astimezone(tz).date()
    if not days:
        return Chart(
            "per_day", "Contributions par jour d'arrivée", (), (), kind="days", label_heading="Jour"
        )
    first, last = min(days), max(days)
    span = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    deadline_index = None
    if first <= deadline_day <= last:
        deadline_index = span.index(deadline_day)
    deadline = config.deadline.astimezone(tz)
    note = f"Date limite : {deadline.strftime('%d/%m/%Y à %H:%M')}."
    if undated:
        note += f" {undated} contribution(s) de date incertaine, non placée(s) sur l'axe."
    return Chart(
        "per_day",
        "Contributions par jour d'arrivée",
        tuple(_day_label(d) for d in span),
        tuple(days.get(d, 0) for d in span),
        kind="days",
        deadline_index=deadline_index,
        note=note,
        days=tuple(span),
        label_heading="Jour",
    )


def per_theme(
    items: Iterable[Contribution], config: Consultation, label: Callable[[str], str] | None = None
) -> Chart:
    """Contributions per theme, each followed by its sub-themes (« › Accueil »)."""
    themes: Counter[str] = Counter()
    subs: Counter[str] = Counter()
    for c in items:
        if not is_contribution(c):
            continue
        themes.update({t.split("/", 1)[0] for t in c.themes})
        subs.update({t for t in c.themes if "/" in t})
    sub_labels = {f"{t.key}/{s.key}": s.label for t in config.themes for s in t.subthemes}
    labels: list[str] = []
    values: list[int] = []
    known = {t.key for t in config.themes}
    for theme in config.themes:
        labels.append(theme.label)
        values.append(themes.get(theme.key, 0))
        for key in sorted(k for k in subs if k.split("/", 1)[0] == theme.key):
            name = label(key) if label else sub_labels.get(key, key)
            name = name.split(" › ")[-1] if name != key else key.split("/", 1)[1]
            labels.append(f"  › {name}")
            values.append(subs[key])
    for key in sorted(k for k in themes if k not in known):
        labels.append(label(key) if label else key)
        values.append(themes[key])
    return Chart(
        "per_theme",
        "Contributions par thème et sous-thème",
        tuple(labels),
        tuple(values),
        label_heading="Thème",
    )


def per_category(items: Iterable[Contribution]) -> Chart:
    counts: Counter[str] = Counter(
        c.contributor_category or "" for c in items if is_contribution(c)
    )
    keys = [k for k in CATEGORY_LABELS if counts.get(k)]
    keys += sorted(k for k in counts if k and k not in CATEGORY_LABELS)
    labels = [CATEGORY_LABELS.get(k, k) for k in keys]
    values = [counts[k] for k in keys]
    if counts.get(""):
        labels.append(UNKNOWN_CATEGORY)
        values.append(counts[""])
    return Chart(
        "per_category",
        "Contributions par catégorie de contributeur",
        tuple(labels),
        tuple(values),
        label_heading="Catégorie",
    )


def per_commune(items: Iterable[Contribution], top: int = TOP_COMMUNES) -> Chart:
    counts: Counter[str] = Counter(c.commune or "" for c in items if is_contribution(c))
    unknown = counts.pop("", 0)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown, rest = ranked[:top], ranked[top:]
    labels = [name for name, _n in shown]
    values = [n for _name, n in shown]
    if rest:
        labels.append(f"Autres communes ({len(rest)})")
        values.append(sum(n for _name, n in rest))
    if unknown:
        labels.append(UNKNOWN_COMMUNE)
        values.append(unknown)
    note = f"{len(counts)} commune(s) nommée(s)." if counts else ""
    return Chart(
        "per_commune",
        "Contributions par commune",
        tuple(labels),
        tuple(values),
        note=note,
        label_heading="Commune",
    )


#: The statuses of the progress chart, in reading order (set-aside messages left out).
PROGRESS_STATUSES = (Status.DONE, Status.IN_PROGRESS, Status.NEW, Status.OFF_TOPIC)


def progress_per_reviewer(items: Iterable[Contribution]) -> Chart:
    """For each reviewer a contribution is assigned to, how many are in each status."""
    per: dict[str, Counter[Status]] = {}
    for c in items:
        if not is_contribution(c):
            continue
        per.setdefault(c.assignee or "", Counter())[c.status] += 1
    names = sorted(k for k in per if k)
    if "" in per:
        names.append("")
    labels = tuple(name or UNASSIGNED for name in names)
    series = tuple(
        (STATUS_LABELS[s], tuple(per[name][s] for name in names)) for s in PROGRESS_STATUSES
    )
    values = tuple(sum(per[name].values()) for name in names)
    return Chart(
        "progress",
        "Avancement du dépouillement par relecteur",
        labels,
        values,
        series=series,
        kind="stacked",
        label_heading="Relecteur",
    )


def all_charts(
    items: Iterable[Contribution],
    config: Consultation,
    label: Callable[[str], str] | None = None,
) -> list[Chart]:
    items = list(items)
    return [
        per_day(items, config),
        per_theme(items, config, label),
        per_category(items),
        per_commune(items),
        progress_per_reviewer(items),
    ]
