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
    assert (
        found[1].raw.replace(b"\r\n", b"\n")
        == messages[1].replace(b"\r\n", b"\n").rstrip(b"\n") + b"\n"
    )


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


def _reference_split(data: bytes) -> list[bytes]:
    """The mbox rule, line by line: "From " after a blank line (or at the start) opens a
    message; the blank line before it is the mbox's; one level of ">From " is removed."""
    import re

    out: list[list[bytes]] = []
    previous_blank = True
    for line in data.splitlines(keepends=True):
        if previous_blank and line.startswith(b"From "):
            out.append([])
            previous_blank = False
            continue
        previous_blank = line in (b"\n", b"\r\n")
        if out:
            out[-1].append(re.sub(rb"^>(>*From )", rb"\1", line))
    for lines in out[:-1]:
        lines.pop()  # every message but the last is followed by a blank line
    if out and out[-1] and out[-1][-1] in (b"\n", b"\r\n"):
        out[-1].pop()
    return [b"".join(lines) for lines in out]


def test_block_splitter_matches_line_rule():
    import random

    from assises_tui.ingest.sources import _split_mbox

    rng = random.Random(7)
    pieces = [
        b"From a@b Mon Jan  1 00:00:00 2020\n",
        b"\n",
        b"From here\n",
        b">From x\n",
        b">>From y\n",
        b"Subject: s\n",
        b"text\n",
        b"\r\n",
        b"From: q\r\n",
        b"x" * 40,
    ]
    for _ in range(2000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        if data.endswith(b"x"):
            data += b"\n"
        size = rng.choice([1, 2, 5, 9, 64, 1 << 20])
        blocks = [data[i : i + size] for i in range(0, len(data), size)]
        got = [m.raw for m in _split_mbox(blocks, "t")]
        assert got == _reference_split(data), data
