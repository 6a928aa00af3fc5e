"""The read API the screens use (``services.contributions``), over the shared fake store."""

from __future__ import annotations

from dataclasses import replace

from fakes.memory_store import MemoryStore
from search_fixtures import record

from assises_tui.domain.models import Status
from assises_tui.services.contributions import Contributions


def test_records_texts_and_quarantine(tmp_path):
    store = MemoryStore(tmp_path)
    item = record(store, 1, "Plus de patrouilles.", attachments={"note.pdf": "Voisins vigilants."})
    raw = store.put_blob(b"From: a@b\n\nPlus de patrouilles.")
    store.add_many([replace(item, raw_blob=raw), record(store, 2)])
    store.add_quarantine("boite/3.eml", "Illisible", None)
    read = Contributions(store)
    assert [c.id for c in read.all()] == [1, 2] and read.exists(2) and not read.exists(3)
    assert read.body_text(1) == "Plus de patrouilles." and read.body_text(2) == ""
    assert read.body_text(99) == "" and read.attachment_texts(99) == []
    assert read.attachment_texts(1) == [("note.pdf", "Voisins vigilants.")]
    assert read.raw_mail(read.get(1)).startswith(b"From: a@b")
    assert read.raw_mail(read.get(2)) is None
    assert [q.source for q in read.quarantine()] == ["boite/3.eml"]


def test_a_purged_text_reads_as_nothing(tmp_path):
    store = MemoryStore(tmp_path)
    store.add_many([record(store, 1, "Texte effacé ensuite.")])
    item = store.get(1)
    store.put_blob(b"x")
    store.delete_blob(item.body_blob)
    read = Contributions(store)
    assert read.blob_text(item.body_blob) == "" and read.blob_text(None) == ""
    raw = replace(item, raw_blob=item.body_blob)
    assert read.raw_mail(raw) is None


def test_refresh_tells_when_the_writer_changed_something(tmp_path):
    writer = MemoryStore(tmp_path)
    writer.add_many([record(writer, 1)])
    view = Contributions(MemoryStore(tmp_path, read_only=True, volume=writer.volume))
    assert view.refresh() is False
    writer.save(replace(writer.get(1), status=Status.DONE))
    assert view.refresh() is True and view.get(1).status == Status.DONE
    assert view.refresh() is False
