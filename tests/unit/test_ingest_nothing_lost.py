"""Every word a citizen sent reaches the reviewer: what the import used to lose silently.

mbox files without the blank lines, with a byte order mark or a leading blank line;
folders of .txt and extension-less mails; text in octet-stream attachments; bodies over
2 million characters; parts nested too deep; a mail resent under the same Message-ID with
an attachment added; Outlook winmail.dat; mail relayed by a list.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest
from ingest_support import MAILBOX, TZ, mail, mbox, pdf_bytes
from tnef_writer import tnef

from assises_tui.domain.models import Status
from assises_tui.ingest import sources
from assises_tui.ingest.extract import Extractor
from assises_tui.ingest.extractors import kind_of
from assises_tui.ingest.mime import MAX_DEPTH, ParsedAttachment, parse_message
from assises_tui.screens.views import VIEW_BY_KEY
from assises_tui.services.importer import CHECK_NEW_VERSION, import_sources
from assises_tui.workspace import Workspace


@pytest.fixture()
def ws(tmp_path):
    with Workspace.init(tmp_path / "ws") as workspace:
        yield workspace


def body_of(ws, item) -> str:
    return ws.store.get_blob(item.body_blob).decode("utf-8")


def messages(n: int) -> list[bytes]:
    return [mail(f"Contribution numéro {i}.\n", message_id=f"<n{i}@x>") for i in range(n)]


# -- 2. mbox splitting ---------------------------------------------------------------


def test_mbox_without_blank_lines_keeps_every_message_and_reports_the_doubt(ws, tmp_path):
    data = mbox(messages(45)).replace(b"\n\nFrom sender", b"\nFrom sender")
    assert data.count(b"\n\nFrom sender") == 0
    path = tmp_path / "sans-lignes-vides.mbox"
    path.write_bytes(data)
    report = import_sources(ws, [path])
    assert (report.read, report.imported) == (45, 45)
    assert len(report.doubtful) == 44  # every split but the first is a guess, said so
    assert report.doubtful[0]["source"] == "sans-lignes-vides.mbox #2"
    assert "sans ligne vide" in report.doubtful[0]["reason"]
    bodies = sorted(body_of(ws, c) for c in ws.store.all())
    assert all("From sender" not in b for b in bodies)  # nothing swallowed
    second = next(c for c in ws.store.all() if c.message_id == "<n1@x>")
    assert any("Découpage de la boîte mbox" in t for t in second.to_check)
    assert VIEW_BY_KEY["to_check"].predicate(second, "")


@pytest.mark.parametrize(
    "prefix", [b"\n", b"\r\n\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n"], ids=repr
)
def test_mbox_with_leading_blank_line_or_byte_order_mark(ws, tmp_path, prefix):
    path = tmp_path / "export.mbox"
    path.write_bytes(prefix + mbox(messages(45)))
    report = import_sources(ws, [path])
    assert (report.imported, report.quarantined, report.doubtful) == (45, [], [])


def test_mbox_without_suffix_and_with_blank_line_is_recognised(ws, tmp_path):
    path = tmp_path / "Boite de reception"
    path.write_bytes(b"\n" + mbox(messages(3)))
    assert import_sources(ws, [path]).imported == 3


def test_from_line_in_a_body_after_a_blank_line_stays_and_is_reported(tmp_path):
    text = "Mon avis.\n\nFrom my point of view, more police.\n"
    path = tmp_path / "o.mbox"
    path.write_bytes(mbox([mail(text)]).replace(b">From my", b"From my"))
    (found,) = list(sources.iter_mbox(path))
    assert b"From my point of view" in found.raw
    assert found.doubt == sources.DOUBT_KEPT


def test_text_before_the_first_separator_is_not_dropped(ws, tmp_path):
    path = tmp_path / "x.mbox"
    path.write_bytes(b"From sender Mon Jan 13 14:02:11 2020\n" + mbox(messages(2)))
    report = import_sources(ws, [path])  # the first "message" is empty
    assert report.imported == 2
    path.write_bytes(mail("Sans enveloppe.\n", message_id="<pre@x>") + b"\n" + mbox(messages(2)))
    report = import_sources(ws, [path])
    assert any(c.message_id == "<pre@x>" for c in ws.store.all())


# -- 4. folders ----------------------------------------------------------------------


def test_folder_of_txt_and_extensionless_mails_is_read_and_skips_are_reported(ws, tmp_path):
    folder = tmp_path / "courriels"
    folder.mkdir()
    (folder / "contribution-1.txt").write_bytes(mail("Un.\n", message_id="<t1@x>"))
    (folder / "2").write_bytes(mail("Deux.\n", message_id="<t2@x>"))
    (folder / "courrier.pdf").write_bytes(pdf_bytes(["Pas un courriel."]))
    (folder / "notes.txt").write_text("Liste des communes : Moulins, Vichy.\n")
    (folder / "données.json").write_text('{"a": 1}')  # a header-like first line
    report = import_sources(ws, [folder])
    assert (report.read, report.imported) == (2, 2)
    assert report.quarantined == []
    assert sorted(s["source"] for s in report.skipped) == [
        "courriels/courrier.pdf",
        "courriels/données.json",
        "courriels/notes.txt",
    ]
    assert {s["reason"] for s in report.skipped} == {sources.SKIP_NOT_MAIL}


def test_cli_lists_skipped_files(tmp_path, capsys):
    from assises_tui.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a").write_bytes(mail())
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    ws_dir = tmp_path / "ws"
    assert main(["--workspace", str(ws_dir), "init"]) == 0
    capsys.readouterr()
    assert main(["--workspace", str(ws_dir), "import", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "1 fichier(s) ignoré(s)" in out and "in/photo.jpg" in out


def test_workspace_inside_the_imported_folder_is_not_imported(ws, tmp_path):
    (tmp_path / "a.eml").write_bytes(mail())
    import_sources(ws, [tmp_path])
    report = import_sources(ws, [tmp_path])
    assert report.read == 1
    assert [s["source"] for s in report.skipped] == [f"{tmp_path.name}/ws"]


# -- 3. text that is there -----------------------------------------------------------


@pytest.mark.parametrize(
    "ctype,name",
    [("application/octet-stream", "contribution"), ("application/octet-stream", "lettre.dat")],
)
def test_octet_stream_text_is_read(ctype, name):
    text = "Je demande plus de présence policière à Cusset, le soir surtout.\n" * 3
    for data in (text.encode("utf-8"), text.encode("cp1252"), text.encode("utf-16")):
        att = ParsedAttachment(name, ctype, data)
        with Extractor() as extractor:
            extractor.extract(att)
        assert att.text and "présence policière à Cusset" in att.text, data[:20]


def test_binary_octet_stream_is_not_taken_for_text():
    for data in (bytes(range(256)) * 4, b"Rar!\x1a\x07" + b"a" * 100, b"\x1f\x8b" + b"b" * 100):
        assert kind_of("application/octet-stream", "x.bin", data) is None
    assert kind_of("image/png", "x", b"plain bytes") is None


def test_body_of_3_mb_is_kept_whole(ws, tmp_path):
    big = ("Une phrase de contribution assez longue pour remplir le message. " * 47 + "\n") * 1000
    assert len(big) > 3_000_000
    (tmp_path / "long.eml").write_bytes(mail(big + "FIN-DU-TEXTE\n"))
    import_sources(ws, [tmp_path / "long.eml"])
    (item,) = ws.store.all()
    body = body_of(ws, item)
    assert len(body) > 3_000_000 and body.rstrip().endswith("FIN-DU-TEXTE")


def nested(depth: int, text: str) -> bytes:
    inner = EmailMessage()
    inner.set_content(text)
    for _ in range(depth):
        outer = EmailMessage()
        outer.make_mixed()
        outer.attach(inner)
        inner = outer
    inner["From"] = "a@example.fr"
    inner["Subject"] = "Imbriqué"
    inner["Message-ID"] = "<deep@x>"
    return inner.as_bytes(policy=SMTP)


def test_parts_beyond_the_depth_limit_leave_a_note():
    p = parse_message(nested(MAX_DEPTH + 5, "Texte enfoui."), "t.eml", MAILBOX, TZ)
    assert "Texte enfoui" not in p.body
    assert any(f"plus de {MAX_DEPTH} niveaux" in t for t in p.to_check), p.to_check
    shallow = parse_message(nested(5, "Texte lisible."), "t.eml", MAILBOX, TZ)
    assert "Texte lisible" in shallow.body and shallow.to_check == []


# -- 5. same Message-ID, other content -----------------------------------------------


def test_resent_mail_with_an_attachment_added_is_imported_as_a_new_version(ws, tmp_path):
    first = mail("Ma contribution.\n", message_id="<resent@x>")
    second = mail(
        "Ma contribution.\n",
        message_id="<resent@x>",
        attachments=[("annexe.txt", "text/plain", b"Annexe : chiffres de ma commune.")],
    )
    (tmp_path / "1.eml").write_bytes(first)
    import_sources(ws, [tmp_path / "1.eml"])
    (tmp_path / "2.eml").write_bytes(second)
    report = import_sources(ws, [tmp_path / "2.eml"])
    assert (report.imported, report.new_versions, report.already_present) == (1, 1, 0)
    old, new = sorted(ws.store.all(), key=lambda c: c.id)
    assert new.status is Status.NEW and new.duplicate_of == old.id
    assert new.to_check == (CHECK_NEW_VERSION.format(id=old.id),)
    assert [a.filename for a in new.attachments] == ["annexe.txt"]
    again = import_sources(ws, [tmp_path])  # idempotent: both already there
    assert (again.imported, again.already_present) == (0, 2)


def test_two_versions_in_one_run_are_linked(ws, tmp_path):
    path = tmp_path / "b.mbox"
    path.write_bytes(
        mbox(
            [
                mail("Version un.\n", message_id="<v@x>"),
                mail("Version deux, corrigée.\n", message_id="<v@x>"),
            ]
        )
    )
    report = import_sources(ws, [path])
    assert (report.imported, report.new_versions) == (2, 1)
    one, two = sorted(ws.store.all(), key=lambda c: c.id)
    assert two.duplicate_of == one.id and one.duplicate_of is None


# -- 8. lists ------------------------------------------------------------------------


def test_list_relayed_mail_waits_in_the_to_check_view(ws, tmp_path):
    (tmp_path / "l.eml").write_bytes(mail(headers={"Precedence": "list"}))
    report = import_sources(ws, [tmp_path / "l.eml"])
    (item,) = ws.store.all()
    assert item.status is Status.NEW and report.not_contributions == 0
    assert report.to_check == 1
    assert VIEW_BY_KEY["to_check"].predicate(item, "")
    assert VIEW_BY_KEY["left"].predicate(item, "")


# -- 1. Outlook winmail.dat ----------------------------------------------------------

RTF = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Calibri;}}\f0 Monsieur le Pr\'e9fet,\par "
    r"la commune de Saint-Pour\'e7ain demande une brigade ouverte le samedi.\par}"
)


def outlook_mail(winmail: bytes, body: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Mairie <mairie@example.fr>"
    msg["To"] = MAILBOX
    msg["Subject"] = "Contribution de la commune"
    msg["Message-ID"] = "<tnef@x>"
    if body is not None:
        msg.set_content(body)
    msg.add_attachment(winmail, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    return msg.as_bytes(policy=SMTP)


def test_winmail_dat_body_and_files_reach_the_reviewer(ws, tmp_path):
    letter = pdf_bytes(["Deliberation du conseil municipal : videoprotection place du marche."])
    winmail = tnef(
        rtf=RTF,
        files=[
            ("Délibération n°12 — conseil.pdf", letter),
            ("Réponse à la préfecture.txt", "Nous souhaitons une réunion publique.".encode()),
        ],
    )
    (tmp_path / "o.eml").write_bytes(outlook_mail(winmail))
    import_sources(ws, [tmp_path / "o.eml"])
    (item,) = ws.store.all()
    body = body_of(ws, item)
    assert "Saint-Pourçain demande une brigade ouverte le samedi" in body
    names = [a.filename for a in item.attachments]
    assert names == [
        "winmail.dat",
        "Délibération n°12 — conseil.pdf",
        "Réponse à la préfecture.txt",
    ]
    carrier, pdf, txt = item.attachments
    assert "décodée" in carrier.note and "(2)" in carrier.note
    assert pdf.content_type == "application/pdf"
    assert "videoprotection place du marche" in ws.store.get_blob(pdf.text_blob).decode()
    assert "réunion publique" in ws.store.get_blob(txt.text_blob).decode()


def test_winmail_dat_body_does_not_replace_the_mail_text():
    data = outlook_mail(tnef(plain="Texte Outlook."), body="Texte du courriel.\n")
    p = parse_message(data, "t.eml", MAILBOX, TZ)
    assert "Texte du courriel" in p.body and "Texte Outlook" not in p.body


def test_winmail_dat_html_body():
    data = outlook_mail(tnef(html="<p>Plus de m&eacute;diation dans les quartiers.</p>"))
    p = parse_message(data, "t.eml", MAILBOX, TZ)
    assert "Plus de médiation dans les quartiers." in p.body


def test_damaged_winmail_dat_is_kept_with_a_note():
    data = outlook_mail(b"\x78\x9f\x3e\x22" + b"\xff" * 40)
    p = parse_message(data, "t.eml", MAILBOX, TZ)
    (carrier,) = p.attachments
    assert carrier.note and "illisible" in carrier.note
