"""One IMAP folder opened read-only: EXAMINE, then UIDs, sizes and raw bytes.

Nothing here can change the server's mailbox: the folder is opened with EXAMINE (the
server refuses any flag change or expunge in that state), bodies are read with
``BODY.PEEK[]`` (which, unlike ``BODY[]``, never sets ``\\Seen``), and the session ends
with LOGOUT, never CLOSE or EXPUNGE. Every failure becomes a ``MailboxError`` with one
French sentence; an unreachable network becomes ``MailboxOffline`` (not an error for
the user: the fetch is simply postponed).
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import (
    CapabilityError,
    IMAPClientAbortError,
    IMAPClientError,
    LoginError,
)

from assises_tui.mailbox.settings import ImapSettings, MailboxError
from assises_tui.text.safe import one_line

#: Network conditions that mean "no network here", not "the server has a problem".
OFFLINE_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN}


class MailboxOffline(MailboxError):
    """No network path to the server: the fetch is postponed (exit code 0)."""

    exit_code = 0


class MailboxConnectionLost(MailboxError):
    """The server went away during the session."""


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    exists: int


def tls_context(ca_file) -> ssl.SSLContext:
    """Certificates checked against the system's authorities, or only ``ca_file``."""
    if ca_file is None:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except (OSError, ssl.SSLError) as exc:
        raise MailboxError(
            f"Le fichier d'autorité de certification {ca_file} est illisible ou n'est pas "
            f"un certificat PEM ({one_line(str(exc), 120)})."
        ) from None


def network_error(exc: BaseException, what: str, host: str, port: int) -> MailboxError:
    """A French error for a socket-level failure reaching ``host:port``."""
    where = f"{host}:{port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = one_line(exc.verify_message or str(exc), 160)
        return MailboxError(
            f"Certificat du serveur {what} {where} refusé ({reason}). Si l'administration "
            "utilise sa propre autorité de certification, indiquez son fichier PEM dans "
            "« ca_file »."
        )
    if isinstance(exc, ssl.SSLError):
        return MailboxError(
            f"Échec de la négociation TLS avec le serveur {what} {where} "
            f"({one_line(exc.reason or str(exc), 120)}) : vérifiez « security » et « port »."
        )
    if isinstance(exc, socket.gaierror):
        if exc.errno == socket.EAI_NONAME:
            return MailboxError(
                f"Serveur {what} « {host} » inconnu : vérifiez « host » dans consultation.toml."
            )
        return MailboxOffline(
            f"Hors ligne : le nom du serveur {what} « {host} » ne peut pas être résolu."
        )
    if isinstance(exc, TimeoutError | socket.timeout):
        return MailboxOffline(f"Hors ligne : le serveur {what} {where} ne répond pas.")
    if isinstance(exc, ConnectionRefusedError):
        return MailboxError(
            f"Le serveur {what} {where} refuse la connexion : serveur arrêté ou port erroné."
        )
    if isinstance(exc, OSError) and exc.errno in OFFLINE_ERRNOS:
        return MailboxOffline(f"Hors ligne : le serveur {what} {where} est injoignable.")
    if isinstance(exc, IMAPClientAbortError):
        return MailboxConnectionLost(f"La connexion au serveur {what} {where} a été coupée.")
    if isinstance(exc, OSError):
        return MailboxConnectionLost(
            f"La connexion au serveur {what} {where} a été coupée "
            f"({one_line(exc.strerror or str(exc), 80)})."
        )
    return MailboxConnectionLost(
        f"Le serveur {what} {where} a répondu de façon inattendue ({one_line(str(exc), 120)})."
    )


