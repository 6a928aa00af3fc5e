#!/usr/bin/env python3
"""Set everything up with nothing but Python 3, then open the demo or run the tests.

    python3 bootstrap.py demo   # crée .venv, installe, ouvre l'application sur la démo
    python3 bootstrap.py test   # crée .venv, installe les outils de test, lance toute la suite

The virtual environment is reinstalled only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-pyproject"


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - bootstrap runs under any python3
        sys.exit("Assises demande Python 3.11 ou plus récent.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PY.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not PY.exists():
        print("Création de l'environnement virtuel .venv …", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installation des dépendances …", file=sys.stderr)
    pip = [str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True, cwd=ROOT)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_venv()
    command, rest = argv[0], argv[1:]
    if command == "demo":
        args = [str(BIN / "assises"), "demo", "--workspace", str(ROOT / ".demo-workspace"), *rest]
    else:
        args = [str(PY), "-m", "pytest", "-q", *rest]
    return subprocess.run(args, cwd=ROOT).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
