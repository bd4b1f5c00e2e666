"""Roster list files: text (UTF-8 or GB18030), CSV and XLSX."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from services.roster_file import MAX_BYTES, RosterFileError, names_from_file


def test_text_in_gb18030_with_header_separators_and_duplicates():
    data = "机构名称\n甲市财政局、乙县人民政府\n\n甲市财政局\n丙区司法局；丁镇人民政府\n".encode("gb18030")
    assert names_from_file(data, "名单.txt") == ["甲市财政局", "乙县人民政府", "丙区司法局", "丁镇人民政府"]


def test_csv_takes_the_first_non_empty_cell():
    data = "name,level\n甲市财政局,department\n,乙县人民政府\n".encode("utf-8-sig")
    assert names_from_file(data, "list.csv") == ["甲市财政局", "乙县人民政府"]


def test_xlsx_first_column_of_first_sheet():
    book = Workbook()
    sheet = book.active
    for row in (["单位名称", "备注"], ["甲市财政局", "x"], [None, None], ["乙县人民政府", None]):
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    assert names_from_file(buf.getvalue(), "roster.xlsx") == ["甲市财政局", "乙县人民政府"]


def test_refusals():
    with pytest.raises(RosterFileError):
        names_from_file(b"x" * (MAX_BYTES + 1), "big.txt")
    with pytest.raises(RosterFileError):
        names_from_file(b"PK\x03\x04broken", "bad.xlsx")
    with pytest.raises(RosterFileError):
        names_from_file(b"\xff\xfe\xfa\x00\x81", "odd.txt")
