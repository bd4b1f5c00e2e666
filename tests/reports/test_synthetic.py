"""The synthetic report generator and its renderers."""

from __future__ import annotations

import io
import random
import re

import pytest

from reports.checks import check
from reports.model import Report
from reports.synthetic import (generate, render_collapsed, render_docx, render_html, render_text_lines, render_xlsx,
                               report_title)
from reports.templates import SECTIONS, TEMPLATES


def test_same_seed_same_report():
    a, b = generate(random.Random(7)), generate(random.Random(7))
    assert a.to_json() == b.to_json()
    assert generate(random.Random(8)).to_json() != a.to_json()


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_requested_template_year_agency_level(template):
    year = 2020 if template == "2019" else 2023
    r = generate(random.Random(1), template=template, year=year, agency="淮安市人民政府", level="government")
    assert (r.template, r.year, r.agency, r.level) == (template, year, "淮安市人民政府", "government")
    assert r.title == "淮安市人民政府2020年政府信息公开工作年度报告".replace("2020", str(year))
    spec = TEMPLATES[template]
    for table in spec.tables:
        for row in table.rows:
            assert set(r.grid(table.id)[row.id]) == {c.id for c in table.columns_of(row)}


def test_template_follows_year_by_default():
    assert generate(random.Random(1), year=2020).template == "2019"
    assert generate(random.Random(1), year=2022).template == "2021"
    with pytest.raises(ValueError):
        generate(random.Random(1), template="2030")


@pytest.mark.parametrize("seed", range(40))
def test_every_generated_report_passes_every_check(seed):
    r = generate(random.Random(seed))
    assert check(r) == []
    assert r.published_on is not None and r.published_on.year == r.year + 1


def test_quiet_report_is_all_zero_and_says_so():
    r = generate(random.Random(3), template="2019", level="town", scale=0)
    assert all(c.number == 0 for cols in r.requests.values() for c in cols.values())
    assert "未收到政府信息公开申请" in r.sections["overview"]
    assert "未发生" in r.sections["overview"]
    assert check(r) == []


def test_json_round_trip():
    r = generate(random.Random(5), template="2019")
    assert Report.from_json(r.to_json()).to_json() == r.to_json()


def _labels(r: Report) -> list[str]:
    spec = TEMPLATES[r.template]
    out = [c.label for t in spec.tables for c in t.columns]
    out += [row.label for t in spec.tables for row in t.rows]
    return out


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_text_renderings_look_like_reports(template):
    r = generate(random.Random(11), template=template, scale=20)
    lines = render_text_lines(r)
    first = lines.splitlines()[0]
    assert first == report_title(r) == f"{r.agency}{r.year}年政府信息公开工作年度报告"
    assert f"日期：{r.published_on.isoformat()}" in lines
    for s in SECTIONS:
        assert f"\n{s.number}、{s.label}\n" in lines
    for label in _labels(r):
        assert label in lines
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in lines
    assert re.search(r"\n\d{4}年\d{1,2}月\d{1,2}日\n", lines)          # the signature date
    new = r.requests["new"]
    row = "".join(str(new[c].number) for c in new)
    collapsed = render_collapsed(r)
    assert "\n" not in collapsed and f"本年新收政府信息公开申请数量{row}" in collapsed


def test_html_has_the_official_spans_and_blank_zeros():
    r = generate(random.Random(12), template="2021", scale=5)
    page = render_html(r)
    assert page.startswith("<!DOCTYPE html>") and page.count("<table") == 3
    assert 'rowspan="3" colspan="3">（本列数据的勾稽关系为' in page
    assert '<td colspan="7">申请人情况</td>' in page
    assert f'<td rowspan="{len(TEMPLATES["2021"].table("requests").leaves) + 1}">三、本年度办理结果</td>' in page
    assert '<td colspan="10">行政诉讼</td>' in page
    blank = render_html(r, blank_zeros=True)
    assert blank.count("&nbsp;") > page.count("&nbsp;")


def test_docx_has_merged_tables():
    from docx import Document

    r = generate(random.Random(13), template="2019", scale=20)
    doc = Document(io.BytesIO(render_docx(r)))
    assert doc.paragraphs[0].text == report_title(r)
    assert len(doc.tables) == 3
    requests = doc.tables[1]
    assert requests.cell(0, 0).text.startswith("（本列数据的勾稽关系")
    assert requests.cell(0, 0)._tc is requests.cell(2, 2)._tc          # one merged 3×3 cell
    assert requests.cell(3, 9).text == str(r.requests["new"]["total"].number)


def test_xlsx_holds_numbers_and_merges():
    from openpyxl import load_workbook

    r = generate(random.Random(14), template="2021", scale=20)
    ws = load_workbook(io.BytesIO(render_xlsx(r))).active
    assert ws["A1"].value == report_title(r)
    values = [c.value for row in ws.iter_rows() for c in row]
    assert r.requests["total"]["total"].number in values
    assert any("申请人情况" == str(v) for v in values)
    assert len(ws.merged_cells.ranges) > 10


def test_flattened_page_hazards():
    r = generate(random.Random(15), template="2019", scale=20)
    bare = render_text_lines(r, headers=False, ascii_punctuation=True)
    assert "申请人情况" not in bare and "结果维持" not in bare and "信息内容" not in bare
    assert "(一)予以公开" in bare and "日期:" in bare and "（" not in bare
    assert "一、本年新收政府信息公开申请数量" in bare            # row labels stay
    assert "申请人情况" not in render_collapsed(r, headers=False)


@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("render,filename", [(render_docx, "report.docx"), (render_xlsx, "report.xlsx"),
                                             (render_html, "report.html")])
def test_office_files_parse_back_to_the_same_figures(template, render, filename):
    from reports.pipeline import analyse

    r = generate(random.Random(21), template=template, scale=60)
    data = render(r)
    [got] = analyse(data.encode() if isinstance(data, str) else data, filename).reports
    spec = TEMPLATES[template]
    for table in spec.tables:
        for row in table.rows:
            for col in table.columns_of(row):
                assert got.cell(table.id, row.id, col.id).value == r.cell(table.id, row.id, col.id).value
    assert (got.agency, got.year, got.template) == (r.agency, r.year, template)
    assert [f.code for f in got.findings] == []
