"""Real mail servers for the tests, on loopback: Dovecot (IMAP) and aiosmtpd (SMTP).

``Dovecot`` runs Debian's dovecot with its own configuration in a temporary folder:
passwd-file authentication, one Maildir per user, TLS with a certificate issued by a
certificate authority made for the test (``trustme``), plain-text login refused without
TLS. Messages are dropped into the Maildir as files, as a delivery agent would.
``SmtpServer`` is aiosmtpd in a thread, with STARTTLS and AUTH, recording every message.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from system_tools import require_program

PASSWORD = "secret-de-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


@dataclass
class CertificateAuthority:
    """A CA made for the test and a server certificate for 127.0.0.1 / localhost."""

    folder: Path
    ca_file: Path = field(init=False)
    cert_file: Path = field(init=False)
    key_file: Path = field(init=False)

    def __post_init__(self) -> None:
        import trustme

        ca = trustme.CA(organization_name="Autorite de test Assises")
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = self.folder / "ca.pem"
        self.cert_file = self.folder / "server.pem"
        self.key_file = self.folder / "server.key"
        ca.cert_pem.write_to_path(str(self.ca_file))
        cert.cert_chain_pems[0].write_to_path(str(self.cert_file))
        for extra in cert.cert_chain_pems[1:]:
            extra.write_to_path(str(self.cert_file), append=True)
        cert.private_key_pem.write_to_path(str(self.key_file))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.cert_file), str(self.key_file))
        return context


class Dovecot:
    """``with Dovecot() as server:`` — listening on ``server.port`` (STARTTLS) and
    ``server.tls_port`` (implicit TLS); user ``consult`` with ``PASSWORD``."""

    def __init__(self, user: str = "consult") -> None:
        self.binary = require_program("dovecot", "dovecot-imapd", "/usr/sbin/dovecot")
        self.doveadm_binary = require_program("doveadm", "dovecot-core", "/usr/bin/doveadm")
        self.user = user
        # Not under pytest's tmp_path: as root, Dovecot's unprivileged login processes must
        # be able to reach the sockets, and pytest's folders are 0700.
        self.root = Path(tempfile.mkdtemp(prefix="assises-dovecot-"))
        os.chmod(self.root, 0o755)
        self.ca = CertificateAuthority(self.root)
        self.port = free_port()
        self.tls_port = free_port()
        self.process: subprocess.Popen | None = None
        self._counter = 0
        if os.geteuid() == 0:  # Dovecot refuses to run its login processes as root
            self.login_user, self.internal_user = "dovenull", "dovecot"
        else:
            self.login_user = self.internal_user = pwd.getpwuid(os.getuid()).pw_name
        mail_user = pwd.getpwnam(self.internal_user)
        self.uid, self.gid = mail_user.pw_uid, mail_user.pw_gid
        self.maildir = self.root / "home" / user / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True)
        (self.root / "passwd").write_text(f"{user}:{{PLAIN}}{PASSWORD}\n")
        self.config = self.root / "dovecot.conf"
        self.config.write_text(self._config_text())
        self._chown()

    def _config_text(self) -> str:
        r = self.root
        return f"""
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
instance_name = assises-test-{self.port}
protocols = imap
listen = 127.0.0.1
default_internal_user = {self.internal_user}
default_internal_group = {pwd.getpwnam(self.internal_user).pw_name}
default_login_user = {self.login_user}
first_valid_uid = 1
ssl = yes
ssl_cert = <{self.ca.cert_file}
ssl_key = <{self.ca.key_file}
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {r}/passwd
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={r}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""

    def _chown(self) -> None:
        if os.geteuid() != 0:
            return
        os.chown(self.ca.key_file, 0, 0)
        for dirpath, _dirs, files in os.walk(self.root / "home"):
            os.chown(dirpath, self.uid, self.gid)
            for name in files:
                os.chown(os.path.join(dirpath, name), self.uid, self.gid)

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> Dovecot:
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # stop() ends the sessions too, as a crash would
        )
        try:
            wait_for_port(self.port)
            wait_for_port(self.tls_port)
        except RuntimeError:
            self.stop()
            raise RuntimeError("dovecot did not start:\n" + self.log()) from None
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)  # master, login and IMAP sessions at once
        except ProcessLookupError:
            pass
        process.wait(10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # the listeners close with the master
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                time.sleep(0.05)
            except OSError:
                break

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        try:
            return (self.root / "dovecot.log").read_text(errors="replace")
        except OSError:
            return ""

    # -- the mailbox ----------------------------------------------------------
    def deliver(self, raw: bytes, *, seen: bool = False) -> Path:
        """Drop one message into the Maildir (new/ unread, cur/ with the Seen flag)."""
        self._counter += 1
        name = f"{time.time_ns()}.M{self._counter}P{os.getpid()}.assises-test"
        path = self.maildir / ("cur" if seen else "new") / (name + (":2,S" if seen else ""))
        tmp = self.maildir / "tmp" / name
        tmp.write_bytes(raw)
        if os.geteuid() == 0:
            os.chown(tmp, self.uid, self.gid)
        os.replace(tmp, path)
        return path

    def doveadm(self, *args: str) -> str:
        done = subprocess.run(
            [self.doveadm_binary, "-c", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if done.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)}: {done.stderr}")
        return done.stdout

    def set_uidvalidity(self, value: int) -> None:
        self.doveadm("mailbox", "update", "-u", self.user, "--uid-validity", str(value), "INBOX")

    def snapshot(self) -> dict[str, object]:
        """What the server holds, seen from a separate read-only session: UIDVALIDITY, the
        number of messages, each UID's flags (\\Recent left out: it belongs to sessions)
        and the Maildir's files with their flags in their names."""
        context = ssl.create_default_context(cafile=str(self.ca.ca_file))
        imap = imaplib.IMAP4_SSL("127.0.0.1", self.tls_port, ssl_context=context)
        try:
            imap.login(self.user, PASSWORD)
            typ, data = imap.select("INBOX", readonly=True)
            count = int(data[0])
            uidvalidity = int(imap.response("UIDVALIDITY")[1][0])
            flags: dict[int, tuple[str, ...]] = {}
            if count:
                typ, lines = imap.uid("FETCH", "1:*", "(FLAGS)")
                for line in lines:
                    text = line.decode() if isinstance(line, bytes) else line[0].decode()
                    uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                    inner = text.split("FLAGS (")[1].split(")")[0]
                    flags[uid] = tuple(sorted(f for f in inner.split() if f != "\\Recent"))
        finally:
            imap.logout()
        files = {}
        for sub in ("new", "cur"):
            for path in (self.maildir / sub).iterdir():
                base, _, info = path.name.partition(":2,")
                files[base] = (info, path.read_bytes())
        return {"uidvalidity": uidvalidity, "count": count, "flags": flags, "files": files}


class SmtpServer:
    """aiosmtpd on loopback, in a thread: STARTTLS (certificate of ``ca``), AUTH PLAIN/LOGIN
    with ``PASSWORD``; ``messages`` holds (envelope sender, recipients, bytes)."""

    def __init__(self, ca: CertificateAuthority, user: str = "consult") -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, str] = {}  # recipient -> SMTP reply ("550 …", "451 …")
        self.lock = threading.Lock()
        server = self

        class Handler:
            async def handle_RCPT(self, _srv, _session, envelope, address, _options):
                reply = server.refuse.get(address.lower())
                if reply:
                    return reply
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, _srv, _session, envelope):
                with server.lock:
                    server.messages.append(
                        (envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
                    )
                return "250 Message accepted for delivery"

        def authenticator(_srv, _session, _envelope, mechanism, data):
            ok = (
                isinstance(data, LoginPassword)
                and data.login.decode() == user
                and data.password.decode() == PASSWORD
            )
            return AuthResult(success=ok, handled=False)

        self.port = free_port()
        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            tls_context=ca.server_context(),
            require_starttls=True,
            authenticator=authenticator,
            auth_require_tls=True,
        )

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        if self.running:
            self.controller.stop()
            self.running = False

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def recipients(self) -> list[str]:
        with self.lock:
            return [r for _sender, rcpts, _data in self.messages for r in rcpts]
