"""Schema versions of the stored records and the functions that upgrade them.

``MIGRATIONS[v]`` turns version ``v`` data into version ``v + 1``, in place, on the raw
record dicts and the meta document. The writer backs the store up, runs the chain, then
rewrites every shard in one journaled (all-or-nothing) write. A read-only view migrates
in memory only. A store written by a newer version is refused (``StoreVersionError``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assises_tui.store.protocol import StoreVersionError

#: The version this code writes.
SCHEMA_VERSION = 1

Migration = Callable[[dict[int, dict[str, Any]], dict[str, Any]], None]

#: from-version -> function upgrading (records, meta) to from-version + 1.
MIGRATIONS: dict[int, Migration] = {}


def check_version(found: int, path: str, target: int | None = None) -> None:
    target = SCHEMA_VERSION if target is None else target
    if found > target:
        raise StoreVersionError(
            f"L'espace de travail ({path}) a été écrit par une version plus récente d'Assises "
            f"(format {found}, cette version lit jusqu'au format {target}) : "
            "mettez Assises à jour."
        )


def migrate(
    records: dict[int, dict[str, Any]],
    meta: dict[str, Any],
    found: int,
    target: int | None = None,
) -> int:
    """Upgrade ``records``/``meta`` from ``found`` to ``target``; returns the new version."""
    target = SCHEMA_VERSION if target is None else target
    version = found
    while version < target:
        step = MIGRATIONS.get(version)
        if step is None:
            raise StoreVersionError(
                f"Aucune migration connue du format {version} vers le format {version + 1}."
            )
        step(records, meta)
        version += 1
    meta["schema_version"] = version
    return version
