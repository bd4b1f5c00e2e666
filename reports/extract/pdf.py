"""PDF with a text layer: tables as span-expanded grids, other text as lines in reading order.

pdfplumber reports a merged cell once, at its first grid position, and ``None`` elsewhere; the
span of each cell is recovered from its bounding box so every covered position gets the text
and an ``origin``. A table cut by a page break continues on the next page: the parts are joined
when they span the same width and nothing but a page number lies between, with their columns
aligned by position and the row the break cut in two put back together.
Image-only scans and fonts without a Unicode map (``(cid:NNN)``) cannot give numbers: refused.
"""

from __future__ import annotations

import io
import re
import time
from bisect import bisect_left
from dataclasses import dataclass

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from reports.document import Block, Document, Paragraph, Source, Table

from .html import clean_cell
from .safety import ExtractError, Limits, corrupt

_PAGE_NUMBER = re.compile(r"^[\s\-—–－·•]*(第\s*\d+\s*页(\s*[/，,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d+)[\s\-—–－·•]*$")
_NUMBER = re.compile(r"^[-+]?[\d,，.]+(元|万元|%)?$")
_TOL = 2.0


def _scanned() -> ExtractError:
    return ExtractError("scanned", "扫描件，无文字层，无法读取数字；请提供可复制文字的 PDF、Word 或网页版本",
                        "a scanned PDF without a text layer: the numbers cannot be read; "
                        "send a PDF with selectable text, a Word file or the web page")


def _garbled() -> ExtractError:
    return ExtractError("scanned", "PDF 的文字层无法识别（字体缺少编码映射），无法读取数字；请提供 Word 或网页版本",
                        "the PDF's text layer is unreadable (fonts without a Unicode map): the numbers cannot be read; "
                        "send the Word file or the web page")


def _dedupe(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _TOL:
            out.append(v)
    return out


def _index(edges: list[float], value: float) -> int:
    """Position of ``value`` among sorted, de-duplicated ``edges`` (within a small tolerance)."""
    return min(bisect_left(edges, value - _TOL), len(edges) - 1)


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text))


@dataclass(slots=True)
class _Part:
    """A table found on one page with the x positions of its columns (to join it across pages)."""

    table: Table
    xs: list[float]
    right: float


def table_grid(table) -> _Part | None:  # a pdfplumber.table.Table
    cells = table.cells
    if not cells:
        return None
    xs = _dedupe([c[0] for c in cells])
    ys = _dedupe([c[1] for c in cells])
    texts = table.extract()
    n_rows, n_cols = len(ys), len(xs)
    grid: list[list[str]] = [[""] * n_cols for _ in range(n_rows)]
    origin: list[list[tuple[int, int]]] = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    for x0, top, x1, bottom in cells:
        r0, c0 = _index(ys, top), _index(xs, x0)
        r1 = max(r0 + 1, bisect_left(ys, bottom - _TOL))
        c1 = max(c0 + 1, bisect_left(xs, x1 - _TOL))
        raw = texts[r0][c0] if r0 < len(texts) and c0 < len(texts[r0]) else None
        text = clean_cell(raw or "")
        for r in range(r0, min(r1, n_rows)):
            for c in range(c0, min(c1, n_cols)):
                grid[r][c] = text
                origin[r][c] = (r0, c0)
    right = max(c[2] for c in cells)
    return _Part(Table(tuple(tuple(row) for row in grid), tuple(tuple(row) for row in origin)), xs, right)


def _regrid(part: _Part, xs: list[float]) -> Table:
    """The part's grid spread over finer column edges ``xs`` (a superset of its own)."""
    col_of = [max(0, bisect_left(part.xs, x + _TOL) - 1) for x in xs]
    first_of: dict[int, int] = {}
    for u, c in enumerate(col_of):
        first_of.setdefault(c, u)
    t = part.table
    rows = tuple(tuple(t.rows[r][c] for c in col_of) for r in range(len(t.rows)))
    origin = tuple(tuple((t.origin[r][c][0], first_of[t.origin[r][c][1]]) for c in col_of) for r in range(len(t.rows)))
    return Table(rows, origin)


def _page_blocks(page) -> list[tuple[float, Paragraph | _Part]]:
    placed: list[tuple[float, Paragraph | _Part]] = []
    boxes = []
    for t in page.find_tables():
        part = table_grid(t)
        if part is not None and part.table.rows:
            placed.append((t.bbox[1], part))
            boxes.append(t.bbox)
    # A line belongs to a table when its middle lies inside the table's box: a heading that merely
    # touches the box edge (common right above or below a table) stays a paragraph.
    for line in page.extract_text_lines(return_chars=False):
        text = line["text"].strip()
        if not text:
            continue
        mx, my = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
        if any(x0 <= mx <= x1 and top <= my <= bottom for x0, top, x1, bottom in boxes):
            continue
        placed.append((line["top"], Paragraph(text)))
    placed.sort(key=lambda item: item[0])
    return placed


