"""The parser on the real samples: every figure of ``samples/README.md``, plus metadata and shape."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import pytest

from reports.extract import Limits, extract
from reports.model import CellStatus, Report
from reports.parse import parse
from reports.parse.meta import signature_date
from reports.templates import TEMPLATES
from tests.conftest import sample_bytes

REQ_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")
APPEAL_ROWS = ("review", "suit_direct", "suit_after_review")
APPEAL_COLS = ("upheld", "corrected", "other", "pending", "total")
SIX = {"overview", "disclosure", "requests", "appeals", "problems", "other"}


@lru_cache(maxsize=None)
def parsed(name: str) -> Report:
    docs = extract(sample_bytes(name), name, limits=Limits()).documents
    assert len(docs) == 1
    return parse(docs[0])


def row(report: Report, table: str, row_id: str, cols: tuple[str, ...]) -> list:
    return [report.number(table, row_id, c) for c in cols]  # type: ignore[arg-type]


def appeals(report: Report) -> list:
    return [report.number("appeals", r, c) for r in APPEAL_ROWS for c in APPEAL_COLS]


def requests_as(report: Report, expected: dict[str, list[int]]) -> None:
    """Rows listed in ``expected`` have those figures; every other row of table 三 is all zero."""
    spec = TEMPLATES[report.template].table("requests")
    for r in spec.rows:
        want = expected.get(r.id, [0] * 7)
        assert row(report, "requests", r.id, REQ_COLS) == want, r.id


def totals_only(report: Report, expected: dict[str, int]) -> None:
    for row_id, total in expected.items():
        assert report.number("requests", row_id, "total") == total, row_id


# ---- wuyang_2020.txt: one cell per line, headers lost ------------------------------------------

def test_wuyang_metadata() -> None:
    r = parsed("wuyang_2020.txt")
    assert r.agency == "重庆市秀山土家族苗族自治县乌杨街道办事处"
    assert r.title == "重庆市秀山土家族苗族自治县乌杨街道办事处 2020年政府信息公开工作年度报告"
    assert (r.year, r.template, r.level) == (2020, "2019", "town")
    assert (r.published_on, r.published_on_source) == (date(2021, 1, 20), "page")
    assert set(r.sections) == SIX
    assert "以下四个方面" in r.sections["problems"]
    assert r.tables_found == {"disclosure", "requests", "appeals"}
    assert r.truncated == set()


def test_wuyang_every_figure_is_zero() -> None:
    r = parsed("wuyang_2020.txt")
    spec = TEMPLATES["2019"]
    count = 0
    for table in ("disclosure", "requests", "appeals"):
        t = spec.table(table)  # type: ignore[arg-type]
        for rw in t.rows:
            for col in t.columns_of(rw):
                cell = r.cell(table, rw.id, col.id)  # type: ignore[arg-type]
                assert cell.status is CellStatus.VALUE, (table, rw.id, col.id)
                assert cell.number == 0 and cell.line is not None
                count += 1
    assert count == 6 * 3 + 2 * 2 + 23 * 7 + 15   # 2019: fees and procurement have two columns


def test_wuyang_signature_without_year_month_day() -> None:
    r = parsed("wuyang_2020.txt")
    lines = r.text.split("\n")
    assert any(line.strip() == "2021114" for line in lines[-8:])
    assert signature_date(lines, 2020) == date(2021, 1, 14)
    # Without the page's date line the signature is the fallback.
    without_page = [line for line in lines if not line.startswith("日期")]
    assert not any("2021-01-20" in line for line in without_page)


# ---- pingtan: collapsed text, glued digits -----------------------------------------------------

def test_pingtan_2019_metadata() -> None:
    r = parsed("pingtan_2019.txt")
    assert r.agency == "平潭综合实验区"
    assert (r.year, r.template, r.level) == (2019, "2019", "government")
    assert (r.published_on, r.published_on_source) == (date(2020, 1, 20), "page")
    assert set(r.sections) == SIX
    assert r.tables_found == {"disclosure", "requests", "appeals"} and r.truncated == set()


def test_pingtan_2019_requests_and_appeals() -> None:
    r = parsed("pingtan_2019.txt")
    requests_as(r, {
        "new": [23, 0, 0, 0, 0, 0, 23],
        "granted": [7, 0, 0, 0, 0, 0, 7],
        "partial": [1, 0, 0, 0, 0, 0, 1],
        "unavailable.not_held": [7, 0, 0, 0, 0, 0, 7],
        "unavailable.unclear": [5, 0, 0, 0, 0, 0, 5],
        "not_processed.duplicate": [3, 0, 0, 0, 0, 0, 3],
        "total": [23, 0, 0, 0, 0, 0, 23],
    })
    assert appeals(r) == [0] * 15


def test_pingtan_2019_disclosure_most_plausible_readings() -> None:
    r = parsed("pingtan_2019.txt")
    assert row(r, "disclosure", "regulations", ("made", "published", "total_public")) == [0, 0, 0]
    assert row(r, "disclosure", "normative_docs", ("made", "published", "total_public")) == [89, 89, 89]
    for row_id, want in (("licensing", [396, 0, 181]), ("other_services", [10, 0, 153]),
                         ("penalties", [2648, 0, 430]), ("enforcement", [126, 0, 25])):
        assert row(r, "disclosure", row_id, ("previous", "change", "decisions")) == want, row_id
    assert row(r, "disclosure", "fees", ("previous", "change")) == [35, 0]
    # Chosen by plausibility among several cuts: the alternatives stay on the cell.
    chosen = r.cell("disclosure", "normative_docs", "made")
    assert chosen.status is CellStatus.VALUE and chosen.candidates[0] == (89, 89, 89) and len(chosen.candidates) > 1


def test_pingtan_2019_procurement_is_ambiguous() -> None:
    r = parsed("pingtan_2019.txt")
    for col in ("projects", "amount"):
        cell = r.cell("disclosure", "procurement", col)
        assert cell.status is CellStatus.AMBIGUOUS
        assert cell.number is None and cell.raw == "13575394432.52元"
        assert (13575, 394432.52) in cell.candidates and (1, 3575394432.52) in cell.candidates


def test_pingtan_2021() -> None:
    r = parsed("pingtan_2021.txt")
    assert r.agency == "平潭综合实验区"
    assert (r.year, r.template, r.level) == (2021, "2021", "government")
    assert (r.published_on, r.published_on_source) == (date(2022, 2, 8), "page")
    assert set(r.sections) == SIX
    requests_as(r, {
        "new": [64, 0, 0, 2, 0, 4, 70],
        "granted": [27, 0, 0, 2, 0, 1, 30],
        "partial": [5, 0, 0, 0, 0, 0, 5],
        "denied.internal_affairs": [1, 0, 0, 0, 0, 0, 1],
        "denied.enforcement_file": [6, 0, 0, 0, 0, 0, 6],
        "denied.query_matter": [1, 0, 0, 0, 0, 0, 1],
        "unavailable.not_held": [22, 0, 0, 0, 0, 3, 25],
        "other.other": [1, 0, 0, 0, 0, 0, 1],
        "total": [63, 0, 0, 2, 0, 4, 69],
        "carried_forward": [1, 0, 0, 0, 0, 0, 1],
    })
    assert appeals(r) == [1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]
    assert row(r, "disclosure", "regulations", ("issued", "repealed", "in_force")) == [0, 0, 0]
    assert row(r, "disclosure", "normative_docs", ("issued", "repealed", "in_force")) == [69, 3, 665]
    assert [r.number("disclosure", x, "decisions") for x in ("licensing", "penalties", "enforcement")] == \
        [2293, 1282, 42]
    assert r.number("disclosure", "fees", "amount_wan_yuan") == pytest.approx(24252.311082)
    assert "无收取信息处理费" in r.sections["other"]


def test_pingtan_2021_unglued_rows_carry_no_candidates() -> None:
    """（四）1 "220000325" has two cuts with a true row total; the columns' arithmetic picks one."""
    r = parsed("pingtan_2021.txt")
    cell = r.cell("requests", "unavailable.not_held", "natural_person")
    assert cell.status is CellStatus.VALUE and cell.number == 22 and cell.candidates == ()
    assert cell.raw == "220000325"


