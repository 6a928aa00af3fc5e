"""User-facing errors: each carries one clear French sentence and an exit code."""

import errno


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


class StoreConflictError(StoreError):
    """Team mode: another reviewer changed the same field to another value meanwhile;
    nothing was saved (the message names their change)."""


class StoreReadOnlyMediaError(StoreError):
    """The workspace sits on a read-only file system: it can be opened read-only only."""


# errno -> (what happened, what to do). The errors a user can act on; others are bugs.
_OS_ERRORS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("disque plein", "Libérez de la place sur le disque puis relancez."),
    errno.EDQUOT: ("quota disque dépassé", "Libérez de la place puis relancez."),
    errno.EROFS: (
        "le disque est en lecture seule",
        "Ouvrez l'espace de travail en lecture seule ou copiez-le sur un disque inscriptible.",
    ),
    errno.EACCES: ("accès refusé", "Vérifiez les droits sur ce dossier."),
    errno.EPERM: ("opération non permise", "Vérifiez les droits sur ce dossier."),
    errno.EIO: (
        "erreur d'entrée-sortie du disque",
        "Le disque est peut-être défaillant : lancez « assises verify » et gardez une "
        "sauvegarde ailleurs.",
    ),
    errno.ENOENT: ("dossier ou fichier introuvable", "Vérifiez le chemin."),
    errno.ENOTDIR: ("un élément du chemin n'est pas un dossier", "Vérifiez le chemin."),
    errno.ENAMETOOLONG: ("chemin trop long", "Choisissez un chemin plus court."),
}


def os_error_cause(exc: OSError) -> str:
    """What went wrong, in French (« disque plein »…), else the system's own words."""
    known = _OS_ERRORS.get(exc.errno or 0)
    return known[0] if known else (exc.strerror or str(exc))


def os_error_message(exc: OSError, doing: str = "") -> str | None:
    """One French sentence for an OS error a user can act on, None for any other.

    Every write is atomic, so the sentence can promise that nothing is half-written and
    that what was saved before stays; ``doing`` names the operation (« l'import »…).
    """
    known = _OS_ERRORS.get(exc.errno or 0)
    if known is None:
        return None
    cause, remedy = known
    where = f" ({exc.filename})" if exc.filename else ""
    when = f" pendant {doing} :" if doing else " : l'opération a été interrompue ;"
    return (
        f"{cause[0].upper()}{cause[1:]}{where}{when} rien n'est à moitié écrit et ce "
        f"qui était déjà enregistré est intact. {remedy}"
    )


def from_os_error(exc: OSError, doing: str = "") -> AssisesError | None:
    """The ``AssisesError`` to raise instead of ``exc`` (None: not one a user can act on)."""
    message = os_error_message(exc, doing)
    return AssisesError(message) if message else None
