"""HTML mail to readable plain text: paragraphs and list items kept, markup and code gone."""

from __future__ import annotations

import re
import warnings

_BLOCKS = {
    "p",
    "div",
    "br",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "pre",
    "hr",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "address",
    "center",
    "form",
    "fieldset",
    "nav",
    "aside",
    "main",
    "figure",
}
_DROP = (
    "script",
    "style",
    "head",
    "title",
    "noscript",
    "template",
    "object",
    "embed",
    "iframe",
    "svg",
    "math",
    "button",
    "select",
    "textarea",
)
_SPACES = re.compile(r"[ \t\f\v\u00a0\u200b]+")
_MANY_BLANKS = re.compile(r"\n{3,}")
_TAGS = re.compile(r"<[^>]*>")
MAX_SOUP_TAGS = 1500
# "[^<>]" keeps both patterns linear: a scan never runs past the next "<".
_BLOCK_NAMES = "|".join(sorted(_BLOCKS | {"li"}))
_BLOCK_TAGS = re.compile(rf"<\s*/?\s*(?:{_BLOCK_NAMES})\b[^<>]{{0,2000}}>", re.IGNORECASE)
_LINEAR_TAGS = re.compile(r"<[^<>]{0,2000}>")
_QUICK_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"'}


def _parser() -> str:
    try:
        import lxml  # noqa: F401

        return "lxml"
    except ImportError:
        return "html.parser"


_PARSER = _parser()


def html_to_text(html: str, max_chars: int = 5_000_000) -> str:
    """Readable text of an HTML document (never raises)."""
    if not html:
        return ""
    html = html[:max_chars]
    if html.count("<") > MAX_SOUP_TAGS:
        # BeautifulSoup inserts cost O(siblings): 20,000 "<p>" took minutes. A mail with that
        # much markup is read by a linear tag stripper instead (found by fuzzing).
        return _strip_tags(html)
    try:
        return _soup_text(html)
    except Exception:  # a parser crash on hostile markup: fall back to tag stripping
        import html as html_lib

        return _tidy(html_lib.unescape(_TAGS.sub(" ", html)))


def _strip_tags(html: str) -> str:
    import html as html_lib

    text = _BLOCK_TAGS.sub("\n", html)
    return _tidy(html_lib.unescape(_LINEAR_TAGS.sub(" ", text)))


def _soup_text(html: str) -> str:
    from bs4 import BeautifulSoup, Comment

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(html, _PARSER)
    for tag in soup(_DROP):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for li in soup.find_all("li"):
        li.insert_before("\n• ")
    for tag in soup.find_all(_BLOCKS):
        if tag.name == "br":
            tag.replace_with("\n")
        else:
            tag.insert_before("\n")
            tag.insert_after("\n")
    for cell in soup.find_all(("td", "th")):
        cell.insert_after(" ")
    return _tidy(soup.get_text())


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    out = "\n".join(lines)
    return _MANY_BLANKS.sub("\n\n", out).strip()
