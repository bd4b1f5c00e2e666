"""Body names from a list file a user sends for the roster: plain text, CSV or XLSX, one body per line
(or per row: the first non-empty cell). A header such as "机构名称" is skipped."""

from __future__ import annotations

import csv
import io
import re
import zipfile

MAX_BYTES = 2 * 1024 * 1024
MAX_NAMES = 5000
_HEADERS = {"机构", "机构名称", "单位", "单位名称", "名称", "部门", "部门名称", "name", "names", "agency", "agencies", "body"}
_SEPARATORS = re.compile(r"[,，、;；\t]+")


class RosterFileError(ValueError):
    """The file is not a readable list."""


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError("not UTF-8 or GB18030 text")


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise RosterFileError(f"not a readable XLSX workbook ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        return [[str(c).strip() for c in row if c is not None and str(c).strip()]
                for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def names_from_file(data: bytes, filename: str) -> list[str]:
    """The names in the file, in order, without duplicates or a header row."""
    if len(data) > MAX_BYTES:
        raise RosterFileError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    lower = filename.lower()
    if lower.endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
        cells = [row[0] for row in rows if row]
    elif lower.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(_decode(data))))
        cells = [next((c.strip() for c in row if c.strip()), "") for row in rows]
    else:
        cells = [part for line in _decode(data).splitlines() for part in _SEPARATORS.split(line)]
    names: list[str] = []
    seen: set[str] = set()
    for cell in cells:
        name = cell.strip().strip("\"'“”").strip()
        if not name or name in seen:
            continue
        if not names and name.lower() in _HEADERS:
            continue
        seen.add(name)
        names.append(name)
        if len(names) >= MAX_NAMES:
            break
    return names
