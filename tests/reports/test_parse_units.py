"""The parser's parts: glued digits, dates, levels, headings, templates, cells and pipe rows."""

from __future__ import annotations

from datetime import date

import pytest

from reports.document import Document, Paragraph, Source, Table
from reports.model import CellStatus
from reports.parse import parse
from reports.parse.cells import make_cell
from reports.parse.detect import detect_template
from reports.parse.digits import BudgetExceeded, Total, readings
from reports.parse.meta import level_of, read_meta, stripped_date
from reports.parse.sections import find_headings
from reports.parse.text import normalise
from reports.templates import TEMPLATES
from tests.conftest import sample_bytes

ROW_TOTAL = (Total((0, 1, 2, 3, 4, 5), 6),)


def doc_of(lines: list[str], name: str = "t.txt") -> Document:
    return Document(Source.of(name, "\n".join(lines).encode(), "text"), [Paragraph(x) for x in lines])


# ---- digits ------------------------------------------------------------------------------------

def test_row_total_leaves_one_cut() -> None:
    assert readings("640020470", 7, ROW_TOTAL) == [(64, 0, 0, 2, 0, 4, 70)]


def test_spaces_are_certain_boundaries() -> None:
    assert readings("230 000023", 7, ROW_TOTAL) == [(23, 0, 0, 0, 0, 0, 23)]
    assert readings("23 0 00 0 023", 7, ROW_TOTAL) == [(23, 0, 0, 0, 0, 0, 23)]


def test_several_cuts_can_satisfy_a_row_total() -> None:
    assert sorted(readings("220000325", 7, ROW_TOTAL)) == [(2, 20, 0, 0, 0, 3, 25), (22, 0, 0, 0, 0, 3, 25)]


def test_no_leading_zeros() -> None:
    assert readings("0105", 2) == [(0, 105)]
    assert readings("105", 2) == [(10, 5)]
    assert sorted(readings("115", 2)) == [(1, 15), (11, 5)]


def test_amount_cell_keeps_decimals_and_unit() -> None:
    cuts = readings("13575394432.52元", 2, last_amount=True)
    assert len(cuts) == 10 and (13575, 394432.52) in cuts


def test_search_is_bounded() -> None:
    with pytest.raises(BudgetExceeded):
        readings("1" * 60, 30, budget=1000)


# ---- dates ---------------------------------------------------------------------------------------

def test_stripped_signature_date_is_the_earliest_after_the_year() -> None:
    assert stripped_date(2021, "114", 2020) == date(2021, 1, 14)
    assert stripped_date(2021, "111", 2020) == date(2021, 1, 11)
    assert stripped_date(2021, "1231", 2020) == date(2021, 12, 31)
    # A date inside the report's own year is no publication date.
    assert stripped_date(2020, "114", 2020) is None


def test_signature_is_the_fallback_publication_date() -> None:
    lines = [ln.removesuffix("\r") for ln in sample_bytes("wuyang_2020.txt").decode().split("\n")]
    without_page = [ln for ln in lines if not ln.startswith("日期")]
    r = parse(doc_of(without_page))
    assert (r.published_on, r.published_on_source) == (date(2021, 1, 14), "signature")


def test_page_date_forms() -> None:
    assert read_meta("标题: 某县财政局2021年政府信息公开工作年度报告\n发布时间: 2022-01-20 15:22").published_on == \
        date(2022, 1, 20)
    assert read_meta("某县财政局2021年政府信息公开工作年度报告\n发布日期：2022年1月9日").published_on == date(2022, 1, 9)
    meta = read_meta("某县财政局2021年政府信息公开工作年度报告\n正文\n\n某县财政局\n2022年1月14日")
    assert (meta.published_on, meta.published_on_source) == (date(2022, 1, 14), "signature")


# ---- metadata --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,level", [
    ("北京市朝阳区人民政府", "government"),
    ("江苏省人民政府", "government"),
    ("苏州工业园区管理委员会", "government"),
    ("平潭综合实验区", "government"),
    ("某某县财政局", "department"),
    ("国家统计局", "department"),
    ("某市卫生健康委员会", "department"),
    ("某市政务服务管理办公室", "department"),
    ("桃江县松木塘镇人民政府", "town"),
    ("某某县某某乡", "town"),
    ("某某区某某街道办事处", "town"),
    ("", "unknown"),
])
def test_level_from_the_name(name: str, level: str) -> None:
    assert level_of(name, "") == level


