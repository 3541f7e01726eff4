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
from typing import Any

from ..text import fold
from .errors import QueryError

__all__ = ["ParsedQuery", "Term", "Unit", "fold", "parse_query", "snippet"]

# A token as FTS5's unicode61 tokenizer sees it: letters and digits (underscore separates).
_TOKEN = re.compile(r"[^\W_]+")
_OPERATORS = frozenset({"AND", "OR", "NOT"})
# Bounds on one query, so that no query can pin the CPU: its length, its words and
# phrases, and how deeply its parentheses nest.
MAX_QUERY_CHARS = 1_000
MAX_QUERY_TERMS = 32
MAX_QUERY_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Term:
    """One word, phrase or prefix of a parsed query."""

    tokens: tuple[str, ...]  # folded tokens
    prefix: bool = False
    exact: tuple[str, ...] | None = None  # lowercased original tokens, when they carry marks
    negated: bool = False
    quoted: bool = False

    def fts(self) -> str:
        return '"' + " ".join(self.tokens) + '"' + ("*" if self.prefix else "")

    def pattern(self, exact: bool = False) -> str:
        """A regex matching the term in folded (or, with *exact*, lowercased) text."""
        tokens = self.exact if exact and self.exact else self.tokens
        body = r"[\W_]+".join(re.escape(t) for t in tokens)
        tail = r"[^\W_]*" if self.prefix else r"(?![^\W_])"
        return r"(?<![^\W_])" + body + tail


@dataclass(frozen=True, slots=True)
class Unit:
    """What ranking looks for in a matching document: a quoted phrase, a prefix, or a run
    of words typed side by side (``dam phan``), which should be found side by side too.

    ``typed`` holds the words as typed, lowercased; a word typed with diacritics must be
    found with them for the best rank, a word typed without matches any reading.
    """

    folded: tuple[str, ...]
    typed: tuple[str, ...]
    prefix: bool = False

    @property
    def has_marks(self) -> bool:
        return self.typed != self.folded


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A sanitised query: ``fts`` is safe to pass to ``MATCH`` on the folded table."""

    fts: str
    terms: tuple[Term, ...]
    units: tuple[Unit, ...] = ()

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)


def _make_term(text: str, prefix: bool, quoted: bool = False) -> Term | None:
    text = unicodedata.normalize("NFC", text)
    tokens = tuple(_TOKEN.findall(fold(text)))
    if not tokens:
        return None
    original = tuple(_TOKEN.findall(text.lower()))
    has_marks = len(original) == len(tokens) and original != tokens
    return Term(tokens, prefix, original if has_marks else None, quoted=quoted)


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
            items.append(_make_term(part, prefix, quoted=True))
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
    """Turn "(" ... ")" into nested lists; unbalanced parentheses are all ignored, and
    groups nested deeper than MAX_QUERY_DEPTH are refused."""
    depth = deepest = 0
    for item in items:
        depth += 1 if item == "(" else -1 if item == ")" else 0
        deepest = max(deepest, depth)
        if depth < 0:
            break
    if depth != 0:
        return [item for item in items if item not in ("(", ")")]
    if deepest > MAX_QUERY_DEPTH:
        raise QueryError(f"parentheses nested {deepest} deep; at most {MAX_QUERY_DEPTH}")
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
    return [Term(t.tokens, t.prefix, t.exact, negated=True, quoted=t.quoted) for t in terms]


def _unit(term: Term) -> Unit:
    return Unit(term.tokens, term.exact or term.tokens, term.prefix)


def _joins(unit: Unit, term: Term) -> bool:
    """Whether ``term``, typed right after the words of ``unit``, extends it: plain words
    side by side read as a phrase; quotes and prefixes stand alone."""
    return not (unit.prefix or term.prefix or term.quoted)


def _clean(items: list[_Item]) -> tuple[str, list[Term], list[Unit]]:
    """Build an FTS5 expression from one level of items, dropping dangling operators."""
    seq: list[str] = []
    terms: list[Term] = []
    units: list[Unit] = []
    ops: list[str] = []
    run: Unit | None = None  # the unit that plain words typed next would extend
    for item in items:
        if isinstance(item, str):
            ops.append(item)
            continue
        if isinstance(item, list):
            expr, unit_terms, sub_units = _clean(item)
            expr = f"({expr})" if expr else ""
        elif item is None:
            expr, unit_terms, sub_units = "", [], []
        else:
            expr, unit_terms, sub_units = item.fts(), [item], [_unit(item)]
        if not expr:  # punctuation only or an empty group: skip, keep pending operators
            continue
        op = None
        if not seq:
            if "NOT" in ops:
                raise QueryError("NOT needs a term before it: write 'a NOT b' to exclude b")
        else:
            op = _resolve(ops)
            seq.append(op)
            if op == "NOT":
                unit_terms, sub_units = _negate(unit_terms), []
        if (
            run is not None and not ops and isinstance(item, Term)
            and item.quoted is False and _joins(run, item)
        ):  # fmt: skip
            merged = Unit(run.folded + item.tokens, run.typed + (item.exact or item.tokens))
            units[-1] = run = merged
        else:
            units += sub_units
            plain = isinstance(item, Term) and op != "NOT" and not (item.quoted or item.prefix)
            run = units[-1] if plain else None
        ops = []
        terms += unit_terms
        seq.append(expr)
    return " ".join(seq), terms, units


def parse_query(query: str) -> ParsedQuery:
    """Parse a user query into a safe FTS5 expression over folded text.

    Syntax: plain words (all must match), ``"quoted phrases"``, ``OR``, ``a NOT b`` (or
    ``a -b``), ``prefix*``, ``(groups)``. Repairs rather than fails where the intent is
    clear: an unbalanced quote or parenthesis is ignored, as are stray ``*`` and dangling
    ``AND``/``OR``. Raises :class:`QueryError` when no searchable word is left, a ``NOT``
    has nothing before it, for ``OR NOT``, and past the bounds (MAX_QUERY_CHARS,
    MAX_QUERY_TERMS, MAX_QUERY_DEPTH).
    """
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query of {len(query):,} characters; at most {MAX_QUERY_CHARS:,}")
    fts, terms, units = _clean(_nest(_lex(query)))
    if not terms:
        raise QueryError(f"no searchable words in query {query.strip()!r}")
    if len(terms) > MAX_QUERY_TERMS:
        raise QueryError(f"query of {len(terms)} words or phrases; at most {MAX_QUERY_TERMS}")
    return ParsedQuery(fts, tuple(terms), tuple(units))


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
