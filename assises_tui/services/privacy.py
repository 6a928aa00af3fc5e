"""Personal data (RGPD): the pseudonymised view and the inventory.

* :class:`Privacy` gives screens what to show when the view is pseudonymised
  (``sender_label``, ``display_text``) and lets a coordinator ``reveal`` the real data
  (recorded in the audit trail).
* ``Privacy.report()`` (``privacy_report.py``) lists what personal data the workspace
  holds, where and since when.

The retention purge is :mod:`assises_tui.services.purge`. Masking with offset tracking
is in ``privacy_masking.py``; detection is :mod:`assises_tui.text.personal_data`; for one
contribution only its own sender's name is searched (searching every sender's name in
every text is quadratic). No textual/rich here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assises_tui.clock import now_iso
from assises_tui.domain.models import Contribution
from assises_tui.errors import AssisesError
from assises_tui.services.privacy_masking import Masked, mask_text

if TYPE_CHECKING:
    from assises_tui.config import Consultation
    from assises_tui.store.protocol import Store

SETTINGS_DOC = "settings"


class PrivacyError(AssisesError):
    """A privacy request that cannot be honoured (French message, exit code 2)."""


def writable(store: Store) -> None:
    """PrivacyError in a read-only view (settings and purges must be recorded)."""
    if store.read_only:
        raise PrivacyError(
            "Espace de travail ouvert en lecture seule : aucune modification possible "
            "(fermez l'autre session d'Assises)."
        )


# -- the service ---------------------------------------------------------------------------------
class Privacy:
    def __init__(
        self,
        store: Store,
        consultation: Consultation,
        reviewer: str,
        pseudonymised: bool | None = None,
    ) -> None:
        self.store = store
        self.config = consultation
        self.reviewer = reviewer
        if pseudonymised is None:
            pseudonymised = bool(self.settings().get("pseudonymised", False))
        #: The current view's mode (a session choice; the workspace default is a setting).
        self.pseudonymised = pseudonymised

    # -- settings --------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        try:
            return self.store.get_doc(SETTINGS_DOC) or {}
        except Exception:  # an unreadable settings doc must not block display
            return {}

    def set_default(self, pseudonymised: bool) -> None:
        """Make the pseudonymised view the workspace default (or not); recorded."""
        self._writable()
        doc = {**self.settings(), "pseudonymised": bool(pseudonymised)}
        self.store.put_doc(SETTINGS_DOC, doc)
        self._audit("privacy.settings", pseudonymised=bool(pseudonymised))

    # -- display -----------------------------------------------------------------
    def sender_label(self, c: Contribution) -> str:
        """What to show as the sender (untrusted: still pass it through ``printable``)."""
        if self.pseudonymised:
            return f"Contributeur n° {c.id}"
        return c.sender_name or c.sender_email or f"Contributeur n° {c.id}"

    def sender_email(self, c: Contribution) -> str:
        return "" if self.pseudonymised else c.sender_email

    def display_text(self, c: Contribution, text: str) -> str:
        """``text`` (body, subject, snippet, excerpt…) as it may be shown in this mode."""
        if not self.pseudonymised or not text:
            return text
        return mask_text(text, [c.sender_name], self._allowed()).text

    def masking(self, c: Contribution, text: str) -> Masked | None:
        """``text`` masked with its offset maps when the view is pseudonymised, else None
        (the excerpt screen selects on the masked text and files original offsets)."""
        if not self.pseudonymised:
            return None
        return mask_text(text, [c.sender_name], self._allowed())

    def reveal(self, cid: int | None = None) -> None:
        """Show real names and addresses for this session (a coordinator's decision, recorded
        in the audit trail with who and when; refused in a read-only view, where it could not
        be recorded)."""
        if self.store.read_only:
            raise PrivacyError(
                "Espace de travail ouvert en lecture seule : l'affichage des données "
                "personnelles doit être consigné au journal, ce qui est impossible ici."
            )
        details: dict[str, Any] = {"id": cid} if cid is not None else {}
        self._audit("privacy.reveal", **details)
        self.pseudonymised = False

    def hide(self) -> None:
        self.pseudonymised = True

    # -- inventory -------------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        from assises_tui.services.privacy_report import privacy_report

        return privacy_report(self.store, self.config)

    # -- internals -----------------------------------------------------------------
    def _allowed(self) -> list[str]:
        return [self.config.mailbox]

    def _writable(self) -> None:
        writable(self.store)

    def _audit(self, what: str, **details: Any) -> None:
        entry = {"at": now_iso(), "who": self.reviewer, "what": what, **details}
        self.store.append_audit([entry])
