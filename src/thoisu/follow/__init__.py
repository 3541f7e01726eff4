"""Follow stage: live feeds and pages by URL, fetched politely, analysed and stored.

:class:`PoliteClient` does the fetching (robots.txt, per-host delay, size and time limits,
retries, conditional requests); :class:`Follower` runs rounds over feeds into a store, which
remembers each feed's validators and each page's outcome (``Store.crawl``).
"""

from .client import FetchError, FetchPolicy, PoliteClient, is_web_url
from .follower import Follower, RoundReport, feed_targets, fetch_pages, stop_on_interrupt

__all__ = [
    "FetchError",
    "FetchPolicy",
    "Follower",
    "PoliteClient",
    "RoundReport",
    "feed_targets",
    "fetch_pages",
    "is_web_url",
    "stop_on_interrupt",
]
