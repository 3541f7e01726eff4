"""The analysis pipeline: RawDocument -> clean -> nlp -> entities -> events -> Analysis.

Each stage is a plain function over typed records; this module only chains them.
``analyze_stream`` is the batch entry point: it takes a stream of raw documents and yields
analyses or errors, loading the models once; ``analyze_articles`` analyses a group of clean
articles at once, the taggers reading all their sentences in shared batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .clean import CleanError, clean
from .entities import recognize, recognize_many
from .events import extract_events, extract_events_many
from .limits import LimitExceeded, current_limits, time_limit
from .nlp import segment
from .records import Analysis, Article, Entity, Event, IngestError, RawDocument, Sentence

__all__ = [
    "analyze",
    "analyze_articles",
    "article_groups",
    "analyze_article",
    "analyze_document",
    "analyze_stream",
    "try_analyze_article",
    "try_clean",
]

# A group of articles analysed together (analyze_articles): the taggers' batches gained little
# past 16 articles (docs/benchmarks.md, 0.9.1), and 40,000 characters of text hold about
# 15 MB of encoder vectors.
GROUP_ARTICLES = 16
GROUP_CHARS = 40_000


def analyze_article(article: Article) -> Analysis:
    """Sentences, entities and events of a clean article, within the article time limit
    (``THOISU_MAX_ARTICLE_SECONDS``; a caller's own :func:`~thoisu.limits.time_limit`, such
    as a web request's, still holds inside it)."""
    with time_limit(current_limits().max_article_seconds):
        sentences = segment(article)
        entities = recognize(article, sentences)
        events = extract_events(article, sentences, entities)
    return _analysis(article, sentences, entities, events)


def try_analyze_article(article: Article) -> Analysis | IngestError:
    """``analyze_article`` for batches: a failure comes back as an ``IngestError``."""
    try:
        return analyze_article(article)
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop a batch
        return _failed(article, exc)


def analyze_articles(articles: list[Article]) -> list[Analysis | IngestError]:
    """``try_analyze_article`` of each article, in order, with the same results, faster: the
    taggers read the sentences of all the articles in shared batches (a group such as
    :func:`article_groups` makes). Each article is segmented and encoded within its own time
    limit, the rest of the group within the sum of theirs; when the shared part fails (one
    article's error, or the group past its time), each article's part is run alone, so
    that the failure stays that article's."""
    seconds = current_limits().max_article_seconds
    out: list[Analysis | IngestError | None] = [None] * len(articles)
    ready: list[tuple[int, Article, list[Sentence]]] = []
    for k, article in enumerate(articles):
        try:
            with time_limit(seconds):
                ready.append((k, article, segment(article)))
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop a batch
            out[k] = _failed(article, exc)
    try:
        with time_limit(seconds * len(ready)):
            entities = recognize_many([(a, s) for _, a, s in ready])
            events = extract_events_many(
                [(a, s, e) for (_, a, s), e in zip(ready, entities, strict=True)]
            )
        for (k, a, s), e, found in zip(ready, entities, events, strict=True):
            out[k] = _analysis(a, s, e, found)
    except Exception:  # noqa: BLE001 - which article failed: each alone, in its own time
        for k, article, sentences in ready:
            try:
                with time_limit(seconds):
                    entities_of = recognize(article, sentences)
                    found = extract_events(article, sentences, entities_of)
                out[k] = _analysis(article, sentences, entities_of, found)
            except Exception as exc:  # noqa: BLE001
                out[k] = _failed(article, exc)
    return out  # type: ignore[return-value] - every slot is filled


def article_groups(
    items: Iterable[Article | IngestError], *, size: int = GROUP_ARTICLES, chars: int = GROUP_CHARS
) -> Iterator[list[Article | IngestError]]:
    """Consecutive articles in groups for :func:`analyze_articles`: at most ``size``
    articles and ``chars`` characters of text each (a longer article goes alone), so that
    the vectors a group holds stay bounded. An ``IngestError`` among them stays in the
    group where it stands, uncounted. Ctrl-C while ``items`` is read yields the group read
    so far before it goes on."""
    group: list[Article | IngestError] = []
    count = held = 0
    try:
        for item in items:
            if not isinstance(item, IngestError):
                if count and (count >= size or held + len(item.text) > chars):
                    yield group
                    group, count, held = [], 0, 0
                count += 1
                held += len(item.text)
            group.append(item)
    except KeyboardInterrupt:  # reading stopped: what was read is still analysed, then stop
        if group:
            yield group
        raise
    if group:
        yield group


def _analysis(
    article: Article, sentences: list[Sentence], entities: list[Entity], events: list[Event]
) -> Analysis:
    for sentence in sentences:  # working data of the heads: not part of the analysis
        sentence.vectors = None
    return Analysis(article=article, sentences=sentences, entities=entities, events=events)


def _failed(article: Article, exc: Exception) -> IngestError:
    source = article.source or article.id
    if isinstance(exc, LimitExceeded):
        return IngestError(source, str(exc))
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
    """Analyse a stream of documents, in order; bad inputs come back as ``IngestError``,
    never raise. Consecutive articles are analysed in groups (:func:`analyze_articles`)."""
    cleaned = (
        item if isinstance(item, IngestError) else try_clean(item, published=published)
        for item in items
    )
    for group in article_groups(cleaned):
        done = iter(analyze_articles([x for x in group if isinstance(x, Article)]))
        for x in group:
            yield x if isinstance(x, IngestError) else next(done)
