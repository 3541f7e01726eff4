"""Diacritic folding, search-query parsing and snippets for Vietnamese full-text search.

SQLite's ``unicode61`` tokenizer removes combining marks but leaves "đ" alone, so the
store indexes a *folded* copy of each article (:func:`fold`) and folds queries the same
way. Folding maps each NFC code point to exactly one code point, so an offset in the
folded text is the same offset in the NFC original: that is how snippets are cut from
the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..text import fold
from .errors import QueryError

__all__ = ["ParsedQuery", "Term", "fold", "parse_query", "snippet"]

# A token as FTS5's unicode61 tokenizer sees it: letters and digits (underscore separates).
_TOKEN = re.compile(r"[^\W_]+")
_OPERATORS = frozenset({"AND", "OR", "NOT"})


@dataclass(frozen=True, slots=True)
class Term:
    """One word, phrase or prefix of a parsed query."""

    tokens: tuple[str, ...]  # folded tokens
    prefix: bool = False
    exact: tuple[str, ...] | None = None  # lowercased original tokens, when they carry marks
    negated: bool = False

    def fts(self) -> str:
        return '"' + " ".join(self.tokens) + '"' + ("*" if self.prefix else "")

    def pattern(self, exact: bool = False) -> str:
        """A regex matching the term in folded (or, with *exact*, lowercased) text."""
        tokens = self.exact if exact and self.exact else self.tokens
        body = r"[\W_]+".join(re.escape(t) for t in tokens)
        tail = r"[^\W_]*" if self.prefix else r"(?![^\W_])"
        return r"(?<![^\W_])" + body + tail


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A sanitised query: ``fts`` is safe to pass to ``MATCH`` on the folded table."""

    fts: str
    terms: tuple[Term, ...]

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)

    def exact_key(self) -> str:
        """Regexes (joined by U+001F) of the terms the user typed with diacritics."""
        return "\x1f".join(t.pattern(exact=True) for t in self.positive if t.exact)


def _make_term(text: str, prefix: bool) -> Term | None:
    text = unicodedata.normalize("NFC", text)
    tokens = tuple(_TOKEN.findall(fold(text)))
    if not tokens:
        return None
    original = tuple(_TOKEN.findall(text.lower()))
    has_marks = len(original) == len(tokens) and original != tokens
    return Term(tokens, prefix, original if has_marks else None)


def _resolve(ops: list[str]) -> str:
    if "NOT" in ops:
        if "OR" in ops:
            raise QueryError("'OR NOT' is not supported: write 'a NOT b' to exclude b")
        return "NOT"
    return "OR" if "OR" in ops else "AND"


# Lexed query items: a Term (None when it has no searchable characters), an operator
# name, "(" / ")", or a nested list for a parenthesised group.
_Item = Any


def _lex(query: str) -> list[_Item]:
    parts = unicodedata.normalize("NFC", query).split('"')
    if len(parts) % 2 == 0:  # odd number of quotes: the last one opens nothing
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    items: list[_Item] = []
    for i, part in enumerate(parts):
        if i % 2:  # inside quotes: one phrase; a '*' right after the closing quote -> prefix
            prefix = i + 1 < len(parts) and parts[i + 1].startswith("*")
            items.append(_make_term(part, prefix))
            continue
        for word in part.replace("(", " ( ").replace(")", " ) ").split():
            if word in _OPERATORS or word in "()":
                items.append(word)
            elif word.startswith("-") and len(word) > 1:  # "a -b" means "a NOT b"
                items += ["NOT", _make_term(word[1:].strip("*"), word.endswith("*"))]
            else:
                stripped = word.strip("*").replace("*", " ")
                items.append(_make_term(stripped, word.endswith("*")))
    return items


def _nest(items: list[_Item]) -> list[_Item]:
    """Turn "(" ... ")" into nested lists; unbalanced parentheses are all ignored."""
    depth = 0
    for item in items:
        depth += 1 if item == "(" else -1 if item == ")" else 0
        if depth < 0:
            break
    if depth != 0:
        return [item for item in items if item not in ("(", ")")]
    stack: list[list[_Item]] = [[]]
    for item in items:
        if item == "(":
            stack.append([])
        elif item == ")":
            group = stack.pop()
            stack[-1].append(group)
        else:
            stack[-1].append(item)
    return stack[0]


def _negate(terms: list[Term]) -> list[Term]:
    return [Term(t.tokens, t.prefix, t.exact, negated=True) for t in terms]


