"""A workspace: one consultation's folder (configuration, store, blobs, backups, lock).

``Workspace.init`` lays one out from a ``consultation.toml``; ``Workspace.open`` loads the
configuration and opens the store, as the single writer or as a read-only view.
"""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
from pathlib import Path, PurePosixPath

from assises_tui.config import ConfigError, Consultation, bundled_config_dir, load_consultation
from assises_tui.durable import DIR_MODE, ensure_dir, fsync_dir, write_atomic
from assises_tui.errors import AssisesError, os_error_cause
from assises_tui.store.layout import CONFIG_NAME, DEFAULT_SHARD_SIZE, Layout
from assises_tui.store.lock import locked_message
from assises_tui.store.protocol import Store, StoreLockedError, StoreReadOnlyMediaError
from assises_tui.store.tinydb_store import TinyDBStore

_STORE_COMMENT = (
    "# Mode équipe : la base PostgreSQL partagée (le mot de passe n'est jamais ici :\n"
    "# PGPASSWORD, ~/.pgpass, ou Assises le demande).\n"
)


def without_store_section(text: bytes) -> bytes:
    """``consultation.toml`` without its ``[store]`` table (for a local copy)."""
    kept: list[str] = []
    skipping = False
    for line in text.decode("utf-8").splitlines(keepends=True):
        head = line.strip()
        if head.startswith("["):
            skipping = head == "[store]"
        if not skipping and line not in _STORE_COMMENT.splitlines(keepends=True):
            kept.append(line)
    return "".join(kept).rstrip("\n").encode() + b"\n"


def store_section(url: str) -> bytes:
    quoted = url.replace("\\", "\\\\").replace('"', '\\"')
    return ("\n\n" + _STORE_COMMENT + f'[store]\nurl = "{quoted}"\n').encode()


def default_reviewer(configured: str | None = None) -> str:
    """Who is working, written in the history: ``--reviewer`` / ``$ASSISES_REVIEWER``, else
    the configuration's ``reviewer``, else the login name."""
    chosen = os.environ.get("ASSISES_REVIEWER", "").strip()
    if chosen:
        return chosen
    if configured:
        return configured
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): still record something honest
        return "inconnu"


class WorkspaceError(AssisesError):
    """A workspace that cannot be created or opened (French sentence)."""


def _load_config(path: Path) -> Consultation:
    try:
        return load_consultation(path)
    except ConfigError as exc:
        raise WorkspaceError(str(exc)) from None


def _announcement_name(config: Consultation, config_path: Path) -> str | None:
    """The announcement file's name, relative to the configuration, checked."""
    if not config.announcement:
        return None
    rel = PurePosixPath(config.announcement)
    if rel.is_absolute() or ".." in rel.parts or len(rel.parts) != 1:
        raise WorkspaceError(
            f"{config_path} : le champ « announcement » doit être le nom d'un fichier placé à "
            f"côté de {CONFIG_NAME} (reçu « {config.announcement} »)."
        )
    if not (config_path.parent / rel.name).is_file():
        raise WorkspaceError(
            f"{config_path} : le fichier d'annonce « {rel.name} » (champ « announcement ») "
            "est introuvable."
        )
    return rel.name


