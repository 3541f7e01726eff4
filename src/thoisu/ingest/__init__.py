"""Ingest stage: read files, directories, feeds, WARCs and stdin into RawDocuments.

Every problem becomes an :class:`~thoisu.records.IngestError` in the stream, never an
exception, so one bad file cannot stop a corpus run.
"""

from .reader import count_hint, format_of, read_bytes, read_file, read_paths, read_stream

__all__ = [
    "count_hint",
    "format_of",
    "read_bytes",
    "read_file",
    "read_paths",
    "read_stream",
]
