"""User-facing errors: each carries one clear French sentence and an exit code."""


class AssisesError(Exception):
    """An error the user can act on. ``exit_code`` 2 = usage/environment, 1 = problems found."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class StoreError(AssisesError):
    """A store problem with a French, user-facing message (no traceback needed).

    An ``AssisesError``, so the CLI prints its sentence and exits 2 without a traceback.
    """


class StoreLockedError(StoreError):
    """Another process holds the writer lock (message names pid, host and since when)."""

    def __init__(self, message: str, info: dict | None = None) -> None:
        super().__init__(message)
        #: What the lock file records (pid, host, since), to re-word the message.
        self.info = info or {}


class StoreCorruptError(StoreError):
    """A store file cannot be read; it is left untouched. Message names the newest good backup."""


class StoreVersionError(StoreError):
    """The store was written by a newer version of Assises."""
