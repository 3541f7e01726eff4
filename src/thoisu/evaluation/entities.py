"""Named-entity scoring: thoisu's recogniser against underthesea's ``ner()``.

Two views, both PER / LOC / ORG:

* article level, on hand-annotated raw VNTC news (``tests/gold/ner_vntc.jsonl``): each article
  is a bag (set) of ``(type, surface)`` with the surface NFC-normalised and spaces collapsed;
  P/R/F1 are micro-averaged over articles;
* span level, on BKEE dev: exact ``(doc, start, end, type)`` matches against BKEE's named
  mentions (PER/ORG/GPE/LOC spans that start with a capital; GPE counts as LOC). BKEE only
  annotates event arguments, so many correct names are not in its gold: recall is the figure
  to read, precision is a lower bound.

Both systems see the same text: for VNTC the title and body joined by a newline, which
thoisu gets through ``thoisu.analyze`` and underthesea sentence by sentence.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from ..clean import normalize_tones
from ..records import Entity, Sentence
from . import GOLD_DIR
from .bkee import BkeeDocument, read_split
from .certainty import load_gold as load_certainty_gold
from .metrics import prf

__all__ = [
    "TYPES",
    "normalise",
    "score_bags",
    "score_spans",
    "load_gold",
    "select_articles",
    "draw_exclusions",
    "vntc_text",
    "thoisu_bag",
    "underthesea_bag",
    "underthesea_spans",
    "evaluate_articles",
    "bkee_gold_spans",
    "evaluate_bkee",
]

TYPES = ("PER", "LOC", "ORG")
Bag = set[tuple[str, str]]
SpanT = tuple[str, int, int, str]  # doc id, start, end, type

_REPO = Path(__file__).resolve().parents[3]
GOLD_PATH = GOLD_DIR / "ner_vntc.jsonl"
VNTC_PATH = _REPO.parent / "shared" / "data" / "vntc" / "vntc_sample.jsonl.gz"
# Capitalised pronouns that BKEE marks as PER mentions: not names.
_PRONOUNS = frozenset({"tôi", "anh ta", "ông", "bà", "họ", "chúng tôi", "cô", "anh", "ông ta"})
_EDGE_PUNCT = " ,.;:!?()[]{}\"'“”‘’-–…"
_BKEE_TYPES = {"PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}


def normalise(surface: str) -> str:
    """NFC, one tone-mark convention ("Thuỷ" = "Thủy", as thoisu's cleaner writes it), spaces
    collapsed, and punctuation that a tagger left at either end ("(Hà Lan") stripped."""
    text = normalize_tones(unicodedata.normalize("NFC", surface))
    return " ".join(text.split()).strip(_EDGE_PUNCT)


def _by_type(gold: set, pred: set, type_of: Callable[[Any], str]) -> dict[str, Any]:
    out: dict[str, Any] = {"all": prf(len(gold & pred), len(pred), len(gold))}
    for t in TYPES:
        g = {x for x in gold if type_of(x) == t}
        p = {x for x in pred if type_of(x) == t}
        out[t] = prf(len(g & p), len(p), len(g))
    return out


def score_bags(
    gold: Iterable[Iterable[tuple[str, str]]], pred: Iterable[Iterable[tuple[str, str]]]
):
    """Micro P/R/F1 (percent) over per-article bags of ``(type, surface)``, overall and by type."""
    g_all: set[tuple[int, str, str]] = set()
    p_all: set[tuple[int, str, str]] = set()
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        g_all |= {(i, t, normalise(s)) for t, s in g}
        p_all |= {(i, t, normalise(s)) for t, s in p if t in TYPES}
    return _by_type(g_all, p_all, lambda x: x[1])


def score_spans(gold: Iterable[SpanT], pred: Iterable[SpanT]) -> dict[str, Any]:
    """Exact span + type P/R/F1 (percent), overall and by type."""
    return _by_type(set(gold), {s for s in pred if s[3] in TYPES}, lambda x: x[3])


# -- gold and texts -------------------------------------------------------------------------
def load_gold(
    path: Path = GOLD_PATH, split: str | None = None, batch: int | None = None
) -> list[dict[str, Any]]:
    """Gold articles (``id``, ``split``, ``batch``, ``entities``), optionally filtered."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [
        r
        for r in rows
        if (split is None or r["split"] == split) and (batch is None or r["batch"] == batch)
    ]


