"""The inbox's rows followed record by record give what a recompute gives."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from assises_tui.domain.models import Contribution, Status
from assises_tui.screens.view_rows import FOLLOW_AT_MOST, ViewRows
from assises_tui.screens.views import SORTS, VIEWS, is_open

REVIEWERS = ("alice", "bob", "")
SENDERS = ("Jeanne Martin", "MARTIN Paul", "Durand, Luc", "", "élise Évrard")
PARIS = timezone(timedelta(hours=1))


def make(cid: int, rng: random.Random) -> Contribution:
    when = None
    if rng.random() > 0.1:  # some undated; many on the same minute (ties by number)
        zone = PARIS if rng.random() < 0.5 else UTC
        when = datetime(2019, 12, 1, 9, tzinfo=zone) + timedelta(minutes=rng.randrange(40))
    return Contribution(
        id=cid,
        message_id=f"<m{cid}@exemple.fr>",
        received_at=when,
        date_uncertain=False,
        sender_name=rng.choice(SENDERS),
        sender_email=f"p{cid % 7}@exemple.fr",
        subject=f"Contribution {cid}",
        body_blob=None,
        raw_blob=None,
        status=rng.choice(list(Status)),
        themes=tuple(rng.sample(["communication", "service", "lien"], rng.randrange(3))),
        assignee=rng.choice(REVIEWERS),
        late=rng.random() < 0.2,
        to_check=("relais",) if rng.random() < 0.2 else (),
    )


def changed(item: Contribution, rng: random.Random) -> Contribution:
    """What another reviewer may do to a record: status, themes, assignment, the date."""
    what = rng.randrange(4)
    if what == 0:
        return replace(item, status=rng.choice(list(Status)))
    if what == 1:
        return replace(item, themes=() if item.themes else ("lien",))
    if what == 2:
        return replace(item, assignee=rng.choice(REVIEWERS))
    return replace(
        item, received_at=None if item.received_at else datetime(2019, 12, 2, tzinfo=UTC)
    )


FOLLOWED_VIEWS = [v for v in VIEWS if v.predicate is not None]


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("sort", [key for key, _label in SORTS])
@pytest.mark.parametrize("view", FOLLOWED_VIEWS, ids=[v.key for v in FOLLOWED_VIEWS])
def test_following_changes_gives_the_recomputed_rows(view, sort, reverse):
    rng = random.Random(f"{view.key}-{sort}-{reverse}")
    records = {cid: make(cid, rng) for cid in range(1, 301)}
    rows = ViewRows.of(list(records.values()), view, "alice", sort, reverse)
    left = sum(1 for c in records.values() if is_open(c))
    for _round in range(30):
        previous: dict[int, Contribution | None] = {}
        for cid in rng.sample(sorted(records), rng.randrange(1, 6)):
            previous[cid] = records[cid]
            records[cid] = changed(records[cid], rng)
        if rng.random() < 0.3:  # a colleague's import: a new record, maybe a new widest
            cid = max(records) + 1
            records[cid] = make(cid, rng)
            previous[cid] = None
        more_left = rows.follow(previous, records.get)
        assert more_left is not None
        left += more_left
        every = [records[cid] for cid in sorted(records)]
        assert rows.ids == ViewRows.of(every, view, "alice", sort, reverse).ids
        assert left == sum(1 for c in every if is_open(c))
        assert rows.widest_id == max(records)


def test_the_search_keeps_the_view_order_whatever_the_number_of_hits():
    rng = random.Random(3)
    records = [make(cid, rng) for cid in range(1, 2001)]
    rows = ViewRows.of(records, VIEWS[0], "alice", "sender", True)
    for count in (0, 1, 5, 200, 1500, 2000):
        hits = sorted(rng.sample(range(1, 2101), count))  # some not in the view, some unknown
        assert rows.among(hits) == [cid for cid in rows.ids if cid in hits]


def test_many_changes_at_once_ask_for_a_recompute():
    rng = random.Random(4)
    records = {cid: make(cid, rng) for cid in range(1, FOLLOW_AT_MOST + 10)}
    rows = ViewRows.of(list(records.values()), VIEWS[0], "alice", "date", False)
    assert rows.follow(dict.fromkeys(records), records.get) is None
    # rows whose order only a recompute gives (the database's, the model's) never follow
    assert ViewRows([3, 1, 2]).follow({1: records[1]}, records.get) is None
