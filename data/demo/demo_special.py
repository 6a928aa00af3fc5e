"""The unusual messages of the demo mailbox: edge dates, campaign, duplicates, forwards,
acknowledgements, auto-replies, bounces, off-topic mail and one hostile message.

Each function takes the ``Builder`` of build_demo.py and queues its messages there.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import demo_mime as mime
import demo_texts as texts
from demo_people import FIRST_NAMES_F, Person

MAILBOX, PARIS = texts.MAILBOX, texts.PARIS
PREFECTURE = Person(
    "Préfecture",
    "de l'Allier",
    MAILBOX,
    "autre",
    "Moulins",
    "03000",
    "2 rue Michel de l'Hospital",
    "",
)
ACK_SUBJECT = "Accusé de réception de votre contribution"
CAMPAIGN_VILLAGES = (
    "Le Donjon",
    "Neuilly-en-Donjon",
    "Montcombroux-les-Mines",
    "Lenax",
    "Le Pin",
    "Loddes",
    "Montaiguet-en-Forez",
    "Avrilly",
    "Luneau",
    "Saint-Didier-en-Donjon",
    "Monétay-sur-Loire",
    "Liernolles",
    "Le Bouchaud",
)


def deadline_edges(b) -> None:
    """Around midnight of 20 January, in Paris time and in UTC (deadline: 00:00 Paris)."""
    edges = (
        (datetime(2020, 1, 19, 23, 58, 12, tzinfo=PARIS), "on-time-edge"),
        (datetime(2020, 1, 19, 22, 59, 10, tzinfo=UTC), "on-time-edge"),  # 23:59:10 Paris
        (datetime(2020, 1, 19, 23, 30, 0, tzinfo=UTC), "late-edge"),  # 00:30 Paris, the 20th
        (datetime(2020, 1, 20, 0, 4, 51, tzinfo=PARIS), "late-edge"),
        (datetime(2020, 1, 19, 18, 30, 0, tzinfo=timezone(timedelta(hours=-5))), "late-edge"),
        (datetime(2020, 1, 19, 23, 59, 30, tzinfo=PARIS), "on-time-edge"),
    )
    for when, kind in edges:
        b.regular(when=when, date_override=mime.mail_date(when), kinds=(kind,))


def odd_dates(b) -> None:
    odd = (
        (datetime(2020, 1, 13, 14, 2, 11, tzinfo=PARIS), "lun., 13 janv. 2020 14:02:11 +0100"),
        (datetime(2019, 12, 10, 9, 12, 44, tzinfo=PARIS), "mar. 10 déc. 2019 09:12:44 +0100"),
        (datetime(2019, 11, 29, 21, 15, 3, tzinfo=PARIS), "ven., 29 nov. 2019 21:15:03 +0100"),
        (datetime(2019, 12, 1, 10, 0, 0, tzinfo=PARIS), "Sun, 1 Dec 19 10:00:00 +0100"),
        (datetime(2019, 12, 16, 11, 20, 0, tzinfo=PARIS), "Mon, 16 Dec 2019 11:20:00"),
        (datetime(2020, 1, 8, 17, 45, 0, tzinfo=PARIS), "Wed, 08 Jan 2020 17:45:00 CET"),
    )
    for when, header in odd:
        b.regular(when=when, date_override=header, kinds=("odd-date",))
    for when in (
        datetime(2019, 12, 12, 15, 40, 0, tzinfo=PARIS),
        datetime(2020, 1, 3, 8, 5, 0, tzinfo=PARIS),
    ):
        b.regular(when=when, date_override=None)


def campaign(b) -> None:
    """The same petition-like text, lightly varied, from one village cluster."""
    start = datetime(2020, 1, 6, 8, 0, tzinfo=PARIS)
    for i, village in enumerate(CAMPAIGN_VILLAGES):
        person = replace(b.people.citizen(), commune=village, postcode="03130")
        paragraphs = list(texts.CAMPAIGN_PARAGRAPHS)
        if b.rng.random() < 0.25:
            del paragraphs[2]
        text = "\n\n".join(paragraphs)
        for old, new in texts.CAMPAIGN_VARIANTS:
            if b.rng.random() < 0.4:
                text = text.replace(old, new)
        if b.rng.random() < 0.4:
            text += (
                f"\n\nJ'habite {village} et j'ai {b.rng.randint(34, 88)} ans : sans la "
                "brigade, qui viendra quand nous appellerons ?"
            )
        greeting = b.rng.choice(("Monsieur le Préfet,", "Bonjour,", "Madame, Monsieur,"))
        closing = b.rng.choice(("Cordialement,", "Respectueusement,", "Salutations."))
        body = f"{greeting}\n\n{text}\n\n{closing}\n{person.name}\n{village}"
        when = start + timedelta(hours=i * 17 + b.rng.randint(0, 9), minutes=b.rng.randrange(60))
        message_id = b.message_id(person.email.split("@")[1], when)
        encoding = b.rng.choice(("utf8-qp", "utf8-8bit", "latin1-qp", "utf8-b64"))
        b.emit(
            person,
            when,
            b.rng.choice(texts.CAMPAIGN_SUBJECTS),
            message_id,
            mime.text_part(body, encoding),
            ["contribution", "campaign"],
        )


def duplicates(b) -> None:
    """Re-sent contributions (new Message-ID) and one message delivered twice (same bytes)."""
    early = [
        s
        for s in b.sent
        if s.person.category == "citoyen"
        and s.when < datetime(2020, 1, 8, tzinfo=PARIS)
        and not s.encoding.startswith("cp")
    ]
    for n, original in enumerate(b.rng.sample(early, 5)):
        when = original.when + timedelta(days=b.rng.randint(2, 9), hours=b.rng.randint(0, 8))
        body, subject = original.body, original.subject or "Contribution"
        if n >= 3:
            body = (
                "Je vous renvoie ma contribution, je ne suis pas certain que mon premier envoi "
                "soit bien arrivé.\n\n" + body
            )
            subject = f"TR: {subject}" if n == 3 else f"{subject} (renvoi)"
        message_id = b.message_id(original.person.email.split("@")[1], when)
        b.emit(
            original.person,
            when,
            subject,
            message_id,
            mime.text_part(body, original.encoding),
            ["contribution", "resent", f"duplicate-of:{original.message_id}"],
        )
    source = next(
        e
        for e in b.entries
        if e.kinds[:1] == ["contribution"] and e.arrival < datetime(2019, 12, 20, tzinfo=PARIS)
    )
    b.add(
        source.raw,
        source.envelope,
        source.arrival + timedelta(minutes=3),
        source.message_id,
        ["contribution", "exact-duplicate"],
        source.category,
    )


def acknowledgements(b) -> None:
    """Mail sent from the consultation mailbox itself, and replies that add content."""
    picks = b.rng.sample([s for s in b.sent if s.when < datetime(2020, 1, 5, tzinfo=PARIS)], 5)
    for n, original in enumerate(picks):
        when = original.when + timedelta(days=1, hours=b.rng.randint(1, 6))
        ack_id = b.message_id("allier.gouv.fr", when)
        extra = (("In-Reply-To", original.message_id), ("References", original.message_id))
        to = f"{original.person.name} <{original.person.email}>"
        if n < 1:
            b.emit(
                PREFECTURE,
                when,
                ACK_SUBJECT,
                ack_id,
                mime.text_part(texts.ACK_TEXT),
                ["own-mail"],
                extra=extra,
                to=to,
            )
        later = when + timedelta(days=b.rng.randint(1, 4), hours=3)
        quoted = "\n".join(f"> {line}" if line else ">" for line in texts.ACK_TEXT.split("\n"))
        body = (
            f"Bonjour,\n\nMerci pour votre réponse. Je me permets d'ajouter un point :\n\n"
            f"{b.next_text()}\n\nCordialement,\n{original.person.name}\n\n"
            f"Le {when:%d/%m/%Y à %H:%M}, Préfecture de l'Allier a écrit :\n{quoted}"
        )
        if n >= 2:
            reply_id = b.message_id(original.person.email.split("@")[1], later)
            b.emit(
                original.person,
                later,
                f"RE: {ACK_SUBJECT}",
                reply_id,
                mime.text_part(body, "utf8-qp"),
                ["contribution", "reply"],
                extra=(("In-Reply-To", ack_id), ("References", f"{original.message_id} {ack_id}")),
            )
    when = datetime(2020, 1, 9, 10, 30, tzinfo=PARIS)
    b.emit(
        PREFECTURE,
        when,
        "Rappel : Assises territoriales de la sécurité intérieure",
        b.message_id("allier.gouv.fr", when),
        mime.text_part(texts.REMINDER_TEXT),
        ["own-mail"],
    )


def forwards(b) -> None:
    for n in range(2):
        mayor, citizen = b.people.elected(), b.people.citizen()
        inner_when = b.draw_date() - timedelta(days=2)
        inner_id = b.message_id(citizen.email.split("@")[1], inner_when)
        inner_subject = b.rng.choice(("Assises de la sécurité", "sécurité dans la commune"))
        inner_body = b.compose(citizen, [b.next_text(), b.next_text()], role_intro=False)
        inner = mime.assemble(
            [
                ("From", f"{citizen.name} <{citizen.email}>"),
                ("To", f"{mayor.name} <{mayor.email}>"),
                ("Subject", inner_subject),
                ("Date", mime.mail_date(inner_when)),
                ("Message-ID", inner_id),
            ],
            mime.text_part(inner_body, "utf8-qp"),
        )
        when = inner_when + timedelta(days=2, hours=1)
        who = "d'une administrée" if citizen.first in FIRST_NAMES_F else "d'un administré"
        text = (
            f"Bonjour,\n\nJe vous transmets le message {who} de notre commune, qui "
            "souhaitait participer aux Assises et ne connaissait pas l'adresse de la "
            "préfecture.\n\nBien cordialement,\n" + mayor.name + "\n" + mayor.title
        )
        message_id = b.message_id(mayor.email.split("@")[1], when)
        part = mime.multipart(
            "mixed",
            [mime.text_part(text, "utf8-qp"), mime.message_part(inner)],
            b.boundary(message_id, n),
        )
        b.emit(
            mayor,
            when,
            f"{'Tr' if n else 'TR'} : {inner_subject}",
            message_id,
            part,
            ["contribution", "forward-rfc822", f"forwarded:{inner_id}"],
        )
    sender, author = b.people.citizen(), b.people.citizen()
    when = datetime(2019, 12, 15, 19, 2, tzinfo=PARIS)
    neighbour = "ma voisine" if author.first in FIRST_NAMES_F else "mon voisin"
    body = (
        f"Bonsoir, je transfère le message de {neighbour} qui n'a pas d'adresse mail.\n\n"
        f"---------- Message transféré ---------\nDe : {author.name} <{author.email}>\n"
        f"Date: sam. 14 déc. 2019 à 18:22\nSubject: sécurité\nTo: <{sender.email}>\n\n"
        f"{b.next_text()}\n\n{author.name}\n{author.street}\n{author.postcode} "
        f"{author.commune}\n"
    )
    b.emit(
        sender,
        when,
        "Fwd: sécurité",
        b.message_id("gmail.com", when),
        mime.text_part(body, "utf8-b64"),
        ["contribution", "forward-inline"],
    )


def auto_replies(b) -> None:
    whens = (
        datetime(2019, 12, 23, 9, 1, tzinfo=PARIS),
        datetime(2019, 12, 24, 11, 3, tzinfo=PARIS),
        datetime(2019, 11, 26, 15, 44, tzinfo=PARIS),
        datetime(2019, 12, 27, 8, 30, tzinfo=PARIS),
        datetime(2019, 12, 30, 14, 12, tzinfo=PARIS),
        datetime(2020, 1, 9, 10, 31, tzinfo=PARIS),
    )
    for n, ((subject, template), when) in enumerate(zip(texts.AUTO_REPLIES, whens, strict=True)):
        person = b.people.elected() if n % 2 else b.people.citizen()
        back = (when + timedelta(days=b.rng.randint(5, 12))).strftime("%d/%m/%Y")
        body = template.format(back=back, name=person.name, phone=person.phone)
        extra = [("Auto-Submitted", "auto-replied")] if n != 4 else [("X-Autoreply", "yes")]
        if n in (0, 3):
            extra += [("X-Auto-Response-Suppress", "All"), ("Precedence", "auto_reply")]
        b.emit(
            person,
            when,
            subject,
            b.message_id(person.email.split("@")[1], when),
            mime.text_part(body, "utf8-qp" if n != 3 else "utf8-8bit"),
            ["auto-reply"],
            extra=tuple(extra),
        )


_BOUNCE = """\
Received: by mx1.allier.gouv.fr (Postfix) id {qid}; {date}
Date: {date}
From: {sender}
Subject: {subject}
To: {mailbox}
Auto-Submitted: auto-replied
Message-ID: {message_id}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{explanation}

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx1.allier.gouv.fr
Arrival-Date: {date}