# The draws the gold was annotated on (tests/gold/README.md): batch 1, then each later batch
# drawn with another seed from the articles no gold file had used yet. From batch 3 on the
# pool also leaves out the VNTC articles the name typer learned from: the first
# NAME_TYPER_VNTC_ARTICLES non-gold articles in file order (scripts/train_name_typer.py).
BATCH_SEEDS = {1: 2007, 2: 2026, 3: 2027}
NAME_TYPER_VNTC_ARTICLES = 8000


def draw_exclusions(batch: int, path: Path = VNTC_PATH) -> frozenset[str]:
    """The ids left out of the pool that gold batch ``batch`` was drawn from."""
    out = {r["id"] for r in load_gold() if r["batch"] < batch}
    if batch == 1:
        return frozenset(out)
    out.update(item.article_id for item in load_certainty_gold())
    if batch >= 3:
        typer_read: list[str] = []
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for d in map(json.loads, f):
                if len(typer_read) == NAME_TYPER_VNTC_ARTICLES:
                    break
                if d["id"] not in out:
                    typer_read.append(d["id"])
        out.update(typer_read)
    return frozenset(out)


def select_articles(
    path: Path = VNTC_PATH,
    per_category: int = 7,
    seed: int = BATCH_SEEDS[1],
    exclude: frozenset[str] = frozenset(),
    size: int = 40,
) -> list[dict]:
    """A reproducible draw of short articles (title, body of 400-1,400 characters):
    ``per_category`` from each of six categories with ``random.Random(seed)`` over the
    id-sorted pool (``exclude``: ids left out of the pool), interleaved, first ``size``."""
    cats = ["Thế giới", "Chính trị - Xã hội", "Kinh doanh", "Thể thao", "Pháp luật", "Văn hóa"]
    pool: dict[str, list[dict]] = {c: [] for c in cats}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if (
                d["category"] in pool
                and d["title"]
                and 400 <= len(d["body"]) <= 1400
                and d["id"] not in exclude
            ):
                pool[d["category"]].append(d)
    rng = random.Random(seed)
    picked = [rng.sample(sorted(pool[c], key=lambda d: d["id"]), per_category) for c in cats]
    return [lst[k] for k in range(per_category) for lst in picked][:size]


