"""What every ``Store`` backend must do: one suite, run on each backend.

Adding a backend (PostgreSQL, say):
1. write a class in ``backends.py`` with ``__init__(root)`` (set up an empty store for the
   workspace folder ``root``, starting its server if needed), ``open(read_only=False)``
   (a new store object on that data, as a new process would get) and ``restore(backup)``;
2. add it to ``BACKENDS`` under a name: every test below then runs on it too
   (``pytest tests/contract -k postgres`` runs only that one). A backend that needs a
   server finds its binary with ``system_tools.require_program``, so CI fails rather than
   skips when the server is missing;
3. when the server needs stopping, give the class a ``stop()`` method: the fixture calls
   it after each test. A class may instead name pytest fixtures in ``fixtures`` (the
   PostgreSQL backend takes ``pg_url``: a new database on the session's server);
4. a backend without a writer lock sets ``many_writers = True``: the locking test then
   checks that two writers' changes to one record are both kept.

The tests use the protocol only (``assises_tui.store.protocol.Store``): nothing here may
depend on how a backend lays its data out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from backends import BACKENDS

from assises_tui.domain.models import Attachment, Contribution, QuarantineEntry, Status
from assises_tui.errors import StoreCorruptError, StoreError, StoreLockedError


@pytest.fixture(params=sorted(BACKENDS))
def store_factory(request, tmp_path) -> Iterator:
    """The backend under test: ``store_factory.open(read_only=…)``, ``.restore(path)``."""
    backend_class = BACKENDS[request.param]
    needs = {name: request.getfixturevalue(name) for name in getattr(backend_class, "fixtures", ())}
    backend = backend_class(tmp_path, **needs)
    yield backend
    stop = getattr(backend, "stop", None)
    if stop is not None:
        stop()


@pytest.fixture
def store(store_factory):
    opened = store_factory.open()
    yield opened
    opened.close()


def make(cid: int, **fields) -> Contribution:
    base = Contribution(
        id=cid,
        message_id=f"<m{cid}@exemple.fr>",
        received_at=datetime(2019, 12, 2, 9, 30, tzinfo=UTC),
        date_uncertain=False,
        sender_name=f"Personne {cid}",
        sender_email=f"p{cid}@exemple.fr",
        subject=f"Contribution {cid}",
        body_blob=None,
        raw_blob=None,
        raw_sha256=f"{cid:064x}",
    )
    return replace(base, **fields)


def add(store, count: int) -> list[Contribution]:
    items = [make(cid) for cid in store.allocate_ids(count)]
    store.add_many(items)
    return items


def reopen(store_factory, store, *, read_only: bool = False):
    store.close()
    return store_factory.open(read_only=read_only)


# -- records -------------------------------------------------------------------


def test_records_survive_a_reopen(store_factory, store):
    body = store.put_blob("Plus de patrouilles à pied.".encode())
    items = add(store, 3)
    changed = replace(items[1], status=Status.DONE, themes=("lien",), body_blob=body)
    store.save(changed)
    store = reopen(store_factory, store)
    try:
        assert store.all() == [items[0], changed, items[2]]
        assert store.get(changed.id) == changed and store.get(999) is None
        assert store.count() == 3 and store.ids() == [i.id for i in items]
        assert store.get_blob(body).decode() == "Plus de patrouilles à pied."
    finally:
        store.close()


def test_records_come_back_in_id_order(store):
    store.add_many([make(7), make(2), make(5)])
    assert store.ids() == [2, 5, 7]
    assert [c.id for c in store.all()] == [2, 5, 7]
    listed = store.all()
    listed.reverse()  # a copy: the caller may sort it
    assert store.ids() == [2, 5, 7] and [c.id for c in store.all()] == [2, 5, 7]


def test_lookups_by_message_id_and_raw_fingerprint(store):
    first, second = add(store, 2)
    assert store.id_for_message_id(second.message_id) == second.id
    assert store.id_for_raw_sha256(first.raw_sha256) == first.id
    assert store.id_for_message_id("<inconnu@exemple.fr>") is None
    assert store.id_for_message_id("") is None and store.id_for_raw_sha256("") is None
    store.save(replace(first, message_id="<nouveau@exemple.fr>"))
    assert store.id_for_message_id("<nouveau@exemple.fr>") == first.id


def test_a_batch_with_a_bad_record_writes_nothing(store_factory, store):
    first, second = add(store, 2)
    with pytest.raises(StoreError, match="existe déjà"):
        store.add_many([make(10), make(first.id)])
    with pytest.raises(StoreError, match="n'existe pas"):
        store.save_many([replace(first, status=Status.DONE), make(99)])
    store = reopen(store_factory, store)
    try:
        assert store.all() == [first, second]
    finally:
        store.close()


def test_save_many_keeps_the_last_version_of_a_record(store):
    (item,) = add(store, 1)
    store.save_many([replace(item, subject="a"), replace(item, subject="b")])
    assert store.get(item.id).subject == "b"


def test_numbers_are_never_handed_out_twice(store_factory, store):
    first = store.allocate_ids(2)
    assert first == sorted(first) and len(set(first)) == 2
    store.add_many([make(50)])  # a number nobody reserved
    store = reopen(store_factory, store)
    try:
        later = store.allocate_ids(3)
        assert min(later) > 50 and not set(later) & set(first)
        assert store.allocate_ids(0) == []
    finally:
        store.close()


def test_generation_moves_with_every_change_of_records(store):
    before = store.generation
    (item,) = add(store, 1)
    after_add = store.generation
    store.save(replace(item, status=Status.DONE))
    assert before != after_add != store.generation


# -- blobs ---------------------------------------------------------------------


def test_blobs_are_content_addressed(store):
    key = store.put_blob(b"courrier")
    assert store.put_blob(b"courrier") == key and len(key) == 64
    assert store.has_blob(key) and store.get_blob(key) == b"courrier"
    keys = store.put_blobs([b"un", b"deux", b"un"])
    assert keys[0] == keys[2] and [store.get_blob(k) for k in keys] == [b"un", b"deux", b"un"]
    store.delete_blob(key)
    assert not store.has_blob(key)
    with pytest.raises(StoreError):
        store.get_blob(key)
    store.delete_blob(key)  # twice: nothing to do


def test_blob_sizes_are_the_stored_lengths(store_factory, store):
    small, big = store.put_blobs([b"court", b"x" * 70_000])
    missing = "0" * 64
    assert store.blob_sizes([small, big, big, missing]) == {small: 5, big: 70_000}
    assert store.blob_sizes([]) == {}
    store = reopen(store_factory, store)
    try:
        assert store.blob_sizes([big]) == {big: 70_000}
    finally:
        store.close()


def test_blobs_nobody_names_are_listed_and_can_go(store_factory, store):
    """What an import that failed between its blobs and its records left behind."""
    body = store.put_blob(b"corps du message")
    raw = store.put_blob(b"From: x\n\nillisible")
    left = store.put_blobs([b"reste d'un import interrompu", b"corps du message"])[0]
    store.add_many([make(cid, body_blob=body) for cid in store.allocate_ids(1)])
    store.add_quarantine("boite/1.eml", "En-têtes illisibles", raw)
    signatures = store.put_blob(b"signatures des campagnes")  # named by a document
    store.put_doc("campagnes", {"chunks": [signatures]})
    assert store.unreferenced_blobs() == {left: len(b"reste d'un import interrompu")}
    assert store.unreferenced_blobs([body, left]) == {left: 28}
    assert store.unreferenced_blobs([body, raw]) == {}
    store.delete_blob(left)
    store = reopen(store_factory, store)
    try:
        assert store.unreferenced_blobs() == {} and store.get_blob(body) == b"corps du message"
    finally:
        store.close()


# -- quarantine, documents, audit ----------------------------------------------


def test_quarantine_keeps_entries_and_forgets_only_the_raw_mail(store_factory, store):
    raw = store.put_blob(b"From: x\n\nillisible")
    first = store.add_quarantine("boite/1.eml", "En-têtes illisibles", raw)
    second = store.add_quarantine("boite/2.eml", "Trop gros", None)
    assert second.id > first.id and first.at
    store.erase_quarantine_raw([first.id], "(effacé)")
    store = reopen(store_factory, store)
    try:
        entries = store.quarantine()
        assert [e.id for e in entries] == [first.id, second.id]
        erased = entries[0]
        assert erased.raw_blob is None and erased.raw_sha256 == raw
        assert erased.reason == "En-têtes illisibles (effacé)" and erased.source == "boite/1.eml"
        assert entries[1].reason == "Trop gros"
    finally:
        store.close()


def test_documents_are_copies(store_factory, store):
    assert store.get_doc("recherches") == {}
    value = {"liste": [1, 2], "nom": "Sécurité"}
    store.put_doc("recherches", value)
    value["liste"].append(3)
    got = store.get_doc("recherches")
    got["nom"] = "changé"
    store = reopen(store_factory, store)
    try:
        assert store.get_doc("recherches") == {"liste": [1, 2], "nom": "Sécurité"}
    finally:
        store.close()


def test_copied_quarantine_keeps_its_numbers_and_documents_are_listed(store_factory, store):
    copied = [
        QuarantineEntry(4, "a.mbox#4", "Illisible", None, "2020-01-02T10:00:00+01:00", "ab" * 32),
        QuarantineEntry(9, "a.mbox#9", "Trop gros", None, "2020-01-03T10:00:00+01:00"),
    ]
    store.put_quarantine(copied)
    store.put_doc("b", {"v": 1})
    store.put_doc("a", {"v": 2})
    store = reopen(store_factory, store)
    try:
        assert store.quarantine() == copied
        assert store.add_quarantine("x", "y", None).id > 9  # numbers never handed out twice
        assert store.doc_names() == ["a", "b"]
    finally:
        store.close()


def test_audit_is_appended_in_order(store_factory, store):
    store.append_audit([{"at": "2019-12-02T10:00:00+01:00", "what": "export"}])
    store.append_audit([{"what": "purge", "n": 2}, {"what": "codebook"}])
    store = reopen(store_factory, store)
    try:
        assert [e["what"] for e in store.audit()] == ["export", "purge", "codebook"]
        assert store.audit()[1]["n"] == 2
    finally:
        store.close()


# -- maintenance ---------------------------------------------------------------


def test_verify_finds_a_missing_blob(store):
    body = store.put_blob(b"texte")
    attachment = Attachment("note.pdf", "application/pdf", 4, store.put_blob(b"%PDF"))
    store.add_many([make(1, body_blob=body, attachments=(attachment,))])
    assert store.verify() == []
    store.delete_blob(body)
    problems = store.verify()
    assert problems and all(isinstance(p, str) and p for p in problems)


def test_a_backup_puts_records_documents_and_audit_back(store_factory, store, tmp_path):
    (item,) = add(store, 1)
    store.put_doc("reglages", {"v": 1})
    store.append_audit([{"what": "avant"}])
    backup = store.backup("avant essai")
    assert backup.is_file()
    store.save(replace(item, status=Status.DONE))
    store.add_many([make(item.id + 1)])
    store.put_doc("reglages", {"v": 2})
    store.append_audit([{"what": "après"}])
    store.close()
    store_factory.restore(backup)
    store = store_factory.open()
    try:
        assert store.all() == [item]
        assert store.get_doc("reglages") == {"v": 1}
        assert [e["what"] for e in store.audit()] == ["avant"]
    finally:
        store.close()


# -- readers and writers -------------------------------------------------------


def test_records_lost_behind_the_store_are_refused_then_restored(store_factory, store, tmp_path):
    """Ids are never reused and records never deleted: a loss is knowable, and an open
    that went on without them would let an import bring their mails back untriaged."""
    items = add(store, 3)
    backup = store.backup("avant", tmp_path / "avant.tar.gz")
    store.close()
    store_factory.lose_records([items[1].id])  # every backend can be damaged: no skip
    if getattr(store_factory, "loss_found_by", "open") == "open":
        for read_only in (False, True):
            with pytest.raises(StoreCorruptError):
                store_factory.open(read_only=read_only)
    else:  # a server: the team keeps working, and ``verify`` names what vanished
        damaged = store_factory.open(read_only=True)
        try:
            problems = damaged.verify()
        finally:
            damaged.close()
        assert len(problems) == 1 and "1 contribution(s) ont disparu" in problems[0]
        assert f"(n° {items[1].id})" in problems[0] and "assises restore" in problems[0]
    store_factory.restore(backup)
    again = store_factory.open()
    try:
        assert [c.id for c in again.all()] == [c.id for c in items]
        assert again.verify() == []
        again.add_many([make(cid) for cid in again.allocate_ids(2)])  # counting goes on
        assert again.verify() == []
    finally:
        again.close()


def test_a_read_only_view_refuses_writes(store_factory, store):
    (item,) = add(store, 1)
    view = store_factory.open(read_only=True)
    try:
        assert view.read_only and view.get(item.id) == item
        for write in (
            lambda: view.allocate_ids(1),
            lambda: view.add_many([make(5)]),
            lambda: view.save(item),
            lambda: view.save_many([item]),
            lambda: view.put_blob(b"x"),
            lambda: view.put_blobs([b"x"]),
            lambda: view.add_quarantine("a", "b", None),
            lambda: view.put_doc("d", {}),
            lambda: view.append_audit([{"what": "x"}]),
        ):
            with pytest.raises(StoreError, match="lecture seule"):
                write()
    finally:
        view.close()


def test_a_read_only_view_follows_the_writer(store_factory, store):
    (item,) = add(store, 1)
    view = store_factory.open(read_only=True)
    try:
        assert view.reload_if_changed() is False
        generation = view.generation
        store.save(replace(item, status=Status.DONE))
        store.add_many([make(item.id + 1)])
        assert view.reload_if_changed() is True
        assert view.get(item.id).status == Status.DONE and view.count() == 2
        assert view.generation != generation
        assert view.reload_if_changed() is False
    finally:
        view.close()


def test_reload_changes_names_what_another_process_changed(store_factory, store):
    first, second = add(store, 2)
    view = store_factory.open(read_only=True)
    try:
        view.all()  # a store reading its records in the background has read them all
        assert view.reload_changes() == {}
        store.save(replace(first, status=Status.DONE))
        (third,) = [make(cid) for cid in store.allocate_ids(1)]
        store.add_many([third])
        changes = view.reload_changes()
        assert view.get(first.id).status == Status.DONE and view.count() == 3
        if getattr(store_factory, "many_writers", False):
            # a shared database follows many writers: it says what changed, as it was
            assert changes == {first.id: first, third.id: None}
        else:
            assert changes is None or changes == {first.id: first, third.id: None}
        assert second.id not in (changes or {})
        assert view.reload_changes() == {}
    finally:
        view.close()


def test_one_writer_at_a_time_or_concurrent_saves_merged(store_factory, store):
    if getattr(store_factory, "many_writers", False):
        # a shared database: a second writer opens at once, and both changes are kept
        (item,) = add(store, 1)
        other = store_factory.open()
        try:
            assert not other.read_only
            store.save(replace(item, themes=("lien",)))
            other.save(replace(other.get(item.id), status=Status.DONE))
            merged = other.get(item.id)
            assert merged.themes == ("lien",) and merged.status == Status.DONE
            assert store.reload_if_changed() and store.get(item.id) == merged
        finally:
            other.close()
        return
    with pytest.raises(StoreLockedError):
        store_factory.open()
    store.close()
    again = store_factory.open()
    again.close()
