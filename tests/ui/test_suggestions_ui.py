"""The theme model in the interface: retraining in a worker (a key never waits for it), the
cross-validated F1 on the status line, the « À étiqueter en priorité » view."""

from __future__ import annotations

import asyncio
import threading

from assises_tui.screens.inbox import InboxScreen
from assises_tui.widgets.status_line import StatusLine

WIDE = (160, 40)


def status(app) -> str:
    return app.screen.query_one(StatusLine).render().plain


async def test_retraining_runs_in_a_worker_and_never_holds_a_key(make_app, services):
    suggester = services.suggester
    release = threading.Event()
    started = threading.Event()
    real_retrain = suggester.retrain

    def slow_retrain():
        started.set()
        release.wait(10)  # a long training, e.g. 100,000 contributions
        return real_retrain()

    suggester.retrain = slow_retrain
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await pilot.pause(0.2)
        assert started.wait(5)  # the training is under way…
        before = inbox.list.cursor
        await pilot.press("j", "j")  # …and keys still act at once
        assert inbox.list.cursor == before + 2
        assert "F1" not in status(app)
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert suggester.model is not None
        assert "suggestions" in status(app)


async def test_tagging_retrains_and_the_status_line_shows_the_cross_validated_f1(
    make_app, services
):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        inbox = app.screen
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        first = services.suggester.model
        ids = inbox.list.ids
        # Tag with the keys: 2 = service on three, 4 = participation on three others.
        await app.workers.wait_for_complete()
        services.suggester._last_scan = float("inf")  # no timed scan: only the tags tell it
        for cid, key in zip(ids[:6], "222444", strict=True):
            inbox.list.move_to(cid)
            await pilot.press(key)
        # Only the tags' notice can start a training (the timed scan is off): the 2-second
        # check may already have run it; run the check once more in case it did not.
        inbox.training.check()
        await app.workers.wait_for_complete()
        await pilot.pause()
        model = services.suggester.model
        assert model is not first and model.n_labelled >= 6
        assert services.suggester.quality() in status(app)


async def test_priority_view_orders_untagged_by_what_a_label_would_teach(make_app, services):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        inbox = app.screen
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        inbox.set_view("untagged")
        by_date = list(inbox.list.ids)
        inbox.set_view("priority")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sorted(inbox.list.ids) == sorted(by_date)  # same contributions…
        assert inbox.list.ids == services.suggester.priority(by_date)  # …in the model's order
        assert inbox.list.cursor == 0
        assert "À étiqueter en priorité" in status(app) and "tri : priorité" in status(app)


async def test_keys_are_handled_promptly_while_a_slowed_model_trains(
    make_app, services, monkeypatch
):
    """The model itself is slowed (each fit sleeps), so the training holds the suggester
    while keys arrive: moving, tagging, opening the reader (which shows suggestions) must
    each be handled at once, and the training must still be under way meanwhile."""
    import time

    import assises_tui.analysis.model as model_module

    everyone = services.store.ids()
    assert len(everyone) >= 10
    services.tagging.add(everyone[:5], "service")  # enough examples for a learned model
    services.tagging.add(everyone[5:10], "participation")
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        inbox = app.screen
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()  # a first model, trained at full speed
        first = services.suggester.model
        assert first is not None

        in_training = threading.Event()
        release = threading.Event()
        real_fit = model_module._fit

        def slow_fit(*args, **kwargs):
            in_training.set()
            release.wait(20)  # the model takes as long as the test needs
            return real_fit(*args, **kwargs)

        monkeypatch.setattr(model_module, "_fit", slow_fit)
        services.suggester._last_scan = float("inf")  # only the tag starts the training
        ids = inbox.list.ids
        await pilot.press("2")  # a tag: the labels changed, a retrain starts in a worker
        inbox.training.check()
        assert await asyncio.to_thread(in_training.wait, 10)

        slowest = 0.0
        for key in ("j", "j", "4", "k", "enter", "escape", "j"):
            started = time.monotonic()
            await pilot.press(key)
            slowest = max(slowest, time.monotonic() - started)
        assert inbox.list.cursor == ids.index(ids[0]) + 2
        assert not release.is_set() and services.suggester.model is first  # still training
        assert slowest < 1.0, f"a key waited {slowest:.2f} s"

        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert services.suggester.model is not first  # the new model arrived afterwards
