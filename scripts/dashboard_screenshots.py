"""Screenshots of the dashboard's pages on a store (the README's analyst walk-through).

    python scripts/dashboard_screenshots.py thoisu.db docs/screenshots \
        --watch chn-vnm:actor=CHN,counterpart=VNM --dyad USA:CHN

Serves a copy of the store (writable, on 127.0.0.1), creates the watch if it is missing,
and shoots the events explorer, the watches, the watch, the dyad (in Vietnamese and in
English) with the system Chromium (``THOISU_CHROMIUM`` or ``chromium`` on the PATH).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode


def _serve(db: Path) -> tuple[str, object]:
    import uvicorn

    from thoisu.api import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(db, writable=True), host="127.0.0.1", port=port,
                       log_level="warning")
    )  # fmt: skip
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--watch", default="chn-vnm:actor=CHN,counterpart=VNM",
                        help="NAME:filter=value,...")  # fmt: skip
    parser.add_argument("--dyad", default="USA:CHN", help="A:B")
    args = parser.parse_args()

    import os

    from playwright.sync_api import sync_playwright

    from thoisu.store import EventFilter, Store

    args.out.mkdir(parents=True, exist_ok=True)
    name, _, spec = args.watch.partition(":")
    filters = dict(part.split("=", 1) for part in spec.split(","))
    a, b = args.dyad.split(":")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.db"
        shutil.copy(args.db, db)
        with Store(db) as store:
            if store.get_watch(name) is None:
                store.add_watch(name, EventFilter.from_mapping(filters))
        base, server = _serve(db)
        chromium = os.environ.get("THOISU_CHROMIUM") or shutil.which("chromium")
        pages = {
            "events-explorer": f"/ui/events?{urlencode(filters)}",
            "watches": "/ui/watches",
            "watch": f"/ui/watches/{name}",
            "dyad": f"/ui/dyads?{urlencode({'a': a, 'b': b})}",
            "dyad-en": f"/ui/dyads?{urlencode({'a': a, 'b': b, 'lang': 'en'})}",
            "events-en": f"/ui/events?{urlencode({'actor': a, 'lang': 'en'})}",
        }
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for shot, path in pages.items():
                page.goto(base + path)
                page.screenshot(path=str(args.out / f"{shot}.png"), full_page=shot == "dyad")
                print(f"{shot}: {path}")
            browser.close()
        server.should_exit = True


if __name__ == "__main__":
    main()