def _clean(items: list[_Item]) -> tuple[str, list[Term]]:
    """Build an FTS5 expression from one level of items, dropping dangling operators."""
    seq: list[str] = []
    terms: list[Term] = []
    ops: list[str] = []
    for item in items:
        if isinstance(item, str):
            ops.append(item)
            continue
        if isinstance(item, list):
            expr, unit_terms = _clean(item)
            expr = f"({expr})" if expr else ""
        elif item is None:
            expr, unit_terms = "", []
        else:
            expr, unit_terms = item.fts(), [item]
        if not expr:  # punctuation only or an empty group: skip, keep pending operators
            continue
        if not seq:
            if "NOT" in ops:
                raise QueryError("NOT needs a term before it: write 'a NOT b' to exclude b")
        else:
            op = _resolve(ops)
            seq.append(op)
            if op == "NOT":
                unit_terms = _negate(unit_terms)
        ops = []
        terms += unit_terms
        seq.append(expr)
    return " ".join(seq), terms


def parse_query(query: str) -> ParsedQuery:
    """Parse a user query into a safe FTS5 expression over folded text.

    Syntax: plain words (all must match), ``"quoted phrases"``, ``OR``, ``a NOT b`` (or
    ``a -b``), ``prefix*``, ``(groups)``. Repairs rather than fails where the intent is
    clear: an unbalanced quote or parenthesis is ignored, as are stray ``*`` and dangling
    ``AND``/``OR``. Raises :class:`QueryError` when no searchable word is left, a ``NOT``
    has nothing before it, or for ``OR NOT``.
    """
    fts, terms = _clean(_nest(_lex(query)))
    if not terms:
        raise QueryError(f"no searchable words in query {query.strip()!r}")
    return ParsedQuery(fts, tuple(terms))


@lru_cache(maxsize=256)
def _compile(key: str) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in key.split("\x1f") if p]


def exact_hits(title: str | None, text: str | None, key: str) -> int:
    """How many of the patterns in *key* match the lowercased original title or text."""
    if not key:
        return 0
    haystack = unicodedata.normalize("NFC", f"{title or ''}\n{text or ''}").lower()
    return sum(1 for p in _compile(key) if p.search(haystack))


def snippet(
    text: str,
    terms: tuple[Term, ...],
    *,
    before: int = 60,
    after: int = 120,
    mark: tuple[str, str] = ("«", "»"),
) -> str:
    """Cut a snippet of the NFC original *text* around the first match of *terms*.

    Matches are found in the folded text and mapped 1:1 back to the original;
    every match inside the window is wrapped in *mark*.
    """
    original = unicodedata.normalize("NFC", text)
    folded = fold(original)
    regex = re.compile("|".join(t.pattern() for t in terms)) if terms else None
    first = regex.search(folded) if regex else None
    if first is None:
        end = _snap_end(original, min(len(original), before + after))
        return _squeeze(original[:end]) + ("…" if end < len(original) else "")
    lo = _snap_start(original, max(0, first.start() - before))
    hi = _snap_end(original, min(len(original), first.end() + after), floor=first.end())
    pieces: list[str] = ["…" if lo > 0 else ""]
    pos = lo
    assert regex is not None
    for m in regex.finditer(folded, lo, hi):
        if m.end() == m.start():
            continue
        pieces += [original[pos : m.start()], mark[0], original[m.start() : m.end()], mark[1]]
        pos = m.end()
    pieces += [original[pos:hi], "…" if hi < len(original) else ""]
    # "«huấn» «luyện»" -> "«huấn luyện»"
    return _squeeze("".join(pieces)).replace(f"{mark[1]} {mark[0]}", " ")


def _snap_start(s: str, i: int) -> int:
    """Move *i* forward to the start of a word, so a snippet never begins mid-word."""
    if i <= 0:
        return 0
    j = i
    while j < len(s) and not s[j - 1].isspace():
        j += 1
    return j if j - i < 20 else i


def _snap_end(s: str, i: int, floor: int = 0) -> int:
    if i >= len(s):
        return len(s)
    j = i
    while j > floor and not s[j].isspace():
        j -= 1
    return j if i - j < 20 and j > floor else i


def _squeeze(s: str) -> str:
    """One line: paragraph breaks become " · ", other whitespace runs one space."""
    s = re.sub(r"\s*\n\s*", " · ", s.strip())
    return re.sub(r"\s+", " ", s)
