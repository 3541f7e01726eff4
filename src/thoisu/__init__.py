"""thoisu: Vietnamese news to structured, searchable, verifiable knowledge.

>>> import thoisu
>>> analysis = thoisu.analyze(open("article.txt").read())      # doctest: +SKIP
>>> [(e.cameo, e.source and e.source.code) for e in analysis.events]  # doctest: +SKIP
>>> with thoisu.Store("thoisu.db") as store:                       # doctest: +SKIP
...     store.add(analysis)
...     store.search("huan luyen")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.9.1"

__all__ = ["analyze", "analyze_stream", "Store", "Analysis", "__version__"]

if TYPE_CHECKING:
    from .pipeline import analyze, analyze_stream
    from .records import Analysis
    from .store import Store


def __getattr__(name: str) -> Any:
    # Imported on first use: the NLP models load only when something is analysed.
    if name in ("analyze", "analyze_stream"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "Store":
        from .store import Store

        return Store
    if name == "Analysis":
        from .records import Analysis

        return Analysis
    raise AttributeError(f"module 'thoisu' has no attribute {name!r}")
