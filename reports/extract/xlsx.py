"""Excel 2007+ (.xlsx): each sheet's tables (merged ranges expanded) and lines of prose, in order.

The workbook's parts are read through the zip caps and the DTD refusal (``safety.OfficeZip``) and
parsed with lxml (no entities, no network): the workbook's sheet list, the shared strings, the date
formats of the cell styles and each sheet's cells and merged ranges (``<mergeCell ref=…>``). Values
are read as openpyxl reads them in read-only, data-only mode (cached formula results, dates from
date-formatted serials, the sheet's declared dimension bounding what is read), without building its
objects, which cost four times as much as reading the XML. Numbers are written as printed:
12.0 → "12", 24252.311082 stays as is.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from decimal import Decimal

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_to_tuple,
    range_boundaries,
)
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    WINDOWS_EPOCH,
    from_excel,
    from_ISO8601,
)

from reports.document import Block, Document, Paragraph, Source, Table

from .docx import first_child
from .html import clean_cell
from .safety import ExtractError, Limits, OfficeZip, ZipBudget, corrupt

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
_MAX_CELLS = 200_000
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_ROW, _C, _V, _IS, _T, _R = f"{S}row", f"{S}c", f"{S}v", f"{S}is", f"{S}t", f"{S}r"
_DIMENSION, _SHEET_DATA = f"{S}dimension", f"{S}sheetData"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True,
                          load_dtd=False)


def render_value(value: object) -> str:
    # The two kinds nearly every cell holds first (exact types: a bool is an int too).
    kind = type(value)
    if kind is str:
        return clean_cell(value)
    if kind is int:
        return str(value)
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


def _xml(data: bytes, what: str) -> etree._Element:
    try:
        return etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise corrupt("Excel", "Excel", f"{what}: {exc}") from exc


def _string_item(si: etree._Element) -> str:
    """A shared or inline string: its plain text then its rich-text runs (phonetic guides left out)."""
    if len(si) == 1:
        only = si[0]
        if only.tag == _T:  # the usual string: one w:t, no runs
            return only.text or ""
    parts: list[str] = []
    runs: list[etree._Element] = []
    for child in si:
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _R:
            runs.append(child)
    for run in runs:
        for t in run:
            if t.tag == _T:
                parts.append(t.text or "")
                break
    return "".join(parts)


def _shared_strings(root: etree._Element | None) -> list[str]:
    if root is None:
        return []
    return [_string_item(si).replace("x005F_", "") for si in root.iter(f"{S}si")]


def _date_styles(root: etree._Element | None) -> tuple[set[int], set[int]]:
    """Indices of the cell styles whose number format shows a date, and those showing a duration."""
    dates: set[int] = set()
    durations: set[int] = set()
    if root is None:
        return dates, durations
    custom = {}
    # Only the workbook's own formats: a differential format (dxf, for conditional formatting) has
    # a numFmt of its own that no cell style refers to.
    fmts = first_child(root, f"{S}numFmts")
    for fmt in fmts.iter(f"{S}numFmt") if fmts is not None else ():
        try:
            custom[int(fmt.get("numFmtId", ""))] = fmt.get("formatCode", "")
        except ValueError:
            continue
    xfs = first_child(root, f"{S}cellXfs")
    for idx, xf in enumerate(xfs.iter(f"{S}xf") if xfs is not None else ()):
        try:
            fmt_id = int(xf.get("numFmtId", "0"))
        except ValueError:
            fmt_id = 0
        fmt = custom[fmt_id] if fmt_id in custom else BUILTIN_FORMATS.get(fmt_id)
        if fmt is None:
            continue
        if is_date_format(fmt):
            dates.add(idx)
        if is_timedelta_format(fmt):
            durations.add(idx)
    return dates, durations


def _number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _Book:
    """What every sheet's cells need from the workbook: shared strings, date styles and epoch."""

    def __init__(self, strings: list[str], dates: set[int], durations: set[int], epoch: dt.datetime) -> None:
        self.strings = strings
        self.dates = dates
        self.durations = durations
        self.epoch = epoch

    def text(self, c: etree._Element) -> str:
        """``render_value(self.value(c))`` for a cell with children, the usual kinds read directly."""
        kind = c.get("t")
        first = c[0]  # the element value() would find first, in the usual cell
        if kind == "inlineStr":
            if first.tag == _IS:
                return clean_cell(_string_item(first))
        elif kind is None or kind == "n":
            if first.tag == _V:
                raw = first.text
                if not raw:
                    return ""
                number = _number(raw)  # (before the style, as in value(): a bad number is the error shown)
                style = c.get("s")
                if not style or int(style) not in self.dates:
                    return render_value(number)
        elif kind == "s":
            if first.tag == _V:
                raw = first.text
                return clean_cell(self.strings[int(raw)]) if raw else ""
        return render_value(self.value(c))

    def value(self, c: etree._Element) -> object:
        kind = c.get("t", "n")
        if kind == "inlineStr":
            inline = first_child(c, _IS)
            return None if inline is None else _string_item(inline)
        v = first_child(c, _V)
        raw = None if v is None else v.text
        if not raw:
            return None
        if kind == "n":
            value = _number(raw)
            style = c.get("s")
            if style:
                idx = int(style)
                if idx in self.dates:
                    try:
                        return from_excel(value, self.epoch, timedelta=idx in self.durations)
                    except (OverflowError, ValueError):
                        return "#VALUE!"
            return value
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "b":
            return bool(int(raw))
        if kind == "d":
            return from_ISO8601(raw)
        return raw


