"""Ctrl+T on the statistics, codebook and synthesis screens: the figures of one
département of a national roll-up, or of all of them.

The key shows only where there is a choice (more than one département among the
records); the screen says which département its figures are of.
"""

from __future__ import annotations

from typing import Any

from assises_tui.screens.prompts import ChoiceScreen
from assises_tui.services.departments import ALL_LABEL


class DepartmentFilter:
    """Mixin for a ``Screen``: it sets ``department_names`` once it knows the records
    and implements ``show_department`` (called with a name, or None for all)."""

    department: str | None = None
    department_names: tuple[str, ...] = ()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "department":
            return len(self.department_names) > 1
        return super().check_action(action, parameters)  # type: ignore[misc]

    def set_department_names(self, names: list[str]) -> None:
        self.department_names = tuple(names)
        self.refresh_bindings()  # type: ignore[attr-defined]

    def action_department(self) -> None:
        items: list[tuple[Any, str]] = [("", ALL_LABEL)]
        items += [(name, name) for name in self.department_names]

        def chosen(name: str | None) -> None:
            if name is not None:  # None: cancelled
                self.show_department(name or None)

        self.app.push_screen(  # type: ignore[attr-defined]
            ChoiceScreen("Département", items, current=self.department or ""), chosen
        )

    def show_department(self, name: str | None) -> None:  # pragma: no cover - per screen
        raise NotImplementedError
