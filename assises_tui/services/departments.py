"""The départements of a national roll-up, and the filter every national figure takes.

``assises migrate --to postgres URL --merge`` gathers several départements' workspaces into
one database: each contribution keeps its département (``Contribution.department``) and
each quarantined mail says where it came from (« Cher : boite.mbox#3 »). A contribution
without one (a single-département workspace, or a mail imported into the national one)
belongs to the workspace's own département, so ``--departement Allier`` on the Allier
workspace keeps everything and a name it does not hold is refused, never answered by zeros.

Names match as the search's ``departement:`` filter does: accents and case aside.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from assises_tui.domain.models import Contribution, QuarantineEntry
from assises_tui.errors import AssisesError
from assises_tui.text.fold import fold

T = TypeVar("T", bound=Contribution)

#: What the filter shows when it keeps everything.
ALL_LABEL = "Tous les départements"


def _key(name: str) -> str:
    return fold(name).strip()


def department_of(item: Contribution, home: str) -> str:
    return item.department or home


def departments(items: Iterable[Contribution], home: str) -> list[str]:
    """The départements found among ``items``, in alphabetical order (accents aside)."""
    found = {department_of(item, home) for item in items}
    return sorted((name for name in found if name), key=_key)


def resolve(wanted: str, items: Sequence[Contribution], home: str) -> str:
    """The département named ``wanted`` as the records spell it; a French error if none."""
    names = departments(items, home)
    for name in names:
        if _key(name) == _key(wanted):
            return name
    known = ", ".join(names) if names else "aucun"
    raise AssisesError(
        f"Aucune contribution du département « {wanted.strip()} » dans cet espace de travail "
        f"(départements : {known})."
    )


def in_department(items: Iterable[T], name: str | None, home: str) -> list[T]:
    """``items`` of the département ``name`` (all of them when ``name`` is None)."""
    if name is None:
        return list(items)
    wanted = _key(name)
    return [item for item in items if _key(department_of(item, home)) == wanted]


def quarantine_in(
    entries: Iterable[QuarantineEntry], name: str | None, names: Iterable[str], home: str
) -> list[QuarantineEntry]:
    """Quarantined mails of ``name``: a roll-up prefixes their source with « Cher : »; an
    entry without a known prefix is the workspace's own département's."""
    entries = list(entries)
    if name is None:
        return entries
    prefixes = {_key(n): n for n in names if n}
    wanted = _key(name)

    def origin(entry: QuarantineEntry) -> str:
        head, sep, _rest = entry.source.partition(" : ")
        return _key(head) if sep and _key(head) in prefixes else _key(home)

    return [entry for entry in entries if origin(entry) == wanted]
