"""The inbox's side of the theme model: retrain in a worker, rank « À étiqueter en priorité ».

Every ``CHECK_SECONDS`` (and at once after a tag, which marks the suggester stale) the screen
asks whether the labels may have changed; if so the suggester retrains in a thread worker —
scikit-learn's import, the features of newly tagged contributions and the cross-validation
all run there, never on the event loop. When a new model is in, the status line shows its
cross-validated F1 and, in the priority view, the ranking is recomputed (another worker).
Until the first ranking arrives the view lists its contributions by date.

A part the inbox composes: it reads the inbox's view and list through :class:`Inbox` and
runs its workers on the inbox screen.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from textual.app import App

    from assises_tui.screens.views import View
    from assises_tui.suggest import Suggester
    from assises_tui.widgets.contribution_list import ContributionList

CHECK_SECONDS = 2.0
PRIORITY_VIEW = "priority"


class Inbox(Protocol):
    """What the training reads and calls on the inbox screen."""

    app: App
    view: View
    view_sorted: list[int]
    list: ContributionList

    def reload_view(self) -> None: ...
    def update_status(self) -> None: ...
    def set_interval(self, interval: float, callback: object) -> object: ...
    def run_worker(self, work: object, **options: object) -> object: ...
    def notify(self, message: str, **options: object) -> None: ...


class SuggestionTraining:
    def __init__(self, inbox: Inbox, suggester: Callable[[], Suggester]) -> None:
        self.inbox = inbox
        # Asked for when first used: building it imports scikit-learn's stack, after the
        # inbox's first paint.
        self._suggester = suggester
        self.quality = ""  # the status line's « suggestions F1 … »
        self.priority_rank: dict[int, int] | None = None
        self.ranking = False
        self._training = False

    @property
    def suggester(self) -> Suggester:
        return self._suggester()

    def start(self) -> None:
        self.suggester.resume()  # a previous app on the same services stopped it
        self.inbox.set_interval(CHECK_SECONDS, self.check)
        self.check()

    def stop(self) -> None:
        # A training under way would keep the process alive after « q » until it ends.
        self.suggester.stop()

    def check(self) -> None:
        if self._training or not self.suggester.needs_retrain:
            return
        self._training = True
        self._in_thread(self._train_suggestions, "suggest-train")

    def _in_thread(self, work, group: str) -> None:
        self.inbox.run_worker(work, group=group, exclusive=True, thread=True, exit_on_error=False)

    def _train_suggestions(self) -> None:
        changed, problem = False, ""
        try:
            changed = self.suggester.retrain()
        except Exception as exc:  # a worker's error would otherwise pass unseen
            problem = f"Suggestions de thèmes : l'apprentissage a échoué ({exc})."
        self.inbox.app.call_from_thread(self._trained, changed, problem)

    def _trained(self, changed: bool, problem: str = "") -> None:
        self._training = False
        if problem:
            self.inbox.notify(problem, severity="error", markup=False)
        self.quality = self.suggester.quality()
        if changed:
            self.priority_rank = None  # ranked by the previous model
        if self.inbox.view.key == PRIORITY_VIEW and self.priority_rank is None:
            self.rank_priority()
        self.inbox.update_status()

    # -- « À étiqueter en priorité » ---------------------------------------------------
    def order_by_priority(self, ids: list[int]) -> list[int]:
        """``ids`` (the view's members, by date) in the model's order, once it is known."""
        rank = self.priority_rank
        if rank is None:
            self.rank_priority()
            return ids
        last = len(rank)
        return sorted(ids, key=lambda cid: rank.get(cid, last))  # stable: new ones by date

    def rank_priority(self) -> None:
        if self.ranking or self._training:  # after training, _trained asks again
            return
        self.ranking = True
        self._in_thread(partial(self._rank, list(self.inbox.view_sorted)), "suggest-priority")

    def _rank(self, candidates: list[int]) -> None:
        order, problem = list(candidates), ""
        try:
            order = self.suggester.priority(candidates)
        except Exception as exc:
            problem = f"Classement « À étiqueter en priorité » impossible ({exc})."
        self.inbox.app.call_from_thread(self._ranked, order, problem)

    def _ranked(self, order: list[int], problem: str = "") -> None:
        self.ranking = False
        if problem:
            self.inbox.notify(problem, severity="error", markup=False)
        self.priority_rank = {cid: i for i, cid in enumerate(order)}
        if self.inbox.view.key == PRIORITY_VIEW:
            at_top = self.inbox.list.cursor == 0
            self.inbox.reload_view()
            if at_top:  # not moved yet: start with the most useful one
                self.inbox.list.cursor = 0
