"""Nothing vanishes unseen: a lost shard file, a record of the wrong types, blobs nobody
names. Each is found at open and by ``verify``, in French, without a traceback."""

from __future__ import annotations

import errno
import io
import shutil
import sys
import tarfile
from pathlib import Path

import orjson
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/
from assises_tui.cli import main
from assises_tui.config import bundled_config_dir
from assises_tui.domain.models import Contribution
from assises_tui.errors import AssisesError
from assises_tui.services.importer import import_sources
from assises_tui.store import backup as backups
from assises_tui.store.protocol import StoreCorruptError, StoreError
from assises_tui.store.tinydb_store import TinyDBStore
from assises_tui.workspace import Workspace
from benchmarks.crash_campaign import write_mbox  # noqa: E402


def make(cid: int, **kw) -> Contribution:
    return Contribution(cid, f"<m{cid}@x>", None, False, "A", "a@x", f"s{cid}", None, None, **kw)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    shutil.copy(bundled_config_dir() / "consultation.toml", root)
    TinyDBStore.create(root, shard_size=10)
    with TinyDBStore.open(root, daily_backup=False) as s:
        s.add_many([make(i) for i in s.allocate_ids(25)])  # shards 0, 1, 2
    return root


def shard(root: Path, index: int) -> Path:
    return root / f"store/contributions/{index:04d}.json"


def verify(root: Path) -> list[str]:
    with TinyDBStore.open(root, read_only=True) as s:
        return s.verify()


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_deleted_shard_is_refused_at_open_with_the_backup_to_restore(root, index) -> None:
    with TinyDBStore.open(root, daily_backup=False) as s:
        good = s.backup("avant")
    shard(root, index).unlink()
    for read_only in (False, True):
        with pytest.raises(StoreCorruptError) as caught:
            TinyDBStore.open(root, read_only=read_only, daily_backup=False)
        message = str(caught.value)
        assert f"{index:04d}.json a disparu" in message
        assert f"n° {index * 10 + 1} à {index * 10 + 10}" in message
        assert f"assises restore {good}" in message
    assert not shard(root, index).exists()  # nothing re-created in its place


def test_verify_on_the_command_line_reports_a_deleted_shard(root, capsys) -> None:
    shard(root, 0).unlink()
    assert main(["--workspace", str(root), "verify"]) == 1
    out = capsys.readouterr()
    assert "0000.json a disparu" in out.out and "Tout est en ordre" not in out.out
    assert "Traceback" not in out.err
    assert main(["--workspace", str(root), "verify", "--json"]) == 1
    report = orjson.loads(capsys.readouterr().out)
    assert report["ok"] is False and "0000.json a disparu" in report["problems"][0]


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda data: data["contributions"].pop("12"), r"a perdu 1 contribution\(s\)"),
        (lambda data: data["contributions"].clear(), r"a perdu 10 contribution\(s\)"),
        (lambda data: data.pop("contributions"), r"a perdu 10 contribution\(s\)"),
    ],
)
def test_records_cut_out_of_a_shard_are_refused(root, damage, expected) -> None:
    data = orjson.loads(shard(root, 1).read_bytes())
    damage(data)
    shard(root, 1).write_bytes(orjson.dumps(data))
    with pytest.raises(StoreCorruptError, match=expected):
        TinyDBStore.open(root, daily_backup=False)
    with pytest.raises(StoreCorruptError, match=expected):
        TinyDBStore.open(root, read_only=True, daily_backup=False)


def test_an_id_counter_set_back_is_refused(root) -> None:
    meta_path = root / "store/meta.json"
    meta = orjson.loads(meta_path.read_bytes())
    meta["meta"]["1"]["next_id"] = 20
    meta_path.write_bytes(orjson.dumps(meta))
    with pytest.raises(StoreCorruptError, match="prochain : 20.*jusqu'au n° 25"):
        TinyDBStore.open(root, daily_backup=False)


def test_ids_reserved_and_never_used_are_no_missing_shard(root) -> None:
    with TinyDBStore.open(root, daily_backup=False) as s:
        s.allocate_ids(40)  # an import killed after reserving: shards 3-6 never written
        s.add_many([make(cid) for cid in s.allocate_ids(3)])  # ids 66-68, shard 6
    with TinyDBStore.open(root, daily_backup=False) as s:
        assert s.count() == 28
        assert s.meta()["shard_counts"] == {"0": 10, "1": 10, "2": 5, "6": 3}
    assert verify(root) == []