class ImapFolder:
    """``with ImapFolder(settings, password) as folder:`` — connected, logged in, EXAMINEd."""

    FETCH_BATCH = 100  # messages per FETCH command (bounded by size too, see batches())

    def __init__(self, settings: ImapSettings, password: str) -> None:
        self.settings = settings
        self._password = password
        self._client: IMAPClient | None = None
        self.state = FolderState(0, 0)

    # -- session ----------------------------------------------------------------
    def __enter__(self) -> ImapFolder:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        s = self.settings
        context = tls_context(s.ca_file)
        timeout = SocketTimeout(connect=s.timeout, read=s.timeout)
        try:
            client = IMAPClient(
                s.host, s.port, ssl=s.security == "tls", ssl_context=context, timeout=timeout
            )
        except (OSError, IMAPClientError) as exc:
            raise network_error(exc, "IMAP", s.host, s.port) from None
        self._client = client
        try:
            if s.security == "starttls":
                try:
                    client.starttls(context)
                except CapabilityError:
                    raise MailboxError(
                        f"Le serveur IMAP {s.host}:{s.port} ne propose pas STARTTLS : "
                        'essayez security = "tls" (port 993).'
                    ) from None
            try:
                client.login(s.user, self._password)
            except LoginError:
                raise MailboxError(
                    f"Identifiant ou mot de passe IMAP refusé pour « {s.user} » sur {s.host}."
                ) from None
            if not client.folder_exists(s.folder):
                raise MailboxError(
                    f"Le dossier IMAP « {s.folder} » n'existe pas sur {s.host} "
                    f"(dossiers : {self._folder_names()}) : vérifiez « folder »."
                )
            # readonly=True sends EXAMINE: the server itself refuses any change.
            info = client.select_folder(s.folder, readonly=True)
            self.state = FolderState(int(info[b"UIDVALIDITY"]), int(info.get(b"EXISTS", 0)))
        except MailboxError:
            self.close()
            raise
        except (OSError, IMAPClientError) as exc:
            self.close()
            raise network_error(exc, "IMAP", s.host, s.port) from None

    def _folder_names(self) -> str:
        assert self._client is not None
        names = [one_line(str(name), 60) for _flags, _sep, name in self._client.list_folders()]
        shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
        return shown or "aucun"

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()  # LOGOUT only: CLOSE or EXPUNGE are never sent
        except Exception:  # a dead connection has nothing left to close
            try:
                client.shutdown()
            except Exception:
                pass

    # -- reading ----------------------------------------------------------------
    def _call(self, func, *args):
        assert self._client is not None, "folder not open"
        try:
            return func(*args)
        except (OSError, IMAPClientError) as exc:
            s = self.settings
            raise network_error(exc, "IMAP", s.host, s.port) from None

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs greater than ``last_uid``, ascending."""
        assert self._client is not None
        found = self._call(self._client.search, ["UID", f"{last_uid + 1}:*"])
        # "n:*" always matches the last message, even when its UID is below n.
        return sorted(uid for uid in found if uid > last_uid)

    def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        assert self._client is not None
        sizes: dict[int, int] = {}
        for start in range(0, len(uids), 1000):
            part = self._call(self._client.fetch, list(uids[start : start + 1000]), ["RFC822.SIZE"])
            for uid, data in part.items():
                sizes[uid] = int(data.get(b"RFC822.SIZE", 0))
        return sizes

    def fetch(self, uids: Sequence[int]) -> Iterator[tuple[int, bytes]]:
        """(uid, raw bytes as the server gives them) for ``uids``, in order, without
        setting ``\\Seen``. A message deleted meanwhile is skipped."""
        assert self._client is not None
        data = self._call(self._client.fetch, list(uids), ["BODY.PEEK[]"])
        for uid in uids:
            item = data.get(uid)
            if item is None:
                continue
            raw = item.get(b"BODY[]")
            if raw is None:
                continue
            yield uid, bytes(raw)


def batches(uids: Sequence[int], sizes: dict[int, int], *, count: int, size: int):
    """``uids`` in consecutive groups of at most ``count`` messages and about ``size``
    bytes (a bigger single message makes a group of its own)."""
    group: list[int] = []
    total = 0
    for uid in uids:
        n = sizes.get(uid, 0)
        if group and (len(group) >= count or total + n > size):
            yield group
            group, total = [], 0
        group.append(uid)
        total += n
    if group:
        yield group
