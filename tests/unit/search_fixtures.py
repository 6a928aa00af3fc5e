"""Services over the shared in-memory store, and a record builder, for the search, stats
and saved-search tests (so they do not depend on a storage backend's details)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from fakes.memory_store import MemoryStore, MemoryVolume

from assises_tui.config import bundled_config_dir, load_consultation
from assises_tui.domain.models import Attachment, Contribution, Note, Status
from assises_tui.search import SearchIndex
from assises_tui.services.session import Services

PARIS = ZoneInfo("Europe/Paris")


def config():
    return load_consultation(bundled_config_dir() / "consultation.toml")


def make_services(
    root: Path,
    reviewer: str = "marie",
    read_only: bool = False,
    volume: MemoryVolume | None = None,
) -> Services:
    """Services over a new in-memory store (or a view of ``volume``, another one's data)."""
    store = MemoryStore(root, read_only, volume=volume)
    ws = SimpleNamespace(store=store, config=config(), reviewer=reviewer, read_only=read_only)
    return Services(ws)  # type: ignore[arg-type]


def new_index(services: Services) -> SearchIndex:
    """A search index as a new session builds it (reading the saved index file)."""
    return SearchIndex(services.store, services.config, services.reviewer)


def record(
    store: MemoryStore,
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
