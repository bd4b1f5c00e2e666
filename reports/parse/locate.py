"""Where the tables and their rows are in the flattened text.

Tables are found by their rows, not by their headers (web pages often drop header cells): each row
of the template is searched for by its label (or an alias), in template order, each after the
previous one. The text between one row's label and the next row's label is that row's region; the
next row's ordinal ("2.", "（三）", "四、") is cut off the region because collapsed text glues it
to the previous row's digits ("00000002.其他法律…").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reports.templates import Row, TableSpec

from .sections import Heading
from .text import JOIN, compiled, fuzzy, significant

KEY_CHARS = 10      # a label is recognised by its first characters: wrapped PDF labels break later
SHORT_KEY = 6       # …or, failing that, by fewer (a margin label printed inside a wrapped one)
SHORT_LABEL = 2     # labels this short ("其他", "总计") only count with their ordinal in front

ARTICLE = re.compile(r"第\s*二\s*十\s*条")
REQUESTS_ANCHOR = re.compile(fuzzy("本列数据的勾稽关系为") + "|" + fuzzy("本年新收政府信息公开申请数量"))
APPEALS_ANCHOR = re.compile(fuzzy("行政复议"))


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class RowHit:
    row: Row
    label_start: int    # where the row's ordinal or label begins
    value_start: int    # just after the matched label key


def _marker_regex(marker: str) -> str:
    if not marker:
        return ""
    core = marker.strip("（）()")
    if marker.startswith(("（", "(")):
        return r"\(\s*" + re.escape(core) + r"\s*\)"
    if core.isdigit():
        return re.escape(core) + r"\s*[.、,]"
    return re.escape(core) + r"\s*[、.,]?"


@lru_cache(maxsize=1024)
def _row_pattern(row: Row, key_chars: int = KEY_CHARS) -> re.Pattern[str]:
    alts: list[str] = []
    labels = sorted({significant(x) for x in row.labels}, key=len, reverse=True)
    marker = _marker_regex(row.marker)
    for label in labels:
        if not label:
            continue
        key = JOIN.join(re.escape(c) for c in label[:key_chars])
        if len(label) <= SHORT_LABEL and marker:
            alts.append(marker + r"\s*" + key)
        else:
            alts.append(key)
    # Bare alternatives (none holds a '|' of its own) each begin with a literal character, which
    # lets the regex engine skip to the places where a label can begin.
    return compiled("|".join(alts))


def _marker_before(row: Row) -> re.Pattern[str] | None:
    """The row's ordinal at the end of the text searched (None for a row without one)."""
    marker = _marker_regex(row.marker)
    return compiled(r"(?:" + marker + r")[\s|]*$") if marker else None


@dataclass(frozen=True, slots=True)
class _Lookup:
    """The patterns that find one row, compiled once per template row."""

    row: Row
    key: re.Pattern[str]                # the label's first KEY_CHARS characters
    short_key: re.Pattern[str]          # …or its first SHORT_KEY
    marker: re.Pattern[str] | None      # the ordinal printed before the label


_LOOKUPS: dict[int, tuple[TableSpec, tuple[_Lookup, ...]]] = {}


def _lookups(spec: TableSpec) -> tuple[_Lookup, ...]:
    """Cached by identity, like ``checks.values.layout``: hashing a frozen spec walks all of it."""
    hit = _LOOKUPS.get(id(spec))
    if hit is None or hit[0] is not spec:
        hit = (spec, tuple(_Lookup(row, _row_pattern(row), _row_pattern(row, SHORT_KEY), _marker_before(row))
                           for row in spec.rows))
        _LOOKUPS[id(spec)] = hit
    return hit[1]


def _strip_marker(text: str, start: int, end: int, marker: re.Pattern[str] | None) -> int:
    """The offset where the row's ordinal begins, if the text right before ``end`` is that ordinal."""
    if marker is None:
        return end
    m = marker.search(text, max(start, end - 12), end)
    return m.start() if m else end


def find_rows(text: str, spec: TableSpec, span: Span) -> list[RowHit]:
    """The rows of ``spec`` found in ``span``, in the order they are printed.

    Rows are looked for in template order, each after the previous one; a row not found there
    (printed out of order) is then looked for anywhere in the table, away from the labels already
    found.
    """
    hits: list[RowHit] = []
    missing: list[_Lookup] = []
    pos = span.start
    for look in _lookups(spec):
        m = look.key.search(text, pos, span.end) or look.short_key.search(text, pos, span.end)
        if not m:
            missing.append(look)
            continue
        label_start = _strip_marker(text, pos, m.start(), look.marker)
        hits.append(RowHit(look.row, label_start, m.end()))
        pos = m.end()
    for look in missing:
        for m in look.short_key.finditer(text, span.start, span.end):
            if any(h.label_start <= m.start() < h.value_start or m.start() <= h.label_start < m.end()
                   for h in hits):
                continue
            hits.append(RowHit(look.row, _strip_marker(text, span.start, m.start(), look.marker), m.end()))
            break
    hits.sort(key=lambda h: h.label_start)
    return hits


def _first(pattern: re.Pattern[str], text: str, start: int, end: int) -> int | None:
    m = pattern.search(text, start, end)
    return m.start() if m else None


def table_spans(text: str, headings: list[Heading]) -> dict[str, Span | None]:
    """The stretch of text each table may occupy (None when there is no sign of the table)."""
    heads = {h.section: h for h in headings}
    n = len(text)

    def after(section: str, default: int) -> int:
        h = heads.get(section)
        return h.end if h else default

    def before(sections: tuple[str, ...], start: int) -> int:
        for s in sections:
            h = heads.get(s)
            if h and h.start >= start:
                return h.start
        return n

    # Table 二 starts at its first 第二十条 article line, after the section heading when there is one.
    d_from = after("disclosure", 0)
    d_start = _first(ARTICLE, text, d_from, n)
    r_from = d_start if d_start is not None else after("disclosure", 0)
    r_start = _first(REQUESTS_ANCHOR, text, max(r_from, after("requests", 0) if "requests" in heads else 0), n)
    if r_start is None:
        r_start = _first(REQUESTS_ANCHOR, text, 0, n)
    disclosure: Span | None = None
    if d_start is not None:
        d_end = before(("requests", "appeals", "problems", "other"), d_start)
        if r_start is not None and r_start > d_start:
            d_end = min(d_end, r_start)
        disclosure = Span(d_start, d_end)
    requests: Span | None = None
    if r_start is not None:
        q_start = r_start
        head = heads.get("requests")
        if head is not None and (d_start is None or head.start > d_start) and head.end <= r_start:
            q_start = head.end      # the table begins under its heading, whatever row comes first
        q_end = before(("appeals", "problems", "other"), q_start)
        if "appeals" not in heads:
            # No heading before table 四: the table ends where table 四's header begins.
            q_end = min(q_end, _first(APPEALS_ANCHOR, text, q_start, q_end) or q_end)
        requests = Span(q_start, q_end)
    appeals: Span | None = None
    a_head = heads.get("appeals")
    a_from = requests.end if requests else (a_head.start if a_head else None)
    if a_from is not None:
        a_start = _first(APPEALS_ANCHOR, text, a_from, n)
        if a_start is not None:
            a_end = before(("problems", "other"), a_start)
            appeals = Span(a_head.start if a_head and a_head.start >= a_from else a_start, a_end)
    return {"disclosure": disclosure, "requests": requests, "appeals": appeals}
