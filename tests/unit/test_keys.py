"""Keys and help as a checked contract: one source of binding ids (``keymap.py``), ids
unique and documented, ``[keymap]`` ids validated, a help title declared by each screen."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections import Counter
from pathlib import Path

import pytest
from tagging_support import sample_workspace
from textual.binding import Binding
from textual.screen import Screen

import assises_tui.screens
import assises_tui.widgets
from assises_tui import keymap
from assises_tui.cli import main
from assises_tui.errors import AssisesError

REPO = Path(__file__).resolve().parents[2]


def interface_classes() -> list[type]:
    found = []
    for package in (assises_tui.screens, assises_tui.widgets):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            found += [
                cls
                for _name, cls in inspect.getmembers(module, inspect.isclass)
                if cls.__module__ == module.__name__
            ]
    return found


def test_binding_ids_are_unique_and_every_binding_has_one() -> None:
    bindings = keymap.all_bindings()
    assert len(bindings) > 100 and all(b.id for b in bindings)
    repeated = [i for i, n in Counter(b.id for b in bindings).items() if n > 1]
    assert repeated == []


def test_every_screen_and_widget_takes_its_keys_from_the_keymap() -> None:
    declared = {b.id: b for b in keymap.all_bindings()}
    checked = 0
    for cls in interface_classes():
        for binding in cls.__dict__.get("BINDINGS", []):
            assert isinstance(binding, Binding), f"{cls.__name__}: {binding!r}"
            assert binding.id in declared, f"{cls.__name__}: {binding.key} sans identifiant"
            same = declared[binding.id]
            assert (binding.key, binding.action) == (same.key, same.action), cls.__name__
            checked += 1
    assert checked > 80


def test_every_screen_declares_its_help_title() -> None:
    screens = [c for c in interface_classes() if issubclass(c, Screen)]
    assert len(screens) >= 16
    for cls in screens:
        title = cls.__dict__.get("HELP_TITLE")
        assert isinstance(title, str) and title.strip(), cls.__name__
        assert not re.search(r"[A-Z][a-z]+[A-Z]", title), title  # no class name shown


def test_the_keymap_page_lists_every_id() -> None:
    page = (REPO / "docs" / "keymap.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z_.0-9]+)` \|", page, re.M))
    assert listed == keymap.binding_ids()


def test_a_good_keymap_passes() -> None:
    keymap.check_keymap({"inbox.status_done": "t", "inbox.search": "slash,ctrl+f"})
    keymap.check_keymap({})


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"inbox.statut_done": "t"}, "identifiant de touche inconnu « inbox.statut_done »"),
        ({"inbox.statut_done": "t"}, "Vouliez-vous dire « inbox.status_done » ?"),
        ({"zzz": "t"}, "inconnu « zzz »"),
        ({"inbox.search": "  "}, "aucune touche donnée pour « inbox.search »"),
    ],
)
def test_a_wrong_keymap_is_one_french_sentence(entry, expected) -> None:
    with pytest.raises(AssisesError) as caught:
        keymap.check_keymap(entry)
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_the_app_does_not_open_with_a_wrong_keymap(tmp_path, capsys) -> None:
    root = sample_workspace(tmp_path / "ws")
    config = root / "consultation.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[keymap]\n"inbox.statut_done" = "t"\n',
        encoding="utf-8",
    )
    assert main(["open", "--workspace", str(root)]) == 2
    err = capsys.readouterr().err
    assert "inconnu « inbox.statut_done »" in err and "Traceback" not in err


def test_every_key_has_an_action_on_the_screen_or_widget_that_declares_it() -> None:
    # The inbox and the reader hold some keys' behaviour in composed parts
    # (screens/parts.py): a key whose part lost its method would do nothing, silently.
    checked = 0
    for cls in interface_classes():
        for binding in cls.__dict__.get("BINDINGS", []):
            name = binding.action.split("(", 1)[0]
            if "." in name:  # app.… / screen.…: another namespace
                continue
            method = getattr(cls, f"action_{name}", None) or getattr(cls, f"_action_{name}", None)
            assert method is not None, f"{cls.__name__}: {binding.key} → {binding.action}"
            checked += 1
    assert checked > 80
