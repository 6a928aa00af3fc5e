"""Backups, corrupt files, restore, schema versions and migrations."""

from __future__ import annotations

import tarfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import orjson
import pytest

from assises_tui.domain.models import Contribution, Status
from assises_tui.store import backup as backups
from assises_tui.store import migrations
from assises_tui.store.protocol import StoreCorruptError, StoreError, StoreVersionError
from assises_tui.store.tinydb_store import TinyDBStore


def make(cid: int, **kw) -> Contribution:
    return Contribution(cid, f"<m{cid}@x>", None, False, "A", "a@x", f"s{cid}", None, None, **kw)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "consultation.toml").write_text("title = 'x'\n")
    TinyDBStore.create(root, shard_size=10)
    with TinyDBStore.open(root, daily_backup=False) as s:
        s.add_many([make(i) for i in s.allocate_ids(15)])
    return root


def test_backup_is_a_consistent_tar_of_the_json_files(root: Path) -> None:
    with TinyDBStore.open(root, daily_backup=False) as s:
        s.put_blob(b"not in the backup")
        path = s.backup("avant import")
    assert path.parent == root / "backups" and path.name.endswith("-avant-import.tar.gz")
    with tarfile.open(path) as tar:
        names = set(tar.getnames())
    assert names == {
        "manifest.json",
        "consultation.toml",
        "store/meta.json",
        "store/contributions/0000.json",
        "store/contributions/0001.json",
    }
    files = backups.check_archive(path)
    assert orjson.loads(files["store/contributions/0001.json"])["contributions"]["15"]["id"] == 15


def test_backups_rotate_keeping_the_newest(root: Path) -> None:
    with TinyDBStore.open(root, daily_backup=False) as s:
        made = [s.backup(f"n{i}") for i in range(13)]
    kept = backups.list_backups(root)
    assert len(kept) == 10
    assert kept == sorted(made[-10:], reverse=True)


def test_daily_backup_once_a_day_for_the_writer_only(root: Path) -> None:
    with TinyDBStore.open(root, read_only=True):
        pass
    assert backups.list_backups(root) == []
    with TinyDBStore.open(root) as s:
        pass  # close() waits for the background copy
    assert [p.name.endswith("-quotidienne.tar.gz") for p in backups.list_backups(root)] == [True]
    assert s.meta()["last_backup_day"] == date.today().isoformat()
    with TinyDBStore.open(root):
        pass
    assert len(backups.list_backups(root)) == 1


def test_corrupt_shard_is_named_untouched_and_restorable(root: Path) -> None:
    with TinyDBStore.open(root, daily_backup=False) as s:
        good = s.backup("avant import")
        s.save(replace(s.get(12), status=Status.DONE))
    shard = root / "store/contributions/0001.json"
    damaged = shard.read_bytes()[:-40]
    shard.write_bytes(damaged)
    for read_only in (False, True):
        with pytest.raises(StoreCorruptError) as err:
            TinyDBStore.open(root, read_only=read_only)
        message = str(err.value)
        assert str(shard) in message and str(good) in message and "assises restore" in message
    assert shard.read_bytes() == damaged  # byte for byte
    # The lock was released by the failed open.
    aside = backups.restore_backup(root, good.name)
    assert (aside / "contributions/0001.json").read_bytes() == damaged  # kept aside
    with TinyDBStore.open(root, daily_backup=False) as s:
        assert s.count() == 15 and s.get(12).status is Status.NEW
        assert s.verify() == []


def test_corrupt_meta_without_backup_says_so(root: Path) -> None:
    (root / "store/meta.json").write_bytes(b"{not json")
    with pytest.raises(StoreCorruptError, match="Aucune sauvegarde valide"):
        TinyDBStore.open(root)


def test_a_damaged_backup_is_not_offered(root: Path) -> None:
    with TinyDBStore.open(root, daily_backup=False) as s:
        good = s.backup("bonne")
        bad = s.backup("abimee")
    bad.write_bytes(bad.read_bytes()[:100])
    assert backups.newest_good_backup(root) == good
    with pytest.raises(StoreError, match="illisible"):
        backups.restore_backup(root, bad)


def test_restore_refuses_a_hostile_archive(root: Path, tmp_path: Path) -> None:
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../../escape.json")
        info.size = 2
        import io

        tar.addfile(info, io.BytesIO(b"{}"))
    before = (root / "store/meta.json").read_bytes()
    with pytest.raises(StoreError, match="élément inattendu"):
        backups.restore_backup(root, evil)
    assert (root / "store/meta.json").read_bytes() == before
    assert not (tmp_path / "escape.json").exists()


