"""Reviewer accounts of a served workspace: ``<workspace>/accounts.json`` (mode 0600).

One JSON document ``{"accounts": {name: {"role", "hash", "created"}}}`` written atomically.
Passwords are hashed with argon2id (``argon2-cffi``: memory-hard, salted, parameters stored in
the hash so they can be raised later; a hash made with other parameters is upgraded at the
next successful login). The parameters are OWASP's recommendation for argon2id (19 MiB,
2 passes, 1 lane): about 0.1 s per login on the 2-core reference machine, where the
library's default (64 MiB, 3 passes, 4 lanes) took 1 s and let a few logins stall the server. Verifying an unknown name still runs one argon2 verification, so the
answer takes the same time whether the name exists or not.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from assises_tui.durable import write_atomic
from assises_tui.errors import AssisesError

ACCOUNTS_FILE = "accounts.json"
ROLES = ("reviewer", "coordinator")
ROLE_LABELS = {"reviewer": "relecteur", "coordinator": "coordinateur"}
#: Letters (accented too), digits, dot, dash, underscore: safe in a history, a log, a URL.
NAME_PATTERN = re.compile(r"[^\W_][\w.-]{0,63}")
MIN_PASSWORD = 10

_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@cache
def dummy_hash() -> str:
    """A real hash of a random password, checked when the name is unknown (same cost).
    ``assises serve`` computes it at start, so the first unknown name is not slower."""
    return _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    created: str

    @property
    def coordinator(self) -> bool:
        return self.role == "coordinator"


class AccountsError(AssisesError):
    pass


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name or ""):
        raise AccountsError(
            f"Nom de compte invalide : « {name[:80]!s} ». Lettres, chiffres, point, tiret et "
            "souligné seulement (64 caractères au plus), en commençant par une lettre ou un chiffre."
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountsError(
            f"Mot de passe trop court : {MIN_PASSWORD} caractères au moins sont demandés."
        )
    if password != password.strip() or any(ord(c) < 32 for c in password):
        raise AccountsError(
            "Le mot de passe ne doit commencer ni finir par une espace ni contenir de "
            "caractère de contrôle."
        )
    return password


class Accounts:
    """The accounts file of one workspace. Each method re-reads the file, so the server sees
    ``assises users …`` changes made while it runs (a removed account cannot log in again)."""

    def __init__(self, workspace_root: Path) -> None:
        self.path = Path(workspace_root) / ACCOUNTS_FILE

    # -- reading -------------------------------------------------------------
    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, orjson.JSONDecodeError) as exc:
            raise AccountsError(
                f"Le fichier des comptes {self.path} est illisible ({exc}) : corrigez-le ou "
                "supprimez-le et recréez les comptes avec « assises users add »."
            ) from None
        accounts = data.get("accounts") if isinstance(data, dict) else None
        if not isinstance(accounts, dict):
            raise AccountsError(f"Le fichier des comptes {self.path} n'a pas la forme attendue.")
        return accounts

    def list(self) -> list[Account]:
        return [
            Account(name, str(entry.get("role", "reviewer")), str(entry.get("created", "")))
            for name, entry in sorted(self._read().items())
        ]

    def get(self, name: str) -> Account | None:
        entry = self._read().get(name)
        if entry is None:
            return None
        return Account(name, str(entry.get("role", "reviewer")), str(entry.get("created", "")))

    # -- writing -------------------------------------------------------------
    def _write(self, accounts: dict[str, dict[str, str]]) -> None:
        try:
            write_atomic(
                self.path, orjson.dumps({"accounts": accounts}, option=orjson.OPT_INDENT_2)
            )
        except OSError as exc:
            raise AccountsError(
                f"Impossible d'écrire le fichier des comptes {self.path} : {exc.strerror or exc}."
            ) from None

    def add(self, name: str, password: str, role: str = "reviewer") -> Account:
        check_name(name)
        check_password(password)
        if role not in ROLES:
            raise AccountsError(
                f"Rôle inconnu : « {role} » (relecteur : reviewer, coordinateur : coordinator)."
            )
        accounts = self._read()
        if name in accounts:
            raise AccountsError(
                f"Le compte « {name} » existe déjà (changer son mot de passe : assises users passwd {name})."
            )
        created = datetime.now(UTC).isoformat(timespec="seconds")
        accounts[name] = {"role": role, "hash": _HASHER.hash(password), "created": created}
        self._write(accounts)
        return Account(name, role, created)

    def remove(self, name: str) -> None:
        accounts = self._read()
        if accounts.pop(name, None) is None:
            raise AccountsError(f"Aucun compte « {name} ».")
        self._write(accounts)

    def set_password(self, name: str, password: str) -> None:
        check_password(password)
        accounts = self._read()
        if name not in accounts:
            raise AccountsError(f"Aucun compte « {name} ».")
        accounts[name]["hash"] = _HASHER.hash(password)
        self._write(accounts)

    def set_role(self, name: str, role: str) -> None:
        if role not in ROLES:
            raise AccountsError(f"Rôle inconnu : « {role} ».")
        accounts = self._read()
        if name not in accounts:
            raise AccountsError(f"Aucun compte « {name} ».")
        accounts[name]["role"] = role
        self._write(accounts)

    # -- login ---------------------------------------------------------------
    def verify(self, name: str, password: str) -> Account | None:
        """The account when ``password`` is its password, else None (whatever was wrong)."""
        try:
            accounts = self._read()
        except AccountsError:
            return None
        entry = accounts.get(name)
        stored = str(entry.get("hash", "")) if entry else dummy_hash()
        try:
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if entry is None:
            return None
        if _HASHER.check_needs_rehash(stored):
            try:
                self.set_password(name, password)
            except AccountsError:
                pass  # the login still succeeds; the upgrade is tried again next time
        return Account(name, str(entry.get("role", "reviewer")), str(entry.get("created", "")))
