"""Fixtures for the Pilot and snapshot tests: a real workspace filled with fixed records."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures import hostile  # noqa: E402

from assises_tui.domain.models import Attachment, Contribution, Note, Status  # noqa: E402
from assises_tui.services.session import Services  # noqa: E402
from assises_tui.workspace import Workspace  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")

QUOTED_BODY = """Bonjour,

Je souhaite davantage de patrouilles à pied dans le centre de Moulins le soir.
Les habitants ne connaissent plus les gendarmes de leur brigade.

Cordialement,
-- 
Jeanne Martin
06 00 00 00 00

Le 12/01/2020 à 10:00, Préfecture de l'Allier a écrit :
> Madame, Monsieur,
> La préfecture lance les Assises territoriales de la sécurité intérieure.
> Vos contributions sont attendues avant le 20 janvier.
"""

BODIES = [
    (
        "Marie Dupont",
        "marie.dupont@exemple.fr",
        "Sécurité routière à Vichy",
        "Les contrôles de vitesse devant l'école sont trop rares.\nMerci de votre écoute.",
    ),
    ("Jeanne Martin", "jeanne.martin@exemple.fr", "Patrouilles à pied", QUOTED_BODY),
    (
        "Paul Bernard",
        "paul.bernard@exemple.fr",
        "Application de plainte en ligne",
        "Une application pour signaler les incivilités serait utile.",
    ),
    (
        "Mairie de Cusset",
        "mairie@cusset.exemple.fr",
        "Participation citoyenne",
        "Le dispositif voisins vigilants fonctionne bien dans notre commune.",
    ),
    (
        "Luc Petit",
        "luc.petit@exemple.fr",
        "Accueil au commissariat",
        "L'accueil du commissariat de Montluçon est fermé le samedi.",
    ),
    (
        "Robot",
        "mailer-daemon@exemple.fr",
        "Réponse automatique : absent",
        "Je suis absent jusqu'au 15 janvier.",
    ),
    (
        "Sophie Leroy",
        "sophie.leroy@exemple.fr",
        "Caméras de vidéoprotection",
        "Il faudrait des caméras près de la gare de Moulins.",
    ),
    (
        "Marc Roux",
        "marc.roux@exemple.fr",
        "Lien avec les jeunes",
        "Des rencontres entre policiers et collégiens créeraient de la confiance.",
    ),
    (
        "Claire Fournier",
        "claire.fournier@exemple.fr",
        "Patrouilles à pied (bis)",
        "Je souhaite davantage de patrouilles à pied dans le centre de Moulins le soir.",
    ),
    (
        "Henri Girard",
        "henri.girard@exemple.fr",
        "Contribution tardive",
        "Désolé pour le retard : plus de présence en zone rurale.",
    ),
]


def _record(cid, name, email, subject, body_sha, raw_sha, when, **extra) -> Contribution:
    return Contribution(
        id=cid,
        message_id=f"<{cid}@test.exemple.fr>",
        received_at=when,
        date_uncertain=False,
        sender_name=name,
        sender_email=email,
        subject=subject,
        body_blob=body_sha,
        raw_blob=raw_sha,
        source="test.mbox",
        **extra,
    )


def fill(ws: Workspace, *, with_hostile: bool = True) -> list[int]:
    """Fixed records (dates, statuses, themes) so screens and snapshots never vary."""
    store = ws.store
    items = []
    ids = store.allocate_ids(len(BODIES) + (1 if with_hostile else 0))
    extras = {
        0: {"themes": ("service",)},
        1: {"status": Status.IN_PROGRESS, "themes": ("service", "lien")},
        2: {"themes": ("communication",)},
        3: {"status": Status.DONE, "themes": ("participation",)},
        5: {"status": Status.NOT_CONTRIBUTION, "status_reason": "réponse automatique"},
        8: {"status": Status.DUPLICATE, "duplicate_of": 2, "cluster": 1},
        9: {"late": True, "notes": (Note("relecteur", "2020-01-22T10:00:00+01:00", "À voir"),)},
    }
    for n, (name, email, subject, body) in enumerate(BODIES):
        cid = ids[n]
        when = datetime(2020, 1, 6 + n, 9 + n, 2 * n, tzinfo=PARIS)
        raw = (f"From: {name} <{email}>\nSubject: {subject}\n\n{body}").encode()
        extra = dict(extras.get(n, {}))
        if "duplicate_of" in extra:
            extra["duplicate_of"] = ids[extra["duplicate_of"]]
        if n == 6:
            text = "Rapport joint : trois caméras suffiraient."
            extra["attachments"] = (
                Attachment(
                    "rapport.pdf",
                    "application/pdf",
                    2048,
                    store.put_blob(b"%PDF-1.4 fake"),
                    store.put_blob(text.encode()),
                ),
                Attachment(
                    "photo.exe",
                    "application/octet-stream",
                    10,
                    store.put_blob(b"MZ"),
                    None,
                    "Type de fichier non lu (programme).",
                ),
            )
        if n == 9:
            when = datetime(2020, 1, 21, 8, 30, tzinfo=PARIS)
        items.append(
            _record(
                cid,
                name,
                email,
                subject,
                store.put_blob(body.encode()),
                store.put_blob(raw),
                when,
                **extra,
            )
        )
    if with_hostile:
        cid = ids[-1]
        body = hostile.HOSTILE_BODY
        raw = f"From: x\nSubject: {hostile.HOSTILE_SUBJECT}\n\n{body}".encode()
        items.append(
            _record(
                cid,
                hostile.HOSTILE_SENDER,
                "evil\x1b[31m@exemple.fr",
                hostile.HOSTILE_SUBJECT + " " + hostile.LONG_SUBJECT,
                store.put_blob(body.encode()),
                store.put_blob(raw),
                datetime(2020, 1, 19, 23, 59, tzinfo=PARIS),
                attachments=(
                    Attachment(
                        hostile.MARKUP_CLICK + ".pdf",
                        "application/pdf",
                        12,
                        store.put_blob(b"x"),
                        store.put_blob((hostile.HOSTILE_SUBJECT + "\nfin").encode()),
                    ),
                ),
            )
        )
    store.add_many(items)
    return ids


@pytest.fixture
def workspace(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    fill(ws)
    yield ws
    ws.close()


@pytest.fixture
def services(workspace) -> Services:
    return Services(workspace)


@pytest.fixture
def make_app(services):
    from assises_tui.app import AssisesApp

    def make():
        return AssisesApp(services)

    return make


def screen_text(app) -> str:
    """The visible screen as plain text (from Textual's own SVG export), row by row."""
    import html
    import re

    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    pattern = r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>'
    for m in re.finditer(pattern, svg):
        text = html.unescape(m.group(3)).replace("\xa0", " ")
        rows.setdefault(float(m.group(2)), []).append((float(m.group(1)), text))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):
            line = line.ljust(int(round(x / 12.2))) + text
        lines.append(line)
    return "\n".join(lines)


def raw_svg(app) -> str:
    return app.export_screenshot()