# ---- huaian: pdftotext -layout -------------------------------------------------------------------

def test_huaian() -> None:
    r = parsed("huaian_2024_pdftext.txt")
    assert r.agency == "淮安市人民政府"
    assert (r.year, r.template, r.level) == (2024, "2021", "government")
    assert r.published_on is None      # the text carries no date; the PDF's metadata is not text
    assert set(r.sections) == SIX and r.truncated == set()
    assert row(r, "disclosure", "regulations", ("issued", "repealed", "in_force")) == [1, 0, 11]
    assert row(r, "disclosure", "normative_docs", ("issued", "repealed", "in_force")) == [8, 26, 66]
    assert [r.number("disclosure", x, "decisions") for x in ("licensing", "penalties", "enforcement")] == \
        [447228, 3985758, 88283]
    assert r.number("disclosure", "fees", "amount_wan_yuan") == pytest.approx(96171.6)
    assert row(r, "requests", "new", REQ_COLS) == [3001, 53, 0, 0, 61, 4, 3119]
    assert row(r, "requests", "carried_over", REQ_COLS) == [34, 0, 0, 0, 0, 0, 34]
    assert row(r, "requests", "granted", REQ_COLS) == [1288, 21, 0, 0, 50, 3, 1362]
    assert row(r, "requests", "partial", REQ_COLS) == [447, 7, 0, 0, 0, 0, 454]
    totals_only(r, dict(zip((f"denied.{x}" for x in ("state_secret", "law_forbidden", "security_stability",
                                                      "third_party", "internal_affairs", "process_info",
                                                      "enforcement_file", "query_matter")),
                            (2, 31, 5, 6, 8, 12, 9, 105))))
    totals_only(r, {"unavailable.not_held": 769, "unavailable.needs_creation": 11, "unavailable.unclear": 1})
    totals_only(r, {"not_processed.petition": 62, "not_processed.duplicate": 25, "not_processed.publication": 0,
                    "not_processed.mass_repeat": 0, "not_processed.confirm": 1})
    totals_only(r, {"other.no_correction": 71, "other.no_fee": 6, "other.other": 110})
    assert row(r, "requests", "total", REQ_COLS) == [2932, 53, 0, 0, 61, 4, 3050]
    assert row(r, "requests", "carried_forward", REQ_COLS) == [103, 0, 0, 0, 0, 0, 103]
    assert appeals(r) == [72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20]
    assert "3940" in r.sections["other"]


