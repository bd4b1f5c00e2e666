"""Export round-trip: what the CSV / XLSX says is exactly what the store holds."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from reports.pipeline import analyse
from services.export import COLUMNS, FIGURES, TEXT_FIGURES, export, report_file, split_id
from services.ingest import ingest
from storage.repository import ReportRepository
from tests.conftest import sample_bytes

SAMPLES = ("pingtan_2019.txt", "pingtan_2021.txt", "shanghai_2019.html", "huaian_2024_pdftext.txt",
           "wuyang_2020.txt", "songmutang_2022_excerpt.txt", "district-stats_2023_excerpt.txt")


def read_csv(data: bytes) -> tuple[list[str], list[str], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    ids, headers = rows[0], rows[1]
    return ids, headers, [dict(zip(ids, r)) for r in rows[2:]]


def read_xlsx(data: bytes) -> tuple[list[str], list[str], list[dict[str, object]]]:
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    ids, headers = [str(x) for x in rows[0]], [str(x) for x in rows[1]]
    # A streamed (write-only) sheet has no stored size: readers drop each row's trailing empty cells.
    return ids, headers, [dict(zip(ids, r + [None] * (len(ids) - len(r)))) for r in rows[2:]]


def _number(v: object) -> float | None:
    if v is None or v == "":
        return None
    return float(v)  # type: ignore[arg-type]


async def _store_samples(db) -> None:
    for name in SAMPLES:
        result = await ingest(db, sample_bytes(name), name)
        assert result.outcomes and result.outcomes[0].status == "stored", name


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_export_round_trip_equals_the_store(db, fmt):
    await _store_samples(db)
    buf = io.BytesIO()
    n = await export(db, fmt, buf)
    assert n == len(SAMPLES)
    ids, headers, rows = (read_csv if fmt == "csv" else read_xlsx)(buf.getvalue())
    assert ids == [c.id for c in COLUMNS]
    assert headers[ids.index("requests.new.natural_person")] == "表三·一本年新收政府信息公开申请数量·自然人"
    async with db.transaction(write=False) as s:
        repo = ReportRepository(s)
        for row in rows:
            report_id = int(row["report_id"])  # type: ignore[arg-type]
            stored = await repo.figures(report_id)
            exported = {split_id(c.id): _number(row[c.id]) for c in FIGURES if not c.text}
            assert {k: v for k, v in exported.items() if v is not None} == stored
            db_row = await repo.get(report_id)
            assert row["sha256"] == db_row.sha256
            assert int(row["year"]) == db_row.year  # type: ignore[arg-type]
            parsed = await repo.parsed(report_id)
            for c in TEXT_FIGURES:
                table, r, col = split_id(c.id)
                expected = (parsed.get(table) or {}).get(r, {}).get(col)
                assert (row[c.id] or None) == expected
    shanghai = next(r for r in rows if r["source_file"] == "shanghai_2019.html")
    assert shanghai["agency"] == "上海市人民政府" and shanghai["agency_printed"] == "上海市人民政府办公厅"
    assert shanghai["disclosure.procurement.amount"] == "251000元"
    assert _number(shanghai["requests.carried_forward.total"]) == 72


async def test_export_lists_only_current_reports(db):
    await ingest(db, sample_bytes("pingtan_2021.txt"), "pingtan_2021.txt")
    edited = sample_bytes("pingtan_2021.txt").replace("平潭综合实验区".encode(), "平潭综合实验区管委会".encode(), 1)
    newer = (await ingest(db, edited, "v2.txt")).outcomes[0]
    buf = io.BytesIO()
    assert await export(db, "csv", buf) == 1
    _, _, rows = read_csv(buf.getvalue())
    assert [int(r["report_id"]) for r in rows] == [newer.report_id]


def test_one_report_file_for_the_bot():
    [report] = analyse(sample_bytes("pingtan_2021.txt"), "pingtan_2021.txt").reports
    _, _, [row] = read_csv(report_file(report, "csv"))
    assert row["requests.new.total"] == "70" and row["agency"] == "平潭综合实验区"
    assert row["disclosure.fees.amount_wan_yuan"] == "24252.311082"
    _, _, [xrow] = read_xlsx(report_file(report, "xlsx", report_id=7))
    assert xrow["requests.new.total"] == 70 and xrow["report_id"] == 7
