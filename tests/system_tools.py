"""Real servers and engines for the tests: found, or skipped loudly, or failed in CI.

`python3 bootstrap.py test` installs the Debian packages in `SYSTEM_PACKAGES` when it can
and then sets ASSISES_REQUIRE_SERVERS=1: from then on a missing program is a failure,
never a silent skip.
"""

from __future__ import annotations

import glob
import os
import shutil

import pytest

REQUIRED = os.environ.get("ASSISES_REQUIRE_SERVERS") == "1"


def require_program(name: str, package: str, *search: str) -> str:
    """The path of program `name` (on PATH or in one of the `search` globs), or skip/fail."""
    found = shutil.which(name)
    if not found:
        for pattern in search:
            matches = sorted(glob.glob(pattern))
            if matches:
                found = matches[-1]
                break
    if found:
        return found
    message = f"{name} introuvable : installez le paquet Debian {package}"
    if REQUIRED:
        pytest.fail(message)
    pytest.skip(message)