def test_huaian_wrapped_labels_and_page_breaks() -> None:
    r = parsed("huaian_2024_pdftext.txt")
    # Label wrapped around its figures ("5.要求行政机关确认或重新出" / figures / "具已获取信息").
    assert row(r, "requests", "not_processed.confirm", REQ_COLS) == [1, 0, 0, 0, 0, 0, 1]
    # The row after a page break ("（四）无" / "-4-" / form feed / "法提供  2.没有现成…").
    assert row(r, "requests", "unavailable.needs_creation", REQ_COLS) == [11, 0, 0, 0, 0, 0, 11]


# ---- shanghai_2019.html: real tables ---------------------------------------------------------------

def test_shanghai() -> None:
    r = parsed("shanghai_2019.html")
    assert r.agency == "上海市人民政府办公厅"
    assert (r.year, r.template, r.level) == (2019, "2019", "government")
    assert (r.published_on, r.published_on_source) == (date(2020, 1, 31), "page")
    assert set(r.sections) == SIX
    assert row(r, "disclosure", "regulations", ("made", "published", "total_public")) == [13, 13, 524]
    assert row(r, "disclosure", "normative_docs", ("made", "published", "total_public")) == [60, 60, 368]
    for x in ("licensing", "other_services", "penalties", "enforcement"):
        assert row(r, "disclosure", x, ("previous", "change", "decisions")) == [0, 0, 0]
    assert row(r, "disclosure", "fees", ("previous", "change")) == [0, 0]
    assert r.number("disclosure", "procurement", "projects") == 6
    assert r.cell("disclosure", "procurement", "amount").value == "251000元"
    assert row(r, "requests", "new", REQ_COLS) == [821, 35, 0, 0, 2, 1, 859]
    assert row(r, "requests", "carried_over", REQ_COLS) == [18, 0, 0, 0, 0, 0, 18]
    assert row(r, "requests", "total", REQ_COLS) == [767, 35, 0, 0, 2, 1, 805]
    assert row(r, "requests", "carried_forward", REQ_COLS) == [72, 0, 0, 0, 0, 0, 72]
    assert appeals(r) == [5, 0, 0, 2, 7, 8, 0, 0, 1, 9, 0, 0, 0, 0, 0]


