"""Web stage: the REST API (FastAPI) and the dashboard over a thoisu store.

    thoisu serve --db thoisu.db            # http://127.0.0.1:8000/ui/ , API docs at /docs

or in Python: ``uvicorn.run(thoisu.api.create_app("thoisu.db"))``.
"""

from __future__ import annotations

from .app import MAX_BODY_BYTES, create_app

__all__ = ["create_app", "MAX_BODY_BYTES"]
