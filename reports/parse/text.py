"""The text the parser reads: a Document flattened to lines, normalised character for character.

Normalisation is a 1:1 character mapping (full-width ASCII → ASCII, odd spaces → space, form feed →
newline), so every offset in the normalised text is an offset in the flattened original and a match
can always be traced back to its block. Table blocks are rendered as pipe rows by ``grid``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from operator import add

from reports.document import Document, Paragraph

from .grid import render_table

_MAP = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}   # full-width ASCII block
_MAP.update({
    0x3000: 0x20,   # ideographic space
    0x00A0: 0x20,   # no-break space (&nbsp;)
    0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x200B: 0x20, 0x200C: 0x20, 0x200D: 0x20, 0x2060: 0x20,
    0xFEFF: 0x20,
    0x0009: 0x20,   # tabs separate cells like spaces do
    0x000C: 0x0A,   # form feed (pdftotext page break) ends a line
    0x000D: 0x20,
    0x000B: 0x0A,
    0x2028: 0x0A, 0x2029: 0x0A,
    0x2212: 0x2D,   # minus sign
    0xFE58: 0x2D,
})


_ENTITY_SPACES = re.compile(r"&(?:nbsp|ensp|emsp);")
# ``str.translate`` looks every character of a CJK text up in the map one by one (over 100 ns each);
# the characters to map are few and repeat ("，", "（", "："). So: find the first one, replace it
# everywhere with ``str.replace``, look for the next from there on. No replacement is itself a key
# of the map, so the order of the replacements does not matter and the result is exactly
# ``s.translate(_MAP)``.
_MAPPED = re.compile("[" + re.escape("".join(map(chr, _MAP))) + "]")
_REPLACEMENT = {chr(k): chr(v) for k, v in _MAP.items()}
assert not set(_MAP.values()) & set(_MAP)


def normalise(s: str) -> str:
    """Full-width ASCII to ASCII and every kind of space to ' ', keeping the length unchanged.

    Text copied out of web pages sometimes keeps "&nbsp;" literally: it is blanked as well.
    """
    m = _MAPPED.search(s)
    while m:
        ch = m.group()
        s = s.replace(ch, _REPLACEMENT[ch])
        m = _MAPPED.search(s, m.start())    # none is left before: the first one was at m.start()
    if "&" in s:
        s = _ENTITY_SPACES.sub(lambda m: " " * len(m.group(0)), s)
    return s


@dataclass(slots=True)
class Flat:
    """The normalised text of a document and the block each line came from."""

    text: str
    line_starts: list[int]      # offset of each line in ``text``
    line_blocks: list[int]      # 1-based index of the block that produced each line

    def block_at(self, pos: int) -> int:
        i = bisect_right(self.line_starts, pos) - 1
        return self.line_blocks[i if i > 0 else 0] if self.line_blocks else 1

    def line_no(self, pos: int) -> int:
        """0-based line index of an offset."""
        i = bisect_right(self.line_starts, pos) - 1
        return i if i > 0 else 0


def flatten(doc: Document) -> Flat:
    blocks = doc.blocks
    if set(map(type, blocks)) == {Paragraph}:
        # Plain text, one paragraph a line (txt files): when no paragraph holds a line break, the
        # lines are the paragraphs, and the work is done by C loops.
        lines = [b.text for b in blocks]
        joined = "\n".join(lines)
        if lines and joined.count("\n") == len(lines) - 1 and not _LINE_BREAKING.search(joined):
            # Line k starts after the k lines before it and their k line breaks.
            starts = list(map(add, accumulate(map(len, lines), initial=0), range(len(lines))))
            return Flat(normalise(joined), starts, list(range(1, len(lines) + 1)))
    raw: list[str] = []
    owners: list[int] = []
    for i, block in enumerate(blocks, start=1):
        if isinstance(block, Paragraph):
            # A paragraph may itself hold newlines (some readers keep them): each is a line.
            text = block.text
            if "\n" not in text:
                raw.append(text)
                owners.append(i)
                continue
            pieces = text.split("\n")
        else:
            pieces = render_table(block)
        raw.extend(pieces)
        owners.extend([i] * len(pieces))
    joined = "\n".join(raw)
    raw_starts = list(accumulate([len(line) + 1 for line in raw[:-1]], initial=0))
    text = normalise(joined)
    if not owners:
        return Flat(text, [0], [1])
    if not _LINE_BREAKING.search(joined):
        # No character that normalising turns into a line break: the lines are the raw ones.
        return Flat(text, raw_starts, owners)
    # Normalising may turn a form feed into a line break: the new line keeps its block.
    starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
    blocks = [owners[bisect_right(raw_starts, st) - 1] for st in starts]
    return Flat(text, starts, blocks)


_NEWLINE = re.compile("\n")
_LINE_BREAKING = re.compile("[" + re.escape("".join(chr(k) for k, v in _MAP.items() if v == 0x0A)) + "]")


# ---- label patterns ---------------------------------------------------------------------------

_SIGNIFICANT = re.compile(r"[^\W_]", re.UNICODE)
_INSIGNIFICANT = re.compile(r"[\W_]+")
# Between two characters of a label: punctuation, quotes, spaces, line breaks (labels wrap in PDF
# text and carry stray spaces), never a letter, CJK character or digit.
JOIN = r"[\W_]{0,40}?"


# Normalising never changes whether a single character is significant (full-width letters and
# digits are letters and digits already): ``sections`` relies on it to find characters in place.
assert all(bool(_SIGNIFICANT.match(chr(k))) == bool(_SIGNIFICANT.match(chr(v))) for k, v in _MAP.items())


@lru_cache(maxsize=8192)
def significant(s: str) -> str:
    """The letters, digits and CJK characters of a string, without punctuation or spaces."""
    return _INSIGNIFICANT.sub("", normalise(s))     # cheaper than joining what _SIGNIFICANT finds


@lru_cache(maxsize=4096)
def fuzzy(label: str) -> str:
    """A regex matching ``label`` with any punctuation or whitespace between its characters."""
    return JOIN.join(re.escape(c) for c in significant(label))


@lru_cache(maxsize=1024)
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}


def cn_number(s: str) -> int | None:
    """一 … 九十九 as an int (enough for ordinals and months)."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if "十" in s:
        a, _, b = s.partition("十")
        tens = _CN_DIGITS.get(a, 1) if a else 1
        ones = _CN_DIGITS.get(b, 0) if b else 0
        return tens * 10 + ones
    return _CN_DIGITS.get(s)
