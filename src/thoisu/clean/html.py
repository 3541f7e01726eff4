"""HTML -> main text and metadata, via trafilatura (with a fallback for feed fragments)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FULL_PAGE = re.compile(r"<(html|body|head)[\s>]", re.I)
_BLOCK_TAGS = frozenset(
    "p div br li h1 h2 h3 h4 h5 h6 blockquote tr section article figcaption pre".split()
)
# Page furniture, never article text: menus, site headers and footers (outside an
# article: a footer inside one may hold its byline), sidebars, forms.
_CHROME_XPATH = [
    "//nav",
    "//menu",
    "//aside",
    "//form",
    "//header[not(ancestor::article)]",
    "//footer[not(ancestor::article)]",
    "//*[@role='navigation' or @role='banner' or @role='contentinfo' or @role='search']",
]
_FRAGMENT_DROP = "//script|//style|//noscript|//template|" + "|".join(_CHROME_XPATH)
# Dates from the page's markup only: a free-text search takes "© 2024" for the date.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass(slots=True)
class Extracted:
    """What an HTML page yields: main text (paragraphs on lines) and metadata."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    url: str | None = None
    description: str | None = None
    warning: str | None = None  # the page's markup was cut (MAX_MARKUP_CHARS)


# Markup given to the extractor, after scripts, styles and comments are removed: its time
# grows with the page's elements (5 s for 2 MB here), and no news article needs more.
MAX_MARKUP_CHARS = 2_000_000
_NOT_CONTENT = (("<script", "</script"), ("<style", "</style"), ("<!--", "-->"))


def _without_scripts(page: str) -> str:
    """``page`` without scripts, styles and comments, in one pass (an unclosed one runs to
    the end, as in a browser): linear time, whatever the markup."""
    low = page.lower()
    out: list[str] = []
    pos = 0
    nxt = {o: low.find(o) for o, _ in _NOT_CONTENT}  # next opening of each, -1 for none
    while True:
        for o, _ in _NOT_CONTENT:  # re-find only what now lies behind pos
            if 0 <= nxt[o] < pos:
                nxt[o] = low.find(o, pos)
        found = [(nxt[o], c) for o, c in _NOT_CONTENT if nxt[o] >= 0]
        if not found:
            out.append(page[pos:])
            return "".join(out)
        start, close = min(found)
        out.append(page[pos:start])
        end = low.find(close, start)
        if end < 0:
            return "".join(out)
        pos = low.find(">", end) + 1 or len(page)


def extract_html(page: str, url: str | None = None) -> Extracted:
    """Main text and metadata of a web page; ``text`` is "" when nothing was found.

    Fragments (feed entry bodies) that trafilatura finds too short are converted
    directly, block elements becoming line breaks. A page of more than MAX_MARKUP_CHARS
    (scripts and styles aside) is cut there, with a warning.
    """
    import trafilatura  # slow to import; only HTML input needs it

    warning = None
    if len(page) > MAX_MARKUP_CHARS:
        page = _without_scripts(page)
        if len(page) > MAX_MARKUP_CHARS:
            warning = (
                f"page markup cut to its first {MAX_MARKUP_CHARS:,} of {len(page):,} characters"
            )
            page = page[:MAX_MARKUP_CHARS]
    doc = trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=False,
        prune_xpath=_CHROME_XPATH,
        date_extraction_params=_DATE_PARAMS,
    )
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    full_page = bool(_FULL_PAGE.search(page))
    if not text.strip() and not full_page:
        text = fragment_text(page)
    if not has_prose(text, full_page):
        text = ""  # menus, link lists, error pages: no article
    if doc is None:
        return Extracted(text=text, warning=warning)
    return Extracted(
        text=text,
        warning=warning,
        title=doc.title or None,
        author=doc.author or None,
        date=doc.date or None,
        sitename=doc.sitename or None,
        url=doc.url or None,
        description=doc.description or None,
    )


_SENTENCE_END = tuple('.!?…"”»)')
# What error pages say; a short text saying it is no article.
_ERROR_PAGE = re.compile(
    r"\b404\b|không tìm thấy (?:trang|nội dung|bài)|(?:trang|bài viết|nội dung)(?: bạn)?"
    r"(?: yêu cầu| tìm kiếm| truy cập)? không (?:tồn tại|còn)|page not found|not found",
    re.IGNORECASE,
)


def has_prose(text: str, full_page: bool) -> bool:
    """Whether extracted text reads as an article rather than page furniture. A full page
    needs running text: a sentence of twelve words or more, or two of six (a menu, a cookie
    banner, a list of headlines have none), and must not be a short error page ("Không tìm
    thấy trang"); a fragment (a feed item's body) needs a line of three words."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not full_page:
        return any(len(line.split()) >= 3 for line in lines)
    words = sum(len(line.split()) for line in lines)
    if words < 60 and any(_ERROR_PAGE.search(line) for line in lines):
        return False
    sentences = [len(line.split()) for line in lines if line.endswith(_SENTENCE_END)]
    return any(n >= 12 for n in sentences) or sum(n >= 6 for n in sentences) >= 2


def fragment_text(fragment: str) -> str:
    """Text of an HTML fragment, one line per block element."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, etree.ParserError):
        return ""
    for bad in root.xpath(_FRAGMENT_DROP):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
    return root.text_content()