def test_an_older_store_without_the_list_is_checked_against_the_last_id(root) -> None:
    meta_path = root / "store/meta.json"
    meta = orjson.loads(meta_path.read_bytes())
    del meta["meta"]["1"]["shard_counts"]
    meta_path.write_bytes(orjson.dumps(meta))
    kept = shard(root, 1).read_bytes()
    shard(root, 1).unlink()
    with pytest.raises(StoreCorruptError, match="0001.json a disparu"):
        TinyDBStore.open(root, daily_backup=False)
    # Intact, it opens and keeps the list from then on.
    shard(root, 1).write_bytes(kept)
    with TinyDBStore.open(root, daily_backup=False):
        pass
    counted = orjson.loads(meta_path.read_bytes())["meta"]["1"]["shard_counts"]
    assert counted == {"0": 10, "1": 10, "2": 5}


def test_a_backup_missing_a_shard_is_neither_good_nor_restorable(root) -> None:
    with TinyDBStore.open(root, daily_backup=False) as s:
        complete = s.backup("complete")
    files = backups.check_archive(complete)
    assert "store/contributions/0002.json" in files
    # An archive without one of the shards its meta lists.
    partial = root / "backups" / backups.backup_name("partielle")
    with tarfile.open(complete) as src, tarfile.open(partial, "w:gz") as dst:
        for member in src.getmembers():
            if member.name != "store/contributions/0002.json":
                dst.addfile(member, io.BytesIO(src.extractfile(member).read()))
    with pytest.raises(StoreError, match="incomplète.*de store/contributions/0002.json"):
        backups.check_archive(partial)
    assert backups.newest_good_backup(root) == complete


def test_wrong_types_are_reported_by_verify_of_a_running_writer(root) -> None:
    with TinyDBStore.open(root, daily_backup=False) as writer:
        data = orjson.loads(shard(root, 0).read_bytes())
        data["contributions"]["3"]["themes"] = "lien"
        shard(root, 0).write_bytes(orjson.dumps(data))
        problems = writer.verify()
    assert any("n° 3 est mal formée" in p and "« themes »" in p for p in problems)


def test_an_import_stopped_by_a_full_disk_leaves_no_blob_behind(tmp_path, monkeypatch):
    """Blobs are written before the records naming them; when the records cannot be
    written (ENOSPC), the blobs of that batch are removed again."""
    box = tmp_path / "boite.mbox"
    write_mbox(box, 30)
    root = tmp_path / "ws"
    Workspace.init(root).close()
    calls = []
    real = TinyDBStore.add_many

    def full_on_the_second_batch(self, items):
        calls.append(len(items))
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(self.root / "store"))
        return real(self, items)

    monkeypatch.setattr(TinyDBStore, "add_many", full_on_the_second_batch)
    with Workspace.open(root) as ws, pytest.raises(AssisesError) as caught:
        import_sources(ws, [box], batch_size=10, workers=1)
    assert str(caught.value).startswith("Disque plein")
    assert "pendant l'import : rien n'est à moitié écrit" in str(caught.value)
    with TinyDBStore.open(root, read_only=True) as s:
        assert s.count() == 10 and s.verify() == []
        assert s.unreferenced_blobs() == {}
    monkeypatch.setattr(TinyDBStore, "add_many", real)
    with Workspace.open(root) as ws:
        import_sources(ws, [box], workers=1)
    with TinyDBStore.open(root, read_only=True) as s:
        assert s.count() == 30 and s.verify() == [] and s.unreferenced_blobs() == {}


def test_verify_reports_and_removes_blobs_nobody_names(root, capsys) -> None:
    with TinyDBStore.open(root, daily_backup=False) as s:
        s.put_blobs([b"reste d'un lot jamais enregistre", b"un autre reste"])
    assert main(["--workspace", str(root), "verify"]) == 0  # not a problem: a leftover
    out = capsys.readouterr().out
    assert "2 fichier(s) de blobs/ ne sont cités par aucune contribution" in out
    assert main(["--workspace", str(root), "verify", "--remove-unreferenced", "--json"]) == 0
    report = orjson.loads(capsys.readouterr().out)
    assert report["removed_blobs"] == 2 and report["unreferenced_blobs"]["files"] == 2
    with TinyDBStore.open(root, read_only=True) as s:
        assert s.unreferenced_blobs() == {}
