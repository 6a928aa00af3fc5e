"""Acknowledge each contribution once (« accusé de réception »), over SMTP, throttled.

Never twice: the workspace document ``acknowledgements`` holds one record per contribution
number. Before a message is handed to the SMTP server its record is written durably as
``sending``; after the server's answer it becomes ``sent``, ``failed`` (temporary: tried
again by a later run, after a delay that grows) or ``refused`` (final). A record found
still ``sending`` means the program stopped between the two writes: the message may have
left, so it is never sent again by itself (``uncertain``; ``retry_uncertain=True`` is a
person's decision).

Never to: mails classified « hors contribution » (automatic replies, bounces, read
receipts, the prefecture's own mail), duplicates, the prefecture's addresses, automatic
senders (``mailer-daemon@``, ``noreply@``…), addresses that are missing or malformed.
Mails set aside in quarantine are not contributions and are never considered.

Each outcome is a workspace audit event naming the contribution (so it shows in its
history), without the address. Records hold the address they were sent to (the address
book); ``forget_addresses`` is the purge's hook that removes it. No textual/rich here.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from assises_tui.config import Consultation
from assises_tui.domain.models import Contribution, Status
from assises_tui.mailbox.imap import MailboxOffline
from assises_tui.mailbox.settings import MailboxError, SmtpSettings, smtp_settings
from assises_tui.mailbox.smtp import SmtpConnection, SmtpDeferred, SmtpRefused, SmtpUncertain
from assises_tui.mailbox.template import Template
from assises_tui.services.acknowledgement_records import ACK_DOC
from assises_tui.store.protocol import Store

MAX_ATTEMPTS = 5
RETRY_DELAYS = (timedelta(minutes=15), timedelta(hours=1), timedelta(hours=4), timedelta(hours=12))
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_AUTOMATIC_SENDERS = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|ne-?pas-?repondre|nepasrepondre"
    r"|bounces?|notifications?)([+.-].*)?$",
    re.IGNORECASE,
)

# Why a contribution gets no acknowledgement (French, shown in reports and the dry run).
SKIP_NOT_CONTRIBUTION = (
    "hors contribution (réponse automatique, non-remise, envoi de la préfecture)"
)
SKIP_DUPLICATE = "doublon d'une contribution déjà reçue"
SKIP_OWN = "adresse de la préfecture"
SKIP_AUTOMATIC = "adresse d'envoi automatique (noreply, mailer-daemon…)"
SKIP_NO_ADDRESS = "adresse absente ou invalide"
SKIP_BEFORE = "reçue avant la date choisie"
SKIP_REFUSED = "refusé définitivement par le serveur"
SKIP_GAVE_UP = f"échec après {MAX_ATTEMPTS} essais"


def now_local() -> datetime:
    return datetime.now(UTC).astimezone()


@dataclass(frozen=True)
class Planned:
    id: int
    to: str
    attempt: int  # 1 for a first sending, more for a retry


@dataclass
class Plan:
    to_send: list[Planned] = field(default_factory=list)
    already_sent: int = 0
    waiting: list[int] = field(default_factory=list)  # failed, retry not due yet
    uncertain: list[int] = field(default_factory=list)  # interrupted between intent and answer
    skipped: Counter[str] = field(default_factory=Counter)


@dataclass
class AckReport:
    dry_run: bool = False
    planned: int = 0
    sent: int = 0
    failed: int = 0
    refused: int = 0
    already_sent: int = 0
    waiting: int = 0
    uncertain: list[int] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    offline: bool = False
    note: str = ""
    to_send: list[dict[str, Any]] = field(default_factory=list)  # the dry run's list

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "planned": self.planned,
            "sent": self.sent,
            "failed": self.failed,
            "refused": self.refused,
            "already_sent": self.already_sent,
            "waiting": self.waiting,
            "uncertain": list(self.uncertain),
            "skipped": dict(self.skipped),
            "offline": self.offline,
            "note": self.note,
            "to_send": list(self.to_send),
        }


Connect = Callable[[SmtpSettings, str | None], SmtpConnection]


class Acknowledgements:
    def __init__(
        self,
        store: Store,
        config: Consultation,
        reviewer: str,
        *,
        connect: Connect = SmtpConnection,
        now: Callable[[], datetime] = now_local,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.config = config
        self.reviewer = reviewer
        self._connect = connect
        self._now = now
        self._sleep = sleep

    def settings(self) -> SmtpSettings:
        return smtp_settings(self.config, self.store.root)

    # -- records -------------------------------------------------------------------
    def records(self) -> dict[str, dict[str, Any]]:
        doc = self.store.get_doc(ACK_DOC) or {}
        records = doc.get("records")
        return dict(records) if isinstance(records, dict) else {}

    def _put(self, records: dict[str, dict[str, Any]]) -> None:
        self.store.put_doc(ACK_DOC, {"records": records})

    # -- who gets one ------------------------------------------------------------------
    def _skip_reason(self, item: Contribution, own: set[str], since: date | None) -> str | None:
        if item.status is Status.NOT_CONTRIBUTION:
            return SKIP_NOT_CONTRIBUTION
        if item.status is Status.DUPLICATE or item.duplicate_of is not None:
            return SKIP_DUPLICATE
        address = item.sender_email
        if not address or not _ADDRESS.fullmatch(address):
            return SKIP_NO_ADDRESS
        if address.lower() in own:
            return SKIP_OWN
        if _AUTOMATIC_SENDERS.match(address.partition("@")[0]):
            return SKIP_AUTOMATIC
        if since is not None:
            received = item.received_at
            if received is None or received.astimezone(self.config.tz).date() < since:
                return SKIP_BEFORE
        return None

    def plan(
        self,
        settings: SmtpSettings,
        *,
        since: date | None = None,
        retry_uncertain: bool = False,
        extra_own: Iterable[str] = (),
    ) -> Plan:
        records = self.records()
        own = {self.config.mailbox.lower(), settings.sender.lower()}
        own |= {a.lower() for a in extra_own if a}
        now = self._now()
        plan = Plan()
        for item in self.store.all():
            record = records.get(str(item.id))
            attempt = 1
            if record is not None:
                state = record.get("state")
                attempts = int(record.get("attempts", 1))
                if state == "sent":
                    plan.already_sent += 1
                    continue
                if state == "refused":
                    plan.skipped[SKIP_REFUSED] += 1
                    continue
                if state == "sending" and not retry_uncertain:
                    plan.uncertain.append(item.id)
                    continue
                if state == "failed":
                    if attempts >= MAX_ATTEMPTS:
                        plan.skipped[SKIP_GAVE_UP] += 1
                        continue
                    due = record.get("retry_after")
                    if due and datetime.fromisoformat(due) > now:
                        plan.waiting.append(item.id)
                        continue
                attempt = attempts + 1
            reason = self._skip_reason(item, own, since)
            if reason is not None:
                plan.skipped[reason] += 1
                continue
            plan.to_send.append(Planned(item.id, item.sender_email, attempt))
        return plan

    # -- sending ---------------------------------------------------------------------
    def run(
        self,
        password: str | None,
        *,
        settings: SmtpSettings | None = None,
        dry_run: bool = False,
        since: date | None = None,
        limit: int | None = None,
        retry_uncertain: bool = False,
        extra_own: Iterable[str] = (),
        progress: Callable[[int, int], None] | None = None,
    ) -> AckReport:
        """Send what the plan says (at most ``limit``), ``settings.per_minute`` at most per
        minute; ``dry_run`` only reports. ``MailboxError`` when the server cannot be used
        at all; an unreachable network gives a report with ``offline``."""
        settings = settings or self.settings()
        template = self._template(settings, dry_run)
        plan = self.plan(
            settings, since=since, retry_uncertain=retry_uncertain, extra_own=extra_own
        )
        chosen = plan.to_send[:limit] if limit is not None else plan.to_send
        report = AckReport(
            dry_run=dry_run,
            planned=len(chosen),
            already_sent=plan.already_sent,
            waiting=len(plan.waiting),
            uncertain=list(plan.uncertain),
            skipped=dict(plan.skipped),
        )
        if dry_run:
            for p in chosen:
                item = self.store.get(p.id)
                if item is None:
                    continue
                message = template.render(item, self.config, settings, now=self._now())
                report.to_send.append({"id": p.id, "to": p.to, "subject": message["Subject"]})
            return report
        if not chosen:
            return report
        try:
            connection = self._connect(settings, password)
            connection.open()
        except MailboxOffline as exc:
            report.offline, report.note = True, str(exc)
            return report
        try:
            self._send_all(connection, chosen, template, settings, report, progress)
        finally:
            connection.close()
        return report

    def _template(self, settings: SmtpSettings, dry_run: bool) -> Template:
        path = settings.template
        if not path.exists():
            Template.write_default(path)
            if not dry_run:
                raise MailboxError(
                    f"Aucun modèle d'accusé de réception : un modèle a été écrit dans {path}. "
                    "Relisez-le et adaptez-le, puis relancez (--dry-run montre ce qui partirait)."
                )
        return Template.load(path)

    def _send_all(
        self,
        connection: SmtpConnection,
        chosen: list[Planned],
        template: Template,
        settings: SmtpSettings,
        report: AckReport,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        interval = 60.0 / settings.per_minute
        records = self.records()
        last_send: float | None = None
        for done, planned in enumerate(chosen):
            item = self.store.get(planned.id)
            if item is None:
                continue
            if last_send is not None:
                wait = interval - (time.monotonic() - last_send)
                if wait > 0:
                    self._sleep(wait)
            at = self._now()
            message = template.render(item, self.config, settings, now=at)
            key = str(planned.id)
            # The intent is durable before the server sees the message: whatever happens
            # next, a later run knows it may have left and never sends it again by itself.
            records[key] = {
                "state": "sending",
                "to": planned.to,
                "at": at.isoformat(timespec="seconds"),
                "attempts": planned.attempt,
                "message_id": message["Message-ID"],
            }
            self._put(records)
            last_send = time.monotonic()
            outcome, error = "sent", None
            try:
                connection.send(message, planned.to)
            except SmtpRefused as exc:
                outcome, error = "refused", redact(str(exc))
            except SmtpDeferred as exc:
                outcome, error = "failed", redact(str(exc))
            except SmtpUncertain:
                # Left as "sending": a later run reports it and never sends it by itself.
                report.uncertain.append(planned.id)
                report.note = (
                    "La connexion au serveur SMTP a été perdue pendant un envoi : cet accusé "
                    "est peut-être parti et ne sera pas renvoyé sans --retry-uncertain ; les "
                    "autres partiront à la prochaine exécution."
                )
                break
            record = {**records[key], "state": outcome}
            if error:
                record["error"] = error
            if outcome == "failed":
                delay = RETRY_DELAYS[min(planned.attempt, len(RETRY_DELAYS)) - 1]
                record["retry_after"] = (at + delay).isoformat(timespec="seconds")
            records[key] = record
            self._put(records)
            setattr(report, outcome, getattr(report, outcome) + 1)
            event: dict[str, Any] = {
                "at": at.isoformat(timespec="seconds"),
                "who": self.reviewer,
                "what": f"acknowledgement.{outcome}",
                "id": planned.id,
            }
            if error:
                event["error"] = error
            self.store.append_audit([event])
            if progress is not None:
                progress(done + 1, len(chosen))
            if outcome == "failed" and not connection.connected:
                report.note = (
                    "La connexion au serveur SMTP a été perdue : les accusés restants "
                    "partiront à la prochaine exécution."
                )
                break


def redact(text: str) -> str:
    """A server's reply without the addresses it may quote (audit events are kept for
    good, and the purge must not find personal data left in them)."""
    return _ADDRESS.sub("<adresse>", text)
