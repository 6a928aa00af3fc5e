"""A workspace over the shared in-memory store for the tagging/suggestion tests (no disk)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fakes.memory_store import MemoryStore

from assises_tui.config import Consultation, bundled_config_dir, load_consultation
from assises_tui.domain.models import Contribution
from assises_tui.services.session import Services


@dataclass
class MemoryWorkspace:
    store: MemoryStore = field(default_factory=MemoryStore)
    config: Consultation = field(
        default_factory=lambda: load_consultation(bundled_config_dir() / "consultation.toml")
    )
    reviewer: str = "agent1"
    role: str = "coordinator"
    read_only: bool = False


def add_contribution(
    services: Services, body: str, subject: str = "Contribution", **fields: Any
) -> int:
    store = services.store
    (cid,) = store.allocate_ids(1)
    blob = store.put_blob(body.encode("utf-8"))
    item = Contribution(
        id=cid,
        message_id=f"<{cid}@test>",
        received_at=datetime(2019, 12, 1, 10, 0, tzinfo=UTC),
        date_uncertain=False,
        sender_name=f"Expéditeur {cid}",
        sender_email=f"x{cid}@exemple.fr",
        subject=subject,
        body_blob=blob,
        raw_blob=None,
        snippet=" ".join(body.split())[:80],
    )
    store.add_many([replace(item, **fields)])
    return cid


SAMPLE_BODIES = [
    (
        "Plainte en ligne",
        "Il faudrait pouvoir déposer plainte en ligne sur internet et avoir une "
        "application pour signaler les problèmes. Le site de la gendarmerie est mal fait.",
    ),
    (
        "Commissariat",
        "L'accueil au commissariat est trop long. Les délais d'intervention sont "
        "inacceptables la nuit.\n\nIl manque des effectifs et des patrouilles dans les villages.",
    ),
    (
        "Police de proximité",
        "Je regrette la police de proximité. Les jeunes du quartier ne "
        "connaissent plus les policiers, il n'y a plus de confiance ni de dialogue.",
    ),
    (
        "Voisins vigilants",
        "Notre commune a rejoint le dispositif participation citoyenne : les "
        "voisins vigilants aident à la prévention des cambriolages avec le maire.",
    ),
    ("Bonjour", "Merci pour votre travail. Cordialement."),
]


def make_services(
    bodies: Sequence[tuple[str, str]] = SAMPLE_BODIES, root: Path | None = None
) -> Services:
    services = Services(MemoryWorkspace(MemoryStore(root)))  # type: ignore[arg-type]
    for subject, body in bodies:
        add_contribution(services, body, subject)
    return services


def sample_workspace(root: Path, extra: Sequence[tuple[str, str]] = ()) -> Path:
    """A real workspace at ``root`` holding the sample contributions (and ``extra`` ones,
    as (subject, body)), closed again so that the command line can open it."""
    from assises_tui.workspace import Workspace

    with Workspace.init(root) as ws:
        services = Services(ws)
        for subject, body in [*SAMPLE_BODIES, *extra]:
            add_contribution(services, body, subject)
    return root
