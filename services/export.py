"""Export stored reports as CSV or XLSX: one row per report, every figure in its own column.

Two header rows: the machine ids of ``contract.md`` (``requests.new.natural_person`` = table.row.column;
row ids may contain dots, column ids never do) and the Chinese labels. A figure that is not known
for certain (NA, ambiguous, unreadable, absent) is an empty cell; a printed blank is 0.
The bot uses ``report_file`` for one report, ``python -m bot export`` uses ``export``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

from sqlalchemy import select

from reports.model import Report
from reports.templates import TEMPLATES
from storage.db import Database
from storage.models import Agency, Figure, ReportRow
from storage.encoding import DERIVED, TABLES, figure_rows
from storage.repository import counts

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ExportColumn:
    id: str
    header: str        # Chinese
    text: bool = False


META: tuple[ExportColumn, ...] = (
    ExportColumn("report_id", "报告编号"),
    ExportColumn("agency", "机关"),
    ExportColumn("agency_printed", "报告所署机关名称", True),
    ExportColumn("level", "机关层级", True),
    ExportColumn("year", "年度"),
    ExportColumn("template", "模板", True),
    ExportColumn("published_on", "公开日期", True),
    ExportColumn("title", "标题", True),
    ExportColumn("source_file", "源文件", True),
    ExportColumn("source_shape", "文件格式", True),
    ExportColumn("sha256", "SHA-256", True),
    ExportColumn("parser_version", "解析程序版本", True),
    ExportColumn("received_at", "接收时间（UTC）", True),
    ExportColumn("error_count", "错误数"),
    ExportColumn("warning_count", "警告数"),
)


def _figure_columns() -> tuple[ExportColumn, ...]:
    """Every (table, row, column) of both templates, in template order, each once."""
    seen: dict[str, ExportColumn] = {}
    for template in ("2019", "2021"):
        spec = TEMPLATES[template]
        for table_id in TABLES:
            table = spec.table(table_id)
            for row in table.rows:
                for col in table.columns_of(row):
                    cid = f"{table_id}.{row.id}.{col.id}"
                    if cid not in seen:
                        seen[cid] = ExportColumn(cid, f"表{table.number}·{row.marker}{row.label}·{col.label}", col.text)
    return tuple(seen.values())


FIGURES: tuple[ExportColumn, ...] = _figure_columns()
COLUMNS: tuple[ExportColumn, ...] = META + FIGURES
TEXT_FIGURES: tuple[ExportColumn, ...] = tuple(c for c in FIGURES if c.text)


def split_id(column_id: str) -> tuple[str, str, str]:
    """``requests.denied.state_secret.natural_person`` → (table, row, column)."""
    table, rest = column_id.split(".", 1)
    row, column = rest.rsplit(".", 1)
    return table, row, column


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


async def stored_rows(db: Database, report_ids: Iterable[int] | None = None) -> AsyncIterator[dict[str, Any]]:
    """The export rows of the current reports (or of ``report_ids``, current or not), by agency and year.

    Rows are produced a chunk at a time, so exporting a large store keeps memory flat.
    """
    text_exprs = [ReportRow.parsed[(*split_id(c.id),)].as_string().label(c.id) for c in TEXT_FIGURES]
    query = (select(ReportRow.id, Agency.name.label("agency"), ReportRow.agency_name, ReportRow.level,
                    ReportRow.year, ReportRow.template, ReportRow.published_on, ReportRow.title,
                    ReportRow.source_file, ReportRow.source_shape, ReportRow.sha256, ReportRow.parser_version,
                    ReportRow.received_at, ReportRow.error_count, ReportRow.warning_count, *text_exprs)
             .outerjoin(Agency, Agency.id == ReportRow.agency_id)
             .order_by(Agency.name, ReportRow.year, ReportRow.id))
    query = query.where(ReportRow.id.in_(list(report_ids))) if report_ids is not None else \
        query.where(ReportRow.is_current)
    async with db.transaction(write=False) as session:
        metas = (await session.execute(query)).mappings().all()
        for start in range(0, len(metas), _CHUNK):
            chunk: dict[int, dict[str, Any]] = {}
            for r in metas[start:start + _CHUNK]:
                row = {"report_id": r["id"], "agency": r["agency"], "agency_printed": r["agency_name"],
                       **{k: r[k] for k in ("level", "year", "template", "published_on", "title", "source_file",
                                            "source_shape", "sha256", "parser_version", "received_at",
                                            "error_count", "warning_count")}}
                for c in TEXT_FIGURES:
                    row[c.id] = r[c.id]
                chunk[r["id"]] = row
            figures = await session.execute(select(Figure.report_id, Figure.table_id, Figure.row_id,
                                                   Figure.column_id, Figure.value)
                                            .where(Figure.report_id.in_(list(chunk)), Figure.table_id != DERIVED))
            for report_id, t, rid, cid, value in figures.all():
                chunk[report_id][f"{t}.{rid}.{cid}"] = value
            for row in chunk.values():
                yield row


def report_row(report: Report, **meta: Any) -> dict[str, Any]:
    """The export row of one analysed report (stored or not); ``meta`` adds e.g. ``report_id``."""
    errors, warnings = counts(report.findings)
    row: dict[str, Any] = {
        "agency": report.agency, "agency_printed": report.agency, "level": report.level, "year": report.year,
        "template": report.template, "published_on": report.published_on, "title": report.title,
        "source_file": report.source.file, "source_shape": report.source.shape, "sha256": report.source.sha256,
        "error_count": errors, "warning_count": warnings, **meta}
    for f in figure_rows(report):
        row[f"{f['table_id']}.{f['row_id']}.{f['column_id']}"] = f["value"]
    for c in TEXT_FIGURES:
        table, rid, cid = split_id(c.id)
        cell = report.grid(table).get(rid, {}).get(cid)   # type: ignore[arg-type]
        if cell is not None and cell.text is not None:
            row[c.id] = cell.text
    return row


class _CsvWriter:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese headers right."""

    def __init__(self, out: BinaryIO) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._text)
        self._csv.writerow([c.id for c in COLUMNS])
        self._csv.writerow([c.header for c in COLUMNS])

    def add(self, row: dict[str, Any]) -> None:
        self._csv.writerow(["" if row.get(c.id) is None else _cell(row[c.id]) for c in COLUMNS])

    def close(self) -> None:
        self._text.flush()
        self._text.detach()     # leave the caller's stream open


