"""Train the mention filter (src/thoisu/entities/models/mention_filter.npz).

Reads the 240 hand-annotated VNTC articles of ``data/ner_vntc_train.jsonl`` (outside every
gold file), runs thoisu's rules and name typer on each exactly as ``thoisu.analyze`` does, and
labels each mention they find with the annotated type of its surface in that article, or NONE.
A logistic regression (``thoisu.entities.typer.fit_softmax``, seeded: the same data gives the
same file) learns from them. The probability threshold is chosen by 5-fold cross-validation on
these articles (article-level F1 on the held-out fold); the entity dev gold is only reported,
and the test gold is never read. About a minute.

    python scripts/train_mention_filter.py [--epochs 10] [--lr 0.1] [--l2 1e-3]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import numpy as np

import thoisu.entities as entities
from thoisu.clean import clean
from thoisu.entities.mention_filter import (
    DEFAULT_MODEL,
    DIMENSIONS,
    LABELS,
    MentionFilter,
    candidate_features,
)
from thoisu.entities.typer import feature_index, fit_softmax
from thoisu.evaluation import gold_article_ids
from thoisu.evaluation.entities import (
    load_gold,
    normalise,
    score_bags,
    thoisu_bag,
    vntc_text,
)
from thoisu.nlp import segment
from thoisu.records import RawDocument

REPO = Path(__file__).resolve().parents[1]
TRAIN = REPO / "data" / "ner_vntc_train.jsonl"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: the filter never acts


def examples(
    path: Path = TRAIN, limit: int | None = None
) -> tuple[list[dict], list[list[tuple[np.ndarray, int]]]]:
    """The training articles and, per article, the feature rows and labels of its mentions."""
    rows = load_gold(path)[:limit]  # same format as the gold, without splits
    overlap = {r["id"] for r in rows} & gold_article_ids()
    if overlap:
        raise SystemExit(f"training articles in the gold: {sorted(overlap)[:3]}")
    out = []
    for row in rows:
        gold: dict[str, str] = {}
        for etype, surface in row["entities"]:
            gold.setdefault(normalise(surface), etype)
        article = clean(RawDocument(source="<text>", text=vntc_text(row["id"])))
        out.append(
            [
                (
                    feature_index(candidate_features(cand), DIMENSIONS),
                    LABELS.index(gold.get(normalise(surface), "NONE")),
                )
                for surface, cand in entities.mention_candidates(article, segment(article))
            ]
        )
    return rows, out


def fit(examples: list[tuple[np.ndarray, int]], args: argparse.Namespace) -> np.ndarray:
    return fit_softmax(
        [r for r, _ in examples], [y for _, y in examples], len(LABELS), DIMENSIONS,
        args.epochs, args.lr, args.l2, args.seed,
    )  # fmt: skip


def bags_with(filt: MentionFilter, ids: list[str]) -> list[set[tuple[str, str]]]:
    saved = entities.default_filter
    entities.default_filter = lambda: filt  # what recognize() calls
    try:
        return [thoisu_bag(vntc_text(i)) for i in ids]
    finally:
        entities.default_filter = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--limit", type=int, help="use only the first N training articles")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    rows, per_article = examples(limit=args.limit)
    counts = Counter(LABELS[y] for ex in per_article for _, y in ex)
    print(f"{len(rows)} articles, mentions {dict(counts)} ({time.perf_counter() - t0:.0f} s)")
    # The threshold: by cross-validation on the training articles, which no rule was written
    # from (the dev gold was: there the rules are already right and the filter can only hurt).
    ids = [r["id"] for r in rows]
    gold = [[tuple(e) for e in r["entities"]] for r in rows]
    predicted: dict[float, list] = {t: [None] * len(rows) for t in THRESHOLDS}
    for k in range(args.folds):
        held = [i for i in range(len(rows)) if i % args.folds == k]
        weights = fit(
            [e for i, ex in enumerate(per_article) if i % args.folds != k for e in ex], args
        )
        for t in THRESHOLDS:
            bags = bags_with(MentionFilter(weights, LABELS, t), [ids[i] for i in held])
            for i, bag in zip(held, bags, strict=True):
                predicted[t][i] = bag
    scores = {t: score_bags(gold, predicted[t])["all"] for t in THRESHOLDS}
    for t, s in scores.items():
        label = "no filter" if t > 1 else f"threshold {t:.2f}"
        print(
            f"  {label:<15} {args.folds}-fold held-out F1 {s['f1']:.1f} (P {s['p']:.1f} R {s['r']:.1f})"
        )
    best = max(THRESHOLDS, key=lambda t: (round(scores[t]["f1"], 1), t))  # ties: more cautious
    weights = fit([e for ex in per_article for e in ex], args)
    dev = load_gold(split="dev")
    dev_ids = [r["id"] for r in dev]
    dev_rows = [[tuple(e) for e in r["entities"]] for r in dev]
    for t in (best, 1.01):
        bags = bags_with(MentionFilter(weights, LABELS, t), dev_ids)
        print(f"  VNTC dev gold, threshold {t}: F1 {score_bags(dev_rows, bags)['all']['f1']:.1f}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.output, weights=weights, labels=np.array(LABELS), threshold=np.array(best)
    )
    print(f"threshold {best}; wrote {args.output} ({args.output.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
