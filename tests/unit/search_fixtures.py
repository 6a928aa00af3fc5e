"""A small in-memory store and record builder for the search, stats and saved-search tests.

It implements only the Store methods those services use, so the tests do not depend on the
storage backend's details.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from assises_tui.config import bundled_config_dir, load_consultation
from assises_tui.domain.models import Attachment, Contribution, Note, Status
from assises_tui.services.session import Services

PARIS = ZoneInfo("Europe/Paris")


class FakeStore:
    def __init__(self, root: Path, read_only: bool = False) -> None:
        self.root = root
        self.read_only = read_only
        self.records: dict[int, Contribution] = {}
        self.blobs: dict[str, bytes] = {}
        self.docs: dict[str, dict[str, Any]] = {}
        self.quarantined: list[Any] = []
        self.generation = 0  # bumped on every change of records, like the real store

    def put_blob(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        self.blobs[key] = data
        return key

    def get_blob(self, sha256: str) -> bytes:
        return self.blobs[sha256]

    def has_blob(self, sha256: str) -> bool:
        return sha256 in self.blobs

    def add_many(self, items) -> None:
        for item in items:
            self.records[item.id] = item
        self._bump()

    def _bump(self) -> None:
        self.generation += 1

    def save(self, item: Contribution) -> None:
        self.add_many([item])

    def save_many(self, items) -> None:
        self.add_many(items)

    def ids(self) -> list[int]:
        return sorted(self.records)

    def get(self, cid: int) -> Contribution | None:
        return self.records.get(cid)

    def all(self) -> list[Contribution]:
        return [self.records[k] for k in sorted(self.records)]

    def count(self) -> int:
        return len(self.records)

    def get_doc(self, name: str) -> dict[str, Any]:
        return dict(self.docs.get(name, {}))

    def put_doc(self, name: str, value: dict[str, Any]) -> None:
        self.docs[name] = dict(value)

    def quarantine(self) -> list[Any]:
        return list(self.quarantined)


def config():
    return load_consultation(bundled_config_dir() / "consultation.toml")


class PlainStore(FakeStore):
    """A store with neither ``generation`` nor ``ids`` (only the Store protocol)."""

    def __getattribute__(self, name: str) -> Any:
        if name in ("generation", "ids"):
            raise AttributeError(name)
        return super().__getattribute__(name)

    def _bump(self) -> None:
        pass


def make_services(
    root: Path, reviewer: str = "marie", read_only: bool = False, plain: bool = False
) -> Services:
    store = (PlainStore if plain else FakeStore)(root, read_only)
    ws = SimpleNamespace(store=store, config=config(), reviewer=reviewer, read_only=read_only)
    return Services(ws)  # type: ignore[arg-type]


def record(
    store: FakeStore,
    cid: int,
    body: str = "",
    *,
    attachments: dict[str, str] | None = None,
    **fields: Any,
) -> Contribution:
    """A contribution whose body (and attachment texts) are put in the store's blobs."""
    atts = tuple(
        Attachment(
            name,
            "application/pdf",
            len(text),
            store.put_blob(b"%PDF"),
            store.put_blob(text.encode()),
        )
        for name, text in (attachments or {}).items()
    )
    base = Contribution(
        id=cid,
        message_id=f"<m{cid}@example.org>",
        received_at=datetime(2019, 12, 1, 10, 0, tzinfo=PARIS),
        date_uncertain=False,
        sender_name=f"Personne {cid}",
        sender_email=f"p{cid}@example.org",
        subject=f"Contribution {cid}",
        body_blob=store.put_blob(body.encode()) if body else None,
        raw_blob=None,
        attachments=atts,
    )
    return replace(base, **fields)


def sample(services: Services) -> dict[int, Contribution]:
    """Six contributions covering every search field."""
    s = services.store
    items = [
        record(
            s,
            1,
            "La sécurité du quartier passe par la police de proximité.",
            sender_name="Jean Dupont",
            sender_email="jean.dupont@orange.fr",
            subject="Sécurité à Moulins",
            themes=("lien",),
            contributor_category="citoyen",
        ),
        record(
            s,
            2,
            "Je propose la plainte en ligne pour les petits vols.",
            subject="Plainte en ligne",
            themes=("communication", "service/accueil"),
            status=Status.DONE,
            assignee="marie",
            contributor_category="elu",
            cluster=3,
        ),
        record(
            s,
            3,
            "Vol de vélo: la gendarmerie est trop loin, le délai est long.",
            subject="Réponse tardive",
            status=Status.IN_PROGRESS,
            late=True,
            assignee="paul",
            cluster=3,
            notes=(Note("marie", "2020-01-02", "à revoir"),),
        ),
        record(
            s,
            4,
            "Merci de votre message. Je suis absent.",
            subject="Réponse automatique",
            status=Status.NOT_CONTRIBUTION,
            sender_name="Écoles d'Yzeure",
        ),
        record(
            s,
            5,
            "Voir la pièce jointe.",
            subject="Contribution de l'association",
            attachments={"note.pdf": "Les voisins vigilants et la participation citoyenne."},
            themes=("participation",),
            contributor_category="association",
        ),
        record(
            s,
            6,
            "En ligne, la plainte est facile. Cœur de ville sécurisé.",
            subject="Idées",
            status=Status.DUPLICATE,
            duplicate_of=2,
        ),
    ]
    s.add_many(items)
    return {c.id: c for c in items}