_REF = re.compile(r"([A-Z]{1,3})[0-9]+")
_COLUMNS: dict[str, int] = {}


def _column(ref: str) -> int:
    """The column of a cell reference ("C12" → 3)."""
    # Letters already seen (and checked by the pattern below) followed by ASCII digits.
    letters = ref.rstrip("0123456789")
    if len(letters) < len(ref):
        col = _COLUMNS.get(letters)
        if col is not None:
            return col
    m = _REF.fullmatch(ref)
    if m is None:
        return coordinate_to_tuple(ref)[1]  # its errors (a malformed reference) are openpyxl's
    letters = m.group(1)
    col = _COLUMNS.get(letters)
    if col is None:
        col = _COLUMNS[letters] = column_index_from_string(letters)
    return col


def _dimension(root: etree._Element) -> tuple[int | None, int | None]:
    """The (max_row, max_col) the sheet declares; rows and columns beyond it are not read."""
    for el in root:
        if el.tag == _DIMENSION:
            ref = el.get("ref")
            if ref:
                _, _, max_col, max_row = range_boundaries(ref)
                return max_row, max_col
            return None, None
        if el.tag == _SHEET_DATA:
            break
    return None, None


def _row_number(attr: str) -> int:
    try:
        return int(attr)
    except ValueError:
        as_float = float(attr)
        if not as_float.is_integer():
            raise ValueError(f"{attr} is not a valid row number") from None
        return int(as_float)


def _sheet_cells(root: etree._Element, book: _Book, sheet_xml: bytes) -> tuple[dict[int, dict[int, str]], list[tuple[int, int, int, int]]]:
    """Non-empty cells by row then column, and merged ranges as (min_row, min_col, max_row, max_col)."""
    max_row, max_col = _dimension(root)
    empty_width = max_col or 0
    cells: dict[int, dict[int, str]] = {}
    count = 0
    next_row = 1  # rows are read in order: one numbered below this (a repeat, or out of order) is dropped
    row_no = 0
    data = first_child(root, _SHEET_DATA)
    for row in data.iter(_ROW) if data is not None else ():
        attr = row.get("r")
        row_no = _row_number(attr) if attr is not None else row_no + 1
        if max_row is not None and row_no > max_row:
            break
        if row_no < next_row:
            continue
        # Rows left out of the XML are empty rows: they count towards the cap as full rows.
        count += (row_no - next_row) * empty_width
        next_row = row_no + 1
        # Each value is rendered as it is read (rendering cannot fail, so this only does it sooner).
        texts: dict[int, str] = {}
        col = last = 0
        for c in row:
            if c.tag != _C:
                continue
            ref = c.get("r")
            col = _column(ref) if ref else col + 1
            last = col
            if len(c):  # a cell without children is only formatted: it has no value
                texts[col] = book.text(c)
            else:
                texts.pop(col, None)
        width = max_col or last
        count += width
        if count > _MAX_CELLS:
            raise _too_large()
        line = {c: text for c, text in texts.items() if text and 1 <= c <= width}
        if line:
            cells[row_no] = line
    if max_row is not None and next_row <= max_row and row_no > max_row:
        count += (max_row + 1 - next_row) * empty_width
        if count > _MAX_CELLS:
            raise _too_large()
    merges = []
    # Every match holds "mergeCell" right after its "<": the scan can start at the "<" before the
    # first one (Excel writes them after the cell data) rather than at the top of the sheet.
    first = sheet_xml.find(b"mergeCell")
    start = max(sheet_xml.rfind(b"<", 0, first), 0) if first >= 0 else len(sheet_xml)
    for ref in _MERGE.findall(sheet_xml, start):
        min_col, min_row, max_col, max_row = _range(ref.decode())
        if (max_row - min_row + 1) * (max_col - min_col + 1) > _MAX_CELLS:
            raise _too_large()
        merges.append((min_row, min_col, max_row, max_col))
    return cells, merges


