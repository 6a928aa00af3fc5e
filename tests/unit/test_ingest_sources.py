"""Sources: mbox (mboxo/mboxrd, LF/CRLF), Maildir, folders of .eml/.msg, single files."""

from __future__ import annotations

import pytest
from ingest_support import EMAILS, mail, mbox

from assises_tui.ingest.sources import SourceError, iter_mbox, iter_sources


def test_mbox_split_and_from_unquoting(tmp_path):
    body = "Premier paragraphe.\nFrom here on, a line that starts with From.\n>From quoted.\n"
    messages = [mail(body, message_id=f"<m{i}@x>") for i in range(3)]
    path = tmp_path / "export.mbox"
    path.write_bytes(mbox(messages))
    found = list(iter_mbox(path))
    assert [m.source for m in found] == ["export.mbox #1", "export.mbox #2", "export.mbox #3"]
    assert all(m.problem is None for m in found)
    assert b"\nFrom here on" in found[0].raw  # mboxrd ">From " unquoted
    assert b"\n>From quoted." in found[0].raw  # ">>From" loses one level only
    assert found[1].raw.replace(b"\r\n", b"\n") == messages[1].replace(b"\r\n", b"\n").rstrip(
        b"\n"
    ) + b"\n"


def test_mbox_crlf(tmp_path):
    path = tmp_path / "crlf.mbox"
    path.write_bytes(mbox([mail("Un.\n", message_id="<a@x>"), mail("Deux.\n")], crlf=True))
    found = list(iter_mbox(path))
    assert len(found) == 2
    assert found[0].raw.endswith(b"Un.\r\n")


def test_mboxo_from_in_body_not_after_blank_line_stays(tmp_path):
    data = (
        b"From a@x Mon Jan 13 14:02:11 2020\nFrom: a@x\nSubject: s\n\nligne\n"
        b"From the start this is body\n\nFrom b@x Mon Jan 13 14:02:11 2020\nFrom: b@x\n"
        b"Subject: t\n\nautre\n"
    )
    path = tmp_path / "o.mbox"
    path.write_bytes(data)
    found = list(iter_mbox(path))
    assert len(found) == 2
    assert b"From the start this is body" in found[0].raw


def test_maildir_and_recursive_folders(tmp_path):
    md = tmp_path / "boite"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    (md / "cur" / "1:2,S").write_bytes(mail(message_id="<cur@x>"))
    (md / "new" / "2").write_bytes(mail(message_id="<new@x>"))
    (md / "tmp" / "3").write_bytes(mail(message_id="<tmp@x>"))  # being delivered: skipped
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    (deep / "x.eml").write_bytes(mail(message_id="<eml@x>"))
    (deep / "notes.txt").write_text("pas un courriel")  # not .eml/.msg: ignored in folders
    found = list(iter_sources([tmp_path]))
    assert len(found) == 3
    assert all(m.problem is None for m in found)
    raws = b"".join(m.raw for m in found)
    assert b"<cur@x>" in raws and b"<new@x>" in raws and b"<eml@x>" in raws


def test_file_that_is_not_mail_is_reported(tmp_path):
    bad = tmp_path / "photo.eml"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (found,) = list(iter_sources([bad]))
    assert found.problem and "pas un courriel" in found.problem
    assert found.raw.startswith(b"\x89PNG")


def test_msg_detected_by_content_even_without_suffix():
    outlook = EMAILS / "SpamScope__mail-parser" / "tests" / "mails" / "mail_outlook_1"
    (found,) = list(iter_sources([outlook]))
    assert found.kind == "msg" and found.problem is None


def test_fake_msg_is_reported():
    fake = EMAILS / "scanny__python-oxmsg" / "tests" / "test_files" / "not-a-MSG-file.msg"
    (found,) = list(iter_sources([fake]))
    assert found.problem


def test_missing_path_raises_french_error(tmp_path):
    with pytest.raises(SourceError, match="introuvable"):
        list(iter_sources([tmp_path / "absent.mbox"]))


def test_big_mbox_is_streamed(tmp_path):
    path = tmp_path / "big.mbox"
    one = mail("x" * 1000 + "\n")
    with open(path, "wb") as fh:
        for _ in range(3000):
            fh.write(mbox([one]))
    it = iter_mbox(path)
    first = next(it)  # a generator: the first message comes before the file is read whole
    assert first.raw.startswith(b"From: ") or b"Subject" in first.raw
    assert 1 + sum(1 for _ in it) == 3000
