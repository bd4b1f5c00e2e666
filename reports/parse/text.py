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


def normalise(s: str) -> str:
    """Full-width ASCII to ASCII and every kind of space to ' ', keeping the length unchanged.

    Text copied out of web pages sometimes keeps "&nbsp;" literally: it is blanked as well.
    """
    s = s.translate(_MAP)
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
        return self.line_blocks[max(i, 0)] if self.line_blocks else 1

    def line_no(self, pos: int) -> int:
        """0-based line index of an offset."""
        return max(bisect_right(self.line_starts, pos) - 1, 0)


def flatten(doc: Document) -> Flat:
    raw: list[str] = []
    owners: list[int] = []
    for i, block in enumerate(doc.blocks, start=1):
        if isinstance(block, Paragraph):
            # A paragraph may itself hold newlines (some readers keep them): each is a line.
            pieces = block.text.split("\n")
        else:
            pieces = render_table(block)
        raw.extend(pieces)
        owners.extend([i] * len(pieces))
    raw_starts: list[int] = []
    pos = 0
    for line in raw:
        raw_starts.append(pos)
        pos += len(line) + 1
    # Normalising may turn a form feed into a line break: the new line keeps its block.
    text = normalise("\n".join(raw))
    starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
    blocks = [owners[bisect_right(raw_starts, st) - 1] for st in starts] if owners else [1]
    return Flat(text, starts, blocks)


_NEWLINE = re.compile("\n")


# ---- label patterns ---------------------------------------------------------------------------

_SIGNIFICANT = re.compile(r"[^\W_]", re.UNICODE)
# Between two characters of a label: punctuation, quotes, spaces, line breaks (labels wrap in PDF
# text and carry stray spaces), never a letter, CJK character or digit.
JOIN = r"[\W_]{0,40}?"


@lru_cache(maxsize=8192)
def significant(s: str) -> str:
    """The letters, digits and CJK characters of a string, without punctuation or spaces."""
    return "".join(_SIGNIFICANT.findall(normalise(s)))


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
