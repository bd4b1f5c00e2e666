"""The rules of report-format §6 on synthetic reports (valid by construction) and targeted corruptions."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from reports.checks import CODES, CarryFigures, check, check_carryover, compare_carryover
from reports.model import Cell, CellStatus, Report, Severity
from reports.synthetic import generate


def busy(seed: int = 1, template: str = "2021", **kw) -> Report:
    kw.setdefault("scale", 20)
    kw.setdefault("level", "government")
    kw.setdefault("agency", "淮安市人民政府")
    return generate(random.Random(seed), template=template, **kw)


def codes(findings) -> set[str]:
    return {f.code for f in findings}


def bump(report: Report, table: str, row: str, col: str, by: int = 1) -> None:
    cell = report.grid(table)[row][col]
    report.grid(table)[row][col] = Cell.of(cell.number + by)


@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("level", ["town", "department", "government"])
def test_generated_reports_have_no_findings(template, level):
    for seed in range(15):
        r = generate(random.Random(seed), template=template, level=level)
        assert check(r) == [], (seed, [f.message for f in check(r)])


def test_leaf_corruption_breaks_its_row_and_column():
    r = busy()
    bump(r, "requests", "granted", "natural_person", 2)
    f = check(r)
    assert codes(f) == {"ROW_TOTAL", "SUBTOTAL"}
    row = next(x for x in f if x.code == "ROW_TOTAL")
    assert (row.table, row.row, row.column) == ("requests", "granted", "total")
    assert row.severity is Severity.ERROR
    assert row.data["sum"] == row.data["total"] + 2
    sub = next(x for x in f if x.code == "SUBTOTAL")
    assert sub.where == "表三 · （七）总计 · 自然人"
    total = r.number("requests", "total", "natural_person")
    assert sub.message == f"表三（七）总计·自然人为{total}，但各项办理结果之和为{total + 2}"
    assert sub.message_en


def test_new_row_corruption_breaks_balance():
    r = busy()
    bump(r, "requests", "new", "commercial", 1)
    f = check(r)
    assert codes(f) == {"ROW_TOTAL", "BALANCE"}
    bal = next(x for x in f if x.code == "BALANCE")
    assert bal.column == "commercial" and bal.where == "表三 · 商业企业"
    assert bal.data["new"] == r.number("requests", "new", "commercial")


def test_grand_total_corruption():
    r = busy()
    bump(r, "requests", "total", "total", 5)
    # the prose ("办结N件") still states the old total
    assert codes(check(r)) == {"ROW_TOTAL", "SUBTOTAL", "BALANCE", "NARRATIVE_MISMATCH"}


@pytest.mark.parametrize("row", ["review", "suit_direct", "suit_after_review"])
@pytest.mark.parametrize("col", ["upheld", "pending", "total"])
def test_litigation_total(row, col):
    r = busy()
    bump(r, "appeals", row, col, 3)
    f = [x for x in check(r) if x.code != "NARRATIVE_MISMATCH"]   # a changed 总计 also contradicts the prose
    assert [x.code for x in f] == ["LITIGATION_TOTAL"]
    assert f[0].row == row and f[0].where.startswith("表四")


def test_negative_count_but_signed_change_is_fine():
    r = busy(template="2019")
    r.disclosure["licensing"]["change"] = Cell.of(-18)
    assert check(r) == []
    r.disclosure["penalties"]["decisions"] = Cell.of(-2)
    f = check(r)
    assert codes(f) == {"NEGATIVE_VALUE"}
    assert f[0].where == "表二 · 行政处罚 · 处理决定数量" and "-2" in f[0].message


def test_fractional_count():
    r = busy()
    r.disclosure["licensing"]["decisions"] = Cell.of(2.5)
    assert codes(check(r)) == {"NON_INTEGER_VALUE"}
    r = busy()
    r.disclosure["fees"]["amount_wan_yuan"] = Cell.of(24252.311082)
    assert check(r) == []


def test_blank_total_is_missing_not_a_wrong_sum():
    r = busy(seed=3)
    rows = [row for row, cols in r.requests.items() if cols["total"].number and row not in ("total",)]
    for row in rows[:3]:
        r.requests[row]["total"] = Cell.blank()
    f = check(r)
    assert codes(f) == {"MISSING_TOTAL"}
    assert f[0].severity is Severity.ERROR
    assert set(f[0].data["rows"]) == set(rows[:3])


def test_single_blank_total_and_blank_zero_total():
    r = busy(seed=4)
    row = next(row for row, cols in r.requests.items() if cols["total"].number and row != "total")
    expected = r.number("requests", row, "total")
    r.requests[row]["total"] = Cell.blank()
    f = check(r)
    assert [x.code for x in f] == ["MISSING_TOTAL"]
    assert f[0].row == row and f[0].data == {"expected": expected}
    r = busy(seed=4)
    zero = next(row for row, cols in r.requests.items() if cols["total"].number == 0)
    r.requests[zero]["total"] = Cell.blank()
    assert check(r) == []


def test_blank_litigation_total():
    r = busy()
    r.appeals["review"] = {c: Cell.of(n) for c, n in zip(["upheld", "corrected", "other", "pending"], [1, 0, 0, 2])}
    r.appeals["review"]["total"] = Cell.blank()
    r.sections["overview"] = ""
    f = check(r)
    assert codes(f) == {"MISSING_TOTAL"} and f[0].data == {"expected": 3}


def test_ambiguous_cells_are_reported_and_not_summed():
    r = busy(seed=5)
    r.requests["granted"]["natural_person"] = Cell(CellStatus.AMBIGUOUS, raw="1210", candidates=((12, 10), (1, 210)))
    r.requests["granted"]["commercial"] = Cell(CellStatus.AMBIGUOUS, raw="1210", candidates=((12, 10), (1, 210)))
    f = check(r)
    assert codes(f) == {"AMBIGUOUS_CELL"}
    assert len(f) == 1 and f[0].data["columns"] == ["natural_person", "commercial"]
    assert "12 | 10" in f[0].message and "1210" in f[0].message


def test_procurement_ambiguity_on_one_cell_pair():
    r = busy(template="2019")
    cands = ((13, "575394432.52元"), (135, "75394432.52元"))
    for col in ("projects", "amount"):
        r.disclosure["procurement"][col] = Cell(CellStatus.AMBIGUOUS, raw="13575394432.52元", candidates=cands)
    f = check(r)
    assert [x.code for x in f] == ["AMBIGUOUS_CELL"]
    assert f[0].where == "表二 · 政府集中采购" and "13575394432.52元" in f[0].message


def test_unreadable_cell_never_counts():
    r = busy(seed=6)
    r.requests["partial"]["natural_person"] = Cell(CellStatus.UNREADABLE, raw="三十")
    f = check(r)
    assert [x.code for x in f] == ["UNREADABLE_CELL"]
    assert f[0].where == "表三 · （二）部分公开 · 自然人" and "三十" in f[0].message


def test_absent_cell_in_a_complete_table():
    r = busy(template="2019")
    r.disclosure["licensing"]["decisions"] = Cell.absent()
    r.requests["granted"]["research"] = Cell.absent()
    f = check(r)
    assert codes(f) == {"MISSING_CELL"}
    assert sorted((x.table, x.row, x.column) for x in f) == [("disclosure", "licensing", "decisions"),
                                                              ("requests", "granted", "research")]


def test_truncated_excerpt_notes_what_follows_once():
    r = busy(seed=7)
    keep = ["new", "carried_over", "granted"]
    for row in list(r.requests):
        if row not in keep:
            for col in r.requests[row]:
                r.requests[row][col] = Cell.absent()
    r.truncated = {"requests"}
    r.tables_found = {"disclosure", "requests"}
    r.appeals = {}
    for s in ("appeals", "problems", "other"):
        del r.sections[s]
    r.sections["overview"] = ""
    f = check(r)
    assert codes(f) == {"TRUNCATED", "MISSING_SECTION"}
    assert not any(x.severity is Severity.ERROR for x in f)
    missing = [x for x in f if x.code == "MISSING_SECTION"]
    assert len(missing) == 1 and missing[0].severity is Severity.INFO
    assert len(missing[0].data["after_cut"]) == 3   # sections 四 (with its table), 五 and 六
    trunc = next(x for x in f if x.code == "TRUNCATED")
    assert trunc.row == "partial" and trunc.data["missing_cells"] == 7 * (len(r.requests) - 3)


def test_missing_section_and_table_before_any_cut():
    r = busy()
    del r.sections["problems"]
    r.tables_found.discard("appeals")
    f = check(r)
    assert sorted(x.data["id"] for x in f if x.code == "MISSING_SECTION") == ["appeals", "problems"]
    assert all(x.severity is Severity.WARNING for x in f)


def test_a_missing_tail_is_one_finding():
    r = busy()
    r.tables_found = {"disclosure"}
    for s in ("requests", "appeals", "problems", "other"):
        del r.sections[s]
    r.sections["overview"] = ""
    [f] = check(r)
    assert f.code == "MISSING_SECTION" and f.severity is Severity.WARNING
    assert f.data["missing"] == ["requests", "requests", "appeals", "appeals", "problems", "other"]
    assert "表二" in f.message or "主动公开" in f.where


def test_outdated_format():
    r = busy(template="2019", year=2021)
    f = check(r)
    assert codes(f) == {"OUTDATED_FORMAT"} and f[0].data == {"template": "2019", "expected": "2021"}


@pytest.mark.parametrize("level,published,town_deadline,late", [
    ("department", date(2022, 1, 31), (1, 31), False),
    ("department", date(2022, 2, 1), (1, 31), True),
    ("government", date(2022, 3, 31), (1, 31), False),
    ("government", date(2022, 4, 2), (1, 31), True),
    ("town", date(2022, 2, 10), (1, 31), True),
    ("town", date(2022, 2, 10), (2, 20), False),
])
def test_late(level, published, town_deadline, late):
    agency = {"department": "淮安市教育局", "government": "淮安市人民政府", "town": "桃江县松木塘镇人民政府"}[level]
    r = busy(year=2021, level=level, agency=agency)
    r.published_on = published
    f = check(r, town_deadline=town_deadline)
    assert codes(f) == ({"LATE"} if late else set())
    if late:
        assert f[0].data["published_on"] == published.isoformat()
        assert f[0].data["days_late"] > 0


def test_unknown_level_is_read_from_the_name():
    r = busy(year=2021, level="town", agency="桃江县松木塘镇人民政府")
    r.level = "unknown"
    r.published_on = date(2022, 2, 15)
    assert codes(check(r)) == {"LATE"}


@pytest.mark.parametrize("agency,level,flag", [
    ("桃江县松木塘镇人民政府", "town", True),
    ("重庆市秀山土家族苗族自治县乌杨街道办事处", "town", True),
    ("桃江县教育局", "department", True),
    ("淮安市人民政府", "government", False),
    ("江苏省人民政府", "government", False),
])
def test_town_regulation(agency, level, flag):
    r = busy(year=2022, level=level, agency=agency)
    r.disclosure["regulations"] = {"issued": Cell.of(2), "repealed": Cell.of(0), "in_force": Cell.of(2)}
    f = check(r)
    assert codes(f) == ({"TOWN_REGULATION"} if flag else set())
    if flag:
        assert f[0].severity is Severity.WARNING and f[0].where == "表二 · 规章"
        assert f[0].data["values"] == {"issued": 2, "in_force": 2}


def test_not_applicable_regulations_are_not_flagged():
    r = busy(year=2023, level="town", agency="桃江县松木塘镇人民政府")
    r.disclosure["regulations"] = {c: Cell(CellStatus.NA, raw="/") for c in ("issued", "repealed", "in_force")}
    assert check(r) == []


def test_every_code_is_documented_with_its_severity():
    r = busy()
    bump(r, "requests", "granted", "natural_person")
    for f in check(r):
        assert CODES[f.code][0] is f.severity


# ---- carry-over ----------------------------------------------------------------------------------

def _pair(forward: int, over: int) -> tuple[Report, Report]:
    prev, cur = busy(seed=1, year=2021), busy(seed=2, year=2022)
    prev.requests["carried_forward"]["total"] = Cell.of(forward)
    cur.requests["carried_over"]["total"] = Cell.of(over)
    return prev, cur


def test_carryover_mismatch():
    prev, cur = _pair(5, 3)
    f = check_carryover(prev, cur)
    assert [x.code for x in f] == ["CARRYOVER_MISMATCH"]
    assert f[0].column == "total" and f[0].data["columns"]["total"] == {"previous_carried_forward": 5,
                                                                         "carried_over": 3}
    assert "2022" in f[0].message and "2021" in f[0].message


def test_carryover_agrees_or_cannot_be_compared():
    prev, cur = _pair(4, 4)
    for col in ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org"):
        cur.requests["carried_over"][col] = prev.requests["carried_forward"][col]
    assert check_carryover(prev, cur) == []
    prev, cur = _pair(5, 3)
    cur.year = 2023
    assert check_carryover(prev, cur) == []
    prev, cur = _pair(5, 3)
    prev.requests["carried_forward"] = {c: Cell(CellStatus.UNREADABLE, raw="?") for c in prev.requests["new"]}
    cur.requests["carried_over"] = {c: Cell.of(1) for c in prev.requests["new"]}
    assert check_carryover(prev, cur) == []


def test_carry_figures_are_what_the_rule_reads():
    prev, cur = _pair(5, 3)
    # A blank total whose parts are not all zero is not a 0: it leaves the total out of the comparison.
    cur.requests["carried_over"]["total"] = Cell(CellStatus.BLANK, raw="", number=0)
    cur.requests["carried_over"]["natural_person"] = Cell.of(2)
    figures = CarryFigures.of(cur)
    assert "total" not in figures.carried_over and figures.carried_over["natural_person"] == 2
    assert figures.year == 2022 and CarryFigures.of(prev).carried_forward["total"] == 5
    # What a store keeps (without the year) gives the same findings as the reports themselves.
    kept = [CarryFigures.from_json(r.year, json.loads(json.dumps(CarryFigures.of(r).to_json()))) for r in (prev, cur)]
    found = check_carryover(prev, cur)
    assert found and "total" not in found[0].data["columns"] and compare_carryover(*kept) == found
    assert compare_carryover(CarryFigures.from_json(2021, None), kept[1]) == []


def test_no_publication_date_no_late():
    r = busy(year=2021, level="department", agency="淮安市教育局")
    r.published_on = None
    assert check(r) == []


def test_pre2019_layout_is_recognised_not_checked():
    r = Report(source=busy().source, agency="淮安市教育局", level="department", year=2017, template="pre2019",
               sections={"overview": "2017年，我局收到政府信息公开申请3件。"})
    assert check(r) == []
    r.year = 2020
    f = check(r)
    assert codes(f) == {"OUTDATED_FORMAT"} and "2019年以前的旧格式" in f[0].message


def test_unknown_template_only_reports_what_is_missing():
    r = Report(source=busy().source, agency="淮安市教育局", year=2022,
               sections={s: "" for s in ("overview", "disclosure", "requests", "appeals", "problems", "other")})
    f = check(r)
    assert [x.data["id"] for x in f] == ["disclosure", "requests", "appeals"]
    assert all(x.code == "MISSING_SECTION" and x.severity is Severity.WARNING for x in f)


def test_fee_statement_of_the_2021_template():
    r = busy(template="2021")
    r.sections["other"] = "无。"
    f = check(r)
    assert [(x.code, x.severity) for x in f] == [("FEE_NOT_STATED", Severity.INFO)]
    r.sections["other"] = "本年度未收取信息处理费。"
    assert check(r) == []
    r = busy(template="2019")
    r.sections["other"] = "无。"
    assert check(r) == []


def test_late_by_signature_date_says_so():
    r = busy(year=2021, level="department", agency="淮安市教育局")
    r.published_on, r.published_on_source = date(2022, 2, 3), "signature"
    [f] = check(r)
    assert f.code == "LATE" and "按落款日期" in f.message and "signature" in f.message_en
