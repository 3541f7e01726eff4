"""Legacy Vietnamese 8-bit encodings (Windows-1258, VNI, TCVN3/ABC) to Unicode NFC.

Much archived Vietnamese text predates UTF-8. None of these encodings declares itself and all
reuse the high bytes of Western cp1252, so :func:`decode_legacy` decodes with each and keeps the
reading whose words are Vietnamese syllables, checked by Vietnamese phonotactics (no dictionary).

- Windows-1258: Python's ``cp1258`` codec. It writes most tones as combining marks after the
  letter, so the result is NFC-normalised.
- VNI (VNI-Windows fonts): a base letter followed by a mark byte; đ, ơ, ư, the toned i's and ỵ
  are single bytes. Table: ``data/vni.tsv``.
- TCVN3 (TCVN 5712:1993 VN3, the .VnTime fonts): one byte per letter. Table: ``data/tcvn3.tsv``.
  VN3 has no uppercase toned letters: documents set them in the ".VnTimeH" font with the
  lowercase codes, so they decode as lowercase ("ỦY BAN" reads "ủY BAN"). That loss is in the
  bytes, not recoverable here, and accepted.

Bytes that a table leaves unused read as cp1252 (quotes, dashes, NBSP), as in the Windows
documents these encodings come from.
"""

from __future__ import annotations

import codecs
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import cache, lru_cache
from importlib import resources

LEGACY_ENCODINGS = ("windows-1258", "vni", "tcvn3")
_NAMES = {"windows-1258": "Windows-1258", "vni": "VNI", "tcvn3": "TCVN3"}

# Acceptance, measured on 2,000 VNTC/UNC news paragraphs and on 1,686 English, French and other
# European texts in their 8-bit code pages. Read with the right table, Vietnamese has most words
# marked syllables (1st percentile 47%) and few garbled ones (precision 1st percentile 94%); a
# wrong table garbles 40-90% of words (precision at most 53%); European text has at most 15%
# marked syllables ("é", "sí", "già").
_MIN_MARKED = 0.25  # marked syllables (with a tone or a Vietnamese letter), share of all words
_MIN_PRECISION = 0.8  # marked syllables, share of marked syllables + garbled words
# Detection scores at most this many bytes (start, middle, end), so its cost stays flat.
_SAMPLE = 24 * 1024

_GRAVE, _ACUTE, _TILDE, _HOOK, _DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
_TONES = frozenset(_GRAVE + _ACUTE + _TILDE + _HOOK + _DOT)


class LegacyDecodeError(ValueError):
    """Bytes that read as none of the legacy encodings; the message names the closest one."""


def _known(encoding: str) -> str:
    if encoding not in _NAMES:
        raise ValueError(f"unknown legacy encoding {encoding!r}: not one of {LEGACY_ENCODINGS}")
    return encoding


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81 0x8D 0x8F 0x90 0x9D: unassigned
        return "\ufffd"


_WESTERN = "".join(_cp1252(b) for b in range(256))


