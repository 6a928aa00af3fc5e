"""Synthetic contributions for benchmarks: ``fill_store(store, n, seed=0)``.

Deterministic for a given seed. Each contribution has a raw e-mail, a body (1-3 KB of
French-looking text about the consultation's themes) and, one time in three, a small
attachment with its extracted text, all in blobs, so file sizes and open times are close
to a real import. No real person's data: names and addresses are drawn from short lists.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from assises_tui.domain.models import Attachment, Contribution, HistoryEntry, Status
from assises_tui.text.fold import fold

FIRST = ["Marie", "Jean", "Nathalie", "Pierre", "Sophie", "Michel", "Isabelle", "Alain", "Claire"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy"]
TOWNS = ["Moulins", "Vichy", "Montluçon", "Cusset", "Yzeure", "Commentry", "Gannat", "Lapalisse"]
WORDS = (
    "sécurité gendarmerie police commissariat brigade patrouille proximité confiance quartier "
    "cambriolage incivilité voisins vigilants signalement plainte délai intervention accueil "
    "téléphone application numérique caméra vidéoprotection maire élus jeunes école réunion "
    "respect dialogue présence effectifs nuit route vitesse stupéfiants rural village commune "
    "habitants tranquillité prévention association bénévole réserve citoyenne échange rencontre"
).split()
LINKS = "le la les un une des du de et à pour avec dans sur par plus moins très aussi mais".split()
THEMES = ["communication", "service", "lien", "participation"]
STATUSES = [Status.NEW] * 5 + [Status.IN_PROGRESS, Status.DONE, Status.DONE, Status.OFF_TOPIC]
TZ = ZoneInfo("Europe/Paris")
START = datetime(2019, 11, 4, 8, 0, tzinfo=TZ)
IMPORTED = datetime(2020, 2, 3, 9, 0, tzinfo=TZ)  # the import, after the deadline
SOURCE = "synthetique.mbox"


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS if i % 2 == 0 else LINKS) for i in range(rng.randint(8, 18))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _body(rng: random.Random) -> str:
    paragraphs = []
    size = rng.randint(1000, 3000)
    while sum(len(p) for p in paragraphs) < size:
        paragraphs.append(" ".join(_sentence(rng) for _ in range(rng.randint(2, 5))))
    return "Bonjour,\n\n" + "\n\n".join(paragraphs) + "\n\nCordialement."


def make_contribution(
    cid: int, rng: random.Random, imported_at: str = ""
) -> tuple[Contribution, list[bytes], list[tuple[str, bytes, bytes]]]:
    """One record plus the bytes its blobs must hold: (record, [raw, body], attachments).

    ``imported_at``: the time of its import batch, which the importer writes in the
    record's first history entry (with the source file's name) for the whole batch.
    """
    first, last = rng.choice(FIRST), rng.choice(LAST)
    town = rng.choice(TOWNS)
    received = START + timedelta(minutes=rng.randint(0, 80 * 24 * 60))
    subject = f"Assises de la sécurité — contribution de {first} {last} ({town})"
    body = _body(rng)
    message_id = f"<{cid}.{rng.getrandbits(48):012x}@exemple.fr>"
    email = f"{first.lower()}.{last.lower()}{cid}@exemple.fr"
    raw = (
        f"Message-ID: {message_id}\nFrom: {first} {last} <{email}>\n"
        f"Subject: {subject}\nDate: {received.isoformat()}\n\n{body}\n"
    ).encode()
    attachments = []
    if rng.random() < 1 / 3:
        text = _body(rng)
        attachments.append(
            (f"contribution-{cid}.pdf", b"%PDF-1.4\n" + text.encode(), text.encode())
        )
    status = rng.choice(STATUSES)
    themes = tuple(sorted(rng.sample(THEMES, rng.randint(0, 2)))) if status != Status.NEW else ()
    item = Contribution(
        id=cid,
        message_id=message_id,
        received_at=received,
        date_uncertain=False,
        sender_name=f"{first} {last}",
        sender_email=email,
        subject=subject,
        body_blob=None,
        raw_blob=None,
        status=status,
        themes=themes,
        late=received > datetime(2020, 1, 20, tzinfo=TZ),
        commune=town,
        contributor_category=rng.choice(["citoyen", "citoyen", "elu", "association"]),
        source=SOURCE,
        snippet=fold(" ".join(body.split()))[:160],
        history=(
            HistoryEntry("import", imported_at or IMPORTED.isoformat(), "import", None, SOURCE),
        ),
    )
    return item, [raw, body.encode()], attachments


def fill_store(store, n: int, seed: int = 0, *, batch: int = 5000) -> list[int]:
    """Add ``n`` generated contributions (blobs included) to ``store``; returns their ids."""
    rng = random.Random(seed)
    ids = store.allocate_ids(n)
    put_many = getattr(store, "put_blobs", None) or (lambda ds: [store.put_blob(d) for d in ds])
    for start in range(0, n, batch):
        chunk: Sequence[int] = ids[start : start + batch]
        # One import time per batch, a few seconds apart, as the importer writes them.
        at = (IMPORTED + timedelta(seconds=start // 100)).isoformat()
        made = [make_contribution(cid, rng, at) for cid in chunk]
        blobs: list[bytes] = []
        for _item, pair, atts in made:
            blobs.extend(pair)
            for _name, data, text in atts:
                blobs.extend((data, text))
        digests = iter(put_many(blobs))
        items = []
        for item, _pair, atts in made:
            raw_sha, body_sha = next(digests), next(digests)
            attachments = tuple(
                Attachment(name, "application/pdf", len(data), next(digests), next(digests))
                for name, data, _text in atts
            )
            items.append(
                replace(
                    item,
                    raw_blob=raw_sha,
                    raw_sha256=raw_sha,
                    body_blob=body_sha,
                    attachments=attachments,
                )
            )
        store.add_many(items)
    return ids
