"""The format-neutral result of extraction: an ordered list of paragraphs and table grids.

Every reader (txt, html, docx, doc, pdf, xlsx) produces a ``Document``; the parser knows nothing
about file formats. A table is a rectangular grid of cell strings with row/column spans already
expanded (a merged cell's text is repeated in every grid position it covers, and ``merged`` marks
the copies so sums never count them twice).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

Shape = Literal["text", "html", "docx", "doc", "pdf", "xlsx", "link"]


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class Table:
    """A grid of cell texts. ``rows[r][c]`` is the text at row r, column c ('' for an empty cell).

    ``origin[r][c]`` is the (row, col) of the top-left cell of the span that covers (r, c); for an
    unmerged cell it is (r, c) itself. Readers that cannot know spans leave ``origin`` empty.
    """

    rows: tuple[tuple[str, ...], ...]
    origin: tuple[tuple[tuple[int, int], ...], ...] = ()

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def is_copy(self, r: int, c: int) -> bool:
        """True when (r, c) repeats a merged cell whose text already appeared at its origin."""
        if not self.origin:
            return False
        return self.origin[r][c] != (r, c)


Block = Paragraph | Table


@dataclass(frozen=True, slots=True)
class Source:
    file: str
    sha256: str
    shape: Shape
    url: str | None = None

    @classmethod
    def of(cls, file: str, data: bytes, shape: Shape, url: str | None = None) -> "Source":
        return cls(file=file, sha256=hashlib.sha256(data).hexdigest(), shape=shape, url=url)


@dataclass(slots=True)
class Document:
    source: Source
    blocks: list[Block] = field(default_factory=list)

    def text(self) -> str:
        """The document flattened to lines; table rows become cells joined by tabs."""
        out: list[str] = []
        for b in self.blocks:
            if isinstance(b, Paragraph):
                out.append(b.text)
            else:
                out.extend("\t".join(row) for row in b.rows)
        return "\n".join(out)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