_PLAIN_RANGE = re.compile(r"([A-Z]{1,3})([0-9]+)(?::([A-Z]{1,3})([0-9]+))?")


def _range(ref: str) -> tuple[int, int, int, int]:
    """``range_boundaries(ref)`` for a plain "B2:D5" or "B2", without its general parsing."""
    m = _PLAIN_RANGE.fullmatch(ref)
    if m is None:
        return range_boundaries(ref)  # (and its error for, say, a four-letter column)
    first_col, first_row, last_col, last_row = m.groups()
    min_col, min_row = column_index_from_string(first_col), int(first_row)
    if last_col is None:
        return min_col, min_row, min_col, min_row
    return min_col, min_row, column_index_from_string(last_col), int(last_row)


def _too_large() -> ExtractError:
    return ExtractError("unsupported", "Excel 工作表过大，无法读取", "an Excel sheet is too large to read")


_EMPTY: dict = {}  # never written to


def sheet_blocks(cells: dict[int, dict[int, str]], merges: list[tuple[int, int, int, int]]) -> list[Block]:
    """Split a sheet into paragraphs and tables.

    Offices put the prose of a report in column A and the tables below it on the same sheet. A row
    holding a single unmerged cell is a line of prose, unless it sits between table rows (a group
    label on a row of its own); consecutive other rows form a table, and an empty row ends it.
    Positions are kept row by row ({row: {col: …}}), so a table's row is read with one lookup.
    """
    # The top-left cell of the merged range covering each merged position (a later range wins).
    origin: dict[int, dict[int, tuple[int, int]]] = {}
    for min_row, min_col, max_row, max_col in merges:
        top_left = (min_row, min_col)
        for r in range(min_row, max_row + 1):
            line = origin.setdefault(r, {})
            for c in range(min_col, max_col + 1):
                line[c] = top_left
    # Each position's text: its own, or for a merged position the text of the range's top-left cell.
    text: dict[int, dict[int, str]] = {r: dict(line) for r, line in cells.items()}
    for r, line in origin.items():
        row_text = text.setdefault(r, {})
        for c, (o_r, o_c) in line.items():
            row_text[c] = cells.get(o_r, _EMPTY).get(o_c, "")
    by_row: dict[int, list[int]] = {}
    for r, row_text in text.items():
        cols = [c for c, t in row_text.items() if t]
        if cols:
            by_row[r] = cols
    if not by_row:
        return []
    kinds: dict[int, str] = {}
    for r, cols in by_row.items():
        single = len(cols) == 1 and cols[0] not in origin.get(r, ())
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
            blocks.append(Paragraph(text[r][by_row[r][0]]))
        else:
            if run and run[-1] != r - 1:
                close()
            run.append(r)
    close()
    return blocks


