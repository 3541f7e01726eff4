"""Unicode and Vietnamese orthography normalisation."""

from __future__ import annotations

import re
import unicodedata

# Old-style placement puts the tone on the second vowel of an open oa/oe/uy syllable
# ("hoà", "khoẻ", "thuỷ"); the style of most current newspapers (and underthesea's
# training data) puts it on the first ("hòa", "khỏe", "thủy"). Only open syllables are
# affected: "hoàn", "khoảng", "thuyền", "khuỷu" are the same in both styles. "qu" is a
# consonant, so "quý", "quỳ" are left alone.
_OLD_STYLE = re.compile(r"(?<![qQ])([oO][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])(?![^\W\d_])")

_SPACES = re.compile(r"[^\S\n]+")  # any whitespace except newline
_BLANK_RUNS = re.compile(r"\n{3,}")
# Invisible characters that break tokenisation and matching, and control characters
# (NUL and the other C0/C1 codes that are not line breaks or tabs): dropped outright,
# anywhere in the text.
_CONTROLS = [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, *range(0x80, 0x85), *range(0x86, 0xA0)]
_INVISIBLE = dict.fromkeys([*map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), *_CONTROLS])
_LINE_BREAKS = {ord("\r"): "\n", 0x2028: "\n", 0x2029: "\n\n", 0x85: "\n", 0x0B: "\n", 0x0C: "\n"}


def _move_tone(m: re.Match[str]) -> str:
    first, second = m.group(1)
    decomposed = unicodedata.normalize("NFD", second)  # base letter + tone mark
    return unicodedata.normalize("NFC", first + decomposed[1:]) + decomposed[0]


def normalize_tones(s: str) -> str:
    """Move tone marks in open oa/oe/uy syllables to the first vowel: "hoà" -> "hòa",
    "thuỷ" -> "thủy", "khoẻ" -> "khỏe". Case is kept. Expects NFC input."""
    return _OLD_STYLE.sub(_move_tone, s)


def strip_controls(s: str) -> str:
    """``s`` without NUL and the other control characters (line breaks and tabs stay)."""
    return s.translate(_INVISIBLE)


def normalize_text(s: str) -> str:
    """NFC, one tone-mark convention, and tidy whitespace.

    Invisible characters are dropped, every kind of space becomes " ", runs of spaces
    collapse, lines are stripped and at most one blank line separates paragraphs.
    """
    s = unicodedata.normalize("NFC", s.replace("\r\n", "\n"))
    s = s.translate(_INVISIBLE).translate(_LINE_BREAKS)
    s = normalize_tones(s)
    s = "\n".join(_SPACES.sub(" ", line).strip() for line in s.split("\n"))
    return _BLANK_RUNS.sub("\n\n", s).strip()
