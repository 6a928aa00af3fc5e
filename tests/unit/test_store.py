"""The sharded TinyDB store: records, indexes, journal, blobs, docs, audit, read-only views."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from assises_tui.domain.models import Attachment, Contribution, Excerpt, HistoryEntry, Note, Status
from assises_tui.store.codec import decode, encode
from assises_tui.store.protocol import StoreError
from assises_tui.store.shards import Shards
from assises_tui.store.tinydb_store import TinyDBStore


def make(cid: int, **kw) -> Contribution:
    values = dict(
        id=cid,
        message_id=f"<m{cid}@exemple.fr>",
        received_at=datetime(2019, 12, 1, 10, 0, tzinfo=UTC),
        date_uncertain=False,
        sender_name="Marie Martin",
        sender_email="marie@exemple.fr",
        subject=f"Contribution {cid}",
        body_blob=None,
        raw_blob=None,
        raw_sha256=f"{cid:064x}",
    )
    values.update(kw)
    return Contribution(**values)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    TinyDBStore.create(root, shard_size=10)
    return root


@pytest.fixture
def store(root: Path):
    s = TinyDBStore.open(root, daily_backup=False)
    yield s
    s.close()


def test_add_get_all_and_indexes(store: TinyDBStore) -> None:
    ids = store.allocate_ids(25)
    assert ids == list(range(1, 26))
    store.add_many([make(i) for i in ids])
    assert store.count() == 25
    assert [c.id for c in store.all()] == ids
    assert store.get(12).subject == "Contribution 12"
    assert store.get(999) is None
    assert store.id_for_message_id("<m7@exemple.fr>") == 7
    assert store.id_for_raw_sha256(f"{9:064x}") == 9
    assert store.id_for_message_id("") is None
    assert store.allocate_ids(2) == [26, 27]  # never reused
    # 25 records in shards of 10: three files, named by id range.
    assert sorted(p.name for p in (store.root / "store/contributions").iterdir()) == [
        "0000.json",
        "0001.json",
        "0002.json",
    ]


def test_changes_survive_reopen_and_indexes_follow(root: Path) -> None:
    with TinyDBStore.open(root, daily_backup=False) as s:
        s.add_many([make(i) for i in s.allocate_ids(12)])
        assert s.id_for_message_id("<m1@exemple.fr>") == 1  # indexes built now, then kept up
        s.save(replace(s.get(3), status=Status.DONE, themes=("lien",)))
        s.save_many([replace(s.get(1), message_id="<autre@x>"), replace(s.get(11), late=True)])
        assert s.id_for_message_id("<m1@exemple.fr>") is None
        assert s.id_for_message_id("<autre@x>") == 1
    with TinyDBStore.open(root, daily_backup=False) as s:
        assert s.get(3).status is Status.DONE and s.get(3).themes == ("lien",)
        assert s.get(11).late is True
        assert s.id_for_message_id("<autre@x>") == 1
        assert s.allocate_ids(1) == [13]


def test_add_many_refuses_duplicates_and_save_refuses_unknown(store: TinyDBStore) -> None:
    store.add_many([make(1), make(2)])
    with pytest.raises(StoreError, match="n° 2 existe déjà"):
        store.add_many([make(3), make(2)])
    assert store.get(3) is None  # all or nothing
    with pytest.raises(StoreError, match="n° 5 n'existe pas"):
        store.save(make(5))
    # Ids added without allocate_ids are never handed out afterwards.
    store.add_many([make(40)])
    assert store.allocate_ids(1) == [41]


def test_codec_round_trip_matches_the_model() -> None:
    full = make(
        7,
        status=Status.DUPLICATE,
        themes=("lien", "service"),
        attachments=(Attachment("a.pdf", "application/pdf", 10, "ab" * 32, None, "trop long"),),
        excerpts=(Excerpt("e1", 0, 5, "texte", "lien", "constat", "n", "moi", "2020"),),
        notes=(Note("moi", "2020-01-01", "à revoir"),),
        history=(HistoryEntry("moi", "2020", "status", "new", "done"),),
        duplicate_of=3,
        late=True,
    )
    bare = make(8, received_at=None)
    for item in (full, bare):
        stored = orjson.loads(orjson.dumps(encode(item)))
        assert decode(stored) == item
        assert Contribution.from_dict(stored) == item
    assert "notes" not in encode(bare) and "late" not in encode(bare)  # defaults not stored


def test_multi_shard_write_is_all_or_nothing(root: Path, monkeypatch) -> None:
    s = TinyDBStore.open(root, daily_backup=False)
    s.add_many([make(i) for i in s.allocate_ids(30)])
    real_write = Shards.write
    calls = []

    def failing_write(self, index, records):
        calls.append(index)
        if len(calls) == 2:  # second shard: as if the disk failed mid-way
            raise OSError(28, "No space left on device")
        real_write(self, index, records)

    monkeypatch.setattr(Shards, "write", failing_write)
    batch = [replace(s.get(i), assignee="bulk") for i in (2, 15, 25)]
    with pytest.raises(StoreError, match="prochaine ouverture"):
        s.save_many(batch)
    with pytest.raises(StoreError):  # refused until reopened: the journal must win
        s.save(replace(s.get(2), assignee="later"))
    s.close()
    monkeypatch.setattr(Shards, "write", real_write)
    # A read-only view overlays the pending journal without writing.
    with TinyDBStore.open(root, read_only=True) as ro:
        assert {ro.get(i).assignee for i in (2, 15, 25)} == {"bulk"}
        assert any("écriture inachevée" in p for p in ro.verify())
    assert (root / "store/journal.json").exists()
    with TinyDBStore.open(root, daily_backup=False) as s2:  # the writer replays it
        assert {s2.get(i).assignee for i in (2, 15, 25)} == {"bulk"}
    assert not (root / "store/journal.json").exists()
    with TinyDBStore.open(root, read_only=True) as ro:
        assert {ro.get(i).assignee for i in (2, 15, 25)} == {"bulk"}


def test_single_shard_failure_changes_nothing(store: TinyDBStore, monkeypatch) -> None:
    store.add_many([make(i) for i in store.allocate_ids(3)])

    def boom(*_a, **_k):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("assises_tui.durable.write_atomic", boom)
    with pytest.raises(StoreError, match="Erreur d'entrée-sortie du disque"):
        store.save(replace(store.get(2), assignee="x"))
    monkeypatch.undo()
    assert store.get(2).assignee == ""
    store.save(replace(store.get(2), assignee="y"))  # still usable
    assert store.get(2).assignee == "y"


def test_read_only_refuses_every_write(root: Path) -> None:
    with TinyDBStore.open(root, daily_backup=False) as s:
        s.add_many([make(1)])
    ro = TinyDBStore.open(root, read_only=True)
    attempts = [
        lambda: ro.save(make(1)),
        lambda: ro.save_many([make(1)]),
        lambda: ro.add_many([make(2)]),
        lambda: ro.allocate_ids(1),
        lambda: ro.put_blob(b"x"),
        lambda: ro.delete_blob("ab" * 32),
        lambda: ro.put_doc("d", {}),
        lambda: ro.append_audit([{"a": 1}]),
        lambda: ro.add_quarantine("f", "r", None),
    ]
    for attempt in attempts:
        with pytest.raises(StoreError, match="lecture seule"):
            attempt()
    assert ro.get(1) is not None
    ro.close()


def test_reload_if_changed_follows_the_writer(root: Path) -> None:
    writer = TinyDBStore.open(root, daily_backup=False)
    writer.add_many([make(i) for i in writer.allocate_ids(5)])
    view = TinyDBStore.open(root, read_only=True)
    assert view.reload_if_changed() is False
    writer.save(replace(writer.get(4), status=Status.OFF_TOPIC))
    writer.add_many([make(i, message_id=f"<n{i}@x>") for i in writer.allocate_ids(10)])
    assert view.reload_if_changed() is True
    assert view.get(4).status is Status.OFF_TOPIC
    assert view.count() == 15 and view.id_for_message_id("<n12@x>") == 12
    assert view.reload_if_changed() is False
    assert writer.reload_if_changed() is False
    view.close()
    writer.close()


def test_blobs_are_content_addressed_and_immutable(store: TinyDBStore) -> None:
    sha = store.put_blob(b"courriel brut")
    path = store.root / "blobs" / sha[:2] / sha[2:]
    assert path.read_bytes() == b"courriel brut"
    assert store.put_blob(b"courriel brut") == sha  # written once
    assert store.has_blob(sha) and store.get_blob(sha) == b"courriel brut"
    shas = store.put_blobs([b"a", b"b", b"a"])
    assert shas[0] == shas[2] and store.get_blob(shas[1]) == b"b"
    store.delete_blob(sha)
    assert not store.has_blob(sha)
    with pytest.raises(StoreError, match="introuvable"):
        store.get_blob(sha)
    assert not store.has_blob("../../etc/passwd")
    # A blob whose name survived a power cut but not its bytes is written again.
    sha_b = store.put_blob(b"contenu complet")
    (store.root / "blobs" / sha_b[:2] / sha_b[2:]).write_bytes(b"")
    assert store.put_blob(b"contenu complet") == sha_b
    assert store.get_blob(sha_b) == b"contenu complet"
    assert not list((store.root / "blobs" / "tmp").iterdir())


def test_docs_quarantine_and_audit(store: TinyDBStore, root: Path) -> None:
    assert store.get_doc("recherches") == {}
    store.put_doc("recherches", {"items": [{"name": "urgent", "q": "status:new"}]})
    value = store.get_doc("recherches")
    value["items"].clear()  # the caller's copy: the stored value is untouched
    assert store.get_doc("recherches")["items"][0]["name"] == "urgent"
    with pytest.raises(TypeError):
        store.put_doc("bad", {"x": object()})
    q1 = store.add_quarantine("boite.mbox", "en-têtes illisibles", None)
    q2 = store.add_quarantine("x.eml", "vide", "cd" * 32)
    assert (q1.id, q2.id) == (1, 2)
    assert [q.source for q in store.quarantine()] == ["boite.mbox", "x.eml"]
    store.append_audit([{"what": "export", "n": 1}])
    # A crash mid-append tears the last line: readers skip it, the next append cuts it.
    with open(root / "store/audit.jsonl", "ab") as fh:
        fh.write(b'{"what": "tor')
    assert store.audit() == [{"what": "export", "n": 1}]
    store.append_audit([{"what": "codebook"}])
    assert store.audit() == [{"what": "export", "n": 1}, {"what": "codebook"}]
    # The second entry names a raw mail that was never stored: verify says so.
    assert [p for p in store.verify()] == [
        f"Quarantaine n° 2, courriel brut : le fichier blobs/cd/{'cd' * 31} est absent."
    ]
    store.close()
    with TinyDBStore.open(root, read_only=True) as ro:
        assert ro.get_doc("recherches")["items"][0]["q"] == "status:new"
        assert len(ro.quarantine()) == 2


def test_verify_finds_missing_and_altered_blobs(store: TinyDBStore) -> None:
    raw = store.put_blob(b"raw mail")
    body = store.put_blob(b"body text")
    att = store.put_blob(b"%PDF")
    text = store.put_blob(b"pdf text")
    item = make(
        1,
        raw_blob=raw,
        body_blob=body,
        attachments=(Attachment("note.pdf", "application/pdf", 4, att, text),),
    )
    store.add_many([item])
    assert store.verify() == []
    os.remove(store.root / "blobs" / body[:2] / body[2:])
    (store.root / "blobs" / text[:2] / text[2:]).write_bytes(b"altered")
    problems = store.verify()
    assert len(problems) == 2
    assert any("texte du message" in p and "absent" in p for p in problems)
    assert any("note.pdf" in p and "modifié" in p for p in problems)


def test_verify_finds_hand_edited_records(store: TinyDBStore, root: Path) -> None:
    store.add_many([make(i) for i in store.allocate_ids(12)])
    shard = root / "store/contributions/0001.json"
    data = orjson.loads(shard.read_bytes())
    data["contributions"]["5"] = data["contributions"]["11"] | {"id": 5}
    shard.write_bytes(orjson.dumps(data))
    problems = store.verify()
    assert any("n° 5 figure deux fois" in p for p in problems)
    assert any("mauvais fichier" in p for p in problems)


def test_permissions_ignore_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        root = tmp_path / "ws"
        root.mkdir()
        TinyDBStore.create(root, shard_size=10)
        with TinyDBStore.open(root, daily_backup=False) as s:
            s.add_many([make(1)])
            s.put_blob(b"data")
            s.append_audit([{"a": 1}])
            s.backup("test")
    finally:
        os.umask(old)
    for path in root.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_reload_rebuilds_only_what_changed(root: Path, monkeypatch) -> None:
    writer = TinyDBStore.open(root, daily_backup=False)
    writer.add_many([make(i) for i in writer.allocate_ids(30)])
    view = TinyDBStore.open(root, read_only=True)
    untouched, touched = view.get(25), view.get(5)
    writer.save(replace(writer.get(5), assignee="moi"))
    assert view.reload_if_changed()
    assert view.get(25) is untouched  # other shards keep their decoded records
    assert view.get(5) is not touched and view.get(5).assignee == "moi"
    # A pending journal is overlaid, then dropped once the shards hold the same values.
    real_write = Shards.write

    def fail_second(self, index, records, calls=[]):  # noqa: B006 - call counter
        calls.append(index)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_write(self, index, records)

    monkeypatch.setattr(Shards, "write", fail_second)
    with pytest.raises(StoreError):
        writer.save_many([replace(writer.get(i), assignee="lot") for i in (3, 13, 23)])
    writer.close()
    monkeypatch.setattr(Shards, "write", real_write)
    assert view.reload_if_changed()
    assert [view.get(i).assignee for i in (3, 13, 23)] == ["lot"] * 3
    TinyDBStore.open(root, daily_backup=False).close()  # replays and removes the journal
    assert view.reload_if_changed()
    assert [view.get(i).assignee for i in (3, 13, 23)] == ["lot"] * 3
    assert view.get(5).assignee == "moi" and view.count() == 30
    view.close()


def test_writer_open_removes_temporaries_left_by_a_crash(root: Path) -> None:
    leftovers = [
        root / "store/.meta.json.99.ab12cd34.tmp",
        root / "store/contributions/.0000.json.99.ab12cd34.tmp",
        root / "backups/.20260101-quotidienne.tar.gz.99.ab12cd34.tmp",
        root / "blobs/tmp/.0123456789abcdef.99.ab12cd34.tmp",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    TinyDBStore.open(root, read_only=True).close()
    assert all(p.exists() for p in leftovers)  # a reader never deletes anything
    TinyDBStore.open(root, daily_backup=False).close()
    assert not any(p.exists() for p in leftovers)


def test_tinydb_store_implements_every_protocol_method() -> None:
    import inspect

    from assises_tui.store.protocol import Store

    for name, member in vars(Store).items():
        if name.startswith("_") or not callable(member):
            continue
        ours = getattr(TinyDBStore, name, None)
        assert ours is not None, name
        expected = list(inspect.signature(member).parameters)
        assert list(inspect.signature(ours).parameters)[: len(expected)] == expected, name
