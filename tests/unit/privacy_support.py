"""A small real workspace with personal data in every place a purge must reach."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from assises_tui.domain.models import Attachment, Contribution, Excerpt, HistoryEntry, Note
from assises_tui.services.privacy import Privacy
from assises_tui.services.purge import Purge
from assises_tui.services.session import Services
from assises_tui.workspace import Workspace

PARIS = ZoneInfo("Europe/Paris")
NAME = "Jeanne Vernadaz"
EMAIL = "jeanne.vernadaz@exemple.fr"
PHONE = "06 12 34 56 78"
BODY_1 = (
    "Bonjour,\n\nJe souhaite plus de patrouilles à pied le soir à Moulins.\n"
    f"Vous pouvez me joindre au {PHONE} ou à {EMAIL}.\n\n"
    f"Cordialement,\n{NAME}\n12 rue des Lilas\n03000 Moulins\n"
)
BODY_2 = "Une application pour porter plainte en ligne serait utile. Paul Aubrac, 07 98 76 54 32"
SHARED_ATTACHMENT = b"%PDF-1.4 annexe commune"


def privacy_of(services: Services, pseudonymised: bool | None = None) -> Privacy:
    """A privacy service as a new session builds it (reading the saved settings)."""
    return Privacy(services.store, services.config, services.reviewer, pseudonymised)


def purge_of(services: Services) -> Purge:
    return Purge(services.store, services.config, services.reviewer, services.search)


def build(tmp_path: Path) -> tuple[Workspace, Services]:
    ws = Workspace.init(tmp_path / "ws")
    store = ws.store
    ids = store.allocate_ids(4)
    put = store.put_blob
    body1 = BODY_1
    start = body1.index("Vous pouvez")
    end = body1.index(EMAIL) + len(EMAIL) + 1
    excerpt = Excerpt(
        "e1",
        start,
        end,
        body1[start:end],
        "communication",
        "proposition",
        note=f"dit par {NAME}",
        author="agent",
        created_at="2020-01-05T10:00:00+01:00",
    )
    whole = Excerpt("e2", 0, len(body1), body1, "service", "citation")
    shared = put(SHARED_ATTACHMENT)
    items = [
        Contribution(
            id=ids[0],
            message_id="<a@exemple.fr>",
            received_at=datetime(2019, 11, 20, 10, 0, tzinfo=PARIS),
            date_uncertain=False,
            sender_name=NAME,
            sender_email=EMAIL,
            subject=f"Contribution de {NAME}",
            body_blob=put(body1.encode()),
            raw_blob=put(f"From: {EMAIL}\n\n{body1}".encode()),
            raw_sha256="a" * 64,
            attachments=(
                Attachment(
                    f"contribution {NAME}.pdf",
                    "application/pdf",
                    23,
                    shared,
                    put(f"Annexe rédigée par {NAME}, tél. {PHONE}".encode()),
                ),
            ),
            themes=("communication", "service"),
            excerpts=(excerpt, whole),
            notes=(Note("agent", "2020-01-05T10:00:00+01:00", f"Rappeler {NAME}"),),
            commune="Moulins",
            snippet=body1[:200],
            history=(
                HistoryEntry("import", "2020-01-04T09:00:00+01:00", "import", None, "test.mbox"),
                HistoryEntry(
                    "agent",
                    "2020-01-05T10:00:00+01:00",
                    "note",
                    {"notes": []},
                    {"notes": [{"author": "agent", "at": "x", "text": f"Rappeler {NAME}"}]},
                ),
            ),
        ),
        Contribution(
            id=ids[1],
            message_id="<b@exemple.fr>",
            received_at=datetime(2020, 1, 10, 9, 0, tzinfo=PARIS),
            date_uncertain=False,
            sender_name="Paul Aubrac",
            sender_email="paul.aubrac@exemple.fr",
            subject="Plainte en ligne",
            body_blob=put(BODY_2.encode()),
            raw_blob=put(f"From: paul\n\n{BODY_2}".encode()),
            # The same file as n° 1's attachment: a purge of n° 1 must not delete it.
            attachments=(Attachment("annexe.pdf", "application/pdf", 23, shared, None),),
            themes=("communication",),
        ),
        Contribution(
            id=ids[2],
            message_id="<c@exemple.fr>",
            received_at=None,
            date_uncertain=True,
            sender_name="Sans Date",
            sender_email="sans.date@exemple.fr",
            subject="?",
            body_blob=put(b"Texte sans date."),
            raw_blob=put(b"From: x\n\nTexte sans date."),
        ),
        Contribution(
            id=ids[3],
            message_id="<d@exemple.fr>",
            received_at=datetime(2019, 11, 25, 9, 0, tzinfo=PARIS),
            date_uncertain=False,
            sender_name="Luc Brassac",
            sender_email="luc.brassac@exemple.fr",
            subject="Vidéoprotection",
            body_blob=put(b"Des cameras pres de la gare."),
            raw_blob=put(b"From: luc\n\nDes cameras pres de la gare."),
        ),
    ]
    store.add_many(items)
    return ws, Services(ws)


def blob_files(ws: Workspace) -> set[str]:
    root = ws.root / "blobs"
    return {
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "tmp" not in p.parts
    }
