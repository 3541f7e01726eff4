"""Where an article's analysis spends its time: each stage's share, and the pipeline ÷ the
encoder's forward pass.

    python bench/profile_stages.py [--n 150] [--corpus PATH] [--threads 2] [--group 16]

One process, models loaded and warmed on other articles first; each stage is timed around
its own call over the same N VNTC articles (cleaning, sentences + words + POS, the encoder,
entities, events). Entities and events run over groups of ``--group`` articles, as a batch
run does (``thoisu.pipeline.analyze_articles``); ``--group 1`` is article by article. "forward" is the encoder's onnxruntime session alone (inside "encoder",
which also tokenises, embeds and aligns pieces to syllables). The ratio the issue tracks is
the whole analysis (without cleaning and storing) over the forward pass.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from collections import defaultdict
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "vntc" / "vntc_sample.jsonl.gz"


def _articles(corpus: Path, n: int, skip: int) -> list:
    from thoisu.clean import clean
    from thoisu.records import RawDocument

    out = []
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in islice(fh, skip, skip + n):
            d = json.loads(line)
            raw = RawDocument(source="vntc", title=d.get("title"), body=d.get("body"))
            out.append(clean(raw))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--group", type=int, default=16, help="articles per group (1: alone)")
    args = parser.parse_args()
    os.environ["THOISU_ENCODER_THREADS"] = str(args.threads)

    from thoisu.encoder import encode_sentences, shared_encoder
    from thoisu.entities import recognize, recognize_many
    from thoisu.events import extract_events, extract_events_many
    from thoisu.nlp import segment
    from thoisu.pipeline import article_groups

    encoder = shared_encoder()
    forward = 0.0
    run = encoder.session.run

    def timed_run(*a, **k):  # the forward pass alone
        nonlocal forward
        t = time.perf_counter()
        try:
            return run(*a, **k)
        finally:
            forward += time.perf_counter() - t

    encoder.session.run = timed_run  # type: ignore[method-assign]
    for article in _articles(args.corpus, 5, skip=args.n):  # warm every model
        sentences = segment(article)
        extract_events(article, sentences, recognize(article, sentences))
    forward = 0.0

    articles = _articles(args.corpus, args.n, skip=0)
    spent: dict[str, float] = defaultdict(float)
    n_sentences = 0
    for group in article_groups(articles, size=args.group):
        t0 = time.perf_counter()
        segmented = [(article, segment(article, encode=False)) for article in group]
        t1 = time.perf_counter()
        for _, sentences in segmented:
            encode_sentences(sentences)
        t2 = time.perf_counter()
        entities = recognize_many(segmented)
        t3 = time.perf_counter()
        extract_events_many([(a, s, e) for (a, s), e in zip(segmented, entities, strict=True)])
        t4 = time.perf_counter()
        spent["sentences, words, POS (underthesea)"] += t1 - t0
        spent["encoder (tokenise, embed, forward, align)"] += t2 - t1
        spent["entities"] += t3 - t2
        spent["events"] += t4 - t3
        n_sentences += sum(len(s) for _, s in segmented)
    total = sum(spent.values())
    print(f"{len(articles)} articles in groups of {args.group}, {n_sentences} sentences, "
          f"{total:.1f} s, encoder threads {args.threads}")  # fmt: skip
    for stage, seconds in spent.items():
        print(f"  {stage:44} {seconds:7.2f} s  {100 * seconds / total:5.1f}%")
    print(f"  {'of which the forward pass':44} {forward:7.2f} s  {100 * forward / total:5.1f}%")
    print(f"encoder forward: {n_sentences / forward:.0f} sentences/s")
    print(f"pipeline / forward: {total / forward:.2f}")


if __name__ == "__main__":
    main()
