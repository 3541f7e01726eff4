"""Short, unambiguous sentences: root, source and target right (thoisu.evaluation.short).

    python bench/eval_short.py [--split dev|test|all] [--details]

Prints how many of the sentences thoisu gets entirely right, by construction, and the kinds
of error (no event, wrong root, source, target, roles reversed, a look-alike coded). The dev
half (odd ids) is for development; the test half (even ids) is measured, never tuned on.
"""

from __future__ import annotations

import argparse
import json
import sys

from thoisu.evaluation.short import score_short


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=("dev", "test", "all"))
    parser.add_argument("--details", action="store_true", help="print every wrong sentence")
    args = parser.parse_args()
    result = score_short(None if args.split == "all" else args.split)
    if args.details:
        for row in result["details"]:
            if not row["right"]:
                print(json.dumps(row, ensure_ascii=False))
    print(f"{args.split}: {result['right']} of {result['sentences']} right")
    for kind, share in result["by_construction"].items():
        print(f"  {kind:<16} {share}")
    print(f"  errors: {json.dumps(result['errors'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
