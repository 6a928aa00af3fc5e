"""Exports to a place that cannot be written end with one French sentence, no trace."""

from __future__ import annotations

import pytest
from synthesis_support import CLEAN_DRAFT, make_services

from assises_tui.cli import main


@pytest.fixture
def root(tmp_path):
    services = make_services(tmp_path)
    services.synthesis.save(CLEAN_DRAFT)
    services.workspace.close()
    return str(tmp_path / "ws")


@pytest.mark.parametrize(
    "what, name",
    [
        ("synthesis", "synthese.odt"),
        ("synthesis", "synthese.pdf"),
        ("contributions", "archive.csv"),
    ],
)
def test_missing_folder(root, tmp_path, capsys, what, name):
    target = tmp_path / "absent" / name
    code = main(["--workspace", root, "export", what, "-o", str(target)])
    out, err = capsys.readouterr()
    assert code == 2
    assert err == f"assises : Impossible d'écrire {target} : le dossier n'existe pas.\n"
    assert "Traceback" not in out + err
    assert not target.parent.exists()


def test_output_is_a_folder(root, tmp_path, capsys):
    code = main(["--workspace", root, "export", "synthesis", "--format", "md", "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "Impossible d'écrire" in err and "c'est un dossier" in err
