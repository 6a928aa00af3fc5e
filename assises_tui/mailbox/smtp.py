"""One SMTP session for sending acknowledgements: TLS or STARTTLS, login, one message at a time.

A refusal is told apart by its SMTP code: 5xx is final for that recipient
(``SmtpRefused``, never retried), 4xx or a connection lost before the data is temporary
(``SmtpDeferred``, retried by a later run), a connection lost during the data is
``SmtpUncertain`` (the message may have left: never retried by itself). Connection and
login problems are ``MailboxError`` sentences.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from assises_tui.mailbox.imap import network_error, tls_context
from assises_tui.mailbox.settings import MailboxError, SmtpSettings
from assises_tui.text.safe import one_line


class SmtpRefused(Exception):
    """The server refused this message for good (5xx)."""


class SmtpDeferred(Exception):
    """The server did not take this message (4xx, connection lost before the data): it
    can be tried again later."""


class SmtpUncertain(Exception):
    """The connection was lost while the message was being sent: it may have left."""


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return one_line(f"{code} {text}", 200)


class SmtpConnection:
    def __init__(self, settings: SmtpSettings, password: str | None) -> None:
        self.settings = settings
        self._password = password
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        s = self.settings
        context = tls_context(s.ca_file)
        try:
            if s.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            self._smtp = smtp
            if s.security == "starttls":
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise MailboxError(
                        f"Le serveur SMTP {s.host}:{s.port} ne propose pas STARTTLS : "
                        'essayez security = "tls" (port 465).'
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user:
                try:
                    smtp.login(s.user, self._password or "")
                except smtplib.SMTPAuthenticationError:
                    raise MailboxError(
                        f"Identifiant ou mot de passe SMTP refusé pour « {s.user} » sur {s.host}."
                    ) from None
                except smtplib.SMTPNotSupportedError:
                    raise MailboxError(
                        f"Le serveur SMTP {s.host}:{s.port} n'accepte pas d'authentification "
                        "ici : retirez « user » de [smtp] ou activez le chiffrement."
                    ) from None
        except MailboxError:
            self.close()
            raise
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            self.close()
            if isinstance(exc, smtplib.SMTPResponseException):
                raise MailboxError(
                    f"Le serveur SMTP {s.host}:{s.port} a refusé la session "
                    f"({_reply(exc.smtp_code, exc.smtp_error)})."
                ) from None
            raise network_error(exc, "SMTP", s.host, s.port) from None

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except Exception:
            try:
                smtp.close()
            except Exception:
                pass

    def send(self, message: EmailMessage, recipient: str) -> None:
        """Hand ``message`` to the server for ``recipient``. The envelope is sent step by
        step so that a connection lost before the data (nothing can have left) is told
        apart from one lost while the data was sent (``SmtpUncertain``)."""
        smtp = self._smtp
        if smtp is None:
            raise SmtpDeferred("connexion fermée")
        # CRLF line ends on the wire: smtplib sends bytes as they are.
        data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        in_data = False
        try:
            code, text = smtp.mail(self.settings.sender)
            if code != 250:
                smtp.rset()
                raise (SmtpRefused if code >= 500 else SmtpDeferred)(_reply(code, text))
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                smtp.rset()
                raise (SmtpRefused if code >= 500 else SmtpDeferred)(_reply(code, text))
            in_data = True
            # data() raises when the server refuses to start the data, but only returns
            # the answer to the data itself: a refusal there must be checked here.
            code, text = smtp.data(data)
            if code != 250:
                raise (SmtpRefused if code >= 500 else SmtpDeferred)(_reply(code, text))
        except smtplib.SMTPResponseException as exc:
            error = SmtpRefused if exc.smtp_code >= 500 else SmtpDeferred
            raise error(_reply(exc.smtp_code, exc.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._smtp = None  # the session is gone: the caller stops this run
            detail = one_line(f"connexion perdue ({exc})", 200)
            raise (SmtpUncertain if in_data else SmtpDeferred)(detail) from None

    @property
    def connected(self) -> bool:
        return self._smtp is not None