def test_a_general_office_acting_for_its_government() -> None:
    assert level_of("上海市人民政府办公厅", "市政府办公厅代表市政府共受理政府信息公开申请859件") == "government"
    assert level_of("某县人民政府办公室", "本办收到政府信息公开申请3件") == "department"


def test_year_from_the_statistics_period_when_the_title_has_none() -> None:
    meta = read_meta("某县财政局政府信息公开工作年度报告\n本报告所列数据的统计期限自2024年1月1日起至2024年12月31日止。")
    assert meta.year == 2024


def test_title_and_agency_on_separate_lines() -> None:
    meta = read_meta("     某某市人民政府\n  2024 年政府信息公开工作年度报告\n\n正文")
    assert meta.agency == "某某市人民政府" and meta.year == 2024 and meta.level == "government"


# ---- text, headings, templates ----------------------------------------------------------------------

def test_normalise_keeps_offsets() -> None:
    s = "（一）予以公开：１２\u3000件\xa0"
    assert normalise(s) == "(一)予以公开:12 件 " and len(normalise(s)) == len(s)
    assert normalise("0&nbsp;|&nbsp;5") == "0      |      5"


def test_headings_match_fuzzily() -> None:
    text = ("本报告包括总体情况、主动公开政府信息情况等六个部分。一、 总 体 情 况\n正文。二、主动公开政府信息情况\n表\n"
            "三、收到和处理政府信息公开申请情况\n四、结转下年度继续办理 0\n四、因政府信息公开工作被申请行政法复议、行政诉讼情况\n"
            "五、存在的主要问题及改进情况2019年，我区…\n六、其他需要报告的事项 无")
    heads = find_headings(normalise(text))
    assert [h.section for h in heads] == ["overview", "disclosure", "requests", "appeals", "problems", "other"]
    appeals = next(h for h in heads if h.section == "appeals")
    assert normalise(text)[appeals.start:].startswith("四、因政府")


def test_template_markers() -> None:
    assert detect_template("第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数", 2021) == "2021"
    assert detect_template("信息内容 本年新制作数量 本年新公开数量 对外公开总数量 政府集中采购", 2020) == "2019"
    assert detect_template("政府信息公开情况统计表 指标名称 计量单位 一、主动公开情况", 2017) == "pre2019"
    assert detect_template("一、总体情况 我局认真贯彻落实条例。", 2021) is None


# ---- cells -------------------------------------------------------------------------------------------

def test_cell_kinds() -> None:
    t2019 = TEMPLATES["2019"].table("disclosure")
    change, amount = t2019.column("change"), t2019.column("amount")
    count = TEMPLATES["2019"].table("requests").column("total")
    assert make_cell("-18", change, 1).number == -18
    assert make_cell("减4", change, 1).number == -4
    assert make_cell("增4", change, 1).number == 4
    assert make_cell("-18", count, 1).status is CellStatus.UNREADABLE
    assert make_cell("1,234", count, 1).number == 1234
    assert make_cell("", count, 1).status is CellStatus.BLANK
    for na in ("/", "-", "—", "无"):
        cell = make_cell(na, count, 3)
        assert cell.status is CellStatus.NA and cell.number is None and cell.raw == na and cell.line == 3
    cell = make_cell("251000元", amount, 1)
    assert (cell.status, cell.value, cell.number) == (CellStatus.VALUE, "251000元", 251000)
    assert make_cell("约5件", count, 1).status is CellStatus.UNREADABLE


# ---- tables as Table blocks and pipe rows ----------------------------------------------------------------

def test_table_blocks_with_spans() -> None:
    label = "一、本年新收政府信息公开申请数量"
    rows = (
        ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",) * 3 + ("申请人情况",) * 7,
        (label, label, label, "3", "", "", "", "", "1", "4"),
    )
    origin = (
        tuple((0, 0) for _ in range(3)) + tuple((0, 3) for _ in range(7)),
        ((1, 0), (1, 0), (1, 0)) + tuple((1, c) for c in range(3, 10)),
    )
    doc = Document(Source.of("t.html", b"x", "html"),
                   [Paragraph("三、收到和处理政府信息公开申请情况"), Table(rows, origin)])
    r = parse(doc)
    assert r.template == "2021"   # no marker of either: a table with no year reads as the current template
    cells = r.requests["new"]
    assert [c.number for c in cells.values()] == [3, 0, 0, 0, 0, 1, 4]
    assert cells["commercial"].status is CellStatus.BLANK and cells["total"].line == 2
    assert "requests" in r.truncated


