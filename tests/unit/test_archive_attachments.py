"""The contributions archive carries the attachments' text (masked like the body)."""

from __future__ import annotations

import csv
import json
import re

import pytest
from privacy_support import NAME, PHONE, build


@pytest.fixture
def services(tmp_path):
    ws, services = build(tmp_path)
    yield services
    ws.close()


def test_jsonl_archive_has_the_attachment_text_masked(services, tmp_path):
    out = tmp_path / "a.jsonl"
    services.synthesis.export_contributions("jsonl", out)
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    first = rows[1]["attachments"]
    assert len(first) == 1
    assert first[0]["text"].startswith("Annexe rédigée par [nom masqué]")
    assert "[téléphone masqué]" in first[0]["text"]
    text = out.read_text(encoding="utf-8")
    for secret in (NAME, PHONE, NAME.split()[1]):
        assert secret not in text
    assert rows[2]["attachments"] == []  # a file without extracted text adds nothing


def test_csv_archive_has_an_attachments_column(services, tmp_path):
    out = tmp_path / "a.csv"
    services.synthesis.export_contributions("csv", out, with_personal_data=True)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline=""), delimiter=";"))
    assert "Pièces jointes" in rows[0]
    assert rows[0]["Pièces jointes"].endswith(f" : Annexe rédigée par {NAME}, tél. {PHONE}")


def test_csv_archive_opens_in_a_french_spreadsheet_without_live_formulas(services, tmp_path):
    from dataclasses import replace

    item = services.store.all()[0]
    services.store.save(replace(item, subject='=HYPERLINK("http://evil";"clic")'))
    out = tmp_path / "a.csv"
    services.synthesis.export_contributions("csv", out)
    data = out.read_bytes()
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline=""), delimiter=";"))
    subject = next(r["Objet"] for r in rows if r["Numéro"] == str(item.id))
    assert subject == '\'=HYPERLINK("http://evil";"clic")'
    assert "é" in "".join(r["Texte"] for r in rows)  # accents survive the round trip


def test_csv_archive_speaks_french(services, tmp_path):
    from dataclasses import replace

    item = services.store.all()[0]
    services.store.save(replace(item, themes=("service",), late=True))
    out = tmp_path / "a.csv"
    services.synthesis.export_contributions("csv", out)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline=""), delimiter=";"))
    assert list(rows[0])[:5] == ["Numéro", "Reçue le", "Hors délai", "Statut", "Thèmes"]
    row = next(r for r in rows if r["Numéro"] == str(item.id))
    assert row["Hors délai"] == "oui" and row["Statut"] == "Nouveau"
    assert row["Thèmes"] == "Service rendu"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", row["Reçue le"])
    text = out.read_text(encoding="utf-8-sig")
    for internal in ("received_at", "False", "True", "not_contribution", '["'):
        assert internal not in text
