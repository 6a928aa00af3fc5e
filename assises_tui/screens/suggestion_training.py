"""The inbox's side of the theme model: retrain in a worker, rank « À étiqueter en priorité ».

Every ``CHECK_SECONDS`` (and at once after a tag, which marks the suggester stale) the screen
asks whether the labels may have changed; if so the suggester retrains in a thread worker —
scikit-learn's import, the features of newly tagged contributions and the cross-validation
all run there, never on the event loop. When a new model is in, the status line shows its
cross-validated F1 and, in the priority view, the ranking is recomputed (another worker).
Until the first ranking arrives the view lists its contributions by date.

A screen using the mixin provides ``services``, ``view``, ``reload_view()`` and
``update_status()``.
"""

from __future__ import annotations

from textual import work

CHECK_SECONDS = 2.0
PRIORITY_VIEW = "priority"


class SuggestionTraining:
    suggestion_quality = ""
    priority_rank: dict[int, int] | None = None
    ranking = False
    _training = False

    def start_suggestion_training(self) -> None:
        self.services.suggester.resume()  # a previous app on the same services stopped it
        self.set_interval(CHECK_SECONDS, self.check_suggestion_training)
        self.check_suggestion_training()

    def on_unmount(self) -> None:
        # A training under way would keep the process alive after « q » until it ends.
        self.services.suggester.stop()

    def check_suggestion_training(self) -> None:
        if self._training or not self.services.suggester.needs_retrain:
            return
        self._training = True
        self._train_suggestions()

    @work(thread=True, exclusive=True, group="suggest-train", exit_on_error=False)
    def _train_suggestions(self) -> None:
        changed, problem = False, ""
        try:
            changed = self.services.suggester.retrain()
        except Exception as exc:  # a worker's error would otherwise pass unseen
            problem = f"Suggestions de thèmes : l'apprentissage a échoué ({exc})."
        self.app.call_from_thread(self._trained, changed, problem)

    def _trained(self, changed: bool, problem: str = "") -> None:
        self._training = False
        if problem:
            self.notify(problem, severity="error", markup=False)
        self.suggestion_quality = self.services.suggester.quality()
        if changed:
            self.priority_rank = None  # ranked by the previous model
        if self.view.key == PRIORITY_VIEW and self.priority_rank is None:
            self.rank_priority()
        self.update_status()

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
        self._rank(list(self.view_sorted))

    @work(thread=True, exclusive=True, group="suggest-priority", exit_on_error=False)
    def _rank(self, candidates: list[int]) -> None:
        order, problem = list(candidates), ""
        try:
            order = self.services.suggester.priority(candidates)
        except Exception as exc:
            problem = f"Classement « À étiqueter en priorité » impossible ({exc})."
        self.app.call_from_thread(self._ranked, order, problem)

    def _ranked(self, order: list[int], problem: str = "") -> None:
        self.ranking = False
        if problem:
            self.notify(problem, severity="error", markup=False)
        self.priority_rank = {cid: i for i, cid in enumerate(order)}
        if self.view.key == PRIORITY_VIEW:
            at_top = self.list.cursor == 0
            self.reload_view()
            if at_top:  # not moved yet: start with the most useful one
                self.list.cursor = 0