def test_shanghai_blank_cells_are_blank_not_zero() -> None:
    r = parsed("shanghai_2019.html")
    spec = TEMPLATES["2019"].table("requests")
    results = [x.id for x in spec.rows if x.leaf]
    for row_id in results:
        cell = r.cell("requests", row_id, "total")
        assert cell.status is CellStatus.BLANK and cell.raw is None and cell.number == 0, row_id
    assert r.cell("requests", "new", "research").status is CellStatus.BLANK
    assert r.cell("requests", "granted", "natural_person").number == 258
    assert r.cell("appeals", "review", "corrected").status is CellStatus.BLANK
    # Each figure points at the table block it was read from.
    assert isinstance(r.cell("requests", "new", "total").line, int)


# ---- excerpts ------------------------------------------------------------------------------------------

def test_songmutang_pipe_rows_and_truncation() -> None:
    r = parsed("songmutang_2022_excerpt.txt")
    assert r.agency == "桃江县松木塘镇人民政府"
    assert (r.year, r.template, r.level) == (2022, "2021", "town")
    assert row(r, "disclosure", "regulations", ("issued", "repealed", "in_force")) == [2, 0, 2]
    assert row(r, "disclosure", "normative_docs", ("issued", "repealed", "in_force")) == [2, 0, 2]
    assert r.number("disclosure", "penalties", "decisions") == 9
    assert r.cell("disclosure", "fees", "amount_wan_yuan").status is CellStatus.ABSENT
    assert r.tables_found == {"disclosure"} and r.truncated == {"disclosure"}
    assert {"overview", "disclosure"} <= set(r.sections) and "requests" not in r.sections


def test_zhongcun_split_headers() -> None:
    r = parsed("zhongcun_2020_excerpt.txt")
    # The text names only 中村乡 (会昌县 is in the site's address, not in the report).
    assert r.agency == "中村乡"
    assert (r.year, r.template, r.level) == (2020, "2019", "town")
    assert row(r, "disclosure", "regulations", ("made", "published", "total_public")) == [0, 0, 0]
    assert row(r, "disclosure", "normative_docs", ("made", "published", "total_public")) == [5, 5, 5]
    assert r.number("disclosure", "procurement", "projects") == 1
    assert r.cell("disclosure", "procurement", "amount").value == "8040"
    assert r.tables_found == {"disclosure"} and r.truncated == set()


def test_district_stats_not_applicable_and_empty_cells() -> None:
    r = parsed("district-stats_2023_excerpt.txt")
    assert r.agency == "区统计局"
    assert (r.year, r.template, r.level) == (2023, "2021", "department")
    for col in ("issued", "repealed", "in_force"):
        cell = r.cell("disclosure", "regulations", col)
        assert cell.status is CellStatus.NA and cell.raw == "/" and cell.number is None
    assert row(r, "disclosure", "normative_docs", ("issued", "repealed", "in_force")) == [0, 0, 0]
    for row_id in ("new", "carried_over"):
        for col in REQ_COLS[:-1]:
            assert r.cell("requests", row_id, col).status is CellStatus.BLANK, (row_id, col)
        total = r.cell("requests", row_id, "total")
        assert total.status is CellStatus.VALUE and total.number == 0
    assert "requests" in r.truncated
    assert r.cell("requests", "total", "total").status is CellStatus.ABSENT
    assert "appeals" not in r.tables_found


@pytest.mark.parametrize("name", ["wuyang_2020.txt", "pingtan_2019.txt", "pingtan_2021.txt", "huaian_2024_pdftext.txt",
                                  "shanghai_2019.html", "songmutang_2022_excerpt.txt", "zhongcun_2020_excerpt.txt",
                                  "district-stats_2023_excerpt.txt"])
def test_report_round_trips_through_json(name: str) -> None:
    r = parsed(name)
    back = Report.from_json(r.to_json())
    for table in ("disclosure", "requests", "appeals"):
        assert {k: {c: v.value for c, v in cols.items()} for k, cols in back.grid(table).items()} == \
            {k: {c: v.value for c, v in cols.items()} for k, cols in r.grid(table).items()}  # type: ignore[arg-type]
    assert (back.agency, back.year, back.template, back.published_on) == (r.agency, r.year, r.template, r.published_on)
