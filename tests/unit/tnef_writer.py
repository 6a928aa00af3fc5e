"""A small TNEF (winmail.dat) writer for the tests, after [MS-OXTNEF].

It writes what Outlook writes for a "rich text" mail: the version and code page, the body
as compressed RTF (``PidTagRtfCompressed``, compressed with ``compressed_rtf``) or as plain
text (``attBody``) in the message's MAPI properties, then each attachment as
``attAttachRendData``, ``attAttachTitle`` (8-bit name), ``attAttachData`` and
``attAttachment`` (MAPI properties holding the long Unicode file name). The files are read
back by tnefparse, an independent implementation.
"""

from __future__ import annotations

import struct

SIGNATURE = 0x223E9F78
LVL_MESSAGE, LVL_ATTACHMENT = 1, 2
# attribute id = type << 16 | tag
ATT_TNEF_VERSION = 0x00089006
ATT_OEM_CODEPAGE = 0x00069007
ATT_MESSAGE_CLASS = 0x00078008
ATT_BODY = 0x0002800C
ATT_MSG_PROPS = 0x00069003
ATT_ATTACH_REND_DATA = 0x00069002
ATT_ATTACH_TITLE = 0x00018010
ATT_ATTACH_DATA = 0x0006800F
ATT_ATTACHMENT = 0x00069005
PT_BINARY, PT_UNICODE, PT_LONG = 0x0102, 0x001F, 0x0003
PID_RTF_COMPRESSED = 0x1009
PID_BODY_HTML = 0x1013
PID_ATTACH_LONG_FILENAME = 0x3707
PID_ATTACH_METHOD = 0x3705


def _attribute(level: int, attr: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, attr, len(data)) + data + struct.pack("<H", checksum)


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _props(props: list[tuple[int, int, object]]) -> bytes:
    out = struct.pack("<I", len(props))
    for ptype, pid, value in props:
        out += struct.pack("<HH", ptype, pid)
        if ptype == PT_LONG:
            out += struct.pack("<I", value)
            continue
        data = (value + "\0").encode("utf-16-le") if ptype == PT_UNICODE else value
        out += struct.pack("<II", 1, len(data)) + _pad(data)
    return out


def tnef(
    *,
    rtf: str | None = None,
    html: str | None = None,
    plain: str | None = None,
    files: list[tuple[str, bytes]] = (),
) -> bytes:
    """A winmail.dat holding this body (RTF, HTML or plain) and these files."""
    out = struct.pack("<IH", SIGNATURE, 0x1234)
    out += _attribute(LVL_MESSAGE, ATT_TNEF_VERSION, struct.pack("<I", 0x00010000))
    out += _attribute(LVL_MESSAGE, ATT_OEM_CODEPAGE, struct.pack("<II", 1252, 0))
    out += _attribute(LVL_MESSAGE, ATT_MESSAGE_CLASS, b"IPM.Microsoft Mail.Note\0")
    if plain is not None:
        out += _attribute(LVL_MESSAGE, ATT_BODY, plain.encode("cp1252"))
    props = []
    if rtf is not None:
        from compressed_rtf import compress

        props.append((PT_BINARY, PID_RTF_COMPRESSED, compress(rtf.encode("cp1252"))))
    if html is not None:
        props.append((PT_BINARY, PID_BODY_HTML, html.encode("utf-8")))
    if props:
        out += _attribute(LVL_MESSAGE, ATT_MSG_PROPS, _props(props))
    for name, data in files:
        out += _attribute(LVL_ATTACHMENT, ATT_ATTACH_REND_DATA, b"\x01\x00" + b"\xff" * 12)
        short = name.encode("cp1252", "replace") + b"\0"
        out += _attribute(LVL_ATTACHMENT, ATT_ATTACH_TITLE, short)
        out += _attribute(LVL_ATTACHMENT, ATT_ATTACH_DATA, data)
        attach_props = [
            (PT_UNICODE, PID_ATTACH_LONG_FILENAME, name),
            (PT_LONG, PID_ATTACH_METHOD, 1),
        ]
        out += _attribute(LVL_ATTACHMENT, ATT_ATTACHMENT, _props(attach_props))
    return out
