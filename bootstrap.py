#!/usr/bin/env python3
"""Set everything up with nothing but Python 3, then open the demo or run the tests.

The virtual environment is reinstalled only when pyproject.toml changes. The usage the
user sees is ``USAGE``, in French.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

USAGE = """Utilisation :
    python3 bootstrap.py demo [--fresh]   crée .venv, installe, ouvre l'application sur la
                                          démonstration (rouverte telle que vous l'avez
                                          laissée ; --fresh repart d'une démonstration neuve)
    python3 bootstrap.py test [ARGS…]     crée .venv, installe les outils de test et lance
                                          toute la suite (ARGS passés à pytest)

L'environnement virtuel n'est réinstallé que lorsque pyproject.toml change."""

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-pyproject"

# Debian packages of the real servers and engines that the tests run against (team mode on
# PostgreSQL, the IMAP mailbox, the browser, OCR). `test` installs the missing ones with
# apt-get when it runs as root; elsewhere it names them and those tests are skipped, loudly.
SYSTEM_PACKAGES = {
    "postgresql": "serveur PostgreSQL (mode équipe)",
    "dovecot-imapd": "serveur IMAP Dovecot (relève de la boîte de la consultation)",
    "chromium": "navigateur Chromium sans écran (assises serve)",
    "tesseract-ocr": "reconnaissance de caractères (lettres scannées)",
    "tesseract-ocr-fra": "données françaises de tesseract",
    "poppler-utils": "pdftoppm (pages de PDF en images pour la reconnaissance)",
    "libreoffice-writer-nogui": "LibreOffice sans écran (mise en page des ODT exportés)",
}


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


def missing_system_packages() -> list[str]:
    missing = []
    for package in SYSTEM_PACKAGES:
        try:
            status = subprocess.run(
                ["dpkg-query", "-W", "-f=${Status}", package],
                capture_output=True,
                text=True,
            ).stdout
        except FileNotFoundError:  # not a Debian system
            return list(SYSTEM_PACKAGES)
        if "install ok installed" not in status:
            missing.append(package)
    return missing


def ensure_system_packages() -> bool:
    """Install the test servers' Debian packages if we can; True when all are present."""
    missing = missing_system_packages()
    if missing and hasattr(os, "geteuid") and os.geteuid() == 0:
        print(f"Installation des paquets Debian : {' '.join(missing)} …", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
        quiet = {"stdout": subprocess.DEVNULL, "env": env}
        if subprocess.run(install, **quiet).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], **quiet)
            subprocess.run(install, **quiet)
        missing = missing_system_packages()
    if missing:
        print(
            "Paquets absents, les tests qui en ont besoin seront ignorés : "
            + ", ".join(f"{name} ({SYSTEM_PACKAGES[name]})" for name in missing)
            + ". Installez-les avec : sudo apt-get install "
            + " ".join(missing),
            file=sys.stderr,
        )
    return not missing


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(USAGE, file=sys.stderr)
        return 2
    ensure_venv()
    command, rest = argv[0], argv[1:]
    if command == "demo":
        args = [str(BIN / "assises"), "demo", "--workspace", str(ROOT / ".demo-workspace"), *rest]
        env = None
    else:
        args = [str(PY), "-m", "pytest", "-q", *rest]
        env = dict(os.environ)
        if ensure_system_packages():
            # Every server is here: a test that cannot start one must fail, not skip.
            env["ASSISES_REQUIRE_SERVERS"] = "1"
    return subprocess.run(args, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