@cache
def _table(name: str) -> dict[str, str]:
    """A data/<name>.tsv table: legacy bytes (as latin-1 characters) -> Unicode letter."""
    text = resources.files("thoisu.ingest").joinpath("data", f"{name}.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and line[0] != "#"]
    return {bytes.fromhex(raw).decode("latin-1"): char for raw, char, _name in rows}


@cache
def _letters() -> frozenset[str]:
    """The 134 Vietnamese letters with diacritics (the VNI table covers them all)."""
    return frozenset(_table("vni").values())


# --- decoders ------------------------------------------------------------------------------


def _decode_cp1258(data: bytes) -> str:
    return _nfc(data.decode("cp1258", errors="replace"))


@cache
def _tcvn3_charmap() -> str:
    chars = list(_WESTERN)
    for raw, char in _table("tcvn3").items():
        chars[ord(raw)] = char
    return "".join(chars)


def _decode_tcvn3(data: bytes) -> str:
    return _nfc(codecs.charmap_decode(data, "strict", _tcvn3_charmap())[0])


@cache
def _vni_charmap() -> dict[int, str]:
    """Byte -> text for VNI: a mark byte becomes the combining marks it stands for (derived
    from the table's pairs) and NFC then composes it with the base letter before it.

    Composing rather than looking pairs up also reads the non-canonical pairs hand-typed and
    converted files contain ("Aù" for Á, "iø" for ì).
    """
    charmap = {b: _WESTERN[b] for b in range(256)}
    for raw, char in _table("vni").items():
        if len(raw) == 1:
            charmap[ord(raw)] = char
    for raw, char in _table("vni").items():
        if len(raw) == 2:
            base = unicodedata.normalize("NFD", charmap[ord(raw[0])])
            charmap[ord(raw[1])] = unicodedata.normalize("NFD", char)[len(base) :]
    return charmap


def _decode_vni(data: bytes) -> str:
    return _nfc(codecs.charmap_decode(data, "strict", _vni_charmap())[0])


_DECODERS: dict[str, Callable[[bytes], str]] = {
    "windows-1258": _decode_cp1258,
    "vni": _decode_vni,
    "tcvn3": _decode_tcvn3,
}


def decode_as(data: bytes, encoding: str) -> str:
    """Decode with a named legacy encoding (one of LEGACY_ENCODINGS), no detection: for a
    caller who knows the encoding, e.g. from a .VnTime or VNI-Times font name."""
    return _DECODERS[_known(encoding)](data)


# --- encoders ------------------------------------------------------------------------------


@cache
def _encoder(encoding: str) -> dict[str, bytes]:
    """Unicode character -> legacy bytes (for a known encoding), the inverse of the decoder."""
    rev: dict[str, bytes] = {}
    if encoding == "windows-1258":
        for b in range(256):
            try:
                rev.setdefault(bytes([b]).decode("cp1258"), bytes([b]))
            except UnicodeDecodeError:
                continue
        for letter in _letters():  # base letter + combining tone, as Vietnamese tools wrote it
            nfd = unicodedata.normalize("NFD", letter)
            tone = "".join(c for c in nfd if c in _TONES)
            if tone:
                rev[letter] = rev[_nfc(nfd.replace(tone, ""))] + rev[tone]
        return rev
    if encoding == "tcvn3":
        charmap = _tcvn3_charmap()
        for b in range(256):
            if charmap[b] != "\ufffd":
                rev.setdefault(charmap[b], bytes([b]))
        table = {char: raw.encode("latin-1") for raw, char in _table("tcvn3").items()}
        for letter in _letters():  # uppercase toned: the lowercase code (.VnTimeH convention)
            rev[letter] = table.get(letter) or table[letter.lower()]
        return rev
    rev = {char: raw.encode("latin-1") for raw, char in _table("vni").items()}
    used = {c for raw in _table("vni") for c in raw if c >= "\x80"}
    for b in range(256):  # bytes VNI does not use keep their cp1252 meaning
        if _WESTERN[b] != "\ufffd" and chr(b) not in used:
            rev.setdefault(_WESTERN[b], bytes([b]))
    return rev


def encode_legacy(text: str, encoding: str) -> bytes:
    """Write ``text`` in a legacy encoding, the inverse of decoding (fixtures and tests).

    Windows-1258 gets base letter + combining tone for every toned letter, the form Vietnamese
    converters wrote; TCVN3 writes uppercase toned letters with the lowercase codes, as the
    .VnTimeH font did, so they come back lowercase. Raises ValueError for a character the
    encoding cannot hold.
    """
    rev = _encoder(_known(encoding))
    out = bytearray()
    for char in _nfc(text):
        raw = rev.get(char)
        if raw is None:
            name = _NAMES[encoding]
            raise ValueError(f"{char!r} (U+{ord(char):04X}) cannot be written in {name}")
        out += raw
    return bytes(out)


# --- detection -----------------------------------------------------------------------------

_INITIAL = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
# Every rhyme of the standard orthography (toneless), plus a few loan/onomatopoeic ones
# (ec, eng, ooc, oong).
_RHYMES = """
a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
e ec em en eng eo ep et ê êch êm ên ênh êp êt êu i ia ich im in inh ip it iu
iêc iêm iên iêng iêp iêt iêu yêm yên yêng yêt yêu y
o oc oi om on ong op ot oa oac oach oai oam oan oang oanh oao oap oat oay
oăc oăm oăn oăng oăt oe oen oeo oet ooc oong ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
u uc ui um un ung up ut ua uân uâng uât uây uê uêch uênh uôc uôi uôm uôn uông uôt uơ
uy uya uych uyên uyêt uyn uynh uyp uyt uyu ư ưa ưc ưi ưm ưn ưng ưt ưu
ươc ươi ươm ươn ương ươp ươt ươu
""".split()
_SYLLABLE = re.compile(f"(?:{_INITIAL})?(?:{'|'.join(sorted(_RHYMES, key=len, reverse=True))})")
_STOPS = ("c", "ch", "p", "t")
_WORD = re.compile(r"[^\s/\-\u2013\u2014]+")
_EDGE = string.punctuation + "\u201c\u201d\u2018\u2019\u201a\u201e\u00ab\u00bb\u2026\u00a0"


# What a word is, for scoring: a Vietnamese syllable plain or marked (with a tone or a
# Vietnamese letter), a foreign ASCII word, or garbled (non-ASCII yet no syllable: the signature
# of a wrong table).
_PLAIN, _MARKED, _FOREIGN, _GARBLED = range(4)


@lru_cache(maxsize=1 << 16)
def _word_kind(token: str) -> int | None:
    """The kind of a whitespace-separated token; None for numbers and punctuation."""
    word = token.strip(_EDGE)
    if not any(c.isalpha() for c in word):
        return None
    other = _FOREIGN if word.isascii() else _GARBLED
    if not word.isalpha():  # letters run into digits, symbols or control characters
        return other
    nfd = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in nfd if c in _TONES]
    base = _nfc("".join(c for c in nfd if c not in _TONES))
    if len(tones) > 1 or not _SYLLABLE.fullmatch(base):
        return other
    if base.endswith(_STOPS) and tones not in ([_ACUTE], [_DOT]):
        return other  # a syllable closed by p/t/c/ch takes only the sắc or nặng tone
    return _MARKED if tones or not base.isascii() else _PLAIN


