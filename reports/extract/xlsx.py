"""Excel 2007+ (.xlsx): each sheet's tables (merged ranges expanded) and lines of prose, in order.

The workbook's parts pass the zip caps and the DTD refusal first (``safety.check_office_zip``);
openpyxl then streams the values in read-only mode (it parses with defusedxml when installed),
and the merged ranges, which read-only mode does not expose, are read from the sheet XML.
Numbers are written as printed: 12.0 → "12", 24252.311082 stays as is.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from reports.document import Block, Document, Paragraph, Source, Table

from .html import clean_cell
from .safety import ExtractError, Limits, OfficeZip, ZipBudget, corrupt

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
_MAX_CELLS = 200_000


def render_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text else text
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return clean_cell(str(value))


def _sheet_cells(ws, sheet_xml: bytes | None) -> tuple[dict[tuple[int, int], str], list[tuple[int, int, int, int]]]:
    """Non-empty cells by (row, col), and merged ranges as (min_row, min_col, max_row, max_col)."""
    cells: dict[tuple[int, int], str] = {}
    count = 0
    for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
        for c, value in enumerate(row, start=1):
            count += 1
            if count > _MAX_CELLS:
                raise _too_large()
            text = render_value(value)
            if text:
                cells[(r, c)] = text
    merges = []
    for ref in _MERGE.findall(sheet_xml or b""):
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
        if (max_row - min_row + 1) * (max_col - min_col + 1) > _MAX_CELLS:
            raise _too_large()
        merges.append((min_row, min_col, max_row, max_col))
    return cells, merges


def _too_large() -> ExtractError:
    return ExtractError("unsupported", "Excel 工作表过大，无法读取", "an Excel sheet is too large to read")


def sheet_blocks(cells: dict[tuple[int, int], str], merges: list[tuple[int, int, int, int]]) -> list[Block]:
    """Split a sheet into paragraphs and tables.

    Offices put the prose of a report in column A and the tables below it on the same sheet. A row
    holding a single unmerged cell is a line of prose, unless it sits between table rows (a group
    label on a row of its own); consecutive other rows form a table, and an empty row ends it.
    """
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for min_row, min_col, max_row, max_col in merges:
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                origin[(r, c)] = (min_row, min_col)
    text: dict[tuple[int, int], str] = dict(cells)
    for pos, o in origin.items():
        text[pos] = cells.get(o, "")
    by_row: dict[int, list[int]] = {}
    for (r, c), t in text.items():
        if t:
            by_row.setdefault(r, []).append(c)
    if not by_row:
        return []
    kinds: dict[int, str] = {}
    for r, cols in by_row.items():
        single = len(cols) == 1 and (r, cols[0]) not in origin
        kinds[r] = "line" if single else "table"
    rows = sorted(by_row)
    # A single-cell row between two adjacent table rows belongs to the table.
    for i, r in enumerate(rows):
        if kinds[r] == "line" and 0 < i < len(rows) - 1:
            prev, nxt = rows[i - 1], rows[i + 1]
            if prev == r - 1 and nxt == r + 1 and kinds[prev] == "table" and kinds[nxt] == "table":
                kinds[r] = "table"
    blocks: list[Block] = []
    run: list[int] = []

    def close() -> None:
        if run:
            blocks.append(_table(run, text, origin, by_row))
            run.clear()

    for r in rows:
        if kinds[r] == "line":
            close()
            blocks.append(Paragraph(text[(r, by_row[r][0])]))
        else:
            if run and run[-1] != r - 1:
                close()
            run.append(r)
    close()
    return blocks


def _table(rows: list[int], text: dict[tuple[int, int], str], origin: dict[tuple[int, int], tuple[int, int]],
           by_row: dict[int, list[int]]) -> Table:
    cols = [c for r in rows for c in by_row[r]]
    cols += [c for (r, c) in origin if rows[0] <= r <= rows[-1]]
    left, right = min(cols), max(cols)
    top = rows[0]
    grid: list[tuple[str, ...]] = []
    orig: list[tuple[tuple[int, int], ...]] = []
    for r in rows:
        grid.append(tuple(text.get((r, c), "") for c in range(left, right + 1)))
        line = []
        for c in range(left, right + 1):
            o_r, o_c = origin.get((r, c), (r, c))
            # A merge starting above this table (rare) is anchored at the table's first row.
            line.append((max(o_r, top) - top, max(o_c, left) - left))
        orig.append(tuple(line))
    return Table(tuple(grid), tuple(orig))


def read_xlsx(data: bytes, filename: str, limits: Limits, budget: ZipBudget | None = None) -> Document:
    package = OfficeZip(data, limits, kind_zh="Excel", kind_en="Excel", budget=budget)
    parts = {name: package.read(name) for name in package.infos}
    package.zf.close()
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError,
            IndexError, OSError) as exc:
        raise corrupt("Excel", "Excel", f"{type(exc).__name__}: {exc}") from exc
    blocks: list[Block] = []
    try:
        for ws in wb.worksheets:
            path = getattr(ws, "_worksheet_path", "")
            cells, merges = _sheet_cells(ws, parts.get(path.lstrip("/")))
            blocks.extend(sheet_blocks(cells, merges))
    except ExtractError:
        raise
    except (KeyError, ValueError, TypeError, AttributeError, IndexError, zipfile.BadZipFile) as exc:
        raise corrupt("Excel", "Excel", f"{type(exc).__name__}: {exc}") from exc
    finally:
        wb.close()
    return Document(Source.of(filename, data, "xlsx"), blocks)
