"""Benchmark: time and peak memory of `thoisu ingest` and `thoisu serve` on hostile input.

Builds each input in a temporary folder, runs the command in a child process and prints its
wall time, peak RSS (the largest process's, from the kernel) and outcome. The inputs are those
that once crashed, hung or exhausted memory:

- a 1 GB gzip bomb (text), a 50 MB text file, a 5 MB one-line "article", a 10 MB page of
  150,000 paragraphs, 200,000 characters without a full stop, a WARC whose header line is
  32 MB;
- a 300-line JSON Lines file with a malformed URL on line 201, an RSS feed with a bad link;
- against `thoisu serve`: POST /analyze with 1 MB of text, a 400 MB chunked POST, a 300-term
  OR query and a 32-term one on 2,000 stored articles, 3,000 nested parentheses.

    python bench/bench_hostile.py [--quick]     # --quick: a 100 MB bomb and 40 MB chunked

Figures measured on the development machine are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VNTC = REPO.parent / "shared" / "data" / "vntc" / "vntc_sample.jsonl.gz"
SENTENCE = "Ngoại trưởng Nga hôm nay đàm phán với Trung Quốc tại Bắc Kinh về hợp tác năng lượng. "
# Runs a command and prints its wall time and the peak RSS of the largest child process.
_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mib": peak / 1024,
                  "rc": done.returncode, "tail": done.stderr.strip().splitlines()[-1:]}))
"""


def thoisu(*args: str) -> list[str]:
    return [sys.executable, "-m", "thoisu.cli", *args]


def measure(command: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True)
    return json.loads(out.stdout)


def vntc_texts(n: int) -> list[dict]:
    with gzip.open(VNTC, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in islice(f, n)]


