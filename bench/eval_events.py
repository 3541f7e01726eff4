"""Event trigger quality on BKEE: thoisu's tagger next to two lexicon baselines.

    python bench/eval_events.py --split dev [--limit 40]

Prints identification and classification P/R/F1 (span, span + type) for the tagger, the
BKEE-train string-match lexicon, thoisu's CAMEO lexicon and the tokenisation oracle
(gold triggers mapped to thoisu tokens and back), then the tagger's per-type F1.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from thoisu.evaluation.events import (
    evaluate_alignment_oracle,
    evaluate_detector,
    evaluate_lexicon_baseline,
    evaluate_pipeline_lexicon,
)


def _row(name: str, result: dict[str, Any]) -> str:
    cells = [
        f"{result[level][m]:5.1f}"
        for level in ("identification", "classification")
        for m in ("p", "r", "f1")
    ]
    return f"{name:<24}" + "  ".join(cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=("train", "dev"))
    parser.add_argument("--limit", type=int, default=None, help="first N documents only")
    args = parser.parse_args(argv)

    tagger = evaluate_detector(args.split, args.limit)
    rows = [
        ("thoisu BiLSTM tagger", tagger),
        ("BKEE-train lexicon", evaluate_lexicon_baseline(args.split, args.limit)),
        ("thoisu CAMEO lexicon", evaluate_pipeline_lexicon(args.split, args.limit)),
        ("(oracle: token align)", evaluate_alignment_oracle(args.split, args.limit)),
    ]
    gold = tagger["classification"]["gold"]
    print(f"BKEE {args.split}: {gold} gold triggers")
    print(f"{'':<24}{'identification':^19}  {'classification':^19}")
    print(f"{'':<24}" + "  ".join(f"{m:>5}" for m in ("P", "R", "F1") * 2))
    for name, result in rows:
        print(_row(name, result))
    print("\nTagger per type (classification):")
    per_type = sorted(tagger["per_type"].items(), key=lambda kv: -kv[1]["gold"])
    for etype, s in per_type:
        print(f"  {etype:<20} F1 {s['f1']:5.1f}  (gold {s['gold']}, predicted {s['pred']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
