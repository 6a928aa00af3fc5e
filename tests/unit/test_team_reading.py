"""A team database opened as the app opens it: the first screen asked of the database, the
records read in batches behind it, and nothing a reviewer changed meanwhile undone."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from assises_tui.domain.models import Contribution, Status
from assises_tui.screens.views import VIEW_BY_KEY, database_filter, view_ids
from assises_tui.services.contributions import Contributions
from assises_tui.store.postgres import store as pg_store
from assises_tui.store.postgres.store import PostgresStore
from assises_tui.store.protocol import StoreError
from assises_tui.workspace import Workspace

PARIS = ZoneInfo("Europe/Paris")
STATUSES = [Status.NEW, Status.IN_PROGRESS, Status.DONE, Status.OFF_TOPIC]


def record(cid: int) -> Contribution:
    # dates repeat (ties broken by number), every seventh is undated (listed last)
    when = None if cid % 7 == 0 else datetime(2020, 3, 1, tzinfo=PARIS) + timedelta(hours=cid % 5)
    return Contribution(
        id=cid,
        message_id=f"<{cid}@t>",
        received_at=when,
        date_uncertain=False,
        sender_name=f"S{cid}",
        sender_email=f"s{cid}@t.fr",
        subject=f"Objet {cid}",
        body_blob=None,
        raw_blob=None,
        status=STATUSES[cid % len(STATUSES)],
        assignee="alice" if cid % 3 == 0 else "",
    )


@pytest.fixture
def team(tmp_path: Path, pg_url: str) -> tuple[Path, str]:
    with Workspace.init(tmp_path / "equipe", postgres_url=pg_url) as ws:
        ids = ws.store.allocate_ids(40)
        ws.store.add_many([record(cid) for cid in ids])
    return tmp_path / "equipe", pg_url


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(pg_store, "LOAD_BATCH", 6)


def open_store(team, *, background: bool) -> PostgresStore:
    root, url = team
    return PostgresStore.open(root, url, background=background)


def test_the_database_gives_each_view_in_the_order_the_records_would(team):
    full = open_store(team, background=False)
    reading = open_store(team, background=True)
    try:
        assert reading.loading_progress() is not None and reading._loader is None
        records = full.all()
        for key in ("left", "all", "mine", "not_contribution"):
            found = database_filter(VIEW_BY_KEY[key], "alice")
            assert found is not None
            for reverse in (False, True):
                expected = view_ids(records, VIEW_BY_KEY[key], "alice", "date", reverse)
                assert reading.ordered_ids(**found, reverse=reverse) == expected, (key, reverse)
        assert database_filter(VIEW_BY_KEY["untagged"], "alice") is None
        assert reading.status_counts() == dict(Counter(c.status.value for c in records))
        # a record asked for before the reading reached it comes from the database
        assert reading.get(records[-1].id) == records[-1]
        assert reading._loader is None  # no reading started for that
        # what needs every record waits for the reading (started by the first such read)
        assert reading.ids() == full.ids()
        assert reading.all() == records
        assert reading.loading_progress() is None
    finally:
        full.close()
        reading.close()


def test_reading_in_batches_reports_progress_and_ends_equal_to_a_full_open(team, small_batches):
    seen: list[tuple[int, int]] = []
    reading = open_store(team, background=True)
    absorb = reading._absorb

    def watched(rows, pool):
        absorb(rows, pool)
        if threading.current_thread().name == "assises-load":
            seen.append(reading._progress)

    reading._absorb = watched
    try:
        reading.start_loading()
        reading.wait_loaded()
        assert reading.count() == 40
    finally:
        reading.close()
    # one batch at a time, the total known from the start
    assert len(seen) == 7 and all(total == 40 for _done, total in seen)
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)


def test_a_change_made_during_the_reading_is_not_undone_by_it(team, small_batches):
    """The reading's snapshot is older than a change another reviewer makes meanwhile:
    the change, picked up from the feed, must survive the batch that brings the old row."""
    root, url = team
    bob = PostgresStore.open(root, url)
    reading = open_store(team, background=True)
    absorb = reading._absorb
    changed: list[int] = []

    def first_batch_then_bob(rows, pool):
        if threading.current_thread().name == "assises-load" and not changed:
            first = {row[0] for row in rows}
            cid = next(c for c in bob.ids() if c not in first)  # read in a later batch
            bob.save(replace(bob.get(cid), status=Status.DONE, assignee="bob"))
            changed.append(cid)
            reading.reload_if_changed()  # as the listener thread does on bob's NOTIFY
        absorb(rows, pool)

    reading._absorb = first_batch_then_bob
    try:
        reading.wait_loaded()
        cid = changed[0]
        assert reading.get(cid).status == Status.DONE and reading.get(cid).assignee == "bob"
        assert reading.version(cid) == 2
        # and a save on top of it is not taken for a conflict
        reading.save(replace(reading.get(cid), notes=()))
    finally:
        reading.close()
        bob.close()


def test_a_record_saved_before_the_reading_reached_it_keeps_the_save(team, small_batches):
    reading = open_store(team, background=True)
    try:
        cid = max(reading.ordered_ids())
        reading.save(replace(reading.get(cid), status=Status.DONE))  # fetched, then saved
        reading.wait_loaded()
        assert reading.get(cid).status == Status.DONE and reading.version(cid) == 2
    finally:
        reading.close()
    again = open_store(team, background=False)
    try:
        assert again.get(cid).status == Status.DONE
    finally:
        again.close()


def test_a_reading_cut_short_is_a_french_error_not_partial_data(team, small_batches):
    root, url = team
    reading = open_store(team, background=True)
    absorb = reading._absorb

    def cut(rows, pool):
        absorb(rows, pool)
        if threading.current_thread().name == "assises-load":
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND query ILIKE '%%assises_load%%'"
                )

    reading._absorb = cut
    try:
        reading.start_loading()
        with pytest.raises(StoreError) as caught:
            reading.wait_loaded()
        assert "PostgreSQL" in str(caught.value) or "interrompue" in str(caught.value)
        with pytest.raises(StoreError):
            reading.all()  # never a partial list taken for the whole
    finally:
        reading.close()


def test_the_service_says_a_local_store_is_never_loading(tmp_path):
    with Workspace.init(tmp_path / "local") as ws:
        contributions = Contributions(ws.store)
        assert contributions.loading() is None
        contributions.start_loading()
        contributions.wait_loaded()
        contributions.prefetch([1, 2])  # nothing to do, nothing raised