def build_inputs(tmp: Path, bomb_mb: int) -> dict[str, Path]:
    inputs = {}
    bomb = tmp / "bomb.txt.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as f:
        line = (SENTENCE * 100 + "\n").encode()
        for _ in range(bomb_mb * 1024**2 // len(line)):
            f.write(line)
    inputs[f"gzip bomb ({bomb.stat().st_size / 1024**2:.1f} MB -> {bomb_mb} MB text)"] = bomb
    big = tmp / "big.txt"
    with open(big, "w", encoding="utf-8") as f:
        for _ in range(50 * 1024**2 // len(SENTENCE.encode())):
            f.write(SENTENCE)
    inputs["50 MB text file"] = big
    one_line = tmp / "oneline.txt"
    bodies = " ".join(a["body"].replace("\n", " ") for a in vntc_texts(2_000))
    one_line.write_text("Tiêu đề\n\n" + bodies[: 5 * 1024**2], encoding="utf-8")
    inputs["5 MB one-line article"] = one_line
    paragraphs = tmp / "paragraphs.html"
    paragraphs.write_text(
        "<html><body><article><h1>Tiêu đề</h1>"
        + "".join(f"<p>Đoạn {i} có nội dung bình thường về Hà Nội.</p>" for i in range(150_000))
        + "</article></body></html>",
        encoding="utf-8",
    )
    inputs["10 MB page, 150,000 paragraphs"] = paragraphs
    unpunctuated = tmp / "nostop.txt"
    words = " ".join(
        f"ông Nguyễn Văn An nói với Reuters rằng Mỹ tấn công Iraq lần {i}" for i in range(3000)
    )
    unpunctuated.write_text("Tiêu đề\n\n" + words[:200_000], encoding="utf-8")
    inputs["200,000 characters, no full stop"] = unpunctuated
    warc = tmp / "header.warc"
    warc.write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nX: " + b"a" * (32 << 20) + b"\r\n\r\n")
    inputs["WARC with a 32 MB header line"] = warc
    jsonl = tmp / "bad-url.jsonl"
    records = [{"title": a["title"], "body": a["body"]} for a in vntc_texts(300)]
    records[200]["url"] = "http://[::1"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    inputs["300 JSON Lines, bad URL on line 201"] = jsonl
    feed = tmp / "feed.xml"
    items = "".join(
        f"<item><title>Tin {i}</title><link>{link}</link><description>{SENTENCE}</description>"
        "</item>"
        for i, link in enumerate(["https://vnexpress.net/a.html", "http://[::1", "https://x.vn/b"])
    )
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>')
    inputs["RSS feed, one bad <link>"] = feed
    return inputs


def search_store(path: Path, n: int) -> None:
    """A store of ``n`` VNTC articles (text only: search cost depends on the text alone)."""
    from thoisu.store import Store

    with Store(path) as store:
        records = []
        for i, a in enumerate(vntc_texts(n)):
            text = f"{a['title']}\n\n{a['body']}"
            records.append({"article": {"id": f"a{i}", "title": a["title"], "body": a["body"],
                                        "text": text}})  # fmt: skip
        store.add_many(records)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def serve_checks(tmp: Path, chunked_mb: int) -> list[tuple[str, dict]]:
    db = tmp / "search.db"
    search_store(db, 2_000)
    port = _free_port()
    server = subprocess.Popen(thoisu("serve", "--db", str(db), "--port", str(port)),
                              stderr=subprocess.DEVNULL)  # fmt: skip
    results = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)

        def request(method: str, url: str, body: bytes | None = None) -> dict:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            start = time.perf_counter()
            conn.request(method, url, body=body, headers={"content-type": "application/json"})
            response = conn.getresponse()
            response.read()
            return {"status": response.status, "seconds": time.perf_counter() - start,
                    "server_peak_mib": _peak_mib(server.pid)}  # fmt: skip

        text = (SENTENCE * (1024**2 // len(SENTENCE.encode()) + 1))[: 1024**2]
        results.append(
            (
                "POST /analyze, 1 MB text",
                request(
                    "POST", "/analyze", json.dumps({"text": text}, ensure_ascii=False).encode()
                ),
            )
        )
        results.append(
            (
                "GET /articles?q= 300-term OR",
                request("GET", "/articles?q=" + "+OR+".join(f"t{i}" for i in range(300))),
            )
        )
        words = "my nga iran iraq dam phan tan cong bau cu quoc hoi chinh phu tong thong".split()
        words += "thu tuong chien tranh hoa binh kinh te quan doi canh sat bieu tinh no".split()
        results.append(
            (
                f"GET /articles?q= {len(words[:32])}-term OR (the most allowed)",
                request("GET", "/articles?q=" + "+OR+".join(words[:32])),
            )
        )
        results.append(
            (
                "GET /articles?q= 3,000 nested parentheses",
                request("GET", "/articles?q=" + "(" * 3000 + "a" + ")" * 3000),
            )
        )
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(
            b"POST /analyze HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"a" * 65536
        start, status = time.perf_counter(), None
        sock.settimeout(10)
        try:
            for _ in range(chunked_mb * 16):
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        except OSError:
            pass
        try:
            status = int(sock.recv(64).split()[1])
        except (OSError, IndexError, ValueError):
            pass
        sock.close()
        results.append((f"{chunked_mb} MB chunked POST /analyze", {
            "status": status, "seconds": time.perf_counter() - start,
            "server_peak_mib": _peak_mib(server.pid)}))  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller bomb and chunked body")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        inputs = build_inputs(tmp, 100 if args.quick else 1024)
        print(f"{'ingest input':45} {'seconds':>8} {'peak MiB':>9}  outcome")
        for label, path in inputs.items():
            db = tmp / f"{path.stem}.db"
            r = measure(thoisu("ingest", str(path), "--db", str(db), "-q", "--jobs", "1"))
            print(f"{label:45} {r['seconds']:8.1f} {r['peak_mib']:9.0f}  {' '.join(r['tail'])}")
        print()
        print(f"{'serve request':45} {'seconds':>8} {'peak MiB':>9}  status")
        for label, r in serve_checks(tmp, 40 if args.quick else 400):
            print(f"{label:45} {r['seconds']:8.2f} {r['server_peak_mib']:9.0f}  {r['status']}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
