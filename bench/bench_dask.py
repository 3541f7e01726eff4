"""Dask engine scaling: the same articles analysed with 1 and then 2 workers.

    python bench/bench_dask.py --n 96

Prints, for each number of workers, the wall time of the batch (workers started and their
models loaded beforehand, so the figure is the steady state; the cold time, cluster start
included, is printed beside it) and the parallel efficiency T1 / (k x Tk). Both runs use the
same LocalCluster settings (one thread per worker process) and write a Parquet dataset to a
temporary folder. On a 2-core machine, 2 workers is the ceiling.
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
from itertools import islice
from pathlib import Path

from distributed import Client, LocalCluster

from thoisu.records import RawDocument
from thoisu.scale import ingest_dask

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def articles(n: int) -> list[RawDocument]:
    out = []
    for name in ("dantri-2020.jsonl.gz", "vntc-world-politics.jsonl.gz"):
        with gzip.open(SAMPLES / name, "rt", encoding="utf-8") as f:
            for line in islice(f, n - len(out)):
                d = json.loads(line)
                out.append(RawDocument(source=d["id"], title=d["title"], lead=d.get("sapo"),
                                       body=d["body"], published=d.get("published"),
                                       publisher=d.get("publisher")))  # fmt: skip
    return out


def warm() -> None:
    from thoisu import analyze

    analyze("Tiêu đề\n\nBộ Ngoại giao Mỹ hôm qua kêu gọi Iran ngừng làm giàu urani.")


def run(docs: list[RawDocument], workers: int) -> tuple[float, float]:
    started = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, env={"THOISU_ENCODER_THREADS": "1"}) as cluster, \
            Client(cluster) as client:  # fmt: skip
        client.run(warm)
        cold = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            report = ingest_dask(docs, out=out, client=client, workers=workers,
                                 total=len(docs))  # fmt: skip
            warm_time = time.perf_counter() - t0
    assert report.stored == len(docs), report.summary()
    return warm_time, cold + warm_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=96)
    args = parser.parse_args()
    docs = articles(args.n)
    times = {}
    for workers in (1, 2):
        times[workers] = run(docs, workers)
        t, total = times[workers]
        print(f"{workers} worker(s): {t:.1f} s for {len(docs)} articles "
              f"({len(docs) / t:.2f} art/s; {total:.1f} s with cluster start and model load)")  # fmt: skip
    t1, t2 = times[1][0], times[2][0]
    print(f"speed-up 1 -> 2 workers: {t1 / t2:.2f}x, efficiency {100 * t1 / (2 * t2):.0f}%")


if __name__ == "__main__":
    main()
