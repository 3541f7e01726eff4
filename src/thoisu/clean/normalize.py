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
# Invisible characters that break tokenisation and matching, control characters (NUL and
# the other C0/C1 codes that are not line breaks or tabs) and the bidirectional overrides that
# can make text display as something else: dropped outright, anywhere in the text. Lone
# surrogates (from a JSON "\ud800" escape or a feed's "&#xD800;") cannot be stored or
# encoded: each becomes U+FFFD, the replacement character.
_CONTROLS = [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, *range(0x80, 0x85), *range(0x86, 0xA0)]
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_INVISIBLE: dict[int, str | None] = dict.fromkeys(
    [*map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), *_CONTROLS, *_BIDI]
)
_INVISIBLE.update(dict.fromkeys(range(0xD800, 0xE000), "\ufffd"))
_LINE_BREAKS = {ord("\r"): "\n", 0x2028: "\n", 0x2029: "\n\n", 0x85: "\n", 0x0B: "\n", 0x0C: "\n"}
# For one-line fields (a category, an id): every line break is a space.
_ONE_LINE = {**_INVISIBLE, **dict.fromkeys([*_LINE_BREAKS, ord("\n"), ord("\t")], " ")}


def _move_tone(m: re.Match[str]) -> str:
    first, second = m.group(1)
    decomposed = unicodedata.normalize("NFD", second)  # base letter + tone mark
    return unicodedata.normalize("NFC", first + decomposed[1:]) + decomposed[0]


def normalize_tones(s: str) -> str:
    """Move tone marks in open oa/oe/uy syllables to the first vowel: "hoà" -> "hòa",
    "thuỷ" -> "thủy", "khoẻ" -> "khỏe". Case is kept. Expects NFC input."""
    return _OLD_STYLE.sub(_move_tone, s)


def strip_controls(s: str) -> str:
    """``s`` on one line, without NUL, other control characters and bidirectional
    overrides, its lone surrogates replaced: for metadata fields and labels."""
    return " ".join(s.translate(_ONE_LINE).split())


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
