"""consultation.toml: the bundled file loads; every mistake names its field and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from assises_tui.config import (
    ConfigError,
    bundled_config_dir,
    load_consultation,
    parse_consultation,
)

BUNDLED = (bundled_config_dir() / "consultation.toml").read_text(encoding="utf-8")


def test_bundled_allier_consultation_loads() -> None:
    config = load_consultation(bundled_config_dir() / "consultation.toml")
    assert config.department == "Allier"
    assert config.theme_keys == ("communication", "service", "lien", "participation")
    assert config.deadline.utcoffset().total_seconds() == 3600
    assert config.announcement == "annonce.txt"
    assert config.theme("lien").label == "Lien population-forces"
    assert config.limits.max_pages == 200


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('mailbox = "pref-', 'mailbox = "sans arobase ', "mailbox"),
        ("deadline = 2020-01-20T00:00:00+01:00", "deadline = 2020-01-20", "deadline"),
        ('timezone = "Europe/Paris"', 'timezone = "Europe/Moulins"', "timezone"),
        ('key = "lien"', 'key = "Lien Population"', "themes[3].key"),
        ('label = "Service rendu"', 'label = ""', "themes[2].label"),
        ('key = "participation"', 'key = "lien"', "themes[4].key"),
    ],
)
def test_errors_name_the_field_and_the_line(old: str, new: str, field: str) -> None:
    # The line the staff member must fix: where the faulty value sits in the file.
    line = next(i for i, text in enumerate(BUNDLED.splitlines(), 1) if old in text)
    text = BUNDLED.replace(old, new, 1)
    with pytest.raises(ConfigError) as err:
        parse_consultation(text, "consultation.toml")
    message = str(err.value)
    assert f"« {field} »" in message, message
    assert f"(ligne {line})" in message, message


def test_missing_required_field_and_bad_syntax() -> None:
    text = BUNDLED.replace('department = "Allier"\n', "")
    with pytest.raises(ConfigError, match="« department » est obligatoire"):
        parse_consultation(text)
    with pytest.raises(ConfigError, match="syntaxe TOML invalide"):
        parse_consultation('title = "sans fin\n')
    with pytest.raises(ConfigError, match=r"« limits\.max_pages » doit être un nombre positif"):
        parse_consultation(BUNDLED + "\n[limits]\nmax_pages = -1\n")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="introuvable"):
        load_consultation(tmp_path / "absent.toml")
    latin1 = tmp_path / "consultation.toml"
    latin1.write_bytes(BUNDLED.encode("utf-8").replace("é".encode(), "é".encode("latin-1")))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_consultation(latin1)
