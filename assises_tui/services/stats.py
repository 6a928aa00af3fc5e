"""Counts for ``assises stats`` and the dashboard: status, theme, lateness, category.

The returned dict is the JSON contract of ``assises stats --json`` (docs/cli-json.md).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from assises_tui.domain.models import CATEGORY_LABELS, OPEN_STATUSES, Status
from assises_tui.search.filters import theme_root

if TYPE_CHECKING:
    from assises_tui.config import Consultation
    from assises_tui.store.protocol import Store

NO_CATEGORY = "none"


def stats(store: Store, consultation: Consultation) -> dict[str, Any]:
    items = store.all()
    by_status = Counter(c.status for c in items)
    by_theme: Counter[str] = Counter()
    untagged = 0
    late = 0
    uncertain = 0
    by_category: Counter[str] = Counter()
    assigned = 0
    for c in items:
        roots = {theme_root(t) for t in c.themes}
        by_theme.update(roots)
        untagged += not roots
        late += bool(c.late)
        uncertain += bool(c.date_uncertain)
        by_category[c.contributor_category or NO_CATEGORY] += 1
        assigned += bool(c.assignee)
    themes = {t.key: by_theme.pop(t.key, 0) for t in consultation.themes}
    themes.update(sorted(by_theme.items()))  # keys no longer in the configuration
    categories = {k: by_category.pop(k, 0) for k in CATEGORY_LABELS}
    categories[NO_CATEGORY] = by_category.pop(NO_CATEGORY, 0)
    categories.update(sorted(by_category.items()))
    quarantined = len(store.quarantine())
    return {
        "total": len(items),
        "open": sum(by_status[s] for s in OPEN_STATUSES),
        "quarantined": quarantined,
        "by_status": {s.value: by_status[s] for s in Status},
        "by_theme": themes,
        "untagged": untagged,
        "late": late,
        "on_time": len(items) - late,
        "date_uncertain": uncertain,
        "by_category": categories,
        "assigned": assigned,
    }