def _table(rows: list[int], text: dict[int, dict[int, str]], origin: dict[int, dict[int, tuple[int, int]]],
           by_row: dict[int, list[int]]) -> Table:
    """The grid of consecutive ``rows`` (each holds text), from the leftmost to the rightmost column used."""
    cols = [c for r in rows for c in by_row[r]]
    cols += [c for r in rows for c in origin.get(r, ())]
    left, right = min(cols), max(cols)
    top = rows[0]
    span = range(left, right + 1)
    grid: list[tuple[str, ...]] = []
    orig: list[tuple[tuple[int, int], ...]] = []
    for r in rows:
        row_text = text[r]
        grid.append(tuple([row_text.get(c, "") for c in span]))
        line = [(r - top, c - left) for c in span]
        for c, (o_r, o_c) in origin.get(r, _EMPTY).items():
            if left <= c <= right:
                # A merge starting above this table (rare) is anchored at the table's first row
                # (max(o_r, top) - top, max(o_c, left) - left, without the calls).
                line[c - left] = (o_r - top if o_r > top else 0, o_c - left if o_c > left else 0)
        orig.append(tuple(line))
    return Table(tuple(grid), tuple(orig))


_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_WORKBOOK_TYPES = tuple(f"application/vnd.{t}.main+xml" for t in (
    "ms-excel.template.macroEnabled", "openxmlformats-officedocument.spreadsheetml.template",
    "ms-excel.sheet.macroEnabled", "openxmlformats-officedocument.spreadsheetml.sheet"))
_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _part(package: OfficeZip, name: str) -> etree._Element | None:
    data = package.read(name)
    return None if data is None else _xml(data, name)


def _content_types(package: OfficeZip) -> tuple[str, str | None]:
    """The workbook part and the shared strings part, as the package's content types name them."""
    root = _part(package, "[Content_Types].xml")
    if root is None:
        raise corrupt("Excel", "Excel", "no [Content_Types].xml")
    overrides = {o.get("ContentType"): (o.get("PartName") or "")[1:] for o in reversed(root.findall(f"{_CT}Override"))}
    workbook = next((overrides[t] for t in _WORKBOOK_TYPES if t in overrides), None)
    if workbook is None:
        defaults = {d.get("ContentType") for d in root.findall(f"{_CT}Default")}
        if not defaults & set(_WORKBOOK_TYPES):
            raise corrupt("Excel", "Excel", "no workbook part")
        workbook = "xl/workbook.xml"
    return workbook, overrides.get(_SHARED_STRINGS)


def _worksheets(package: OfficeZip, workbook: str) -> tuple[list[str], dt.datetime]:
    """The worksheets' part names in the workbook's order (chart sheets left out), and the date epoch."""
    root = _part(package, workbook)
    if root is None:
        raise corrupt("Excel", "Excel", "no workbook part")
    folder = posixpath.dirname(workbook)
    rels_name = posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels")
    rels: dict[str, tuple[str, str]] = {}
    rels_root = _part(package, rels_name)
    for rel in rels_root.iter(_REL) if rels_root is not None else ():
        target = rel.get("Target") or ""
        if rel.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        rels[rel.get("Id") or ""] = (rel.get("Type") or "", target)
    pr = root.find(f"{S}workbookPr")
    epoch = CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in ("1", "true") else WINDOWS_EPOCH
    sheets: list[str] = []
    for sheet in root.iter(f"{S}sheet"):
        rid = sheet.get(_R_ID)
        if not rid:
            continue
        kind, target = rels[rid]
        if target in package.infos and "chartsheet" not in kind:
            sheets.append(target)
    return sheets, epoch


def read_xlsx(data: bytes, filename: str, limits: Limits, budget: ZipBudget | None = None) -> Document:
    blocks: list[Block] = []
    with OfficeZip(data, limits, kind_zh="Excel", kind_en="Excel", budget=budget) as package:
        try:
            workbook, strings_part = _content_types(package)
            sheets, epoch = _worksheets(package, workbook)
            strings = _shared_strings(_part(package, strings_part) if strings_part else None)
            dates, durations = _date_styles(_part(package, "xl/styles.xml"))
            book = _Book(strings, dates, durations, epoch)
            for name in sheets:
                sheet_xml = package.read(name) or b""
                cells, merges = _sheet_cells(_xml(sheet_xml, name), book, sheet_xml)
                blocks.extend(sheet_blocks(cells, merges))
        except ExtractError:
            raise
        except (KeyError, ValueError, TypeError, AttributeError, IndexError, OverflowError) as exc:
            raise corrupt("Excel", "Excel", f"{type(exc).__name__}: {exc}") from exc
    return Document(Source.of(filename, data, "xlsx"), blocks)
