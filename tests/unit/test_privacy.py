"""Personal data: pseudonymised display, reveal, retention purge, privacy report, exports."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from privacy_support import (
    EMAIL,
    NAME,
    PHONE,
    SHARED_ATTACHMENT,
    blob_files,
    build,
    privacy_of,
    purge_of,
)

from assises_tui.cli import main
from assises_tui.services.privacy import PrivacyError, mask_text
from assises_tui.services.privacy_report import report_lines
from assises_tui.services.purge import PENDING_DOC
from assises_tui.services.session import Services
from assises_tui.workspace import Workspace

CUTOFF = date(2019, 12, 1)


@pytest.fixture
def env(tmp_path):
    ws, services = build(tmp_path)
    yield ws, services
    ws.close()


def test_pseudonymised_view_masks_sender_and_text(env):
    ws, services = env
    item = ws.store.get(1)
    shown = privacy_of(services, pseudonymised=True)
    assert shown.sender_label(item) == "Contributeur n° 1"
    assert shown.sender_email(item) == ""
    body = services.contributions.body_text(1)
    text = shown.display_text(item, body)
    for secret in (NAME, EMAIL, PHONE, "12 rue des Lilas"):
        assert secret not in text
    assert "patrouilles à pied" in text and "[téléphone masqué]" in text
    assert NAME not in shown.display_text(item, item.subject)
    plain = privacy_of(services, pseudonymised=False)
    assert plain.sender_label(item) == NAME
    assert plain.display_text(item, body) == body


def test_default_comes_from_workspace_settings_and_is_recorded(env):
    _ws, services = env
    assert privacy_of(services).pseudonymised is False
    privacy_of(services).set_default(True)
    assert privacy_of(services).pseudonymised is True
    events = [e for e in services.audit.history(kinds=["privacy.settings"])]
    assert events and events[-1].after == {"pseudonymised": True}


def test_reveal_is_recorded_and_refused_read_only(env, tmp_path):
    ws, services = env
    privacy = privacy_of(services, pseudonymised=True)
    privacy.reveal(1)
    assert privacy.pseudonymised is False
    entries = services.audit.history(1, kinds=["privacy.reveal"])
    assert len(entries) == 1 and entries[0].who == services.reviewer and entries[0].id == 1
    with Workspace.open(ws.root, read_only=True) as view:
        with pytest.raises(PrivacyError):
            privacy_of(Services(view), pseudonymised=True).reveal(1)


def test_mask_offsets_follow_the_masks():
    text = f"Appelez le {PHONE} demain. Écrivez à {EMAIL} svp."
    masked = mask_text(text)
    start = text.index("demain")
    new = masked.offset(start)
    assert masked.text[new : new + 6] == "demain"
    inside = text.index(PHONE) + 3  # an offset inside a masked piece snaps to its edges
    assert masked.text[masked.offset(inside) : masked.offset(inside, end=True)] == (
        "[téléphone masqué]"
    )
    assert masked.offset(len(text)) == len(masked.text)


def test_dry_run_changes_nothing(env):
    ws, services = env
    before_records = [c.to_dict() for c in ws.store.all()]
    before_blobs = blob_files(ws)
    report = purge_of(services).run(CUTOFF, dry_run=True)
    assert report.ids == [1, 4]
    assert report.senders == 2 and report.raw_mails == 2 and report.attachments == 1
    assert report.undated == 1 and report.findings.get("phone", 0) >= 1
    assert [c.to_dict() for c in ws.store.all()] == before_records
    assert blob_files(ws) == before_blobs
    assert not (ws.root / "purge-reports").exists()
    assert not services.audit.history(kinds=["privacy.purge"])
    # A simulation speaks of what would be done, never in the past tense.
    text = "\n".join(report.lines())
    assert "rien n'est modifié" in text and "à effacer : 2" in text
    for past in ("effacées :", "supprimés :", "supprimées :", "masqués :", "Conservés"):
        assert past not in text


def test_purge_erases_personal_data_and_keeps_the_work(env):
    ws, services = env
    old = ws.store.get(1)
    keep = ws.store.get(2)
    report = purge_of(services).run(CUTOFF)
    item = ws.store.get(1)
    assert item.sender_name == "" and item.sender_email == "" and item.raw_blob is None
    assert not ws.store.has_blob(old.raw_blob)
    assert not ws.store.has_blob(old.body_blob)  # the unmasked body is gone too
    body = services.contributions.body_text(1)
    for secret in (NAME, EMAIL, PHONE, "12 rue des Lilas"):
        assert secret not in body
        assert secret not in item.subject and secret not in item.snippet
        assert all(secret not in n.text for n in item.notes)
        assert secret not in json.dumps(item.to_dict(), ensure_ascii=False)
    assert "patrouilles à pied le soir" in body
    # Themes, excerpts (masked, offsets re-mapped onto the new body) and figures stay.
    assert item.themes == old.themes and len(item.excerpts) == 2
    for e in item.excerpts:
        assert body[e.start : e.end] == e.text
    assert "[téléphone masqué]" in item.excerpts[0].text
    assert item.excerpts[1].text == body
    att = item.attachments[0]
    assert att.blob is None and NAME not in att.filename and "effacé" in att.note
    text = ws.store.get_blob(att.text_blob).decode()
    assert NAME not in text and PHONE not in text
    # n° 2 was received after the date: untouched, and the file it shares is still there.
    assert ws.store.get(2) == keep
    assert ws.store.get_blob(keep.attachments[0].blob) == SHARED_ATTACHMENT
    assert ws.store.get(3).sender_name == "Sans Date"  # no date: never purged by date
    assert ws.store.verify() == []
    # Report files, audit event and history entry; no personal data in the report.
    assert report.path and (ws.root / report.path).is_file()
    for path in (ws.root / "purge-reports").iterdir():
        content = path.read_text(encoding="utf-8")
        assert NAME not in content and EMAIL not in content
    assert "Purge des données personnelles" in (ws.root / report.path).with_suffix(
        ".txt"
    ).read_text(encoding="utf-8")
    events = services.audit.history(kinds=["privacy.purge"])
    assert len(events) == 1 and events[0].after["count"] == 2
    assert item.history[-1].what == "purge"
    # The search index forgot the erased name.
    assert services.search.search(services.search.parse("Vernadaz"), exhaustive=True) == []


def test_purge_twice_is_a_no_op(env):
    ws, services = env
    purge_of(services).run(CUTOFF)
    records = [c.to_dict() for c in ws.store.all()]
    again = purge_of(services).run(CUTOFF)
    assert again.ids == [] and again.already_purged == 2
    assert [c.to_dict() for c in ws.store.all()] == records


def test_interrupted_purge_deletions_are_finished_safely(env):
    ws, services = env
    orphan = ws.store.put_blob(b"orphelin d'une purge interrompue")
    used = ws.store.get(2).raw_blob
    ws.store.put_doc(PENDING_DOC, {"blobs": [orphan, used]})
    report = purge_of(services).run(date(2019, 1, 1))  # nothing to purge
    assert report.ids == []
    ws.store.put_doc(PENDING_DOC, {"blobs": [orphan, used]})
    purge_of(services).run(CUTOFF)
    assert not ws.store.has_blob(orphan)
    assert ws.store.has_blob(used)  # still referenced: never deleted
    assert ws.store.get_doc(PENDING_DOC) == {"blobs": []}
    assert ws.store.verify() == []


def test_privacy_report_inventory_without_personal_data(env):
    _ws, services = env
    report = services.privacy.report()
    cats = {c["key"]: c for c in report["categories"]}
    assert cats["sender_identities"]["records"] == 4
    assert cats["raw_mails"]["records"] == 4 and cats["raw_mails"]["bytes"] > 0
    assert cats["attachments"]["files"] == 2
    assert cats["body_personal_data"]["records"] >= 2
    assert {"email", "phone"} <= set(cats["body_personal_data"]["by_kind"])  # stable keys
    assert "numéro de téléphone" in "\n".join(report_lines(report))  # French in the text
    assert report["received"]["first"].startswith("2019-11-20")
    assert "intérêt public" in report["register"]["legal_basis"]
    dumped = json.dumps(report, ensure_ascii=False) + "\n".join(report_lines(report))
    for secret in (NAME, EMAIL, PHONE):
        assert secret not in dumped
    purge_of(services).run(CUTOFF)
    after = {c["key"]: c for c in services.privacy.report()["categories"]}
    assert after["sender_identities"]["records"] == 2 and after["raw_mails"]["records"] == 2
    assert services.privacy.report()["purges"][0]["count"] == 2


def test_report_spans_compare_instants_not_text():
    from assises_tui.services.privacy_report import _span

    # 09:30 UTC is after 10:00 in Paris (09:00 UTC), although it sorts before it as text.
    span = _span(["2020-01-10T09:30:00+00:00", "2020-01-10T10:00:00+01:00"])
    assert span == {"first": "2020-01-10T10:00:00+01:00", "last": "2020-01-10T09:30:00+00:00"}


def test_contribution_exports_leave_personal_data_out_unless_asked(env, tmp_path):
    _ws, services = env
    out = tmp_path / "archive.jsonl"
    services.synthesis.export_contributions("jsonl", out)
    text = out.read_text(encoding="utf-8")
    for secret in (NAME, EMAIL, PHONE, "paul.aubrac@exemple.fr"):
        assert secret not in text
    assert "patrouilles à pied" in text
    services.synthesis.export_contributions("csv", tmp_path / "a.csv")
    assert EMAIL not in (tmp_path / "a.csv").read_text(encoding="utf-8")
    services.synthesis.export_contributions("jsonl", out, with_personal_data=True)
    assert EMAIL in out.read_text(encoding="utf-8")
    events = services.audit.history(kinds=["contributions.export"])
    assert [e.after["personal_data"] for e in events] == [False, False, True]


def test_cli_purge_and_report(env, capsys):
    ws, _services = env
    root = str(ws.root)
    ws.close()
    assert (
        main(["--workspace", root, "purge", "--before", "01/12/2019", "--dry-run", "--json"]) == 0
    )
    dry = json.loads(capsys.readouterr().out)
    assert dry["dry_run"] is True and dry["ids"] == [1, 4]
    assert main(["--workspace", root, "purge", "--before", "2019-12-01"]) == 0
    out = capsys.readouterr().out
    assert "2 contribution(s) concernée(s)" in out and NAME not in out
    assert main(["--workspace", root, "privacy-report", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["purged_records"] == 2
    assert main(["--workspace", root, "privacy-report"]) == 0
    assert "Base légale" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["--workspace", root, "purge", "--before", "hier"])
    assert exc.value.code == 2
    assert "date invalide" in capsys.readouterr().err
    assert main(["--workspace", root, "verify"]) == 0


def test_reimport_after_purge_does_not_bring_data_back(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from assises_tui.services.importer import import_sources
    from benchmarks.crash_campaign import write_mbox

    write_mbox(tmp_path / "m.mbox", 20, seed=2)
    with Workspace.init(tmp_path / "ws") as ws:
        import_sources(ws, [tmp_path / "m.mbox"])
        assert len(purge_of(Services(ws)).run(date(2019, 11, 17)).ids) > 0
        again = import_sources(ws, [tmp_path / "m.mbox"])
        assert again.imported == 0 and ws.store.count() == 20
        assert all(not c.sender_email for c in ws.store.all() if c.raw_blob is None)
        assert ws.store.verify() == []


def test_masked_offsets_map_both_ways():
    text = "Écrire à jean@exemple.fr ou au 06 12 34 56 78 avant lundi."
    masked = mask_text(text)
    for word in ("Écrire", "avant", "lundi."):
        old = text.index(word)
        new = masked.offset(old)
        assert masked.text[new : new + len(word)] == word
        assert masked.original(new) == old
    # A selection that starts or ends inside a mask label covers the whole masked piece.
    label_at = masked.text.index("[")
    assert masked.original(label_at + 2) == text.index("jean@")
    assert masked.original(label_at + 2, end=True) == text.index(" ou au")


def test_purge_replaces_the_backups_that_hold_the_erased_data(env):
    from assises_tui.store.backup import check_archive, list_backups

    ws, services = env
    before = ws.store.backup("avant")
    dry = purge_of(services).run(CUTOFF, dry_run=True)
    assert dry.backups == 1 and before.exists()  # a simulation deletes nothing
    assert any("seraient remplacées" in line for line in dry.lines())
    report = purge_of(services).run(CUTOFF)
    assert report.backups == 1 and report.backups_deleted == 1
    assert not before.exists()
    (fresh,) = list_backups(ws.root)
    archived = b"".join(check_archive(fresh).values())
    assert EMAIL.encode() not in archived and NAME.encode() not in archived
    assert b"paul.aubrac@exemple.fr" in archived  # n° 2, received later, is kept


def test_purge_erases_quarantined_mail_imported_before_the_date(tmp_path):
    from assises_tui.services.importer import import_sources
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace

    raw = b"not an outlook file: Jean Secret 06 12 34 56 78"
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "bad.msg").write_bytes(raw)
    with Workspace.init(tmp_path / "ws") as ws:
        services = Services(ws)
        import_sources(ws, [tmp_path / "mail"])
        (entry,) = ws.store.quarantine()
        assert ws.store.get_blob(entry.raw_blob) == raw
        # Imported just now: a purge of what came before an hour ago leaves it alone.
        now = datetime.now(UTC)
        assert purge_of(services).run(now - timedelta(hours=1)).quarantine_erased == 0
        dry = purge_of(services).run(now + timedelta(minutes=1), dry_run=True)
        assert dry.quarantine_erased == 1 and ws.store.has_blob(entry.raw_blob)
        report = purge_of(services).run(now + timedelta(minutes=1))
        assert report.quarantine_erased == 1
        (after,) = ws.store.quarantine()
        assert after.raw_blob is None and after.raw_sha256 == entry.raw_blob
        assert "effacé par la purge" in after.reason
        assert not ws.store.has_blob(entry.raw_blob)
        assert ws.store.verify() == []
        # Importing the same file again does not bring the raw mail back.
        again = import_sources(ws, [tmp_path / "mail"])
        assert len(again.quarantined) == 1 and len(ws.store.quarantine()) == 1
        assert not ws.store.has_blob(entry.raw_blob)


def test_undated_contribution_is_purged_when_imported_before_the_date(env):
    from dataclasses import replace

    from assises_tui.domain.models import HistoryEntry

    ws, services = env
    undated = ws.store.get(3)
    assert undated.received_at is None and not undated.history

    def imported(at: str) -> None:
        entry = HistoryEntry("import", at, "import", None, "test.mbox")
        ws.store.save(replace(ws.store.get(3), history=(entry,)))

    imported("2019-12-02T10:00:00+01:00")  # after the date: it may have arrived after too
    report = purge_of(services).run(CUTOFF)
    assert 3 not in report.ids and report.undated == 1
    assert ws.store.get(3).sender_name == "Sans Date"
    imported("2019-11-28T10:00:00+01:00")  # before the date: so was its reception
    report = purge_of(services).run(CUTOFF)
    assert report.ids == [3] and report.undated == 0
    assert ws.store.get(3).sender_name == "" and ws.store.get(3).raw_blob is None


def test_dry_run_and_report_name_every_copy_the_purge_will_remove(env, capsys):
    ws, services = env
    root = ws.root
    services.triage.assign([1], EMAIL)
    (root / "backups").mkdir(exist_ok=True)
    ws.store.backup("manuelle", root / "backups" / "copie-de-michel.tar.gz")
    (root / "store.avant-restauration-20200101-000000-000000").mkdir()
    (root / "store.avant-restauration-20200101-000000-000000" / "meta.json").write_text("{}")
    report = services.privacy.report()
    by_key = {c["key"]: c for c in report["categories"]}
    assert by_key["backups"]["records"] == 1 and by_key["restore_leftovers"]["records"] == 1
    dry = purge_of(services).run(CUTOFF, dry_run=True)
    assert (dry.backups, dry.restore_leftovers) == (1, 1)
    lines = "\n".join(dry.lines())
    assert "qui seraient supprimées : 1" in lines and "seraient" in lines
    done = purge_of(services).run(CUTOFF)
    assert done.backups_deleted == 1 and done.restore_leftovers_deleted == 1
    assert not (root / "backups" / "copie-de-michel.tar.gz").exists()
    assert not list(root.glob("store.avant-restauration-*"))
    assert services.store.get(1).assignee == "[courriel masqué]"
    assert EMAIL not in json.dumps([h.after for h in services.store.get(1).history])
