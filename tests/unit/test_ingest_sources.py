"""Sources: mbox (mboxo/mboxrd, LF/CRLF), Maildir, folders of .eml/.msg, single files."""

from __future__ import annotations

import pytest
from ingest_support import EMAILS, mail, mbox

from assises_tui.ingest import sources
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
    (deep / "notes.txt").write_text("pas un courriel")  # not mail: reported as skipped
    found = [m for m in iter_sources([tmp_path]) if m.kind != "skipped"]
    assert len(found) == 3
    assert all(m.problem is None for m in found)
    raws = b"".join(m.raw for m in found)
    assert b"<cur@x>" in raws and b"<new@x>" in raws and b"<eml@x>" in raws
    skipped = {m.source: m.problem for m in iter_sources([tmp_path]) if m.kind == "skipped"}
    assert skipped == {
        f"{tmp_path.name}/a/b/notes.txt": sources.SKIP_NOT_MAIL,
        f"{tmp_path.name}/boite/tmp/3": sources.SKIP_DELIVERING,
    }


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
    """The mbox rule on a whole list of lines (no streaming): a "From " line opens a
    message at the start of the file (after a byte order mark and blank lines), after a
    blank line when an envelope date or a header block follows, and without a blank line
    when both do. Text before the first separator is a message of its own; the blank line
    before a separator is the mbox's; one level of ">From " is removed."""
    import re

    lines = data.removeprefix(b"\xef\xbb\xbf").splitlines(keepends=True)
    while lines and not lines[0].strip():
        lines.pop(0)
    out: list[list[bytes]] = []
    opened: list[bool] = []  # whether each message was opened by a separator
    previous_blank = True
    for i, line in enumerate(lines):
        if line.startswith(b"From "):
            nexts = (lines[i + 1 : i + 3] + [None, None])[:2]
            first = i == 0
            is_sep, _doubt = sources.separator(line, previous_blank, *nexts)
            if first or is_sep:
                if (
                    out
                    and opened[-1]
                    and previous_blank
                    and out[-1]
                    and out[-1][-1]
                    in (
                        b"\n",
                        b"\r\n",
                    )
                ):
                    out[-1].pop()
                elif out and not opened[-1] and previous_blank and out[-1][-1] in (b"\n", b"\r\n"):
                    out[-1].pop()
                out.append([])
                opened.append(True)
                previous_blank = False
                continue
        previous_blank = line in (b"\n", b"\r\n")
        if not out:
            out.append([])
            opened.append(False)
        out[-1].append(re.sub(rb"^>(>*From )", rb"\1", line))
    if out and out[-1] and out[-1][-1] in (b"\n", b"\r\n"):
        out[-1].pop()
    return [b"".join(lines) for lines in out]


def _as_lines(blocks: list[bytes], limit: int) -> list[bytes]:
    """Blocks cut into lines of at most ``limit`` bytes, as ``readline(limit)`` gives them."""
    import io

    fh = io.BytesIO(b"".join(blocks))
    return list(iter(lambda: fh.readline(limit), b""))


def test_streaming_splitter_matches_line_rule():
    import random

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
        b"\xef\xbb\xbf",
    ]
    for _ in range(3000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        if data.endswith(b"x"):
            data += b"\n"
        got = [m.raw for m in sources.split_mbox(_as_lines([data], 1 << 20), "t")]
        assert got == _reference_split(data), data