def _score(text: str) -> tuple[int, int, int, int]:
    """Word counts: (words, Vietnamese syllables, marked syllables, garbled words)."""
    kinds = Counter()
    for token, n in Counter(_WORD.findall(text)).items():
        kinds[_word_kind(token)] += n
    words = kinds.total() - kinds[None]
    return words, kinds[_PLAIN] + kinds[_MARKED], kinds[_MARKED], kinds[_GARBLED]


def _sample(data: bytes) -> bytes:
    """Start, middle and end of a long input, each cut at whitespace."""
    if len(data) <= _SAMPLE:
        return data
    third = _SAMPLE // 3
    parts = []
    for start in (0, (len(data) - third) // 2, len(data) - third):
        chunk = data[start : start + third]
        head, tail = chunk.find(b" "), chunk.rfind(b" ")
        parts.append(chunk[head + 1 : tail] if 0 <= head < tail else chunk)
    return b"\n".join(parts)


def decode_legacy(data: bytes) -> tuple[str, str]:
    """Decode bytes that are not UTF-8 as Windows-1258, VNI or TCVN3, whichever reads as
    Vietnamese: returns (NFC text, encoding name from LEGACY_ENCODINGS).

    Raises LegacyDecodeError naming the closest encoding when none reads as Vietnamese (Western
    cp1252 text, binary), rather than returning mojibake.
    """
    sample = _sample(data)
    decoded = {enc: _DECODERS[enc](sample) for enc in LEGACY_ENCODINGS}
    counts = {enc: _score(text) for enc, text in decoded.items()}
    # rank by marked syllables minus garbled words; ties go to the first in LEGACY_ENCODINGS
    best = max(LEGACY_ENCODINGS, key=lambda enc: counts[enc][2] - counts[enc][3])
    words, valid, marked, garbled = counts[best]
    if not words or marked < _MIN_MARKED * words or marked < _MIN_PRECISION * (marked + garbled):
        raise LegacyDecodeError(
            "not UTF-8, and not readable as Windows-1258, VNI or TCVN3 (closest: "
            f"{_NAMES[best]}, {valid / max(words, 1):.0%} Vietnamese syllables, "
            f"{marked / max(words, 1):.0%} with diacritics, {garbled / max(words, 1):.0%} garbled)"
        )
    return (decoded[best] if sample is data else _DECODERS[best](data)), best