def test_pipe_rows_with_empty_cells() -> None:
    lines = ["某市某局2023年政府信息公开工作年度报告", "二、主动公开政府信息情况",
             "| 第二十条第(一)项 | |||", "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
             "| 规章 | / | / | / |", "| 行政规范性文件 | 3 | | 12 |",
             "| 第二十条第(五)项 | |||", "| 信息内容 | 本年处理决定数量 | ||", "| 行政许可 | 15 | ||"]
    r = parse(doc_of(lines))
    assert [c.status for c in r.disclosure["regulations"].values()] == [CellStatus.NA] * 3
    assert [c.value for c in r.disclosure["normative_docs"].values()] == [3, 0, 12]
    assert r.disclosure["normative_docs"]["repealed"].status is CellStatus.BLANK
    assert r.number("disclosure", "licensing", "decisions") == 15
    assert r.cell("disclosure", "penalties", "decisions").status is CellStatus.ABSENT
    assert r.truncated == {"disclosure"}


def test_signed_change_in_a_2019_table() -> None:
    lines = ["某县2020年政府信息公开工作年度报告", "第二十条第（五）项", "信息内容", "上一年项目数量", "本年增/减",
             "处理决定数量", "行政许可", "120", "-18", "300", "其他对外管理服务事项", "15", "减4", "2"]
    r = parse(doc_of(lines))
    assert r.template == "2019"
    assert [c.number for c in r.disclosure["licensing"].values()] == [120, -18, 300]
    assert [c.number for c in r.disclosure["other_services"].values()] == [15, -4, 2]


def _brute(run: str, n: int, totals) -> set[tuple[int, ...]]:
    from itertools import combinations
    out = set()
    for cuts in combinations(range(1, len(run)), n - 1):
        parts = [run[a:b] for a, b in zip((0, *cuts), (*cuts, len(run)))]
        if any(len(p) > 1 and p[0] == "0" for p in parts):
            continue
        vals = tuple(int(p) for p in parts)
        if all(sum(vals[j] for j in t.parts) == vals[t.at] for t in totals):
            out.add(vals)
    return out


def test_pruned_search_finds_exactly_the_brute_force_readings() -> None:
    import random

    rng = random.Random(11)
    for _ in range(150):
        parts = [rng.choice((0, 0, 0, 1, 2, 5, 12, 30, 7)) for _ in range(6)]
        row = [*parts, sum(parts)]
        run = "".join(map(str, row))
        noise = "".join(rng.choice("0123456789") for _ in range(rng.randint(7, 11)))
        for candidate in (run, noise):
            assert set(readings(candidate, 7, ROW_TOTAL)) == _brute(candidate, 7, ROW_TOTAL), candidate


def test_an_excerpt_stopping_inside_a_row_of_one_cell_per_line() -> None:
    lines = ["某县财政局2021年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况",
             "一、本年新收政府信息公开申请数量", "1234", "567", "89"]
    r = parse(doc_of(lines))
    cells = r.requests["new"]
    assert [c.number for c in cells.values()][:3] == [1234, 567, 89]
    assert [c.status for c in cells.values()][3:] == [CellStatus.ABSENT] * 4
    assert r.truncated == {"requests"}


