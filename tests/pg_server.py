"""A private PostgreSQL server for the tests and the benchmarks.

Debian's PostgreSQL binaries (``/usr/lib/postgresql/<version>/bin``) are run in a temporary
folder: ``initdb``, then ``postgres`` listening only on a Unix socket in that folder (no TCP
port, so parallel runs never collide), then stopped and the folder deleted. PostgreSQL
refuses to run as root, so under root the server runs as the ``postgres`` system user
(``runuser``) and the folder is given to it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

SEARCH = ("/usr/lib/postgresql/*/bin/{name}",)
SUPERUSER = "assises"
PASSWORD_ROLE = "avecmotdepasse"  # the only role asked for a password (tests of the prompt)


class PostgresServer:
    def __init__(self, bin_dir: Path, *, durable: bool = False) -> None:
        self.bin_dir = bin_dir
        self.durable = durable
        self.folder = Path(tempfile.mkdtemp(prefix="assises-pg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder
        self._process: subprocess.Popen[bytes] | None = None
        self._run_as: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse root
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> PostgresServer:
        subprocess.run(
            [
                *self._run_as,
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        settings = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "max_connections": "200",
            "shared_buffers": "128MB",
        }
        if not self.durable:  # test data: a server crash is not what the tests exercise
            settings |= {"fsync": "off", "full_page_writes": "off"}
        # trust on the private socket, except the role the password tests log in as
        (self.data / "pg_hba.conf").write_text(
            f"local all {PASSWORD_ROLE} scram-sha-256\nlocal all all trust\n", encoding="utf-8"
        )
        conf = "".join(f"{k} = {v}\n" for k, v in settings.items())
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as handle:
            handle.write(conf)
        log = open(self.folder / "server.log", "wb")  # noqa: SIM115 - kept by the process
        self._process = subprocess.Popen(
            [*self._run_as, str(self.bin_dir / "postgres"), "-D", str(self.data)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()  # never leave a server behind
            raise
        return self

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"PostgreSQL s'est arrêté au démarrage :\n{self.log()}")
            ready = subprocess.run(
                [str(self.bin_dir / "pg_isready"), "-h", str(self.socket_dir), "-q"],
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"PostgreSQL ne répond pas après {timeout} s :\n{self.log()}")

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            # "fast" shutdown (SIGTERM would wait for clients), sent to the postmaster
            # itself: runuser, between us and it, does not pass SIGINT on
            try:
                pid = int((self.data / "postmaster.pid").read_text().split()[0])
                os.kill(pid, signal.SIGINT)
            except (OSError, ValueError, IndexError):
                process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- databases -----------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.socket_dir}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def find_bin_dir(require_program) -> Path:  # noqa: ANN001 - tests.system_tools.require_program
    postgres = require_program("postgres", "postgresql", SEARCH[0].format(name="postgres"))
    return Path(postgres).resolve().parent  # Debian links postgres into /usr/local/bin


def start_server(*, durable: bool = False) -> PostgresServer:
    """A started server, from Debian's binaries (for scripts: no pytest here)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    if not found and not shutil.which("postgres"):
        raise SystemExit("PostgreSQL introuvable : installez le paquet Debian postgresql")
    bin_dir = found[-1].parent if found else Path(shutil.which("postgres") or "").parent
    return PostgresServer(bin_dir, durable=durable).start()
