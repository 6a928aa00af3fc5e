"""A real workspace filled with a few contributions, for the synthesis tests."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from assises_tui.domain.models import Contribution, Excerpt, Status
from assises_tui.services.session import Services
from assises_tui.services.synthesis import SynthesisService
from assises_tui.workspace import Workspace

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2020, 2, 3)

BODIES = {
    1: "Bonjour, il faudrait une application pour porter plainte en ligne. "
    "Jean-Marc Dupontel, 12 rue des Lilas, 03100 Montluçon, 06 12 34 56 78.",
    2: "La brigade de Gannat ferme trop tôt le soir, il faut plus de patrouilles.",
    3: "Je propose des réunions de quartier avec les gendarmes chaque trimestre.\n\nPaul",
    4: "Réponse automatique : je suis absent du bureau.",
    5: "La brigade de Gannat ferme trop tôt le soir, il faut plus de patrouilles.",
    6: "Des voisins vigilants dans chaque commune rurale.",
}


def _excerpt(cid: int, body: str, phrase: str, theme: str, kind: str) -> Excerpt:
    start = body.index(phrase)
    return Excerpt(f"e{cid}-{start}", start, start + len(phrase), phrase, theme, kind)


def make_contributions(store) -> None:
    rows = [
        # id, day, name, email, category, commune, themes, status, late
        (
            1,
            datetime(2019, 11, 25, 10, 0, tzinfo=PARIS),
            "Jean-Marc Dupontel",
            "jm.dupontel@orange.fr",
            "citoyen",
            "Montluçon",
            ("communication",),
            Status.DONE,
            False,
        ),
        (
            2,
            datetime(2019, 12, 3, 9, 30, tzinfo=PARIS),
            "Sylvie Krawczyk",
            "s.k@free.fr",
            "elu",
            "Gannat",
            ("service",),
            Status.DONE,
            False,
        ),
        (
            3,
            datetime(2019, 12, 4, 18, 0, tzinfo=PARIS),
            "Paul Martin",
            "pm@gmail.com",
            "gendarmerie",
            "",
            ("lien", "service"),
            Status.IN_PROGRESS,
            False,
        ),
        (
            4,
            datetime(2019, 12, 5, 8, 0, tzinfo=PARIS),
            "Albert Nowak",
            "an@laposte.net",
            "",
            "",
            (),
            Status.NOT_CONTRIBUTION,
            False,
        ),
        (
            5,
            datetime(2019, 12, 10, 8, 0, tzinfo=PARIS),
            "Sylvie Krawczyk",
            "s.k@free.fr",
            "elu",
            "Gannat",
            ("service",),
            Status.DUPLICATE,
            False,
        ),
        (
            6,
            datetime(2020, 1, 20, 0, 30, tzinfo=PARIS),
            "Odile Vautrin",
            "ov@orange.fr",
            "association",
            "Vichy",
            ("participation",),
            Status.DONE,
            True,
        ),
    ]
    items = []
    for cid, at, name, email, cat, commune, themes, status, late in rows:
        body = BODIES[cid]
        excerpts: tuple[Excerpt, ...] = ()
        if cid == 1:
            excerpts = (
                _excerpt(
                    1,
                    body,
                    "une application pour porter plainte en ligne",
                    "communication",
                    "proposition",
                ),
            )
        elif cid == 2:
            excerpts = (
                _excerpt(
                    2, body, "La brigade de Gannat ferme trop tôt le soir", "service", "constat"
                ),
                _excerpt(2, body, "il faut plus de patrouilles", "service", "proposition"),
            )
        elif cid == 3:
            excerpts = (
                _excerpt(
                    3, body, "des réunions de quartier avec les gendarmes", "lien", "proposition"
                ),
                _excerpt(3, body, "chaque trimestre", "service", "constat"),
            )
        items.append(
            Contribution(
                id=cid,
                message_id=f"<m{cid}@test>",
                received_at=at,
                date_uncertain=False,
                sender_name=name,
                sender_email=email,
                subject=f"Contribution {cid}",
                body_blob=store.put_blob(body.encode("utf-8")),
                raw_blob=None,
                status=status,
                themes=themes,
                excerpts=excerpts,
                late=late,
                contributor_category=cat,
                commune=commune,
                duplicate_of=2 if cid == 5 else None,
            )
        )
    store.allocate_ids(len(items))
    store.add_many(items)


def make_services(tmp_path: Path) -> Services:
    ws = Workspace.init(tmp_path / "ws")
    make_contributions(ws.store)
    services = Services(ws)
    # A fixed "today" so documents and snapshots do not change with the date.
    services.__dict__["synthesis"] = SynthesisService(
        ws.store, ws.config, ws.reviewer, ws.synthesis_path, today=lambda: TODAY
    )
    return services


CLEAN_DRAFT = """# Synthèse — Assises territoriales de la sécurité intérieure

## Introduction

Les habitants ont écrit **nombreux** à la préfecture.

## Méthode

{{contributions}} contributions reçues, dont {{hors_delai}} hors délai.

## Communication et échanges

### Constats

- Les habitants veulent joindre les forces facilement [#1]

### Propositions

- Créer une plainte en ligne simple [#1]

> « une application pour porter plainte en ligne » [#1]

## Service rendu

### Constats

- Des horaires trop courts [#2, #3]

### Propositions

- Élargir les horaires d'ouverture [#2]
- Plus de patrouilles le soir [#2, #3]

## Conclusion

Merci.

## Annexe : chiffres

{{tableaux}}
"""
