"""Text utilities shared by the stages: Vietnamese diacritic folding.

Folding maps each NFC code point to exactly one code point (marks dropped, đ/Đ -> d,
lower-cased), so an offset in folded text is the same offset in the NFC original. The store
indexes folded text for diacritic-insensitive search, the NLP stage aligns words that
underthesea rewrote, and the entity stage builds ASCII slugs for ids.
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]


class _FoldTable(dict[int, str]):
    """``str.translate`` table computed lazily per code point (and cached)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in "đĐðÐ":  # no decomposition to "d"; Ð (eth) is a common typo for Đ
            folded = "d"
        else:
            bases = [c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)]
            # Keep characters that do not decompose to exactly one base (Hangul, lone marks)
            # so folding stays length-preserving.
            folded = bases[0] if len(bases) == 1 else char
            lower = folded.lower()
            if len(lower) == 1:
                folded = lower
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(s: str) -> str:
    """Fold *s* for diacritic-insensitive matching: NFC, drop marks, đ/Đ -> d, lowercase.

    ``len(fold(s)) == len(unicodedata.normalize("NFC", s))`` and the i-th character of the
    result is the folded i-th character of the NFC text.
    """
    return unicodedata.normalize("NFC", s).translate(_FOLD_TABLE)