def _join_pages(pages: list[list[Paragraph | _Part]]) -> list[Block]:
    """Concatenate pages, joining a table that continues across a page break.

    The two parts must span the same width on the page; their columns are aligned by position
    (the part above the break may lack sub-columns that only appear further down).
    """
    out: list[Paragraph | _Part] = []
    for blocks in pages:
        if out and blocks and isinstance(blocks[0], _Part):
            # The last table before the page break, past any page-number lines.
            i = len(out) - 1
            while i >= 0 and isinstance(out[i], Paragraph) and _PAGE_NUMBER.match(out[i].text):
                i -= 1
            prev, nxt = (out[i] if i >= 0 else None), blocks[0]
            if isinstance(prev, _Part) and abs(prev.xs[0] - nxt.xs[0]) <= _TOL and abs(prev.right - nxt.right) <= _TOL:
                xs = _dedupe(prev.xs + nxt.xs)
                out[i:] = [_Part(_concat(_regrid(prev, xs), _regrid(nxt, xs)), xs, prev.right)]
                blocks = blocks[1:]
        out.extend(blocks)
    return [b.table if isinstance(b, _Part) else b for b in out]


def _concat(a: Table, b: Table) -> Table:
    """Join a table continued on the next page, repairing what the page break cut.

    - A merged cell running over the break is drawn again, empty, on the new page: an empty cell
      at the top of the continuation under a merged cell (or itself merged) takes the text above.
    - A row split by the break: the continuation's first row only carries the rest of text cells
      of the last row (a wrapped label); its text is appended to those cells.
    """
    rows_a = [list(r) for r in a.rows]
    origin_a = [list(r) for r in a.origin]
    rows_b = [list(r) for r in b.rows]
    origin_b = [list(r) for r in b.origin]
    last, width, shift = len(rows_a) - 1, a.width, len(a.rows)
    spans_b: dict[tuple[int, int], int] = {}
    for r, row in enumerate(origin_b):
        for o in row:
            spans_b[o] = max(spans_b.get(o, 0), r - o[0] + 1)
    inherited: dict[tuple[int, int], tuple[str, tuple[int, int]]] = {}
    for c in range(width):
        o = origin_b[0][c]
        above = rows_a[last][c]
        merged = spans_b.get(o, 1) > 1 or origin_a[last][c][0] < last
        if rows_b[o[0]][o[1]] == "" and merged and above and not _is_number(above):
            inherited[o] = (above, origin_a[last][c])
    for r, row in enumerate(origin_b):
        for c, o in enumerate(row):
            if o in inherited:
                rows_b[r][c], origin_b[r][c] = inherited[o]
            else:
                origin_b[r][c] = (o[0] + shift, o[1])
    if rows_b:
        first, prev = rows_b[0], rows_a[last]
        own = [c for c in range(width) if first[c] and origin_b[0][c][0] == shift]
        if own and all(prev[c] and not _is_number(prev[c]) and not _is_number(first[c]) for c in own) \
                and any(prev[c] and not first[c] for c in range(width)):
            joined: dict[tuple[int, int], tuple[str, tuple[int, int]]] = {}
            for c in own:
                if origin_b[0][c] not in joined:
                    joined[origin_b[0][c]] = (prev[c] + first[c], origin_a[last][c])
            for c in range(width):
                if origin_b[0][c] in joined:
                    prev[c] = joined[origin_b[0][c]][0]
            # Cells of the cut row spanning further down keep pointing at the joined cell.
            for r, row in enumerate(origin_a):
                for c, o in enumerate(row):
                    if o == origin_a[last][c] and c in own:
                        rows_a[r][c] = prev[c]
            rows_b, origin_b = rows_b[1:], origin_b[1:]
            for r, row in enumerate(origin_b):
                for c, o in enumerate(row):
                    if o in joined:
                        rows_b[r][c], origin_b[r][c] = joined[o]
                    elif o[0] > shift:
                        origin_b[r][c] = (o[0] - 1, o[1])
    return Table(tuple(tuple(r) for r in rows_a + rows_b), tuple(tuple(r) for r in origin_a + origin_b))


def read_pdf(data: bytes, filename: str, limits: Limits) -> Document:
    started = time.monotonic()
    try:
        pdf = pdfplumber.open(io.BytesIO(data), pages=list(range(1, limits.max_pdf_pages + 1)))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ExtractError("encrypted", "PDF 已加密（设有密码），无法读取；请去除密码后再发送",
                               "the PDF is encrypted (password-protected); remove the password and send it again") from exc
        raise corrupt("PDF", "PDF", str(cause)) from exc
    pages: list[list[Paragraph | _Part]] = []
    chars = cid = private = 0
    with pdf:
        try:
            for page in pdf.pages:
                if time.monotonic() - started > limits.pdf_seconds:
                    raise ExtractError("timeout", f"PDF 处理超时（超过 {limits.pdf_seconds:.0f} 秒）",
                                       f"reading the PDF took too long (over {limits.pdf_seconds:.0f} s)")
                page_chars = page.chars
                chars += len(page_chars)
                for ch in page_chars:
                    text = ch.get("text", "")
                    cid += text.startswith("(cid:")
                    private += bool(text) and "\ue000" <= text[0] <= "\uf8ff"
                pages.append([b for _, b in _page_blocks(page)])
        except ExtractError:
            raise
        except (PdfminerException, ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError,
                ZeroDivisionError, RecursionError, AssertionError) as exc:
            raise corrupt("PDF", "PDF", f"{type(exc).__name__}: {exc}") from exc
    if not pages:
        raise corrupt("PDF", "PDF", "no pages")
    if chars < 20:
        # No text layer: an image-only scan (or text drawn as outlines, which reads the same).
        raise _scanned()
    if cid + private > chars * 0.3:
        raise _garbled()
    return Document(Source.of(filename, data, "pdf"), _join_pages(pages))
