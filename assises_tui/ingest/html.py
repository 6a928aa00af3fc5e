"""HTML mail to readable plain text: paragraphs and list items kept, markup and code gone."""

from __future__ import annotations

import re
import warnings

_BLOCKS = {
    "p", "div", "br", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "section", "article", "header", "footer", "pre", "hr", "ul", "ol", "dl", "dt", "dd",
    "address", "center", "form", "fieldset", "nav", "aside", "main", "figure",
}
_DROP = ("script", "style", "head", "title", "noscript", "template", "object", "embed",
         "iframe", "svg", "math", "button", "select", "textarea")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u200b]+")
_MANY_BLANKS = re.compile(r"\n{3,}")
_TAGS = re.compile(r"<[^>]*>")
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
    try:
        return _soup_text(html)
    except Exception:  # a parser crash on hostile markup: fall back to tag stripping
        import html as html_lib

        return _tidy(html_lib.unescape(_TAGS.sub(" ", html)))


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