Final-Recipient: rfc822; {rcpt}
Original-Recipient: rfc822;{rcpt}
Action: failed
Status: 5.1.1
Remote-MTA: dns; {remote}
Diagnostic-Code: smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown

--{boundary}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: =?utf-8?q?Pr=C3=A9fecture_de_l=27Allier?= <{mailbox}>
To: {rcpt}
Subject: =?utf-8?q?Accus=C3=A9_de_r=C3=A9ception_de_votre_contribution?=
Date: {orig_date}
Message-ID: {orig_id}

--{boundary}--
"""


def bounces(b) -> None:
    cases = (
        (
            "MAILER-DAEMON@mx1.allier.gouv.fr (Mail Delivery System)",
            "Undelivered Mail Returned to Sender",
            "jean-pierre.bardet@ornage.fr",
            "ornage.fr",
            "This is the mail system at host mx1.allier.gouv.fr.\n\nI'm sorry to have to inform "
            "you that your message could not\nbe delivered to one or more recipients.\n\n"
            "<jean-pierre.bardet@ornage.fr>: Host or domain name not found.",
        ),
        (
            "Postmaster <MAILER-DAEMON@mx1.allier.gouv.fr>",
            "Non remis : " + ACK_SUBJECT,
            "m.thevenet03@laposte.net",
            "smtp-in.laposte.net",
            "Votre message n'a pas pu être remis à m.thevenet03@laposte.net.\n\nLe serveur "
            "distant a répondu : 550 5.1.1 adresse inconnue.\nVérifiez l'orthographe de l'adresse "
            "et renvoyez le message.",
        ),
    )
    whens = (
        datetime(2019, 12, 3, 10, 12, tzinfo=PARIS),
        datetime(2020, 1, 8, 16, 40, tzinfo=PARIS),
    )
    for n, (sender, subject, rcpt, remote, explanation) in enumerate(cases):
        when = whens[n]
        message_id = f"<{when:%Y%m%d%H%M%S}.B{n}@mx1.allier.gouv.fr>"
        raw = _BOUNCE.format(
            qid=f"4{n}7FA2C0D{n}",
            date=mime.mail_date(when),
            sender=sender,
            subject=subject,
            mailbox=MAILBOX,
            message_id=message_id,
            boundary=f"{n}7FA2C0D.1575364332/mx1",
            explanation=explanation,
            rcpt=rcpt,
            remote=remote,
            orig_date=mime.mail_date(when - timedelta(minutes=1)),
            orig_id=f"<{when:%Y%m%d}.ack{n}@allier.gouv.fr>",
        ).encode("utf-8")
        b.add(raw, "MAILER-DAEMON", when, message_id, ["bounce"], "autre")


def hostile(b) -> None:
    """ONE message full of terminal and markup tricks: it must show as inert text."""
    person = replace(
        b.people.citizen(), first="Kévin", last="Farceur", email="kevin.farceur@gmail.com"
    )
    when = datetime(2020, 1, 11, 23, 17, 5, tzinfo=PARIS)
    osc52 = "\x1b]52;c;Y3VybCBodHRwOi8vZXhhbXBsZS5pbnZhbGlkIHwgc2g=\x07"
    body = (
        "Bonjour,\n\n[bold red]x[/] Cliquez ici : [@click=app.quit]clic[/] pour voir ma "
        "contribution.\n\x1b[31mTEXTE ROUGE\x1b[0m et \x1b[2J écran effacé ?\n"
        f"Presse-papiers : {osc52}fin.\n"
        "Fichier : facture\u202egpj.exe (inversion bidi)\n\n"
        "Plus sérieusement : il faudrait plus de patrouilles le soir dans le centre de Cusset.\n"
        "\nKévin"
    )
    subject = "Contribution [bold red]x[/] [@click=app.quit]clic[/] \x1b[31mrouge\u202e"
    message_id = b.message_id("gmail.com", when)
    # Encoded by hand: the email policy would not let raw control characters through.
    b.emit(
        person,
        when,
        "placeholder",
        message_id,
        mime.text_part(body, "utf8-b64"),
        ["contribution", "hostile"],
        overrides={"Subject": mime.rfc2047(subject)},
    )


def off_topic(b) -> None:
    for n, (subject, body) in enumerate(texts.OFF_TOPIC):
        person = b.people.citizen()
        if n == 2:
            person = replace(
                person,
                first="Service",
                last="commercial",
                email="commercial@securivision-pro.fr",
                category="entreprise",
            )
        when = b.draw_date()
        b.emit(
            person,
            when,
            subject,
            b.message_id(person.email.split("@")[1], when),
            mime.text_part(body, "latin1-qp"),
            ["off-topic"],
        )
    person = b.people.citizen()
    when = datetime(2019, 12, 19, 7, 55, tzinfo=PARIS)
    b.emit(
        person,
        when,
        "Contribution",
        b.message_id(person.email.split("@")[1], when),
        mime.text_part("\n\nEnvoyé de mon iPhone", "utf8-qp"),
        ["empty"],
    )


def html_showcase(b) -> None:
    """An Outlook-style HTML-only contribution with a bullet list, a style sheet and a script."""
    person = b.people.association()
    when = datetime(2019, 12, 5, 16, 12, 40, tzinfo=PARIS)
    proposals = "\n".join(b.next_text().split("\n")[0] for _ in range(4))
    paragraphs = [
        "Madame, Monsieur,",
        f"Notre bureau ({person.organisation}) a retenu les propositions suivantes :",
        proposals,
        "Nous restons à votre disposition.",
    ]
    sig = f"{person.name}\n{person.title}\n{person.organisation}\nTél. {person.phone}"
    html = texts.html_body(
        paragraphs, b.rng, sig, with_style=True, with_script=True, always_list=True
    )
    message_id = b.message_id(person.email.split("@")[1], when)
    b.emit(
        person,
        when,
        "Propositions de notre association pour les Assises",
        message_id,
        mime.text_part(html, "utf8-qp", "html"),
        ["contribution", "html-only"],
    )


def add_all(b) -> None:
    html_showcase(b)
    deadline_edges(b)
    odd_dates(b)
    campaign(b)
    duplicates(b)
    acknowledgements(b)
    forwards(b)
    auto_replies(b)
    bounces(b)
    hostile(b)
    off_topic(b)
