"""RawDocument -> Article: pick the text, strip page chrome, find title, byline, lead,
credit, publisher and date."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from thoisu.limits import Limits, current_limits
from thoisu.records import Article, RawDocument

from .dates import normalize_date, plausible_publication
from .html import Extracted, extract_html
from .normalize import normalize_text, strip_controls
from .patterns import AUTHOR_CREDIT, BYLINE, CHROME, CREDIT, ERROR_REPORT, NAME, RELATED_LINK
from .publishers import canonical_publisher, is_site_name, publisher_from_url

MAX_TITLE_CHARS = 250  # a longer first line is a paragraph, not a headline
MAX_GIVEN_TITLE_CHARS = 1_000  # a given title longer than this is cut (it is not a headline)
MAX_CREDIT_CHARS = 80
MAX_URL_CHARS = 4_096
# Words allowed in a date-only line ("Thứ hai, 26/2/2024, 08:30 (GMT+7)").
_DATE_WORDS = re.compile(
    r"thứ|hai|ba|tư|năm|sáu|bảy|chủ nhật|cn|gmt|utc|ngày|tháng|lúc|cập nhật|đăng|giờ|sáng|chiều|tối"
    r"|[\d\W_]",
    re.I,
)
_SOURCE_SEPARATORS = re.compile(r"[,;/&]| và ")
_SENTENCE_ENDS = (".", "!", "?", "…", '"', "”", ")", "»")
_WORD_END_DOT = re.compile(r"\w{2}\.$")
_ROMAN = re.compile(r"[IVXLC]+")  # "Phần II" is a heading, not a name


class CleanError(ValueError):
    """A document that yields no article; ``str(err)`` is a one-line reason."""


@dataclass(slots=True)
class _Page:
    """Working state while a document's lines are taken apart."""

    lines: list[str]
    title: str | None = None
    author: str | None = None
    lead: str | None = None
    published: str | None = None
    publisher_hint: str | None = None
    credits: list[str] = field(default_factory=list)
    site_names: tuple[str | None, ...] = ()


