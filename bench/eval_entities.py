"""Named-entity benchmark: thoisu vs underthesea ``ner()``, scored by the same code.

Article level (bags of (type, surface)) on the hand-annotated VNTC gold, dev and test
separately; span level on BKEE dev named mentions (recall; precision is a lower bound since
BKEE annotates event arguments only). ``--bkee-limit N`` scores the first N BKEE documents.

    python bench/eval_entities.py [--bkee-limit 223]
"""

from __future__ import annotations

import argparse
import time

from thoisu.evaluation.entities import (
    BATCH_SEEDS,
    TYPES,
    evaluate_articles,
    evaluate_bkee,
    load_gold,
    score_bags,
)

SYSTEMS = ("thoisu", "underthesea")


def _row(label: str, scores: dict) -> str:
    cells = [
        f"{scores[k]['p']:5.1f} {scores[k]['r']:5.1f} {scores[k]['f1']:5.1f}"
        for k in ("all", *TYPES)
    ]
    return f"| {label:<38} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bkee-limit", type=int, default=None)
    args = parser.parse_args()
    t0 = time.time()
    header = (
        "| system / gold"
        + " " * 21
        + " | "
        + " | ".join(f"{k + ' P/R/F1':<17}" for k in ("all", *TYPES))
        + " |"
    )
    print(header)
    print("|" + "---|" * 5)
    for split in ("dev", "test"):
        res = evaluate_articles(split=split)
        for name in SYSTEMS:
            print(_row(f"{name}, VNTC {split} ({res['articles']} art.)", res[name]))
        # Each gold batch apart: batch 3 was drawn and annotated last (tests/gold/README.md).
        for batch in BATCH_SEEDS:
            rows = load_gold(split=split, batch=batch)
            gold = [[tuple(e) for e in r["entities"]] for r in rows]
            for name in SYSTEMS:
                bags = [[tuple(x) for x in res["bags"][name][r["id"]]] for r in rows]
                label = f"{name}, {split} batch {batch} ({len(rows)} art.)"
                print(_row(label, score_bags(gold, bags)))
    bkee = evaluate_bkee("dev", limit=args.bkee_limit)
    for name in SYSTEMS:
        print(_row(f"{name}, BKEE dev spans ({bkee['documents']} docs)", bkee[name]))
    print(
        f"\nBKEE span precision is a lower bound (only event arguments are annotated). {time.time() - t0:.0f} s"
    )


if __name__ == "__main__":
    main()
