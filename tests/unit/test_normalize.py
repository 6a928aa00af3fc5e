"""Text normalisation: NFC, mojibake repair, and the PDF accent artefacts of the announcement."""

from __future__ import annotations

import unicodedata

import pytest
from ingest_support import FIXTURES

from assises_tui.config import bundled_config_dir
from assises_tui.text.normalize import normalize_header, normalize_text, repair_pdf_accents


def test_announcement_golden():
    source = (bundled_config_dir() / "annonce.txt").read_text(encoding="utf-8")
    expected = (FIXTURES / "ingest" / "annonce-repaired.txt").read_text(encoding="utf-8")
    repaired = normalize_text(source)
    assert repaired == expected
    for good in (
        "sécurité intérieure",
        "synthèse",
        "devront  être  envoyées",
        "concrètes",
        "années à venir",
        "les élus",
        "politique générale",
        "annoncé la rédaction",
    ):
        assert good in repaired
    for bad in ("seécuriteé", "syntheàse", "eê tre", "concreà tes", "aà ", "eé lus"):
        assert bad not in repaired


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("la seécuriteé  de demain", "la sécurité de demain"),
        ("une syntheàse, des eé lus et des eé lues", "une synthèse, des élus et des élues"),
        ("devront eê tre envoyeées aà  la préfecture", "devront être envoyées à la préfecture"),
        ("des propositions concreà tes, seécuriteé ,", "des propositions concrètes, sécurité,"),
    ],
)
def test_pdf_artefacts(broken, fixed):
    assert repair_pdf_accents(broken) == fixed


@pytest.mark.parametrize(
    "correct",
    [
        "L'aéroport de Vichy, la poésie, créé, réélu, Noël, goéland, déjà là.",
        "Une seule occurrence eé ne suffit pas",  # one artefact alone is not trusted
        "Le coût du maïs à Moulins en août.",
    ],
)
def test_correct_french_is_left_alone(correct):
    assert normalize_text(correct) == unicodedata.normalize("NFC", correct)


def test_mojibake_repaired():
    assert normalize_text("Ã©tÃ© Ã  Vichy, câ€™est lâ€™hiver") == "été à Vichy, c’est l’hiver"


def test_nfc_and_line_endings():
    decomposed = "se\u0301curite\u0301\r\nfin\r"
    assert normalize_text(decomposed) == "sécurité\nfin\n"
    assert unicodedata.is_normalized("NFC", normalize_text(decomposed))


def test_header_on_one_line():
    assert normalize_header("  Contribution\n\t aux   assises ") == "Contribution aux assises"