class _XlsxWriter:
    def __init__(self, out: BinaryIO) -> None:
        from openpyxl import Workbook

        self._out = out
        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet("reports")
        self._ws.append([c.id for c in COLUMNS])
        self._ws.append([c.header for c in COLUMNS])

    def add(self, row: dict[str, Any]) -> None:
        # Text cells stay text (a procurement amount such as "251000元", a file name of digits).
        self._ws.append([None if row.get(c.id) is None else
                         (str(_cell(row[c.id])) if c.text else _cell(row[c.id])) for c in COLUMNS])

    def close(self) -> None:
        self._wb.save(self._out)


def _writer(fmt: Format, out: BinaryIO) -> _CsvWriter | _XlsxWriter:
    if fmt == "csv":
        return _CsvWriter(out)
    if fmt == "xlsx":
        return _XlsxWriter(out)
    raise ValueError(f"unknown export format {fmt!r}")


async def export(db: Database, fmt: Format, out: BinaryIO | str | Path, *,
                 report_ids: Iterable[int] | None = None) -> int:
    """Write every current report (or ``report_ids``) to ``out``; returns the number of rows."""
    if isinstance(out, (str, Path)):
        with open(out, "wb") as fh:
            return await export(db, fmt, fh, report_ids=report_ids)
    writer = _writer(fmt, out)
    n = 0
    async for row in stored_rows(db, report_ids):
        writer.add(row)
        n += 1
    writer.close()
    return n


def report_file(report: Report, fmt: Format, **meta: Any) -> bytes:
    """One report as a CSV or XLSX file (what the bot sends back for a single report)."""
    buf = io.BytesIO()
    writer = _writer(fmt, buf)
    writer.add(report_row(report, **meta))
    writer.close()
    return buf.getvalue()
