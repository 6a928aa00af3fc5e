"""What is not a contribution: auto-replies, bounces, read receipts, the prefecture's own mail.

Each rule returns a French reason shown to the reviewer (``status_reason``); the message is
kept (status ``not_contribution``) so that a wrong guess can be undone by hand.
"""

from __future__ import annotations

from collections.abc import Callable

from assises_tui.text.fold import fold

# Folded subject beginnings (after "RE:"/"TR:"-style prefixes are stripped).
_AUTO_SUBJECTS = (
    "reponse automatique",
    "absence du bureau",
    "out of office",
    "automatic reply",
    "auto reply",
    "autoreply",
    "auto-reply",
    "message d'absence",
    "absence :",
    "auto:",
    "abwesenheitsnotiz",
    "respuesta automatica",
    "risposta automatica",
)
_BOUNCE_SUBJECTS = (
    "undelivered mail",
    "undeliverable",
    "delivery status notification",
    "mail delivery failed",
    "delivery failure",
    "returned mail",
    "non remis",
    "remise impossible",
    "echec de la remise",
    "failure notice",
    "delivery has failed",
    "mail system error",
    "message not delivered",
    "warning: could not send",
    "delayed mail",
    "delivery delayed",
)
_RECEIPT_SUBJECTS = (
    "lu :",
    "lu:",
    "read:",
    "read :",
    "accuse de lecture",
    "read receipt",
    "return receipt",
    "non lu :",
    "not read:",
)
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
_REPLY_PREFIX = ("re:", "re :", "tr:", "tr :", "fw:", "fwd:", "aw:", "wg:")

REASON_OWN = "Courriel envoyé par la préfecture elle-même (adresse de la consultation)."
REASON_AUTO = "Réponse automatique (message d'absence ou envoi automatique)."
REASON_BULK = "Envoi automatique ou de masse (en-tête Precedence: junk)."
CHECK_LIST = (
    "Relayé par une liste de diffusion (en-tête Precedence: {value}) : une association relaie "
    "peut-être les messages de ses membres ; à vérifier avant de l'écarter."
)
REASON_BOUNCE = "Avis de non-remise (message d'erreur de la messagerie)."
REASON_RECEIPT = "Accusé de lecture ou de réception."
REASON_REPORT = "Rapport automatique de messagerie (plainte pour spam ou autre)."


def _strip_prefixes(subject: str) -> str:
    s = fold(subject).strip()
    changed = True
    while changed:
        changed = False
        for p in _REPLY_PREFIX:
            if s.startswith(p):
                s, changed = s[len(p) :].lstrip(), True
    return s


def classify(
    get: Callable[[str], str],
    sender_email: str,
    subject: str,
    content_types: list[str],
    report_type: str,
    mailbox: str,
) -> str | None:
    """Reason why this message is not a contribution, or None.

    ``get(name)`` returns a header's decoded value ("" when absent); ``content_types`` lists
    every MIME type in the message; ``report_type`` is the multipart/report parameter.
    """
    sender = sender_email.lower()
    if mailbox and sender == mailbox.lower():
        return REASON_OWN
    local = sender.split("@", 1)[0]
    if report_type:
        rt = report_type.lower()
        if "disposition" in rt:
            return REASON_RECEIPT
        if "delivery" in rt:
            return REASON_BOUNCE
        return REASON_REPORT
    if "message/disposition-notification" in content_types:
        return REASON_RECEIPT
    if "message/delivery-status" in content_types:
        return REASON_BOUNCE
    if "message/feedback-report" in content_types:
        return REASON_REPORT
    auto = get("auto-submitted").strip().lower()
    if auto and auto != "no":
        return REASON_AUTO
    if get("x-autoreply") or get("x-autorespond") or get("x-autoresponder"):
        return REASON_AUTO
    precedence = get("precedence").strip().lower()
    if precedence == "auto_reply":
        return REASON_AUTO
    if precedence == "junk":
        return REASON_BULK
    if local in _BOUNCE_SENDERS:
        return REASON_BOUNCE
    folded = _strip_prefixes(subject)
    raw_folded = fold(subject).strip()
    if folded.startswith(_AUTO_SUBJECTS) or raw_folded.startswith(_AUTO_SUBJECTS):
        return REASON_AUTO
    if raw_folded.startswith(_RECEIPT_SUBJECTS):
        return REASON_RECEIPT
    if folded.startswith(_BOUNCE_SUBJECTS) or raw_folded.startswith(_BOUNCE_SUBJECTS):
        return REASON_BOUNCE
    if get("x-ms-exchange-generated-message-source") or get("x-failed-recipients"):
        return REASON_BOUNCE
    return None


def list_relay(get: Callable[[str], str]) -> str | None:
    """Why a message that is not set aside should still be looked at: relayed by a list.

    ``Precedence: list`` or ``bulk`` is what list servers put on every message they relay,
    an association's members' contributions included, so such mail is left for a reviewer
    to decide (the « À vérifier » view) instead of being set aside (auto-replies that carry
    it are still set aside by :func:`classify`).
    """
    precedence = get("precedence").strip().lower()
    if precedence in ("list", "bulk"):
        return CHECK_LIST.format(value=precedence)
    return None