@cache
def _vntc_index(path: Path = VNTC_PATH) -> dict[str, dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {d["id"]: d for d in map(json.loads, f)}


def vntc_text(article_id: str) -> str:
    """Title and body of a VNTC article, joined by a newline (the text both systems see)."""
    d = _vntc_index()[article_id]
    return f"{d['title']}\n{d['body']}" if d["title"] else d["body"]


# -- predictions ----------------------------------------------------------------------------
def _entity_mentions(entities: list[Entity]) -> Iterable[tuple[str, int, int, str]]:
    """(type, start, end, text) of named mentions: the nominal and pronoun mentions linked
    to an entity ("nước này", "quân đội Iraq", "Ông") are no names and are left out."""
    for ent in entities:
        if ent.type not in TYPES:
            continue
        for m in ent.mentions:
            if m.kind == "name":
                yield ent.type, m.start, m.end, m.text


_CREDIT_SEPARATORS = re.compile(r"\s*(?:[,;/]|\bvà\b)\s*")


def thoisu_bag(text: str) -> Bag:
    """thoisu's ``(type, surface)`` bag for a raw text.

    The cleaner moves the byline and the "theo ..." credit line out of the text into
    ``article.author`` and ``article.credit``; the gold lists their names too (a byline is a
    person, a credited agency an organisation when the gazetteer knows it), so they count.
    """
    from .. import analyze
    from ..entities.gazetteer import load_gazetteer

    analysis = analyze(text)
    bag = {(t, normalise(s)) for t, _, _, s in _entity_mentions(analysis.entities)}
    article = analysis.article
    if article.author:
        bag.add(("PER", normalise(article.author)))
    for credit in (article.credit or "").split(";"):
        credit = re.sub(r"^\s*(?:theo|nguồn)\s*:?\s*", "", credit, flags=re.IGNORECASE)
        for name in _CREDIT_SEPARATORS.split(credit.strip(" ()")):
            entry = load_gazetteer().lookup(name.strip())
            if entry is not None and entry.type in TYPES:
                bag.add((entry.type, normalise(name)))
    return bag


def _align(text: str, word: str, cursor: int) -> tuple[int, int] | None:
    found = text.find(word, cursor)
    if found >= 0:
        return found, found + len(word)
    # underthesea may change the spacing inside a word: match syllables with any spaces.
    pattern = r"\s*".join(re.escape(ch) for ch in word.replace(" ", ""))
    m = re.compile(pattern).search(text, cursor)
    return (m.start(), m.end()) if m else None


def underthesea_spans(text: str, offset: int = 0) -> list[tuple[int, int, str]]:
    """``(start, end, type)`` of underthesea's ``ner()`` PER/LOC/ORG entities in one sentence."""
    from underthesea import ner

    spans: list[tuple[int, int, str]] = []
    current: list[Any] | None = None
    cursor = 0
    for word, _pos, _chunk, tag in ner(text):
        span = _align(text, word, cursor)
        if span is None:
            current = None
            continue
        cursor = span[1]
        kind = tag[2:] if tag != "O" else ""
        if tag.startswith("I-") and current is not None and current[2] == kind:
            current[1] = span[1]
            continue
        if current is not None:
            spans.append(tuple(current))
        current = [span[0], span[1], kind] if tag != "O" and kind in TYPES else None
    if current is not None:
        spans.append(tuple(current))
    return [(s + offset, e + offset, t) for s, e, t in spans]


def underthesea_bag(text: str) -> Bag:
    """underthesea's bag for a raw text, ``ner()`` run line by line and sentence by sentence."""
    from underthesea import sent_tokenize

    bag: Bag = set()
    for line in text.split("\n"):
        for sentence in sent_tokenize(line) if line.strip() else []:
            for s, e, t in underthesea_spans(sentence):
                bag.add((t, normalise(sentence[s:e])))
    return bag


def evaluate_articles(
    split: str | None = None,
    systems: dict[str, Callable[[str], Bag]] | None = None,
    cache_path: Path | None = None,
    batch: int | None = None,
) -> dict[str, Any]:
    """Article-level scores of each system (default: thoisu and underthesea) on the gold
    (``split`` and ``batch`` select part of it).

    ``cache_path``: a JSON file of precomputed bags per system and article id, used for a
    system/article it holds (the test suite keeps underthesea's there).
    """
    systems = systems or {"thoisu": thoisu_bag, "underthesea": underthesea_bag}
    cached = json.loads(cache_path.read_text(encoding="utf-8")) if cache_path else {}
    gold = load_gold(split=split, batch=batch)
    out: dict[str, Any] = {"articles": len(gold), "bags": {}}
    for name, fn in systems.items():
        bags = []
        for row in gold:
            hit = cached.get(name, {}).get(row["id"])
            bags.append({tuple(x) for x in hit} if hit is not None else fn(vntc_text(row["id"])))
        out[name] = score_bags([[tuple(e) for e in r["entities"]] for r in gold], bags)
        out["bags"][name] = {r["id"]: sorted(b) for r, b in zip(gold, bags, strict=True)}
    return out


# -- BKEE span level ------------------------------------------------------------------------
def bkee_gold_spans(docs: Iterable[BkeeDocument]) -> list[SpanT]:
    """BKEE's named PER/ORG/GPE/LOC mentions (capitalised, not a pronoun), GPE -> LOC."""
    return [
        (doc.id, m.start, m.end, _BKEE_TYPES[m.label])
        for doc in docs
        for m in doc.mentions
        if m.label in _BKEE_TYPES and m.text[:1].isupper() and m.text.lower() not in _PRONOUNS
    ]


def _thoisu_doc_spans(doc: BkeeDocument) -> list[SpanT]:
    from ..encoder import encode_sentences
    from ..entities import recognize
    from ..nlp import tokenize_sentence

    article = doc.as_article()
    sentences = [
        Sentence(i, s, e, doc.text[s:e], tokenize_sentence(doc.text[s:e], s))
        for i, (s, e) in enumerate(doc.lines)
    ]
    encode_sentences(sentences)
    return [(doc.id, s, e, t) for t, s, e, _ in _entity_mentions(recognize(article, sentences))]


def _underthesea_doc_spans(doc: BkeeDocument) -> list[SpanT]:
    return [
        (doc.id, s, e, t)
        for start, end in doc.lines
        for s, e, t in underthesea_spans(doc.text[start:end], start)
    ]


def evaluate_bkee(split: str = "dev", limit: int | None = None) -> dict[str, Any]:
    """Span-level scores of thoisu and underthesea on BKEE (recall; precision a lower bound)."""
    docs = list(read_split(split))[:limit]
    gold = bkee_gold_spans(docs)
    out: dict[str, Any] = {"documents": len(docs)}
    for name, fn in (("thoisu", _thoisu_doc_spans), ("underthesea", _underthesea_doc_spans)):
        out[name] = score_spans(gold, [s for doc in docs for s in fn(doc)])
    return out
