"""thoisu: Vietnamese news to structured, searchable, verifiable knowledge."""

__version__ = "0.1.0"
