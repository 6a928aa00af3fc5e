"""Records in memory and on disk: decoded once at open (fast path and tolerant path agree),
repeated strings shared, shards written one record per line and spliced."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
from tinydb import TinyDB

from assises_tui.domain.models import Attachment, Contribution, Excerpt, HistoryEntry, Note, Status
from assises_tui.screens.views import VIEW_BY_KEY, view_ids
from assises_tui.store import shard_records
from assises_tui.store.codec import decode, encode
from assises_tui.store.protocol import StoreCorruptError
from assises_tui.store.tinydb_store import TinyDBStore

PARIS = timezone(timedelta(hours=1))


def make(cid: int, **kw) -> Contribution:
    values = dict(
        id=cid,
        message_id=f"<m{cid}@exemple.fr>",
        received_at=datetime(2019, 12, 1, 10, cid % 60, tzinfo=PARIS),
        date_uncertain=False,
        sender_name="Marie Martin",
        sender_email=f"marie{cid}@exemple.fr",
        subject=f"Contribution {cid} — sécurité",
        body_blob=f"{cid:064x}",
        raw_blob=f"{cid + 1000:064x}",
        raw_sha256=f"{cid + 1000:064x}",
        commune="Moulins",
        source="boite.mbox",
        contributor_category="citoyen",
        history=(HistoryEntry("import", "2019-12-01T10:00:00+01:00", "import", None, "new"),),
    )
    values.update(kw)
    return Contribution(**values)


def varied() -> list[Contribution]:
    """Records covering every field and the odd dates (naive, UTC, microseconds, LMT)."""
    return [
        make(1),
        make(
            2,
            status=Status.DUPLICATE,
            themes=("lien", "service"),
            attachments=(
                Attachment("a.pdf", "application/pdf", 10, "ab" * 32, "cd" * 32, "trop long"),
                Attachment("b.txt", "text/plain", 3, None),
            ),
            excerpts=(Excerpt("e1", 0, 5, "texte", "lien", "constat", "n", "moi", "2020"),),
            notes=(Note("moi", "2020-01-01", "à revoir"),),
            history=(
                HistoryEntry("import", "2019", "import", None, "new"),
                HistoryEntry("moi", "2020", "themes", [], ["lien", "service"]),
                HistoryEntry("moi", "2020", "status", "new", "duplicate"),
            ),
            duplicate_of=1,
            cluster=4,
            late=True,
            assignee="moi",
            status_reason="relance",
            snippet="bonjour",
            text_fingerprint="f" * 16,
        ),
        make(3, received_at=None, raw_blob=None, raw_sha256=""),
        make(4, received_at=datetime(2019, 12, 1, 10, 0)),  # naive
        make(5, received_at=datetime(2019, 12, 1, 9, 0, 0, 123456, tzinfo=UTC)),
        make(6, status=Status.NOT_CONTRIBUTION, status_reason="réponse automatique"),
    ]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    TinyDBStore.create(root, shard_size=10)
    return root


def reopen(root: Path, **kw) -> TinyDBStore:
    return TinyDBStore.open(root, daily_backup=False, **kw)


def shard(root: Path, index: int = 0) -> Path:
    return root / f"store/contributions/{index:04d}.json"


def test_models_are_slotted_and_still_frozen() -> None:
    item = make(1)
    assert not hasattr(item, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.subject = "x"  # type: ignore[misc]
    assert replace(item, subject="x").subject == "x"


def test_records_come_back_equal_through_the_fast_path(root: Path, monkeypatch) -> None:
    items = varied()
    with reopen(root) as s:
        s.add_many(items)
    slow = []
    monkeypatch.setattr(shard_records, "decode_dicts", lambda *a: slow.append(1) or {})
    with reopen(root, read_only=True) as s:
        assert s.all() == items
    assert slow == []  # msgspec read every shard itself


def test_fast_and_tolerant_paths_agree(root: Path, monkeypatch) -> None:
    items = varied()
    with reopen(root) as s:
        s.add_many(items)
    with reopen(root) as fast:
        from_fast = fast.all()
    monkeypatch.setattr(shard_records, "_fast", lambda *a: None)
    with reopen(root) as slow:
        from_slow = slow.all()
    assert from_fast == from_slow == items
    for a, b in zip(from_fast, from_slow, strict=True):
        assert a.received_at == b.received_at and type(a.status) is type(b.status) is Status
    # The codec alone gives the same records too.
    assert [decode(orjson.loads(orjson.dumps(encode(i)))) for i in items] == items


def test_a_date_msgspec_refuses_still_loads(root: Path) -> None:
    lmt = timezone(timedelta(seconds=561))  # +00:09:21, not RFC 3339
    item = make(7, received_at=datetime(1911, 3, 11, 0, 0, tzinfo=lmt))
    with reopen(root) as s:
        s.add_many([item, make(8)])
    with reopen(root) as s:
        assert s.get(7) == item and s.get(8) == make(8)


def test_odd_but_readable_records_take_the_tolerant_path(root: Path) -> None:
    """A hand-edited file in another layout, with an unknown key: read all the same."""
    with reopen(root) as s:
        s.add_many([make(1, attachments=(Attachment("a.pdf", "application/pdf", 1, None),))])
    data = orjson.loads(shard(root).read_bytes())
    data["contributions"]["1"]["colonne_inconnue"] = 1
    shard(root).write_bytes(orjson.dumps(data))
    with reopen(root) as s:
        assert s.get(1).attachments[0].size == 1
        assert s.get(1).subject == make(1).subject


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("themes", "lien", "« themes » devrait être une liste, c'est un texte"),
        ("late", "oui", "« late »"),
        ("status", "fini", "« status »"),
        ("received_at", 20200114, "« received_at »"),
        ("notes", [{"author": "a", "at": "b"}], "« text »"),
        (
            "attachments",
            [{"filename": "a", "content_type": "t", "size": None, "blob": None}],
            "size",
        ),
    ],
)
def test_a_wrong_type_is_refused_not_coerced(root: Path, field, value, named) -> None:
    """``themes: "lien"`` once loaded as four themes l, i, e, n and was written back."""
    with reopen(root) as s:
        s.add_many([make(1), make(2)])
    before = shard(root).read_bytes()
    data = orjson.loads(before)
    data["contributions"]["2"][field] = value
    shard(root).write_bytes(orjson.dumps(data))
    with pytest.raises(StoreCorruptError, match="n° 2 est mal formée") as caught:
        reopen(root)
    assert named in str(caught.value)
    with pytest.raises(StoreCorruptError):  # a read-only view refuses it too
        TinyDBStore.open(root, read_only=True, daily_backup=False)
    assert orjson.loads(shard(root).read_bytes())["contributions"]["2"][field] == value


def test_a_record_missing_a_required_field_is_named_at_open(root: Path) -> None:
    with reopen(root) as s:
        s.add_many([make(1), make(2)])
    data = orjson.loads(shard(root).read_bytes())
    del data["contributions"]["2"]["subject"]
    shard(root).write_bytes(orjson.dumps(data))
    with pytest.raises(StoreCorruptError, match=r"0000\.json.*n° 2 est mal formée"):
        reopen(root)


def test_repeated_strings_are_shared(root: Path) -> None:
    with reopen(root) as s:
        s.add_many([make(1), make(2, themes=("lien",)), make(3, themes=("lien",))])
    for fast in (True, False):
        with reopen(root, read_only=True) as s:
            if not fast:  # the journal overlay and reloads use codec.decode
                s._records.objs = {
                    c.id: decode(orjson.loads(orjson.dumps(encode(c)))) for c in s.all()
                }
            a, b, c = s.get(1), s.get(2), s.get(3)
            assert a.raw_sha256 is a.raw_blob
            assert a.commune is b.commune and a.source is b.source
            assert a.contributor_category is b.contributor_category
            assert b.themes[0] is c.themes[0]
            assert a.history[0].who is b.history[0].who
            assert a.history[0].after is b.history[0].after


def test_shard_file_holds_one_record_per_line_and_stays_a_tinydb_file(root: Path) -> None:
    with reopen(root) as s:
        s.add_many([make(i) for i in (3, 1, 2)])
    lines = shard(root).read_bytes().split(b"\n")
    assert lines[0] == b'{"contributions":{'
    assert [line.split(b":", 1)[0] for line in lines[1:4]] == [b'"1"', b'"2"', b'"3"']
    db = TinyDB(shard(root), access_mode="r")
    try:
        assert sorted(d["id"] for d in db.table("contributions").all()) == [1, 2, 3]
    finally:
        db.close()


def test_a_change_rewrites_only_its_own_line(root: Path) -> None:
    with reopen(root) as s:
        s.add_many([make(i) for i in range(1, 8)])
        before = shard(root).read_bytes().split(b"\n")
        s.save(replace(s.get(4), assignee="moi"))
        s.add_many([make(9)])
    after = [line.rstrip(b",") for line in shard(root).read_bytes().split(b"\n")]
    before = [line.rstrip(b",") for line in before]
    assert [i for i in range(1, 8) if before[i] != after[i]] == [4]  # lines 1-7: records 1-7
    assert after[8].startswith(b'"9":{') and after[9] == b"}}"
    with reopen(root) as s:
        assert s.get(4).assignee == "moi" and s.get(9) == make(9) and s.count() == 8


def test_a_single_line_shard_from_an_older_version_is_read_and_converted(root: Path) -> None:
    items = [make(i) for i in range(1, 6)]
    legacy = {"contributions": {str(i.id): encode(i) for i in items}, "_default": {}}
    shard(root).write_bytes(orjson.dumps(legacy))
    meta_path = root / "store/meta.json"  # as that version left it: a counter, no counts
    meta = orjson.loads(meta_path.read_bytes())
    meta["meta"]["1"]["next_id"] = 6
    del meta["meta"]["1"]["shard_counts"]
    meta_path.write_bytes(orjson.dumps(meta))
    with reopen(root) as s:
        assert s.all() == items
        s.save(replace(s.get(2), assignee="moi"))
    assert shard(root).read_bytes().count(b"\n") == 7  # head, 5 records, tail
    with reopen(root) as s:
        assert [c.assignee for c in s.all()] == ["", "moi", "", "", ""]


def test_a_shard_changed_behind_the_writer_is_rewritten_from_memory(root: Path) -> None:
    """The single writer's records are the truth, as with TinyDB's cache before."""
    with reopen(root) as s:
        s.add_many([make(i) for i in range(1, 4)])
        edited = orjson.loads(shard(root).read_bytes())
        edited["contributions"]["1"]["subject"] = "modifié à la main"
        shard(root).write_bytes(orjson.dumps(edited))
        s.save(replace(s.get(2), assignee="moi"))
    with reopen(root) as s:
        assert s.get(1).subject == make(1).subject
        assert s.get(2).assignee == "moi" and s.count() == 3


def test_a_date_view_sorts_naive_and_aware_dates_together() -> None:
    records = [
        make(1, received_at=datetime(2019, 12, 2, 10, 0, tzinfo=PARIS)),
        make(2, received_at=datetime(2019, 12, 1, 10, 0)),  # naive: local time
        make(3, received_at=None),
        make(4, received_at=datetime(2019, 11, 30, 10, 0, tzinfo=UTC)),
    ]
    ids = view_ids(records, VIEW_BY_KEY["all"], "moi", "date", False)
    assert ids == [4, 2, 1, 3]
    aware = [r for r in records if r.id != 2]
    assert view_ids(aware, VIEW_BY_KEY["all"], "moi", "date", True) == [1, 4, 3]


def test_equal_history_entries_are_shared_after_a_load(root: Path) -> None:
    batch = HistoryEntry("import", "2020-01-05T10:00:00+01:00", "import", None, "boite.mbox")
    items = [make(i, history=(batch,)) for i in range(1, 25)]
    items[3] = make(4, history=(batch, HistoryEntry("moi", "2020", "themes", [], ["lien"])))
    with reopen(root) as s:
        s.add_many(items)
    with reopen(root) as s:
        first, second, fourth = s.get(1), s.get(15), s.get(4)
        assert first.history is second.history  # one shared tuple across shards
        assert fourth.history[0] is first.history[0]
        assert fourth.history[1].after == ["lien"]
        assert s.all() == items


def test_history_sharing_stops_when_entries_do_not_repeat(root: Path, monkeypatch) -> None:
    from assises_tui.store import codec

    monkeypatch.setattr(codec.SharePool, "TRIAL", 10)
    items = [
        make(i, history=(HistoryEntry("import", f"2020-01-{i:02d}", "import"),))
        for i in range(1, 30)
    ]
    pool = codec.SharePool()
    decoded = [decode(orjson.loads(orjson.dumps(encode(i)))) for i in items]
    codec.share_strings(decoded, pool)
    assert not pool.enabled and pool.entries == {}
    assert decoded == items
    assert decoded[0].history[0].who is decoded[-1].history[0].who  # still interned


def test_several_lines_spliced_at_once_first_and_last_included(root: Path) -> None:
    with reopen(root) as s:
        s.add_many([make(i) for i in range(1, 11)])  # one full shard: ids 1-10
        s.save_many([replace(s.get(i), assignee=f"r{i}") for i in (10, 1, 6)])
    data = shard(root).read_bytes()
    assert orjson.loads(data)["contributions"]["10"]["assignee"] == "r10"  # still valid JSON
    with reopen(root) as s:
        assert [c.assignee for c in s.all()] == ["r1", "", "", "", "", "r6", "", "", "", "r10"]
