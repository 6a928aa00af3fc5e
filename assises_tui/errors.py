"""User-facing errors: each carries one clear French sentence and an exit code."""


class AssisesError(Exception):
    """An error the user can act on. ``exit_code`` 2 = usage/environment, 1 = problems found."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
