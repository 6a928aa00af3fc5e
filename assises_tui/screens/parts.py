"""How a screen composes parts that hold the behaviour of some of its keys.

The inbox and the reader share the triage keys (:mod:`~assises_tui.screens.triage_actions`)
and the reading keys (:mod:`~assises_tui.screens.reading_actions`); the inbox also holds its
pickers (:mod:`~assises_tui.screens.inbox_pickers`). Each is an object the screen builds in
its constructor with what it uses; none inherits from the screen or reaches into it.

Textual looks a key's action up on the screen that declares the binding (``action_status``),
so :func:`keys_from` gives the screen one forwarding attribute per ``action_*`` method of
each part, unless the screen defines its own (the inbox wraps ``action_status`` to move on to
the next row).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from textual.screen import Screen

    from assises_tui.services.session import Services

#: Builds a screen that takes the services (``build(HistoryScreen, cid)``), so that a part
#: opens other screens without holding the services itself.
ScreenBuilder = Callable[..., "Screen[Any]"]

ScreenClass = TypeVar("ScreenClass", bound=type)


def screen_builder(services: Services) -> ScreenBuilder:
    return lambda screen_class, *args: screen_class(services, *args)


class _Forward:
    """The screen's ``action_<name>``: the bound method of the part held in ``part``."""

    def __init__(self, part: str, name: str) -> None:
        self.part = part
        self.name = name

    def __get__(self, screen: object, owner: type | None = None) -> Any:
        if screen is None:
            return self
        # A bound method keeps the part's signature, which Textual reads to pass parameters.
        return getattr(getattr(screen, self.part), self.name)


def keys_from(**parts: type) -> Callable[[ScreenClass], ScreenClass]:
    """``@keys_from(triage_actions=TriageActions)``: the screen's ``action_status`` runs
    ``self.triage_actions.action_status``, and so on for every ``action_*`` of the part."""

    def decorate(screen_class: ScreenClass) -> ScreenClass:
        for attribute, part_class in parts.items():
            for name in dir(part_class):
                if not name.startswith("action_"):
                    continue
                mine = screen_class.__dict__.get(name)
                if isinstance(mine, _Forward):  # two parts answering one key: a mistake
                    raise TypeError(f"{name}: both {mine.part} and {attribute}")
                if mine is None:
                    setattr(screen_class, name, _Forward(attribute, name))
        return screen_class

    return decorate