@pytest.mark.parametrize("body", [
    ["行政复议 1 0 2 0 3", "未经复议直接起诉 4 0 0 0 4", "复议后起诉 0 0 0 1 1"],
    ["| 行政复议 | 1 | 0 | 2 | 0 | 3 |", "| 未经复议直接起诉 | 4 | 0 | 0 | 0 | 4 |", "| 复议后起诉 | 0 | 0 | 0 | 1 | 1 |"],
    ["行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "1 0 2 0 3 4 0 0 0 4 0 0 0 1 1"],
])
def test_table_four_as_one_row_or_three_labelled_rows(body: list[str]) -> None:
    lines = ["某县财政局2021年政府信息公开工作年度报告", "本年制发件数", "四、政府信息公开行政复议、行政诉讼情况", *body,
             "五、存在的主要问题及改进情况", "一是人员不足，全年培训2次。"]
    r = parse(doc_of(lines))
    assert [[c.number for c in cols.values()] for cols in r.appeals.values()] == \
        [[1, 0, 2, 0, 3], [4, 0, 0, 0, 4], [0, 0, 0, 1, 1]]
    assert "appeals" in r.tables_found and "appeals" not in r.truncated


def test_rows_printed_out_of_order_are_still_found() -> None:
    lines = ["某县财政局2020年政府信息公开工作年度报告", "本年新制作数量", "三、收到和处理政府信息公开申请情况",
             "二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1",
             "一、本年新收政府信息公开申请数量 5 0 0 0 0 0 5"]
    r = parse(doc_of(lines))
    assert r.number("requests", "new", "total") == 5
    assert r.number("requests", "carried_over", "total") == 1


def test_table_blocks_without_span_information() -> None:
    """A reader that cannot tell spans repeats a merged label; equal figures side by side stay two cells."""
    rows = (
        ("第二十条第（一）项",) * 4,
        ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
        ("规章", "13", "13", "524"),
        ("规范性文件", "规范性文件", "60", "60", "368"),
    )
    doc = Document(Source.of("t.docx", b"x", "docx"), [Paragraph("某市2019年政府信息公开工作年度报告"), Table(rows)])
    r = parse(doc)
    assert [c.number for c in r.disclosure["regulations"].values()] == [13, 13, 524]
    assert [c.number for c in r.disclosure["normative_docs"].values()] == [60, 60, 368]


def test_tables_without_any_section_heading() -> None:
    lines = ["某市某局2021年政府信息公开工作年度报告", "第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数",
             "现行有效件数", "规章", "0", "0", "0",
             "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
             "一、本年新收政府信息公开申请数量 2 0 0 0 0 0 2", "四、结转下年度继续办理 1 0 0 0 0 0 1",
             "行政复议", "结果维持", "0 0 0 1 1 0 0 0 0 0 0 0 0 0 0"]
    r = parse(doc_of(lines))
    assert r.sections == {}
    assert r.number("requests", "new", "total") == 2 and r.number("requests", "carried_forward", "total") == 1
    assert r.number("appeals", "review", "pending") == 1
    assert r.tables_found == {"disclosure", "requests", "appeals"}


def test_a_margin_label_inside_a_wrapped_row_label() -> None:
    lines = ["某市某局2021年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况",
             "一、本年新收政府信息公开申请数量 5 0 0 0 0 0 5",
             "   1.本机关不掌握相关政", "度", "     府信息      4 0 0 0 0 0 4",
             "   2.没有现成信息需要另行制作 1 0 0 0 0 0 1"]
    r = parse(doc_of(lines))
    assert r.number("requests", "unavailable.not_held", "total") == 4
    assert r.number("requests", "unavailable.needs_creation", "total") == 1


def test_grouped_totals_match_the_brute_force() -> None:
    import random

    groups = (Total((0, 1, 2, 3), 4), Total((5, 6, 7, 8), 9), Total((10, 11, 12, 13), 14))
    rng = random.Random(5)
    for _ in range(40):
        vals: list[int] = []
        for _g in range(3):
            parts = [rng.choice((0, 0, 1, 2, 3, 5)) for _ in range(4)]
            vals += [*parts, sum(parts)]
        run = "".join(map(str, vals))
        assert set(readings(run, 15, groups)) == _brute(run, 15, groups), run


def test_level_from_how_the_report_speaks_of_itself() -> None:
    meta = read_meta("政府信息公开工作年度报告\n2021年，我镇认真贯彻落实《条例》。我镇全年公开信息30条。")
    assert meta.agency is None and meta.level == "town" and meta.year == 2021


def test_year_in_chinese_numerals() -> None:
    meta = read_meta("某县财政局二〇二一年政府信息公开工作年度报告")
    assert (meta.year, meta.agency, meta.level) == (2021, "某县财政局", "department")


def test_signature_in_chinese_numerals() -> None:
    meta = read_meta("某县财政局2021年政府信息公开工作年度报告\n正文\n某县财政局\n二〇二二年一月十四日")
    assert (meta.published_on, meta.published_on_source) == (date(2022, 1, 14), "signature")
