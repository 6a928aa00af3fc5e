"""Workspaces wired to the test mail servers, and the test mailbox's messages."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from assises_tui.config import bundled_config_dir
from assises_tui.ingest.sources import iter_mbox
from assises_tui.workspace import Workspace

DEMO_MBOX = Path(__file__).resolve().parents[1] / "data" / "demo" / "allier-demo.mbox"
FIXTURE_MAILS = Path(__file__).resolve().parent / "fixtures" / "emails"


@cache
def demo_messages() -> tuple[bytes, ...]:
    """The 358 messages of the demonstration mailbox (contributions, auto-replies,
    bounces, the prefecture's own mail, duplicates, attachments), as delivered."""
    return tuple(m.raw for m in iter_mbox(DEMO_MBOX))


def fixture_mails(count: int = 8) -> list[bytes]:
    """A few real-world messages from other mail parsers' test suites (tricky MIME)."""
    paths = sorted(FIXTURE_MAILS.rglob("*.eml"))[:count]
    return [p.read_bytes() for p in paths]


def crlf(raw: bytes) -> bytes:
    """What an IMAP server sends for a message stored with bare LF line ends."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def imap_table(server, *, security: str = "starttls", ca: bool = True, **extra) -> str:
    port = server.tls_port if security == "tls" else server.port
    lines = [
        "[imap]",
        'host = "127.0.0.1"',
        f"port = {port}",
        f'security = "{security}"',
        f'user = "{server.user}"',
    ]
    if ca:
        lines.append(f'ca_file = "{server.ca.ca_file}"')
    lines += [f"{k} = {v!r}".replace("'", '"') for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def smtp_table(server, ca_file: Path, **extra) -> str:
    lines = [
        "[smtp]",
        'host = "127.0.0.1"',
        f"port = {server.port}",
        'security = "starttls"',
        'user = "consult"',
        f'ca_file = "{ca_file}"',
        "per_minute = 6000",
    ]
    lines += [f"{k} = {v!r}".replace("'", '"') for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def mailbox_workspace(tmp_path: Path, *tables: str, name: str = "ws") -> Path:
    """A new workspace for the Allier consultation whose consultation.toml ends with
    ``tables`` (``[imap]``, ``[smtp]``)."""
    source = tmp_path / f"{name}-config"
    source.mkdir()
    shutil.copy(bundled_config_dir() / "annonce.txt", source / "annonce.txt")
    text = (bundled_config_dir() / "consultation.toml").read_text(encoding="utf-8")
    (source / "consultation.toml").write_text(text + "\n" + "\n".join(tables), encoding="utf-8")
    root = tmp_path / name
    Workspace.init(root, source / "consultation.toml").close()
    return root


def reference_import(tmp_path: Path, messages, name: str):
    """(report, Message-IDs stored) of importing ``messages`` as the server sends them,
    in one go, into a fresh workspace: what a fetch must end up with."""
    from assises_tui.ingest.sources import RawMessage
    from assises_tui.services.importer import import_messages

    root = mailbox_workspace(tmp_path, name=name)
    with Workspace.open(root) as ws:
        raws = [RawMessage(f"#{n}", crlf(raw)) for n, raw in enumerate(messages)]
        report = import_messages(ws.store, ws.config, raws, workers=1)
        return report, sorted(r.message_id for r in ws.store.all())


SPECIAL_KINDS = (
    "auto-reply",
    "bounce",
    "own-mail",
    "resent",
    "exact-duplicate",
    "hostile",
    "reply",
)


@cache
def demo_sample() -> tuple[bytes, ...]:
    """About sixty demonstration messages: the first twenty-five, every automatic reply,
    bounce, own mail, resent or hostile one, and the originals of the duplicates."""
    import json

    expected = json.loads(DEMO_MBOX.with_name("allier-demo.expected.json").read_text())
    messages = demo_messages()
    wanted = set(range(25))
    originals = set()
    for n, item in enumerate(expected):
        kinds = item["kinds"]
        if any(k in SPECIAL_KINDS or k.startswith("duplicate-of:") for k in kinds):
            wanted.add(n)
            originals |= {k.partition(":")[2] for k in kinds if k.startswith("duplicate-of:")}
    wanted |= {n for n, item in enumerate(expected) if item["message_id"] in originals}
    return tuple(messages[n] for n in sorted(wanted))
