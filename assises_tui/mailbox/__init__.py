"""The consultation's live mailbox: IMAP (read-only fetch) and SMTP (acknowledgements).

Protocol code only: settings read from ``consultation.toml``, passwords, an IMAP folder
opened with EXAMINE, an SMTP connection, the acknowledgement template. Errors are
``MailboxError`` (one French sentence). What is stored, and when, is the business of
``services/mailbox_fetch.py`` and ``services/acknowledgements.py``. No textual/rich here.
"""