class Workspace:
    root: Path
    config: Consultation
    store: Store
    reviewer: str
    #: "coordinator" (the default: whoever opens the files in a terminal owns them) or
    #: "reviewer" (a browser session of a reviewer account: no codebook, export or purge).
    role: str
    read_only: bool

    def __init__(
        self, root: Path, config: Consultation, store: Store, read_only_reason: str | None
    ) -> None:
        self.root = root
        self.layout = Layout(root)
        self.config = config
        self.store = store
        self.read_only = store.read_only
        #: Why a writer open fell back to read-only (the lock message), else None.
        self.read_only_reason = read_only_reason
        self.reviewer = default_reviewer(config.reviewer)
        self.role = "coordinator"

    # -- creation ------------------------------------------------------------
    @classmethod
    def init(
        cls,
        root: Path,
        config_path: Path | None = None,
        *,
        shard_size: int = DEFAULT_SHARD_SIZE,
        postgres_url: str | None = None,
    ) -> Workspace:
        """Create a workspace in ``root`` (absent or empty) and open it as the writer.

        With ``postgres_url`` the records live in that (empty) PostgreSQL database, named
        in the copied ``consultation.toml`` under ``[store]``; the folder keeps the
        configuration, backups and caches of this reviewer.
        """
        root = Path(root).expanduser().absolute()
        if config_path is None:
            config_path = bundled_config_dir() / CONFIG_NAME
        config_path = Path(config_path).expanduser()
        if config_path.is_dir():
            config_path = config_path / CONFIG_NAME
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise WorkspaceError(
                f"Le dossier {root} existe déjà et n'est pas vide : choisissez un dossier "
                "nouveau ou vide pour créer l'espace de travail."
            )
        config = _load_config(config_path)
        announcement = _announcement_name(config, config_path)
        config_bytes = config_path.read_bytes()
        if postgres_url:
            from assises_tui.store.postgres.connection import check_url
            from assises_tui.store.postgres.store import PostgresStore

            check_url(postgres_url)
            if config.store_url:
                raise WorkspaceError(
                    f"{config_path} nomme déjà une base ([store]) : retirez-la ou "
                    "n'utilisez pas --postgres."
                )
            config_bytes = config_bytes.rstrip(b"\n") + store_section(postgres_url)
            PostgresStore.create(postgres_url, department=config.department)
        try:
            ensure_dir(root.parent)
        except OSError as exc:
            raise WorkspaceError(
                f"Impossible de créer l'espace de travail {root} : le dossier {root.parent} "
                f"ne peut pas être créé ({os_error_cause(exc)}). Rien n'a été créé."
            ) from None
        # Built aside then renamed into place, so a failure never leaves a half workspace.
        staging = root.parent / f".{root.name}.creation-{secrets.token_hex(4)}"
        try:
            ensure_dir(staging)
            write_atomic(staging / CONFIG_NAME, config_bytes)
            if announcement:
                write_atomic(
                    staging / announcement, (config_path.parent / announcement).read_bytes()
                )
            if postgres_url:
                ensure_dir(staging / "backups")
            else:
                TinyDBStore.create(staging, shard_size=shard_size)
            if root.exists():
                root.rmdir()  # empty, checked above
            os.replace(staging, root)
            os.chmod(root, DIR_MODE)
            fsync_dir(root.parent)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise WorkspaceError(
                f"Impossible de créer l'espace de travail {root} : {os_error_cause(exc)}. "
                "Rien n'a été créé."
            ) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return cls.open(root)

    # -- opening -------------------------------------------------------------
    @classmethod
    def open(
        cls,
        root: Path,
        *,
        read_only: bool = False,
        fallback_read_only: bool = False,
        background_load: bool = False,
    ) -> Workspace:
        """Open ``root``. A held lock raises StoreLockedError unless ``fallback_read_only``.

        ``background_load`` (the app): a team database's records are read by a thread
        while the first screen is drawn from the database (see ``PostgresStore.open``).
        """
        root = Path(root).expanduser().absolute()
        layout = Layout(root)
        if not layout.config.is_file():
            raise WorkspaceError(
                f"Aucun espace de travail dans {root} ({CONFIG_NAME} absent) : "
                f"créez-le avec « assises init {root} »."
            )
        config = _load_config(layout.config)
        reason = None
        if config.store_url:
            from assises_tui.store.postgres.store import PostgresStore

            # no writer lock: the database takes many writers (see store/merge.py)
            team = PostgresStore.open(
                root,
                config.store_url,
                read_only=read_only,
                department=config.department,
                background=background_load,
            )
            return cls(root, config, team, None)
        try:
            store = TinyDBStore.open(root, read_only=read_only)
        except (StoreLockedError, StoreReadOnlyMediaError) as exc:
            if isinstance(exc, StoreLockedError) and exc.info:
                # The time the other writer opened it, in the consultation's time zone.
                exc = StoreLockedError(locked_message(exc.info, config.tz), exc.info)
            if not fallback_read_only:
                raise exc from None
            reason = str(exc)
            store = TinyDBStore.open(root, read_only=True)
        return cls(root, config, store, reason)

    def close(self) -> None:
        """Release the writer lock (waits for a daily backup still being written)."""
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- paths ---------------------------------------------------------------
    @property
    def synthesis_path(self) -> Path:
        return self.layout.synthesis

    @property
    def backups_dir(self) -> Path:
        return self.layout.backups

    @property
    def announcement_path(self) -> Path | None:
        if not self.config.announcement:
            return None
        path = self.root / PurePosixPath(self.config.announcement).name
        return path if path.is_file() else None

    def announcement_text(self) -> str:
        """The announcement's text ('' when there is none); untrusted: pass it to printable."""
        path = self.announcement_path
        if path is None:
            return ""
        return path.read_text(encoding="utf-8", errors="replace")
