"""Build the demo mailbox of the Allier consultation: ``data/demo/allier-demo.mbox``.

    python data/demo/build_demo.py [--output FILE]

Deterministic: fixed seed, fixed dates, explicit Message-IDs and MIME boundaries, pinned
document timestamps; two runs write byte-identical files. Contribution texts are real answers
to the Grand Débat National 2019 (Licence Ouverte 2.0, see README.md), read from
``corpus-extrait.jsonl`` beside this script; every sender is invented.

Besides the mbox, it writes ``<name>.expected.json``: for each Message-ID, the kinds of message
the generator meant (late, auto-reply, campaign…), so tests can check what the importer finds.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import demo_mime as mime  # noqa: E402
import demo_special as special  # noqa: E402
import demo_texts as texts  # noqa: E402
from demo_people import PeopleFactory, Person, signature  # noqa: E402

SEED = 20191120
MAILBOX, DEADLINE, PARIS = texts.MAILBOX, texts.DEADLINE, texts.PARIS
FIRST_DAY = datetime(2019, 11, 15, tzinfo=PARIS)
REGULAR_COUNT = 292
LATE_REGULAR = 14
ENCODING_WEIGHTS = {
    "utf8-qp": 40,
    "utf8-b64": 12,
    "utf8-8bit": 14,
    "latin1-qp": 9,
    "latin1-8bit": 6,
    "cp1252-as-latin1-qp": 4,
    "cp1252-as-latin1-8bit": 3,
    "cp1252-qp": 2,
}
# How the consultation address appears in To: (webmail address books, copy-paste, Bcc).
TO_FORMS = (
    (MAILBOX, 70),
    (f"Assises sécurité <{MAILBOX}>", 10),
    (f'"Préfecture de l\'Allier" <{MAILBOX}>', 8),
    (MAILBOX.upper(), 3),
    ("undisclosed-recipients:;", 3),
    (f"<{MAILBOX}>", 6),
)
CP1252_POSTSCRIPTS = (
    "P.-S. : une amende de 135 € n’a jamais découragé personne.",
    "P.-S. : j’ai à cœur que notre commune reste un endroit où l’on vit tranquille.",
    "P.-S. : on parle de « proximité » depuis vingt ans… Il est temps d’agir.",
)


@dataclass
class Entry:
    arrival: datetime
    envelope: str
    raw: bytes
    message_id: str
    kinds: list[str] = field(default_factory=list)
    category: str = ""


@dataclass
class Sent:
    """What a regular contribution was, so duplicates, replies and forwards can reuse it."""

    person: Person
    when: datetime
    subject: str
    body: str
    message_id: str
    encoding: str


class Builder:
    def __init__(self, corpus: list[str], seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.people = PeopleFactory(self.rng)
        self.corpus = corpus[:]
        self.rng.shuffle(self.corpus)
        self.cursor = 0
        self.serial = 0
        self.entries: list[Entry] = []
        self.sent: list[Sent] = []

    # -- small helpers ---------------------------------------------------------------------
    def next_text(self) -> str:
        text = self.corpus[self.cursor % len(self.corpus)]
        self.cursor += 1
        return text

    def message_id(self, domain: str, when: datetime) -> str:
        self.serial += 1
        token = f"{self.rng.getrandbits(48):012x}"
        return f"<{when.astimezone(UTC):%Y%m%d%H%M%S}.{self.serial:04d}.{token}@{domain}>"

    def boundary(self, message_id: str, n: int = 0) -> str:
        return f"----=_Part_{self.serial:04d}_{n}_{message_id[1:13].replace('.', '')}"

    def draw_date(self, late: bool = False) -> datetime:
        if late:
            day = DEADLINE + timedelta(
                days=self.rng.choices(range(12), [6, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1])[0]
            )
        else:
            span = (DEADLINE - FIRST_DAY).days
            weights = []
            for i in range(span):
                d = FIRST_DAY + timedelta(days=i)
                w = 1.0 + (2.0 if d.month == 11 and 19 <= d.day <= 28 else 0.0)
                w += 3.0 if (DEADLINE - d).days <= 7 else 0.0
                w *= (
                    0.35
                    if (d.month == 12 and d.day >= 23) or (d.month == 1 and d.day <= 1)
                    else 1.0
                )
                weights.append(w)
            day = FIRST_DAY + timedelta(days=self.rng.choices(range(span), weights)[0])
        hour = self.rng.choices(
            range(24), [1, 1, 0, 0, 0, 0, 1, 3, 5, 6, 6, 5, 4, 4, 5, 5, 5, 5, 6, 6, 6, 5, 4, 2]
        )[0]
        return day + timedelta(
            hours=hour, minutes=self.rng.randrange(60), seconds=self.rng.randrange(60)
        )

    def shown_date(self, when: datetime) -> str:
        """The Date header as the sender's client writes it (offset varies by client)."""
        roll = self.rng.random()
        if roll < 0.12:
            return mime.mail_date(when.astimezone(UTC))
        if roll < 0.15:
            return format_datetime(when.astimezone(UTC), usegmt=True)
        return mime.mail_date(when)

    def headers(
        self,
        person: Person,
        when: datetime,
        arrival: datetime,
        subject: str,
        message_id: str,
        to: str | None = None,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> list:
        if to is None:
            forms, weights = zip(*TO_FORMS, strict=True)
            to = self.rng.choices(forms, weights)[0]
        host = person.email.split("@")[1]
        ip = f"203.0.113.{self.rng.randint(1, 254)}"
        received = (
            f"from smtp.{host} (smtp.{host} [{ip}]) by mx1.allier.gouv.fr (Postfix) "
            f"with ESMTPS id {self.rng.getrandbits(40):010X} for <{MAILBOX}>; "
            f"{mime.mail_date(arrival.astimezone(PARIS))}"
        )
        rows = [
            ("Received", received),
            ("From", f"{person.name} <{person.email}>"),
            ("To", to),
            ("Subject", subject),
            ("Date", self.shown_date(when)),
            ("Message-ID", message_id),
        ]
        rows.extend(extra)
        agent = self.rng.choice(
            (
                None,
                None,
                "Mozilla Thunderbird",
                "Microsoft Outlook 16.0",
                "Orange Messagerie",
                "Roundcube Webmail/1.4.1",
            )
        )
        if agent:
            rows.append(("User-Agent" if "Outlook" not in agent else "X-Mailer", agent))
        return rows

    def add(
        self,
        raw: bytes,
        envelope: str,
        arrival: datetime,
        message_id: str,
        kinds: list[str],
        category: str = "",
        sent: datetime | None = None,
    ) -> None:
        # Late is judged on the date the sender wrote (what the app shows), else on arrival.
        if (sent or arrival) >= DEADLINE and "late" not in kinds:
            kinds = [*kinds, "late"]
        self.entries.append(Entry(arrival, envelope, raw, message_id, kinds, category))

    def compose(self, person: Person, paragraphs: list[str], role_intro: bool = True) -> str:
        blocks = [self.rng.choice(texts.GREETINGS)]
        if role_intro and person.category in texts.ROLE_INTROS:
            blocks.append(
                texts.ROLE_INTROS[person.category].format(
                    title_lower=person.title[:1].lower() + person.title[1:],
                    organisation=person.organisation,
                )
            )
        else:
            blocks.append(self.rng.choice(texts.INTROS).format(commune=person.commune))
        blocks += paragraphs
        blocks.append(self.rng.choice(texts.CLOSINGS))
        blocks.append(signature(person, self.rng))
        return "\n\n".join(b for b in blocks if b)

    # -- regular contributions -------------------------------------------------------------
    def regular(
        self,
        person: Person | None = None,
        when: datetime | None = None,
        date_override: str | None | bool = False,
        kinds: tuple[str, ...] = (),
        late: bool = False,
    ) -> Sent:
        person = person or self.people.any()
        when = when or self.draw_date(late=late)
        count = self.rng.choices((1, 2, 3, 4), (45, 35, 15, 5))[0]
        paragraphs = [self.next_text().strip() for _ in range(count)]
        body = self.compose(person, paragraphs)
        subject = texts.subject_for(body, person.commune, self.rng)
        style = self.rng.choices(("plain", "alternative", "html"), (82, 13, 5))[0]
        encoding = self.rng.choices(list(ENCODING_WEIGHTS), list(ENCODING_WEIGHTS.values()))[0]
        if encoding.startswith("cp1252"):
            body = body.replace("'", "’").replace("...", "…")
            if "€" not in body and "œ" not in body:
                body += "\n\n" + self.rng.choice(CP1252_POSTSCRIPTS)
        if not mime.fits(body, encoding):
            encoding = "utf8-qp"
        message_id = self.message_id(person.email.split("@")[1], when)
        part = self._body_part(body, style, encoding, message_id)
        all_kinds = ["contribution", *kinds, f"encoding:{encoding}"]
        if style != "plain":
            all_kinds.append("html-only" if style == "html" else "alternative")
        overrides = None
        if encoding.startswith(("latin1", "cp1252")) and not subject.isascii():
            # Older clients encode the subject in the body's charset, not in utf-8.
            overrides = {"Subject": mime.rfc2047(subject.translate(mime.LATIN1_SAFE), "iso-8859-1")}
        self.emit(
            person, when, subject, message_id, part, all_kinds, date_override, overrides=overrides
        )
        sent = Sent(person, when, subject, body, message_id, encoding)
        self.sent.append(sent)
        return sent

    def _body_part(self, body: str, style: str, encoding: str, message_id: str):
        if style == "plain":
            return mime.text_part(body, encoding)
        # The signature is already the last paragraph of the composed body.
        html = texts.html_body(
            body.split("\n\n"),
            self.rng,
            "",
            with_style=self.rng.random() < 0.7,
            with_script=style == "html" and self.rng.random() < 0.5,
        )
        html_part = mime.text_part(html, self.rng.choice(("utf8-qp", "utf8-b64")), "html")
        if style == "html":
            return html_part
        plain = mime.text_part(body, "utf8-qp")
        return mime.multipart("alternative", [plain, html_part], self.boundary(message_id))

    def emit(
        self,
        person: Person,
        when: datetime,
        subject: str,
        message_id: str,
        part,
        kinds: list[str],
        date_override: str | None | bool = False,
        extra: tuple[tuple[str, str], ...] = (),
        to: str | None = None,
        overrides: dict[str, str] | None = None,
    ) -> bytes:
        """Serialise one message and queue it; ``date_override`` False keeps the Date header,
        None drops it (only Received then dates the message), a string replaces it verbatim."""
        arrival = when + timedelta(seconds=self.rng.randint(2, 25))
        rows = self.headers(person, when, arrival, subject, message_id, to=to, extra=extra)
        raw = mime.serialize(mime.assemble(rows, part))
        if overrides:
            raw = mime.override_headers(raw, overrides)
        if date_override is not False:
            raw = mime.override_headers(raw, {"Date": date_override})
            if date_override is None:
                kinds = [*kinds, "no-date"]
        self.add(raw, person.email, arrival, message_id, kinds, person.category, sent=when)
        return raw

    # -- contributions in attachments ------------------------------------------------------
    def with_attachment(self, fmt: str, body_kind: str = "short") -> None:
        from demo_docs import build_docx, build_odt, build_pdf

        person = self.rng.choice(
            (self.people.association, self.people.elected, self.people.citizen, self.people.citizen)
        )()
        when = self.draw_date()
        paragraphs = [self.next_text().strip() for _ in range(self.rng.randint(3, 6))]
        sig = [
            person.name,
            person.title or person.street,
            f"{person.postcode} {person.commune}",
            f"Tél. {person.phone}",
        ]
        title = "Contribution aux Assises territoriales de la sécurité intérieure — Allier"
        doc_when = (when - timedelta(hours=self.rng.randint(1, 30))).replace(microsecond=0)
        builder = {"pdf": build_pdf, "docx": build_docx, "odt": build_odt}[fmt]
        data = builder(title, [*paragraphs, "\n".join(sig)], person.name, doc_when)
        ctype = {
            "pdf": "application/pdf",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "odt": "application/vnd.oasis.opendocument.text",
        }[fmt]
        filename = self.rng.choice(
            (
                f"contribution_assises.{fmt}",
                f"Contribution Assises sécurité - {person.last}.{fmt}",
                f"assises-securite-{person.commune.lower()}.{fmt}",
            )
        )
        if body_kind == "short":
            text = self.rng.choice(
                (
                    "Bonjour,\n\nVeuillez trouver ci-joint ma contribution.\n\nCordialement,\n{n}",
                    "Madame, Monsieur,\n\nVeuillez trouver ci-joint notre contribution aux Assises "
                    "territoriales de la sécurité intérieure.\n\nBien cordialement,\n{n}",
                    "Voir pièce jointe.\n{n}",
                    "Ci-joint ma contribution.\n\n{n}\n\nEnvoyé de mon iPad",
                )
            ).format(n=person.name)
        else:
            text = (
                self.compose(person, [self.next_text().strip()])
                + "\n\nVous trouverez le détail de nos propositions en pièce jointe."
            )
        message_id = self.message_id(person.email.split("@")[1], when)
        parts = [mime.bytes_part(data, ctype, filename)]
        if body_kind != "none":
            parts.insert(0, mime.text_part(text, self.rng.choice(("utf8-qp", "latin1-qp"))))
        part = mime.multipart("mixed", parts, self.boundary(message_id))
        subject = self.rng.choice(
            (
                "Contribution Assises sécurité (pièce jointe)",
                "Contribution aux Assises de la sécurité",
                "Contribution",
                f"Contribution de {person.organisation or person.commune}",
            )
        )
        self.emit(
            person,
            when,
            subject,
            message_id,
            part,
            ["contribution", f"attachment:{fmt}", f"attachment-body:{body_kind}"],
        )


def load_corpus(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return [
            json.loads(line)["text"].replace("\r\n", "\n").strip()
            for line in handle
            if line.strip()
        ]


def build(output: Path, corpus_path: Path = HERE / "corpus-extrait.jsonl") -> list[Entry]:
    builder = Builder(load_corpus(corpus_path))
    # A fixed number of late senders (~5 % of the mailbox with the edge cases around midnight).
    late = set(builder.rng.sample(range(REGULAR_COUNT), LATE_REGULAR))
    for n in range(REGULAR_COUNT):
        builder.regular(late=n in late)
    for fmt, body_kind in (
        ("pdf", "short"),
        ("pdf", "none"),
        ("pdf", "short"),
        ("pdf", "long"),
        ("docx", "short"),
        ("docx", "short"),
        ("docx", "none"),
        ("docx", "long"),
        ("odt", "short"),
        ("odt", "none"),
        ("odt", "short"),
    ):
        builder.with_attachment(fmt, body_kind)
    special.add_all(builder)
    entries = sorted(builder.entries, key=lambda e: (e.arrival.astimezone(UTC), e.message_id))
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "wb") as out:
        for entry in entries:
            out.write(mime.mbox_entry(entry.raw, entry.envelope, entry.arrival))
    expected = [
        {
            "message_id": e.message_id,
            "arrival": e.arrival.isoformat(),
            "category": e.category,
            "kinds": e.kinds,
        }
        for e in entries
    ]
    with open(output.with_suffix(".expected.json"), "w", encoding="utf-8", newline="\n") as out:
        json.dump(expected, out, ensure_ascii=False, indent=1)
        out.write("\n")
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Construit la boîte de démonstration (mbox).")
    parser.add_argument(
        "--output",
        type=Path,
        default=HERE / "allier-demo.mbox",
        help="fichier mbox à écrire (par défaut data/demo/allier-demo.mbox)",
    )
    args = parser.parse_args(argv)
    entries = build(args.output)
    size = args.output.stat().st_size
    print(f"{len(entries)} messages écrits dans {args.output} ({size / 1e6:.2f} Mo)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
