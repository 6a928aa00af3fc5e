"""The acknowledgement template (a text file in the workspace) and the message made from it.

The file starts with an ``Objet :`` line, then a blank line, then the body. Fields in
braces are replaced: ``{numero}``, ``{date_reception}``, ``{objet}``, ``{consultation}``,
``{departement}``, ``{date_limite}``. Values from the contributor's e-mail are reduced to
one printable line, so nothing in a subject can add a header or a control character.
The message is marked ``Auto-Submitted: auto-replied`` (RFC 3834) so the contributor's
own automatic replies do not answer it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from assises_tui.config import Consultation
from assises_tui.domain.models import Contribution
from assises_tui.mailbox.settings import MailboxError, SmtpSettings
from assises_tui.text.safe import one_line

FIELDS = ("numero", "date_reception", "objet", "consultation", "departement", "date_limite")
_FIELD = re.compile(r"\{([^{}\n]*)\}")
_SUBJECT = re.compile(r"^\s*objet\s*:\s*(.*)$", re.IGNORECASE)

DEFAULT_TEXT = """\
Objet : Accusé de réception de votre contribution n° {numero}

Bonjour,

Nous avons bien reçu votre contribution du {date_reception} aux {consultation}
({departement}), intitulée « {objet} », et nous vous en remercions. Elle est
enregistrée sous le numéro {numero}.

Les contributions reçues avant le {date_limite} seront lues et prises en compte
dans la synthèse adressée au ministre de l'Intérieur.

Ce message est envoyé automatiquement : merci de ne pas y répondre.

La préfecture ({departement})
"""


@dataclass(frozen=True)
class Template:
    path: Path
    subject: str
    body: str

    @classmethod
    def load(cls, path: Path) -> Template:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise MailboxError(f"Modèle d'accusé de réception introuvable : {path}.") from None
        except UnicodeDecodeError:
            raise MailboxError(f"Le modèle {path} n'est pas encodé en UTF-8.") from None
        except OSError as exc:
            raise MailboxError(f"Lecture impossible du modèle {path} : {exc.strerror}.") from None
        head, _, body = text.replace("\r\n", "\n").partition("\n")
        match = _SUBJECT.match(head)
        if match is None or not match.group(1).strip():
            raise MailboxError(
                f"Le modèle {path} doit commencer par une ligne « Objet : … », suivie d'une "
                "ligne vide puis du texte du message."
            )
        unknown = sorted({f for f in _FIELD.findall(text) if f not in FIELDS})
        if unknown:
            known = ", ".join("{" + f + "}" for f in FIELDS)
            raise MailboxError(
                f"Le modèle {path} contient des champs inconnus ({', '.join(unknown)}) : "
                f"champs possibles {known}."
            )
        return cls(path, match.group(1).strip(), body.lstrip("\n"))

    @staticmethod
    def write_default(path: Path) -> None:
        from assises_tui.durable import write_atomic

        write_atomic(path, DEFAULT_TEXT.encode("utf-8"))

    def values(self, item: Contribution, config: Consultation) -> dict[str, str]:
        tz = config.tz
        received = item.received_at
        if received is not None and received.tzinfo is None:
            received = received.replace(tzinfo=tz)
        return {
            "numero": str(item.id),
            "date_reception": _french_date(received.astimezone(tz)) if received else "",
            "objet": one_line(item.subject, 150) or "(sans objet)",
            "consultation": one_line(config.title, 200),
            "departement": one_line(config.department, 100),
            "date_limite": _french_date(config.deadline.astimezone(tz)),
        }

    def render(
        self, item: Contribution, config: Consultation, settings: SmtpSettings, *, now: datetime
    ) -> EmailMessage:
        values = self.values(item, config)

        def fill(text: str) -> str:
            return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)

        message = EmailMessage()
        sender_name = one_line(f"{config.title} ({config.department})", 150)
        message["From"] = formataddr((sender_name, settings.sender))
        message["To"] = item.sender_email
        message["Subject"] = one_line(fill(self.subject), 250)
        message["Date"] = format_datetime(now)
        domain = settings.sender.rpartition("@")[2]
        message["Message-ID"] = make_msgid(f"accuse-{item.id}", domain=domain)
        if item.message_id and not item.message_id.endswith("@assises.invalid>"):
            message["In-Reply-To"] = item.message_id
            message["References"] = item.message_id
        message["Auto-Submitted"] = "auto-replied"
        message.set_content(fill(self.body), cte="quoted-printable")
        return message


_MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()


def _french_date(moment: datetime) -> str:
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{day} {_MONTHS[moment.month - 1]} {moment.year}"