def clean(raw: RawDocument, *, limits: Limits | None = None) -> Article:
    """Turn a RawDocument into an Article, or raise CleanError.

    Plain text (``raw.text``) is parsed as a page: title, byline, lead, body, chrome.
    Structured records (``raw.body``) keep their fields. HTML goes through trafilatura.
    Fields set on ``raw`` always win over detected ones. Text past ``max_article_chars``
    is cut at a paragraph and an unusable URL is dropped, each noted in ``warnings``.
    """
    limits = limits or current_limits()
    warnings: list[str] = []
    if raw.encoding:  # conversion can lose case (TCVN3): say where the text came from
        warnings.append(f"converted to Unicode from the legacy Vietnamese encoding {raw.encoding}")
    meta: Extracted | None = None
    if raw.text and raw.text.strip():
        mode, content = "text", raw.text
    elif raw.body and raw.body.strip():
        mode, content = "record", raw.body
    elif raw.html and raw.html.strip():
        mode = "html"
        meta = extract_html(raw.html, raw.url)
        content = meta.text
        if meta.warning:
            warnings.append(meta.warning)
        if not normalize_text(content):
            raise CleanError("HTML page with no article text")
    else:
        raise CleanError("empty article")
    content = _truncate(content, limits.max_article_chars, warnings)

    url = _valid_url(raw.url, warnings) or (_valid_url(meta.url, warnings) if meta else None)
    given_title = _one_line(_cut(raw.title, MAX_GIVEN_TITLE_CHARS, "title", warnings)) or (
        _one_line(_cut(meta.title, MAX_GIVEN_TITLE_CHARS, "title", warnings)) if meta else None
    )
    page = _Page(lines=[line for line in normalize_text(content).split("\n") if line])
    page.site_names = (raw.publisher, publisher_from_url(url), meta.sitename if meta else None)

    _strip_chrome(page)
    _strip_head(page, given_title, detect_title=(mode == "text"))
    _strip_tail(page)
    lead = _cut(raw.lead, limits.max_article_chars // 4, "lead", warnings)
    _take_lead(page, lead, meta.description if meta else None, guess=(mode == "text"))

    if not page.lines:
        raise CleanError("HTML page with no article text" if mode == "html" else "empty article")

    body = "\n".join(page.lines)
    title = page.title
    text = "\n\n".join(part for part in (title, page.lead, body) if part)
    given_date = normalize_date(raw.published)
    if raw.published and raw.published.strip() and given_date is None:
        warnings.append(f"published {_shown(raw.published)} is not a date; left out")
    if given_date and not plausible_publication(given_date):
        warnings.append(f"published {_shown(given_date)} is not a plausible date; left out")
        given_date = None
    found = _best_date(normalize_date(meta.date) if meta else None, page.published)
    published = given_date or (found if plausible_publication(found) else None)
    return Article(
        id=article_id(text, url),
        title=title,
        author=_one_line(raw.author) or (_one_line(meta.author) if meta else None) or page.author,
        publisher=_publisher(raw, page, url, meta),
        published=published,
        url=url,
        source=strip_controls(raw.source) or None,
        lead=page.lead,
        body=body,
        text=text,
        language="vi",
        category=_clean_field(raw.category),
        credit="; ".join(page.credits) or None,
        external_id=_cut(_clean_field(raw.external_id), 256, "external id", warnings),
        warnings=warnings,
    )


def article_id(text: str, url: str | None) -> str:
    """Stable id from the URL (when known) and the normalised text: the same article
    read twice, from any path, gets the same id."""
    key = f"{_canonical_url(url)}\n{normalize_text(text)}"
    return "a" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


# --- limits and metadata checks ---------------------------------------------------------


def _truncate(content: str, limit: int, warnings: list[str]) -> str:
    """``content`` cut to at most ``limit`` characters, at the last paragraph break (or
    else space) in the final tenth before the limit, with a warning."""
    if len(content) <= limit:
        return content
    floor = limit - limit // 10
    cut = content.rfind("\n", floor, limit)
    if cut < 0:
        cut = max(content.rfind(" ", floor, limit), floor)
    warnings.append(
        f"text cut to its first {cut:,} of {len(content):,} characters"
        f" (limit {limit:,}, THOISU_MAX_ARTICLE_CHARS)"
    )
    return content[:cut]


def _cut(value: str | None, limit: int, what: str, warnings: list[str]) -> str | None:
    """A metadata field cut to ``limit`` characters, with a warning when it was longer."""
    if value is None or len(value) <= limit:
        return value
    warnings.append(f"{what} cut to {limit:,} of {len(value):,} characters")
    return value[:limit]


def _valid_url(url: str | None, warnings: list[str]) -> str | None:
    """The URL when it is one (any scheme with a host, or a bare "site.vn/path"; the
    dashboard links only http and https), else None and a warning: the article is kept
    without it."""
    url = _clean_field(url)
    if url is None:
        return None
    problem = None
    if len(url) > MAX_URL_CHARS:
        problem = f"is longer than {MAX_URL_CHARS:,} characters"
    else:
        try:
            parts = urlsplit(url)
            parts.hostname  # noqa: B018 - raises for a malformed host
        except ValueError as e:
            problem = f"is not a valid URL ({e})"
        else:
            bare_host = not parts.scheme and "." in url.split("/", 1)[0].strip(".")
            if not (parts.scheme and parts.netloc) and not bare_host:
                problem = "is not a URL (no scheme and host)"
    if problem:
        warnings.append(f"url {_shown(url)} {problem}; kept the article without it")
        return None
    return url


def _shown(value: str) -> str:
    """A value quoted for a message, at most 80 characters."""
    return repr(value if len(value) <= 80 else value[:77] + "...")


# --- steps ------------------------------------------------------------------------------


def _strip_chrome(page: _Page) -> None:
    """Drop chrome lines anywhere; remember "Báo lỗi cho X" as a publisher hint."""
    kept = []
    for line in page.lines:
        m = ERROR_REPORT.fullmatch(line)
        if m and not page.publisher_hint:
            page.publisher_hint = m.group("site")
        if not any(p.fullmatch(line) for p in CHROME):
            kept.append(line)
    page.lines = kept


def _strip_head(page: _Page, given_title: str | None, *, detect_title: bool) -> None:
    """Title, byline and date lines at the top, plus stray site-name lines."""
    lines = page.lines
    names = (*page.site_names, page.publisher_hint)

    def drop_noise() -> None:
        while lines:
            if is_site_name(lines[0], names):
                page.publisher_hint = page.publisher_hint or lines[0]
            elif _is_date_line(lines[0]):
                page.published = page.published or normalize_date(lines[0])
            else:
                break
            lines.pop(0)

    drop_noise()
    if given_title:
        page.title = given_title
        # HTML extractors and corpora often repeat the headline (after a date line).
        for i in range(min(3, len(lines))):
            if _same(lines[i], given_title):
                del lines[: i + 1]
                break
    elif detect_title and len(lines) > 1 and len(lines[0]) <= MAX_TITLE_CHARS:
        page.title = lines.pop(0)
    drop_noise()
    if lines and page.author is None:
        author, date = _byline(lines[0], names)
        if author:
            page.author = author
            page.published = page.published or date
            lines.pop(0)
            drop_noise()


def _strip_tail(page: _Page) -> None:
    """From the end: site names, related links, credits and a bare author name."""
    lines = page.lines
    names = (*page.site_names, page.publisher_hint)
    while len(lines) > 1:
        last = lines[-1]
        if is_site_name(last, names):
            page.publisher_hint = page.publisher_hint or last
        elif RELATED_LINK.fullmatch(last):
            pass
        elif credit := _credit(last):
            author, source = credit
            page.credits.insert(0, source)
            if author and page.author is None:
                page.author = author
        elif page.author is None and _is_signature(last, lines[-2]):
            page.author = last  # VnExpress-style signature line
        else:
            break
        lines.pop()


def _take_lead(page: _Page, given: str | None, description: str | None, *, guess: bool) -> None:
    """The lead (sapo): given, or the description's paragraph, or (plain text) the first
    paragraph after the title. Corpus records without a sapo keep lead None."""
    lines = page.lines
    lead = _one_line(given)
    if lead:
        page.lead = lead
        if lines and _same(lines[0], lead):
            lines.pop(0)
        return
    desc = _one_line(description)
    if desc and len(lines) > 1 and _similar(lines[0], desc):
        page.lead = lines.pop(0)
    elif guess and len(lines) > 1:
        page.lead = lines.pop(0)


def _publisher(
    raw: RawDocument, page: _Page, url: str | None, meta: Extracted | None
) -> str | None:
    if raw.publisher and raw.publisher.strip():
        return _one_line(raw.publisher)
    if page.publisher_hint:
        return canonical_publisher(page.publisher_hint) or _one_line(page.publisher_hint)
    by_url = publisher_from_url(url)
    if by_url:
        return by_url
    if meta and meta.sitename:
        return canonical_publisher(meta.sitename) or _one_line(meta.sitename)
    return None


# --- line tests -------------------------------------------------------------------------


def _byline(line: str, names: tuple[str | None, ...]) -> tuple[str | None, str | None]:
    """(author, ISO date) for a byline such as "An Bình |" or "An Bình | 10/02/2020"."""
    for pattern in BYLINE:
        m = pattern.fullmatch(line)
        if not m:
            continue
        name = m.group("name").strip()
        rest = (m.groupdict().get("rest") or "").strip()
        date = normalize_date(rest) if rest else None
        if rest and not date and not is_site_name(rest, names):
            continue  # "Thời sự | Chính trị" is a breadcrumb, not a byline
        if _is_name(name, min_words=1, max_words=6):
            return name, date
    return None, None


def _credit(line: str) -> tuple[str | None, str] | None:
    """(author or None, "Theo X") for a short source line, else None."""
    if len(line) > MAX_CREDIT_CHARS:
        return None
    m = AUTHOR_CREDIT.fullmatch(line)
    if m and _is_source(m.group("src")) and _is_name(m.group("author"), 1, 5):
        return m.group("author").strip(), "Theo " + m.group("src").strip()
    m = CREDIT.fullmatch(line)
    if m and _is_source(m.group("src")):
        return None, line.strip("()[] .")
    return None


def _is_source(src: str) -> bool:
    """A list of outlet names: "Reuters", "AFP, CNN", "Tuổi Trẻ Online", "TTXVN"."""
    src = src.strip()
    if not src or len(src.split()) > 8 or src.endswith(("?", "!")):
        return False
    parts = [p.strip() for p in _SOURCE_SEPARATORS.split(src)]
    return all(p[:1].isupper() or p[:1].isdigit() for p in parts)


def _is_name(text: str, min_words: int, max_words: int) -> bool:
    """A person's name: 1-6 capitalised words, no digits or sentence punctuation."""
    text = text.strip()
    if not NAME.fullmatch(text):
        return False
    words = text.split()
    return min_words <= len(words) <= max_words and all(w[0].isupper() for w in words)


def _is_signature(line: str, before: str) -> bool:
    """A bare author name closing the article: 2-4 capitalised words after a paragraph
    that ends a sentence (so list items and headings are not taken for names)."""
    if not before.endswith(_SENTENCE_ENDS) or not _is_name(line, min_words=2, max_words=4):
        return False
    if _WORD_END_DOT.search(line):  # "Big Ben." ends a sentence; "M.C." is initials
        return False
    return not any(_ROMAN.fullmatch(w.strip(".")) for w in line.split())


def _is_date_line(line: str) -> bool:
    return len(line) <= 60 and not _DATE_WORDS.sub("", line).strip() and bool(normalize_date(line))


def _best_date(meta_date: str | None, page_date: str | None) -> str | None:
    """trafilatura gives a bare date; the page's date line may add the time."""
    if meta_date and page_date and not page_date.startswith(meta_date[:10]):
        return meta_date
    return page_date or meta_date


def _same(a: str, b: str) -> bool:
    return a.casefold().strip(" .") == b.casefold().strip(" .")


def _similar(paragraph: str, description: str) -> bool:
    """The description (og:description) is the paragraph, perhaps cut short with "..."."""
    p, d = paragraph.casefold(), description.casefold().rstrip(" .…")
    return len(d) >= 20 and (p.startswith(d) or d.startswith(p.rstrip(" .")))


def _one_line(value: str | None) -> str | None:
    if not value:
        return None
    return " ".join(normalize_text(value).split()) or None


def _clean_field(value: str | None) -> str | None:
    return strip_controls(value).strip() or None if value else None


def _canonical_url(url: str | None) -> str:
    return (url or "").strip().split("#", 1)[0]
