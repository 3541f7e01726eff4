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


def extract_html(page: str, url: str | None = None) -> Extracted:
    """Main text and metadata of a web page; ``text`` is "" when nothing was found.

    Fragments (feed entry bodies) that trafilatura finds too short are converted
    directly, block elements becoming line breaks.
    """
    import trafilatura  # slow to import; only HTML input needs it

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
    if not text.strip() and not _FULL_PAGE.search(page):
        text = fragment_text(page)
    if doc is None:
        return Extracted(text=text)
    return Extracted(
        text=text,
        title=doc.title or None,
        author=doc.author or None,
        date=doc.date or None,
        sitename=doc.sitename or None,
        url=doc.url or None,
        description=doc.description or None,
    )


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
