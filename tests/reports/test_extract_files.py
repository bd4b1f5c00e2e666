"""Committed real-world-like fixtures: Word merges, a PDF table broken across pages, a zip with GBK names."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import openpyxl

from reports.document import Paragraph
from reports.extract import extract, sniff
from reports.extract.doc import looks_complete
from reports.templates import TEMPLATES
from tests.fixtures.make_fixtures import TOP_LEFT, table3_values

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _table3(name: str):
    result = extract((FIXTURES / name).read_bytes(), name)
    (doc,) = result.documents
    (table,) = doc.tables
    return doc, table


def _value_rows(table) -> dict[str, tuple[str, ...]]:
    """Leaf label (last label column) → its seven values."""
    return {row[2]: row[3:] for row in table.rows[3:]}


def test_docx_merged_cells_are_expanded_with_origins():
    doc, table = _table3("merged_cells.docx")
    assert doc.source.shape == "docx"
    assert table.width == 10 and len(table.rows) == 3 + len(TEMPLATES["2021"].table("requests").rows)
    # The 3×3 top-left header is one cell: its copies point at (0, 0).
    assert {table.rows[r][c] for r in range(3) for c in range(3)} == {TOP_LEFT}
    assert all(table.origin[r][c] == (0, 0) for r in range(3) for c in range(3))
    assert table.rows[0][3:] == ("申请人情况",) * 7 and table.is_copy(0, 9)
    # Vertical merges: the group label repeats, but only its first row is the original.
    denied = [r for r, row in enumerate(table.rows) if row[1] == "（三）不予公开"]
    assert len(denied) == 8
    assert not table.is_copy(denied[0], 1) and all(table.is_copy(r, 1) for r in denied[1:])
    values = table3_values()
    spec = TEMPLATES["2021"].table("requests")
    new = table.rows[3]
    assert new[:3] == (f"一、{spec.row('new').label}",) * 3
    assert new[3:] == tuple(str(v) for v in values["new"])


def test_docx_sum_over_origins_counts_merged_cells_once():
    # python-docx returns a merged cell once per grid position; summing those would double it.
    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    t.cell(0, 0).text, t.cell(0, 1).text, t.cell(0, 2).text = "总计", "4", "6"
    t.cell(1, 0).text = "合计"
    t.cell(1, 1).merge(t.cell(1, 2)).text = "10"
    buf = io.BytesIO()
    d.save(buf)
    (table,) = extract(buf.getvalue(), "t.docx").documents[0].tables
    assert table.rows[1] == ("合计", "10", "10")
    originals = [int(v) for r, row in enumerate(table.rows) for c, v in enumerate(row)
                 if v.isdigit() and not table.is_copy(r, c)]
    assert sum(originals) == 20


def test_pdf_table_broken_across_pages_is_joined_and_equals_the_docx():
    doc, pdf_table = _table3("table3_pagebreak.pdf")
    _, docx_table = _table3("merged_cells.docx")
    assert doc.source.shape == "pdf"
    assert pdf_table.rows == docx_table.rows
    assert pdf_table.origin == docx_table.origin
    # The prose before the table is kept as lines in reading order.
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert texts[0].startswith("某县某局2021年政府信息公开工作年度报告")
    assert texts.index("三、收到和处理政府信息公开申请情况") < texts.index("四、政府信息公开行政复议、行政诉讼情况")


def test_pdf_fixture_really_breaks_the_table_across_pages():
    import pdfplumber

    with pdfplumber.open(FIXTURES / "table3_pagebreak.pdf") as pdf:
        pages_with_tables = [p.page_number for p in pdf.pages if p.find_tables()]
    assert len(pages_with_tables) >= 2


def test_zip_with_gbk_names_nested_folders_junk_and_inner_zip():
    result = extract((FIXTURES / "gbk_names.zip").read_bytes(), "gbk_names.zip")
    names = sorted(d.source.file for d in result.documents)
    assert names == [
        "gbk_names.zip/2021年报告/乌杨街道办事处.txt",
        "gbk_names.zip/2021年报告/区县/某局年报.docx",
        "gbk_names.zip/2021年报告/打包.zip/内层/镇政府报告.txt",
    ]
    assert result.skipped == []  # __MACOSX, .DS_Store, Thumbs.db and ~$ lock files are junk, not reports
    by_name = {d.source.file: d for d in result.documents}
    txt = by_name["gbk_names.zip/2021年报告/乌杨街道办事处.txt"]
    assert txt.blocks[0] == Paragraph("乌杨街道办事处2021年政府信息公开工作年度报告")
    assert by_name["gbk_names.zip/2021年报告/区县/某局年报.docx"].source.shape == "docx"


def test_zip_fixture_really_uses_gbk_without_the_utf8_flag():
    with zipfile.ZipFile(FIXTURES / "gbk_names.zip") as z:
        flagged = [i for i in z.infolist() if i.flag_bits & 0x800]
        assert not flagged
        assert any(i.filename.encode("cp437") == "2021年报告/乌杨街道办事处.txt".encode("gbk") for i in z.infolist())


def test_zip_nested_twice_is_skipped_not_followed():
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("r.txt", "报告")
    middle = io.BytesIO()
    with zipfile.ZipFile(middle, "w") as z:
        z.writestr("inner.zip", inner.getvalue())
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as z:
        z.writestr("middle.zip", middle.getvalue())
        z.writestr("notes.csv", "a,b")
    result = extract(outer.getvalue(), "outer.zip")
    assert result.documents == []
    reasons = {s.name: s.reason_en for s in result.skipped}
    assert reasons["outer.zip/middle.zip/inner.zip"].startswith("zip nested too deeply")
    assert reasons["outer.zip/notes.csv"].startswith("not a report file")


def test_docx_nested_table_and_paragraph_order():
    d = docx.Document()
    d.add_paragraph("前言")
    outer = d.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "左栏"
    inner = outer.cell(0, 1).add_table(rows=2, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "规章", "3"
    inner.cell(1, 0).merge(inner.cell(1, 1)).text = "合并"
    d.add_paragraph("结尾")
    buf = io.BytesIO()
    d.save(buf)
    doc = extract(buf.getvalue(), "nested.docx").documents[0]
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph) and b.text]
    assert texts == ["前言", "左栏", "结尾"]
    (table,) = doc.tables
    assert table.rows == (("规章", "3"), ("合并", "合并")) and table.is_copy(1, 1)


def test_xlsx_merged_ranges_numbers_and_prose_rows():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "某局2021年政府信息公开工作年度报告"
    ws["A2"] = "二、主动公开政府信息情况"
    ws.merge_cells("A3:C3")
    ws["A3"] = "第二十条第（一）项"
    ws["A4"], ws["B4"], ws["C4"] = "信息内容", "本年制发件数", "现行有效件数"
    ws["A5"], ws["B5"], ws["C5"] = "规章", 12.0, 3
    ws["A6"], ws["B6"], ws["C6"] = "行政事业性收费", 24252.311082, None
    ws2 = wb.create_sheet("表四")
    ws2["B2"], ws2["C2"] = "行政复议", 5
    buf = io.BytesIO()
    wb.save(buf)
    doc = extract(buf.getvalue(), "r.xlsx").documents[0]
    assert doc.source.shape == "xlsx"
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph)] == ["某局2021年政府信息公开工作年度报告", "二、主动公开政府信息情况"]
    first, second = doc.tables
    assert first.rows == (("第二十条第（一）项",) * 3, ("信息内容", "本年制发件数", "现行有效件数"),
                          ("规章", "12", "3"), ("行政事业性收费", "24252.311082", ""))
    assert first.is_copy(0, 2) and not first.is_copy(0, 0)
    assert second.rows == (("行政复议", "5"),)


def test_sniff_looks_inside_zips_and_ole():
    assert sniff((FIXTURES / "merged_cells.docx").read_bytes()) == "docx"
    assert sniff((FIXTURES / "gbk_names.zip").read_bytes()) == "zip"
    assert sniff((FIXTURES / "table3_pagebreak.pdf").read_bytes()) == "pdf"
    buf = io.BytesIO()
    openpyxl.Workbook().save(buf)
    assert sniff(buf.getvalue()) == "xlsx"


def test_looks_complete_wants_every_template_row_once_a_report_is_recognised():
    doc, table = _table3("merged_cells.docx")
    full = doc.text() + "\n结果维持 结果维持 结果维持\n" + "\n".join(
        r.label for t in TEMPLATES["2021"].tables for r in t.rows)
    assert looks_complete(full)
    assert not looks_complete(full.replace("属于行政执法案卷", ""))
    assert looks_complete("一份普通的通知，没有表格")


def _rtf_escape(text: str) -> str:
    return "".join(c if ord(c) < 128 else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?" for c in text)


def test_rtf_saved_as_doc_is_read_through_libreoffice():
    # Offices often publish RTF files named .doc; the content decides.
    rtf = ("{\\rtf1\\ansi{\\fonttbl{\\f0 SimSun;}}\\f0 " + _rtf_escape("某局年度报告") + "\\par\n"
           "\\trowd\\cellx3000\\cellx6000 " + _rtf_escape("规章") + "\\cell 3\\cell\\row\n"
           + _rtf_escape("结尾") + "\\par}")
    data = rtf.encode("ascii")
    assert sniff(data) == "rtf"
    doc = extract(data, "report.doc").documents[0]
    assert doc.source.shape == "doc"
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph) and b.text][:1] == ["某局年度报告"]
    assert doc.tables[0].rows == (("规章", "3"),)


def test_pdf_time_budget_and_page_cap():
    import pytest

    from reports.extract import ExtractError, Limits

    data = (FIXTURES / "table3_pagebreak.pdf").read_bytes()
    with pytest.raises(ExtractError) as err:
        extract(data, "slow.pdf", limits=Limits(pdf_seconds=0))
    assert err.value.code == "timeout" and "超时" in err.value.message_zh
    first_pages = extract(data, "long.pdf", limits=Limits(max_pdf_pages=2)).documents[0]
    full = extract(data, "long.pdf").documents[0]
    assert 0 < len(first_pages.tables[0].rows) < len(full.tables[0].rows)


def test_converter_timeout_is_reported_and_the_converter_killed():
    import pytest

    from reports.extract import ExtractError, Limits

    rtf = b"{\\rtf1\\ansi " + b"report \\par " * 50 + b"}"
    with pytest.raises(ExtractError) as err:
        extract(rtf, "slow.doc", limits=Limits(convert_seconds=0.05))
    assert err.value.code == "timeout" and "took too long" in err.value.message_en


def test_xlsx_shared_strings_dates_booleans_formulas_and_a_chart_sheet():
    import datetime

    from openpyxl.chart import BarChart, Reference

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "发布日期", datetime.date(2022, 1, 20)
    ws["A2"], ws["B2"] = "规章", "=1+1"          # no cached value: openpyxl writes none
    ws["A3"], ws["B3"] = "是否公开", True
    ws["A4"], ws["B4"] = "行政处罚", 1282
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=4, max_row=4))
    wb.create_chartsheet("图表").add_chart(chart)   # a chart sheet holds no cells: skipped, not "corrupt"
    buf = io.BytesIO()
    wb.save(buf)
    doc = extract(buf.getvalue(), "r.xlsx").documents[0]
    cells = {row[0]: row[1] for t in doc.tables for row in t.rows if len(row) > 1}
    assert cells["行政处罚"] == "1282"
    assert cells["发布日期"].startswith("2022-01-20")
    assert cells["是否公开"] in ("TRUE", "True", "true")
    # A formula with no cached result is empty, never the formula text or a computed guess.
    assert cells["规章"] == ""
