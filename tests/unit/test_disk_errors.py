"""Full disks, read-only disks, impossible paths and a lock being taken: one French
sentence each, never « erreur inattendue … signalez-la », and nothing half-written."""

from __future__ import annotations

import errno
import fcntl
import os
from datetime import date
from pathlib import Path

import pytest
from tagging_support import sample_workspace

from assises_tui.cli import main
from assises_tui.errors import os_error_message
from assises_tui.services.session import Services
from assises_tui.store import lock as lock_module
from assises_tui.store.protocol import StoreLockedError
from assises_tui.workspace import Workspace


@pytest.fixture
def ws_dir(tmp_path):
    return sample_workspace(tmp_path / "ws")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted((root / "store").rglob("*"))
        if p.is_file()
    }


def refuse_writes(monkeypatch, root: Path, number: int) -> None:
    """Every file opened for writing under ``root`` fails with ``number`` (ENOSPC, EROFS);
    on a full disk the existing lock file still opens."""
    real_open = os.open

    def guarded(path, flags, *args, **kwargs):
        writing = flags & (os.O_WRONLY | os.O_RDWR)
        lock = str(path).endswith("/lock") and number == errno.ENOSPC
        if writing and str(path).startswith(str(root)) and not lock:
            raise OSError(number, os.strerror(number), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)


@pytest.mark.parametrize("number", [errno.ENOSPC, errno.EROFS])
@pytest.mark.parametrize("command", ["import", "backup", "purge"])
def test_disk_failures_are_one_french_sentence(ws_dir, capsys, monkeypatch, command, number):
    box = ws_dir.parent / "boite.mbox"
    box.write_bytes(
        b"From a@b Mon Dec  2 10:00:00 2019\nFrom: Jeanne <j@exemple.fr>\n"
        b"Message-ID: <disque@x>\nSubject: s\n\nPlus de patrouilles.\n"
    )
    before = snapshot(ws_dir)
    refuse_writes(monkeypatch, ws_dir, number)
    argv = {
        "import": ["import", str(box)],
        "backup": ["backup"],
        "purge": ["purge", "--before", "2100-01-01"],
    }[command]
    code, _out, err = run(capsys, "--workspace", str(ws_dir), *argv)
    monkeypatch.undo()
    assert code == 2, err
    if number == errno.ENOSPC:
        assert err.startswith("assises : Disque plein"), err
        assert "rien n'est à moitié écrit" in err
    else:
        assert "lecture seule" in err, err
    assert "inattendue" not in err and "Traceback" not in err and "Errno" not in err
    assert snapshot(ws_dir) == before


def test_init_where_a_folder_cannot_be_created(tmp_path, capsys):
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    code, _out, err = run(capsys, "init", str(blocker / "sous" / "espace"))
    assert code == 2 and "Impossible de créer l'espace de travail" in err
    assert "un élément du chemin n'est pas un dossier" in err and "inattendue" not in err
    assert not (tmp_path / "fichier" / "sous").exists()


def test_the_lock_refusal_never_reads_an_empty_record(tmp_path):
    """The writer empties and rewrites the record: a reader must not print « processus ?
    sur hôte inconnu depuis le une date inconnue »."""
    lock = tmp_path / "lock"
    lock.write_bytes(b"")
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # held, record not written yet (and never)
    try:
        with pytest.raises(StoreLockedError) as caught:
            lock_module.WriterLock(lock).acquire()
    finally:
        os.close(fd)
    message = str(caught.value)
    assert "par un autre processus ; fermez-le" in message
    assert "?" not in message and "inconnu" not in message


def test_the_record_is_rewritten_in_place_never_emptied(tmp_path, monkeypatch):
    seen = []
    real = os.ftruncate

    def watch(fd, length):
        seen.append(os.pread(fd, 200, 0))  # what a reader finds just before the cut
        real(fd, length)

    monkeypatch.setattr(lock_module.os, "ftruncate", watch)
    writer = lock_module.WriterLock(tmp_path / "lock")
    writer.acquire()
    try:
        assert all(b'"pid"' in data for data in seen[:1])
        assert lock_module.read_lock_info(tmp_path / "lock")["pid"] == os.getpid()
    finally:
        writer.release()


def test_a_read_only_disk_opens_the_app_read_only(ws_dir, monkeypatch, capsys):
    real_open = os.open

    def refuse_writing_the_lock(path, flags, *args):
        if str(path).endswith("/lock") and flags & os.O_RDWR:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(lock_module.os, "open", refuse_writing_the_lock)
    with Workspace.open(ws_dir, fallback_read_only=True) as ws:
        assert ws.read_only and "lecture seule" in ws.read_only_reason
        from assises_tui.widgets.read_only_banner import read_only_banner

        banner = read_only_banner(ws.read_only_reason)
        assert "le disque de l'espace de travail n'accepte pas l'écriture" in str(banner.render())
    code, _out, err = run(capsys, "--workspace", str(ws_dir), "tag", "+lien", "--", "police")
    assert code == 2 and "est en lecture seule : il ne peut être ouvert qu'en lecture seule" in err


def test_every_known_os_error_has_a_sentence():
    for number in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EIO):
        sentence = os_error_message(OSError(number, "x", "/chemin"), "la purge")
        assert sentence and "(/chemin)" in sentence and "pendant la purge : rien" in sentence
    assert os_error_message(OSError(errno.EBADF, "x")) is None  # a bug stays a bug


def test_purge_date_still_parses(ws_dir):  # the purge above was refused, not misread
    with Workspace.open(ws_dir) as ws:
        report = Services(ws).purge.run(date(2000, 1, 1), dry_run=True)
    assert report.ids == []
