"""Events on BKEE: triggers (thoisu next to two lexicon baselines) and argument roles.

    python bench/eval_events.py --split dev [--limit 40]

Runs thoisu's whole pipeline on each BKEE document once, then prints trigger identification
and classification P/R/F1 (span, span + type) for thoisu's typed events, the BKEE-train
string-match lexicon and thoisu's CAMEO lexicon, thoisu's per-type F1, and source / target /
location P/R/F1 against BKEE's arguments (see thoisu.evaluation.arguments for the scoring).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from thoisu.evaluation.arguments import evaluate_arguments
from thoisu.evaluation.events import (
    analyse_split,
    evaluate_lexicon_baseline,
    evaluate_pipeline_lexicon,
    evaluate_pipeline_triggers,
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

    started = time.perf_counter()
    pairs = analyse_split(args.split, args.limit)
    seconds = time.perf_counter() - started
    thoisu = evaluate_pipeline_triggers(pairs)
    rows = [
        ("thoisu (pipeline)", thoisu),
        ("BKEE-train lexicon", evaluate_lexicon_baseline(args.split, args.limit)),
        ("thoisu CAMEO lexicon", evaluate_pipeline_lexicon(args.split, args.limit)),
    ]
    gold = thoisu["classification"]["gold"]
    print(
        f"BKEE {args.split}: {len(pairs)} documents analysed in {seconds:.0f} s, {gold} gold triggers"
    )
    print(f"{'':<24}{'identification':^19}  {'classification':^19}")
    print(f"{'':<24}" + "  ".join(f"{m:>5}" for m in ("P", "R", "F1") * 2))
    for name, result in rows:
        print(_row(name, result))
    print("\nthoisu per type (classification):")
    for etype, s in sorted(thoisu["per_type"].items(), key=lambda kv: -kv[1]["gold"]):
        print(f"  {etype:<20} F1 {s['f1']:5.1f}  (gold {s['gold']}, predicted {s['pred']})")

    result = evaluate_arguments(pairs)
    print(f"\nArguments: {result['gold_events']} gold events, "
          f"{result['events_with_trigger_found']} with a thoisu event on the trigger")  # fmt: skip
    print(f"{'role':10} {'P':>6} {'R':>6} {'F1':>6}   correct/predicted/gold")
    for role in ("source", "target", "location", "all"):
        r = result[role]
        print(f"{role:10} {r['p']:6.1f} {r['r']:6.1f} {r['f1']:6.1f}   "
              f"{r['tp']}/{r['pred']}/{r['gold']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
