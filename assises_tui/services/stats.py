"""Counts for ``assises stats`` and the statistics screen: status, theme, lateness, category.

Every figure comes from ``domain.counting`` (one definition of what a contribution is,
what « sans thème » and « dans les délais » mean), so the command line, the inbox's views,
the statistics screen and the synthesis say the same numbers. The returned dict is the
JSON contract of ``assises stats --json`` (docs/cli-json.md).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from assises_tui.domain.counting import count, is_contribution, summary
from assises_tui.domain.models import CATEGORY_LABELS, OPEN_STATUSES, Status
from assises_tui.services.departments import departments, in_department, quarantine_in, resolve

if TYPE_CHECKING:
    from assises_tui.config import Consultation
    from assises_tui.store.protocol import Store

NO_CATEGORY = "none"


def _last_status_change(item: Any) -> str | None:
    for entry in reversed(item.history):
        if isinstance(entry.after, dict) and "status" in entry.after:
            return entry.who
    return None


def by_reviewer(items: list[Any]) -> dict[str, dict[str, int]]:
    """The coordinator's view of the team: per reviewer, what is assigned to them, what of
    it is still open, and how many contributions they closed (last status change theirs)."""
    table: dict[str, dict[str, int]] = {}

    def row(name: str) -> dict[str, int]:
        return table.setdefault(name, {"assigned": 0, "left": 0, "closed": 0})

    for item in items:
        is_open = item.status in OPEN_STATUSES
        if item.assignee:
            mine = row(item.assignee)
            mine["assigned"] += 1
            mine["left"] += is_open
        if not is_open:
            who = _last_status_change(item)
            if who is not None:
                row(who)["closed"] += 1
    return dict(sorted(table.items()))


def stats(
    store: Store, consultation: Consultation, department: str | None = None
) -> dict[str, Any]:
    """The figures of the workspace, or of one département of a national roll-up."""
    items = store.all()
    home = consultation.department
    entries = store.quarantine()
    if department is not None:
        department = resolve(department, items, home)
        entries = quarantine_in(entries, department, departments(items, home), home)
        items = in_department(items, department, home)
    counts = count(items)
    by_theme = Counter(counts.by_theme)
    by_category: Counter[str] = Counter()
    assigned = 0
    for c in items:
        if is_contribution(c):
            by_category[c.contributor_category or NO_CATEGORY] += 1
        assigned += bool(c.assignee)
    themes = {t.key: by_theme.pop(t.key, 0) for t in consultation.themes}
    themes.update(sorted(by_theme.items()))  # keys no longer in the configuration
    categories = {k: by_category.pop(k, 0) for k in CATEGORY_LABELS}
    categories[NO_CATEGORY] = by_category.pop(NO_CATEGORY, 0)
    categories.update(sorted(by_category.items()))
    quarantined = len(entries)
    return {
        "department": department,
        "by_reviewer": by_reviewer(items),
        "total": counts.messages,
        "contributions": counts.contributions,
        "summary": summary(counts),
        "open": sum(counts.by_status[s] for s in OPEN_STATUSES),
        "quarantined": quarantined,
        "by_status": {s.value: counts.by_status[s] for s in Status},
        "by_theme": themes,
        "untagged": counts.untagged,
        "late": counts.late,
        "on_time": counts.on_time,
        "date_uncertain": counts.date_uncertain,
        "by_category": categories,
        "assigned": assigned,
    }
