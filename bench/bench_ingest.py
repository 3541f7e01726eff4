"""Benchmark: `thoisu ingest` of N VNTC articles vs underthesea's own ner() on the same articles.

Prints articles/s and peak memory (max RSS) of each, measured in separate child processes
so that one's models and caches do not count against the other, and the speed ratio.

    python bench/bench_ingest.py [--n 1000] [--jobs 1] [--corpus PATH] [--repeat 1]

``--repeat N`` runs the two N times, alternated (thoisu, underthesea, thoisu, ...), and
prints each pair's ratio and their median: on a shared machine one pair can be off by a
third either way.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "vntc" / "vntc_sample.jsonl.gz"


def _child_ingest(corpus: str, n: int, jobs: int) -> dict:
    from thoisu.batch import ingest_items
    from thoisu.ingest import read_paths
    from thoisu.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with Store(Path(tmp) / "bench.db") as store:
            report = ingest_items(store, islice(read_paths([corpus]), n), jobs=jobs)
        elapsed = time.perf_counter() - start
    return {"articles": report.stored, "failed": report.failed, "seconds": elapsed}


def _child_ner(corpus: str, n: int) -> dict:
    from underthesea import ner, sent_tokenize

    articles = [json.loads(line) for line in islice(gzip.open(corpus, "rt", encoding="utf-8"), n)]
    start = time.perf_counter()
    sentences = 0
    for a in articles:
        text = "\n".join(x for x in (a.get("title"), a.get("body")) if x)
        for para in text.split("\n"):
            for sent in sent_tokenize(para):
                ner(sent)
                sentences += 1
    elapsed = time.perf_counter() - start
    return {"articles": len(articles), "sentences": sentences, "seconds": elapsed}


def _run_child(kind: str, args: argparse.Namespace) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--n",
            str(args.n),
            "--jobs",
            str(args.jobs),
            "--corpus",
            str(args.corpus),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs, alternated")
    parser.add_argument("--child", choices=["ingest", "ner"])
    args = parser.parse_args()
    if args.child:
        result = (
            _child_ingest(str(args.corpus), args.n, args.jobs)
            if args.child == "ingest"
            else _child_ner(str(args.corpus), args.n)
        )
        # ru_maxrss is KiB on Linux; children (worker processes) are reported separately.
        result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result["peak_rss_children_mib"] = (
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        )
        print(json.dumps(result))
        return
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    ratios = []
    for run in range(args.repeat):
        ours = _run_child("ingest", args)
        theirs = _run_child("ner", args)
        ratios.append(_report(args, ours, theirs))
        if args.repeat > 1:
            print(f"  (pair {run + 1} of {args.repeat})\n")
    if args.repeat > 1:
        print(f"ratios: {', '.join(f'{r:.2f}x' for r in ratios)}; "
              f"median {statistics.median(ratios):.2f}x")  # fmt: skip


def _report(args: argparse.Namespace, ours: dict, theirs: dict) -> float:
    """Print one pair of runs; return thoisu's speed over underthesea's."""
    ours_rate = ours["articles"] / ours["seconds"]
    ner_rate = theirs["articles"] / theirs["seconds"]
    print(f"corpus: {args.corpus} (first {args.n} articles), jobs={args.jobs}")
    print(
        f"thoisu ingest (clean+NLP+entities+events+store): {ours['articles']} articles in "
        f"{ours['seconds']:.1f} s = {ours_rate:.1f} articles/s, peak RSS {ours['peak_rss_mib']:.0f} MiB"
        + (
            f" (+ workers {ours['peak_rss_children_mib']:.0f} MiB each at most)"
            if args.jobs > 1
            else ""
        )
    )
    print(
        f"underthesea ner() alone: {theirs['articles']} articles ({theirs['sentences']} sentences) in "
        f"{theirs['seconds']:.1f} s = {ner_rate:.1f} articles/s, "
        f"{theirs['sentences'] / theirs['seconds']:.0f} sentences/s, peak RSS {theirs['peak_rss_mib']:.0f} MiB"
    )
    print(
        f"ratio: thoisu ingest is {ours_rate / ner_rate:.2f}x the speed of underthesea ner() alone"
    )
    return ours_rate / ner_rate


if __name__ == "__main__":
    main()
