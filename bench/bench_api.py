"""The API and the dashboard under load: requests/s and latency percentiles per route.

    python bench/bench_api.py [--clients 8] [--seconds 30] [--db /tmp/bench_api_1000.db]

Serves a store of 1,000 articles with ``thoisu serve`` (read-only, 127.0.0.1, in its own
process), then runs ``--clients`` concurrent clients, each with its own keep-alive
connection, for ``--seconds`` over a fixed mix of API and dashboard reads (:data:`MIX`), and
prints the overall requests/s, p50/p95/p99 and each route's p50/p95 and error count.

The store is built once when ``--db`` is missing (a few minutes, one analysis process):
``thoisu ingest`` of the bundled ``samples/dantri-2020.jsonl.gz`` (200) and
``samples/vntc-world-politics.jsonl.gz`` (300), plus the first 500 articles of
``shared/data/vntc/vntc_sample.jsonl.gz`` that are not in that sample, and one watch
(``usa``: actor USA). Server and clients share the machine: on 2 cores the clients' own
work is part of what is measured.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = (ROOT / "samples/dantri-2020.jsonl.gz", ROOT / "samples/vntc-world-politics.jsonl.gz")
VNTC = ROOT.parent / "shared/data/vntc/vntc_sample.jsonl.gz"
EXTRA = 500  # VNTC articles beyond the bundled sample
DEFAULT_DB = Path(tempfile.gettempdir()) / "bench_api_1000.db"

# (route name, path): the name groups the figures; {entity} is the most widely reported
# entity. Searches with and without diacritics, common and rarer words.
MIX: list[tuple[str, str]] = [
    ("/events", "/events"),
    ("/events", "/events?actor=USA"),
    ("/events", "/events?cameo=19"),
    ("/events", "/events?actor=USA&min_certainty=reported&order=oldest"),
    ("/events/timeline", "/events/timeline"),
    ("/events/timeline", "/events/timeline?actor=USA&interval=year"),
    ("/articles?q", "/articles?q=Mỹ"),
    ("/articles?q", "/articles?q=chinh+phu"),
    ("/articles?q", "/articles?q=đàm+phán"),
    ("/articles?q", "/articles?q=viet+nam+kinh+te"),
    ("/entities", "/entities"),
    ("/entities", "/entities?q=my"),
    ("/entities/{id}", "/entities/{entity}"),
    ("/ui/events", "/ui/events"),
    ("/ui/events", "/ui/events?actor=USA"),
    ("/ui/entities/{id}", "/ui/entities/{entity}"),
    ("/watches", "/watches"),
    ("/dyads", "/dyads?a=USA&b=CHN"),
]


def build_store(db: Path) -> None:
    """Ingest the 1,000 articles into ``db`` (one analysis process) and add a watch."""
    with gzip.open(SAMPLES[1], "rt", encoding="utf-8") as f:
        known = {json.loads(line)["id"] for line in f}
    picked = []
    with gzip.open(VNTC, "rt", encoding="utf-8") as f:
        for line in f:
            if json.loads(line)["id"] not in known:
                picked.append(line)
                if len(picked) == EXTRA:
                    break
    cli = [sys.executable, "-m", "thoisu.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        extra = Path(tmp) / "vntc-500.jsonl.gz"
        with gzip.open(extra, "wt", encoding="utf-8") as f:
            f.writelines(picked)
        part = db.with_suffix(".part.db")
        part.unlink(missing_ok=True)
        run = [*cli, "ingest", "--db", str(part), "--jobs", "1", "-q", *map(str, SAMPLES)]
        subprocess.run([*run, str(extra)], check=True)
    subprocess.run([*cli, "watch", "add", "usa", "--actor", "USA", "--db", str(part)],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    for suffix in ("-wal", "-shm"):
        Path(str(part) + suffix).unlink(missing_ok=True)
    part.rename(db)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "thoisu.cli", "serve", "--db", str(db), "--port", str(port)]
    server = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def load(base: str, paths: list[tuple[str, str]], clients: int, seconds: float):
    """Each client walks the mix from its own offset until the time is up; returns
    ``{route: [seconds]}``, ``{route: errors}`` and the elapsed time."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(k: int) -> None:
        mine: list[tuple[str, float, bool]] = []
        with httpx.Client(base_url=base, timeout=30) as http:
            start.wait()
            for name, path in itertools.islice(itertools.cycle(paths), k * 3, None):
                if time.perf_counter() >= stop_at[0]:
                    break
                t0 = time.perf_counter()
                try:
                    ok = http.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                mine.append((name, time.perf_counter() - t0, ok))
        with lock:
            for name, dt, ok in mine:
                times[name].append(dt)
                errors[name] += not ok

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    stop_at[0] = t0 + seconds
    start.wait()
    for t in threads:
        t.join()
    return times, errors, time.perf_counter() - t0


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank), in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load not counted")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_args()
    if not args.db.exists():
        print(f"building {args.db} (1,000 articles, a few minutes)", file=sys.stderr)
        build_store(args.db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args.db, port)
    try:
        top = httpx.get(f"{base}/entities?limit=1&type=LOC").json()["items"][0]["id"]
        paths = [(name, path.format(entity=top)) for name, path in MIX]
        if args.warmup:
            load(base, paths, args.clients, args.warmup)
        times, errors, elapsed = load(base, paths, args.clients, args.seconds)
    finally:
        server.terminate()
        server.wait(10)
    every = [t for ts in times.values() for t in ts]
    print(f"store {args.db} ({os.path.getsize(args.db) / 2**20:.0f} MiB), entity {top}, "
          f"{args.clients} clients, {elapsed:.1f} s, load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"overall: {len(every)} requests, {len(every) / elapsed:.1f} req/s, "
          f"p50 {pct(every, 50):.0f} ms, p95 {pct(every, 95):.0f} ms, "
          f"p99 {pct(every, 99):.0f} ms, errors {sum(errors.values())}")  # fmt: skip
    print(f"{'route':<20}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}{'errors':>8}")
    for name in dict.fromkeys(n for n, _ in MIX):
        ts = times.get(name, [])
        if ts:
            print(f"{name:<20}{len(ts):>9}{pct(ts, 50):>9.0f}{pct(ts, 95):>9.0f}"
                  f"{1000 * statistics.fmean(ts):>9.0f}{errors[name]:>8}")  # fmt: skip


if __name__ == "__main__":
    main()
