"""The analysis pipeline: RawDocument -> clean -> nlp -> entities -> events -> Analysis.

Each stage is a plain function over typed records; this module only chains them.
``analyze_stream`` is the batch entry point: it takes a stream of raw documents and yields
analyses or errors, loading the models once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .clean import CleanError, clean
from .entities import recognize
from .events import extract_events
from .limits import LimitExceeded, current_limits, time_limit
from .nlp import segment
from .records import Analysis, Article, IngestError, RawDocument

__all__ = [
    "analyze",
    "analyze_article",
    "analyze_document",
    "analyze_stream",
    "try_analyze_article",
    "try_clean",
]


def analyze_article(article: Article) -> Analysis:
    """Sentences, entities and events of a clean article, within the article time limit
    (``THOISU_MAX_ARTICLE_SECONDS``; a caller's own :func:`~thoisu.limits.time_limit`, such
    as a web request's, still holds inside it)."""
    with time_limit(current_limits().max_article_seconds):
        sentences = segment(article)
        entities = recognize(article, sentences)
        events = extract_events(article, sentences, entities)
    for sentence in sentences:  # working data of the heads: not part of the analysis
        sentence.vectors = None
    return Analysis(article=article, sentences=sentences, entities=entities, events=events)


def try_analyze_article(article: Article) -> Analysis | IngestError:
    """``analyze_article`` for batches: a failure comes back as an ``IngestError``."""
    source = article.source or article.id
    try:
        return analyze_article(article)
    except LimitExceeded as exc:
        return IngestError(source, str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop a batch
        return IngestError(source, f"analysis failed: {type(exc).__name__}: {exc}")


def try_clean(raw: RawDocument, *, published: str | None = None) -> Article | IngestError:
    """``clean`` for batches: a document with no article, or any error while cleaning it,
    comes back as that document's ``IngestError``. ``published`` fills a missing date."""
    if published and not raw.published:
        raw.published = published
    try:
        return clean(raw)
    except CleanError as exc:
        return IngestError(raw.source, str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop a batch
        return IngestError(raw.source, f"cleaning failed: {type(exc).__name__}: {exc}")


def analyze_document(raw: RawDocument) -> Analysis:
    """Clean and analyse one raw document; raises ``CleanError`` for one with no article."""
    return analyze_article(clean(raw))


def analyze(
    text: str | None = None,
    *,
    html: str | None = None,
    title: str | None = None,
    published: str | None = None,
    url: str | None = None,
    publisher: str | None = None,
    source: str | None = None,
) -> Analysis:
    """Analyse one article given as plain text (site chrome allowed) or HTML.

    >>> a = analyze("Tiêu đề\\n\\nNội dung bài viết.")  # doctest: +SKIP
    >>> a.to_dict()["article"]["title"]                   # doctest: +SKIP
    """
    if text is None and html is None:
        raise ValueError("analyze() needs text or html")
    raw = RawDocument(
        source=source or "<text>",
        text=text,
        html=html,
        title=title,
        published=published,
        url=url,
        publisher=publisher,
    )
    return analyze_document(raw)


def analyze_stream(
    items: Iterable[RawDocument | IngestError], *, published: str | None = None
) -> Iterator[Analysis | IngestError]:
    """Analyse a stream of documents; bad inputs come back as ``IngestError``, never raise."""
    for item in items:
        article = item if isinstance(item, IngestError) else try_clean(item, published=published)
        yield article if isinstance(article, IngestError) else try_analyze_article(article)
