"""An in-memory store and workspace for the tagging/suggestion tests (no disk, no lock)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assises_tui.config import Consultation, bundled_config_dir, load_consultation
from assises_tui.domain.models import Contribution, QuarantineEntry
from assises_tui.services.session import Services


class MemoryStore:
    read_only = False

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or Path("/nonexistent")
        self.items: dict[int, Contribution] = {}
        self.blobs: dict[str, bytes] = {}
        self.docs: dict[str, dict[str, Any]] = {}
        self.audits: list[dict[str, Any]] = []
        self.next_id = 1
        self.saves = 0

    def close(self) -> None:
        pass

    def allocate_ids(self, count: int) -> list[int]:
        ids = list(range(self.next_id, self.next_id + count))
        self.next_id += count
        return ids

    def add_many(self, items: Sequence[Contribution]) -> None:
        for c in items:
            self.items[c.id] = c

    def save(self, item: Contribution) -> None:
        self.save_many([item])

    def save_many(self, items: Sequence[Contribution]) -> None:
        self.saves += 1
        for c in items:
            self.items[c.id] = c

    def get(self, cid: int) -> Contribution | None:
        return self.items.get(cid)

    def all(self) -> list[Contribution]:
        return [self.items[k] for k in sorted(self.items)]

    def count(self) -> int:
        return len(self.items)

    def id_for_message_id(self, message_id: str) -> int | None:
        return next((c.id for c in self.items.values() if c.message_id == message_id), None)

    def id_for_raw_sha256(self, sha256: str) -> int | None:
        return None

    def reload_if_changed(self) -> bool:
        return False

    def put_blob(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        self.blobs[key] = data
        return key

    def get_blob(self, sha256: str) -> bytes:
        return self.blobs[sha256]

    def has_blob(self, sha256: str) -> bool:
        return sha256 in self.blobs

    def delete_blob(self, sha256: str) -> None:
        self.blobs.pop(sha256, None)

    def add_quarantine(self, source: str, reason: str, raw_blob: str | None) -> QuarantineEntry:
        raise NotImplementedError

    def quarantine(self) -> list[QuarantineEntry]:
        return []

    def get_doc(self, name: str) -> dict[str, Any]:
        import copy

        return copy.deepcopy(self.docs.get(name, {}))

    def put_doc(self, name: str, value: dict[str, Any]) -> None:
        import copy

        self.docs[name] = copy.deepcopy(value)

    def append_audit(self, entries: Iterable[dict[str, Any]]) -> None:
        self.audits.extend(entries)

    def audit(self) -> list[dict[str, Any]]:
        return list(self.audits)

    def verify(self) -> list[str]:
        return []

    def backup(self, reason: str, dest: Path | None = None) -> Path:
        raise NotImplementedError


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
