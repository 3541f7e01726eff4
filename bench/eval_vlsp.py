"""Names to the VLSP 2018 standard: thoisu and underthesea's ``ner()`` on thoisu's held-out
split of the VLSP 2018 training set (article-level bags and exact spans, PER/LOC/ORG, every
nesting level). Prints a JSON report.

    python bench/eval_vlsp.py [--split test|dev] [--systems thoisu,underthesea]

The split is fixed (thoisu.entities.vlsp.split_2018); test is for reporting only. Needs
../shared/data/vlsp_ner.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from thoisu.evaluation.vlsp import evaluate_vlsp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["train", "dev", "test"])
    parser.add_argument("--systems", default="thoisu,underthesea")
    args = parser.parse_args()
    started = time.time()
    report = evaluate_vlsp(
        args.split,
        tuple(args.systems.split(",")),
        progress=lambda name: print(f"running {name}...", file=sys.stderr),
    )
    report["seconds"] = round(time.time() - started, 1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