def test_newer_schema_is_refused(root: Path) -> None:
    meta = root / "store/meta.json"
    data = orjson.loads(meta.read_bytes())
    data["meta"]["1"]["schema_version"] = migrations.SCHEMA_VERSION + 1
    meta.write_bytes(orjson.dumps(data))
    for read_only in (False, True):
        with pytest.raises(StoreVersionError, match="version plus récente"):
            TinyDBStore.open(root, read_only=read_only)
    assert orjson.loads(meta.read_bytes()) == data


def test_migration_runs_once_with_a_backup_first(root: Path, monkeypatch) -> None:
    """A synthetic v1 -> v2 step that rewrites every record's snippet."""

    def v1_to_v2(records, meta):
        for record in records.values():
            record["snippet"] = "migré:" + record.get("snippet", "")

    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(migrations.MIGRATIONS, 1, v1_to_v2)
    with TinyDBStore.open(root, read_only=True) as ro:  # in memory only
        assert ro.get(3).snippet == "migré:"
    assert backups.list_backups(root) == []
    with TinyDBStore.open(root, daily_backup=False) as s:
        assert s.get(3).snippet == "migré:" and s.get(14).snippet == "migré:"
        assert s.meta()["schema_version"] == 2
    made = backups.list_backups(root)
    assert len(made) == 1 and "avant-migration" in made[0].name
    with TinyDBStore.open(root, daily_backup=False) as s:  # not migrated twice
        assert s.get(3).snippet == "migré:"
    assert not (root / "store/journal.json").exists()


def test_missing_migration_step_is_refused(root: Path, monkeypatch) -> None:
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 2)
    with pytest.raises(StoreVersionError, match="Aucune migration"):
        TinyDBStore.open(root, daily_backup=False)


@pytest.mark.parametrize(
    "content",
    [
        b"[1, 2]",
        b'{"contributions": [1]}',
        b'{"contributions": {"x": {}}}',
        b'{"contributions": {"11": "texte"}}',
        b'{"contributions": {"3": {"id": 3}}}',
    ],
)
def test_valid_json_in_a_bad_shape_is_corruption_not_a_crash(root: Path, content: bytes) -> None:
    shard = root / "store/contributions/0001.json"
    shard.write_bytes(content)
    with pytest.raises(StoreCorruptError, match="0001.json"):
        TinyDBStore.open(root)
    assert shard.read_bytes() == content


def test_meta_in_a_bad_shape_is_corruption(root: Path) -> None:
    (root / "store/meta.json").write_bytes(b'{"meta": [1]}')
    with pytest.raises(StoreCorruptError, match="meta.json"):
        TinyDBStore.open(root)


def test_journal_replay_onto_a_corrupt_shard_writes_nothing(root: Path) -> None:
    journal = {"records": {"12": {**make(12).to_dict(), "assignee": "x"}}, "meta": None}
    (root / "store/journal.json").write_bytes(orjson.dumps(journal))
    shard = root / "store/contributions/0001.json"
    shard.write_bytes(b"{abime")
    with pytest.raises(StoreCorruptError, match="0001.json"):
        TinyDBStore.open(root)
    assert shard.read_bytes() == b"{abime"
    assert (root / "store/journal.json").exists()  # untouched too


def _records_in_archive(path: Path) -> dict[int, dict]:
    files = backups.check_archive(path)
    records: dict[int, dict] = {}
    for name, data in sorted(files.items()):
        if name.startswith("store/contributions/"):
            records.update({int(k): v for k, v in orjson.loads(data)["contributions"].items()})
    if "store/journal.json" in files:  # restore replays it: apply it the same way
        journal = orjson.loads(files["store/journal.json"])["records"]
        records.update({int(k): v for k, v in journal.items()})
    return records


def test_backup_by_a_reader_while_the_writer_works_is_consistent(root: Path) -> None:
    import threading

    writer = TinyDBStore.open(root, daily_backup=False)
    reader = TinyDBStore.open(root, read_only=True)
    stop = threading.Event()
    ids = (1, 11)  # two shards: every write goes through the journal

    def work() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            writer.save_many([replace(writer.get(c), assignee=str(i)) for c in ids])

    thread = threading.Thread(target=work)
    thread.start()
    try:
        archives = [reader.backup("pendant", dest=root.parent / f"b{n}.tar.gz") for n in range(15)]
    finally:
        stop.set()
        thread.join()
        writer.close()
        reader.close()
    seen = set()
    for path in archives:
        records = _records_in_archive(path)
        values = {records[c].get("assignee", "") for c in ids}
        assert len(values) == 1, f"{path.name}: {values}"  # never half a bulk write
        seen |= values
    assert len(seen) > 1  # the writer really was writing during the copies
