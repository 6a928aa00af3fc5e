"""The ``[imap]`` and ``[smtp]`` tables of ``consultation.toml``, and where passwords come from.

::

    [imap]
    host = "imap.allier.gouv.fr"
    port = 993                 # optional: 993 for "tls", 143 for "starttls"
    security = "tls"           # "tls" or "starttls"
    user = "pref-assises-securite-interieure"
    folder = "INBOX"           # optional
    ca_file = "ac-interieur.pem"  # optional: the administration's own certificate authority

    [smtp]
    host = "smtp.allier.gouv.fr"
    port = 587                 # optional: 465 for "tls", 587 for "starttls", 25 for "none"
    security = "starttls"      # "tls", "starttls" or "none" (a relay on the local network)
    user = "pref-assises-securite-interieure"   # optional: no login when absent
    from = "pref-assises-securite-interieure@allier.gouv.fr"  # optional: the mailbox
    template = "accuse-reception.txt"   # optional, in the workspace
    per_minute = 20            # optional: throttle

A password never lives in the file: it comes from ``ASSISES_IMAP_PASSWORD`` /
``ASSISES_SMTP_PASSWORD``, else from the system keyring when the ``keyring`` package is
installed (service ``assises-imap`` / ``assises-smtp``, name ``user@host``), else from a
prompt. A relative ``ca_file`` or ``template`` is relative to the workspace folder.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assises_tui.config import Consultation
from assises_tui.errors import AssisesError

DEFAULT_PORTS = {
    "imap": {"tls": 993, "starttls": 143},
    "smtp": {"tls": 465, "starttls": 587, "none": 25},
}
DEFAULT_TEMPLATE = "accuse-reception.txt"
DEFAULT_PER_MINUTE = 20
TIMEOUT_SECONDS = 30.0


class MailboxError(AssisesError):
    """The mail server cannot be used as asked (French sentence, exit code 2)."""


class MailboxSettingsError(MailboxError):
    """An ``[imap]``/``[smtp]`` table that is missing or wrong."""


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str  # "tls" | "starttls"
    user: str
    folder: str = "INBOX"
    ca_file: Path | None = None
    timeout: float = TIMEOUT_SECONDS

    @property
    def account(self) -> str:
        """What identifies the folder fetched: a change of any part starts afresh."""
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "tls" | "starttls" | "none"
    user: str | None
    sender: str  # the From address of acknowledgements
    template: Path
    per_minute: int = DEFAULT_PER_MINUTE
    ca_file: Path | None = None
    timeout: float = TIMEOUT_SECONDS


def _line_of(text: str, table: str, key: str | None) -> int | None:
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip() == f"[{table}]"), None)
    if start is None:
        return None
    if key is None:
        return start + 1
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i in range(start + 1, len(lines)):
        if lines[i].strip().startswith("["):
            break
        if pattern.match(lines[i]):
            return i + 1
    return start + 1


class _Table:
    def __init__(self, config: Consultation, root: Path, name: str) -> None:
        self.text = config.source_text
        self.root = root
        self.name = name
        try:
            data = tomllib.loads(self.text) if self.text else {}
        except tomllib.TOMLDecodeError:  # parse_consultation has already said so
            data = {}
        table = data.get(name)
        if table is None:
            raise MailboxSettingsError(
                f"Aucun serveur {name.upper()} configuré : ajoutez une table [{name}] à "
                f"{root / 'consultation.toml'} (voir le README, « Relève et accusés de "
                "réception »)."
            )
        if not isinstance(table, dict):
            self.fail(None, "doit être une table")
        if "password" in table:
            self.fail(
                "password",
                f"ne doit pas figurer dans le fichier : donnez le mot de passe par la variable "
                f"ASSISES_{name.upper()}_PASSWORD, le trousseau du système ou à la demande",
            )
        self.data: dict[str, Any] = table

    def fail(self, key: str | None, problem: str) -> None:
        line = _line_of(self.text, self.name, key)
        where = f" (ligne {line})" if line else ""
        field = f"{self.name}.{key}" if key else f"[{self.name}]"
        raise MailboxSettingsError(f"consultation.toml{where} : « {field} » {problem}.")

    def string(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            self.fail(key, "est obligatoire et manque")
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "doit être un texte non vide")
        return value.strip()

    def optional(self, key: str) -> str | None:
        return self.string(key) if key in self.data else None

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.string(key).lower()
        if value not in allowed:
            names = ", ".join(f"« {a} »" for a in allowed)
            self.fail(key, f"doit valoir {names}")
        return value

    def number(self, key: str, default: int, low: int, high: int) -> int:
        value = self.data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.fail(key, f"doit être un nombre entier de {low} à {high}")
        return value

    def path(self, key: str, default: str | None = None, must_exist: bool = True) -> Path | None:
        value = self.optional(key) or default
        if value is None:
            return None
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = self.root / path
        if must_exist and not path.is_file():
            self.fail(key, f"désigne un fichier introuvable ({path})")
        return path


def imap_settings(config: Consultation, root: Path) -> ImapSettings:
    table = _Table(config, root, "imap")
    security = table.choice("security", ("tls", "starttls"))
    port = table.number("port", DEFAULT_PORTS["imap"][security], 1, 65535)
    return ImapSettings(
        host=table.string("host"),
        port=port,
        security=security,
        user=table.string("user"),
        folder=table.string("folder", "INBOX"),
        ca_file=table.path("ca_file"),
    )


def smtp_settings(config: Consultation, root: Path) -> SmtpSettings:
    table = _Table(config, root, "smtp")
    security = table.choice("security", ("tls", "starttls", "none"))
    port = table.number("port", DEFAULT_PORTS["smtp"][security], 1, 65535)
    sender = table.string("from", config.mailbox)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", sender):
        table.fail("from", "doit être une adresse électronique")
    template = table.path("template", DEFAULT_TEMPLATE, must_exist=False)
    assert template is not None
    return SmtpSettings(
        host=table.string("host"),
        port=port,
        security=security,
        user=table.optional("user"),
        sender=sender.lower(),
        template=template,
        per_minute=table.number("per_minute", DEFAULT_PER_MINUTE, 1, 6000),
        ca_file=table.path("ca_file"),
    )


Prompt = Callable[[str], str | None]


def password(kind: str, user: str, host: str, prompt: Prompt | None = None) -> str:
    """The password of ``user@host`` for ``kind`` ("imap" or "smtp"): environment, keyring,
    then ``prompt(question)``; a French error when none gives one."""
    variable = f"ASSISES_{kind.upper()}_PASSWORD"
    value = os.environ.get(variable)
    if value:
        return value
    value = _from_keyring(f"assises-{kind}", f"{user}@{host}")
    if value:
        return value
    if prompt is not None:
        value = prompt(f"Mot de passe {kind.upper()} de {user} sur {host} : ")
        if value:
            return value
    raise MailboxError(
        f"Mot de passe {kind.upper()} manquant pour {user} sur {host} : définissez la "
        f"variable {variable}, enregistrez-le dans le trousseau du système (service "
        f"« assises-{kind} », nom « {user}@{host} ») ou lancez la commande dans un terminal."
    )


def _from_keyring(service: str, name: str) -> str | None:
    try:
        import keyring  # optional: only when the administration's workstation has it
    except ImportError:
        return None
    try:
        return keyring.get_password(service, name)
    except Exception:  # no usable backend on this machine: fall through to the prompt
        return None
