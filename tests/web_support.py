"""Helpers and fixtures for ``assises serve``: a small served workspace with two accounts, the real
server started as ``assises serve`` on a free loopback port, and Chromium driven by
Playwright (the system browser: nothing is downloaded)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assises_tui.domain.models import Contribution
from assises_tui.web.accounts import Accounts
from assises_tui.workspace import Workspace

PARIS = ZoneInfo("Europe/Paris")
PASSWORDS = {"claire": "claire-mot-de-passe-1", "paul": "paul-mot-de-passe-2"}
MAILS = [
    ("Marie Dupont", "marie.dupont@exemple.fr", "Sécurité routière à Vichy",
     "Les contrôles de vitesse devant l'école sont trop rares."),
    ("Paul Bernard", "paul.bernard@exemple.fr", "Application de plainte en ligne",
     "Une application pour signaler les incivilités serait utile."),
    ("Luc Petit", "luc.petit@exemple.fr", "Accueil au commissariat",
     "L'accueil du commissariat de Montluçon est fermé le samedi."),
]  # fmt: skip


def make_workspace(root: Path) -> Path:
    ws = Workspace.init(root)
    try:
        store = ws.store
        ids = store.allocate_ids(len(MAILS))
        records = []
        for n, (name, email, subject, body) in enumerate(MAILS):
            raw = f"From: {name} <{email}>\nSubject: {subject}\n\n{body}".encode()
            records.append(
                Contribution(
                    id=ids[n],
                    message_id=f"<{ids[n]}@test.exemple.fr>",
                    received_at=datetime(2020, 1, 6 + n, 9, 0, tzinfo=PARIS),
                    date_uncertain=False,
                    sender_name=name,
                    sender_email=email,
                    subject=subject,
                    body_blob=store.put_blob(body.encode()),
                    raw_blob=store.put_blob(raw),
                    source="test.mbox",
                )
            )
        store.add_many(records)
    finally:
        ws.close()
    accounts = Accounts(root)
    accounts.add("claire", PASSWORDS["claire"], "coordinator")
    accounts.add("paul", PASSWORDS["paul"], "reviewer")
    return root


@pytest.fixture
def served_workspace(tmp_path) -> Path:
    return make_workspace(tmp_path / "ws")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(served_workspace, tmp_path):
    """``assises serve`` as a user starts it; yields (base URL, workspace, log path)."""
    port = free_port()
    log = tmp_path / "serve.log"
    env = dict(os.environ, HOME=str(tmp_path))  # the app must not need the user's folders
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "assises_tui", "--workspace", str(served_workspace),
             "serve", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log.read_text()) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", served_workspace, log
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
