"""Clean stage: RawDocument -> Article (normalised text, chrome removed, metadata found)."""

from .cleaner import CleanError, article_id, clean
from .dates import normalize_date
from .normalize import normalize_text, normalize_tones
from .publishers import publisher_from_url

__all__ = [
    "CleanError",
    "article_id",
    "clean",
    "normalize_date",
    "normalize_text",
    "normalize_tones",
    "publisher_from_url",
]
