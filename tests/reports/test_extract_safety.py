"""Hostile inputs: every one refused with its message, in bounded memory and without trusting headers."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from reports.extract import ExtractError, Limits, extract
from tests.fixtures.builders import (
    BILLION_LAUGHS, MiB, cfb, cid_pdf, docx_bomb, encrypted_pdf, many_members_zip, overlapping_zip, raw_zip,
    replace_part, scanned_pdf, word_fib, zeros_member,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _refused(data: bytes, name: str, code: str, limits: Limits = Limits()) -> ExtractError:
    with pytest.raises(ExtractError) as err:
        extract(data, name, limits=limits)
    assert err.value.code == code
    assert err.value.message_zh and err.value.message_en and err.value.message_zh != err.value.message_en
    return err.value


def _peak_while(fn) -> int:
    tracemalloc.start()
    try:
        fn()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_zip_expanding_to_1gb_is_stopped_with_bounded_memory():
    bomb = raw_zip([zeros_member("report.txt", 1024 * MiB)])
    assert len(bomb) < 2 * MiB  # declared 1 GiB, about 1 MB on the wire
    errors: list[ExtractError] = []

    def run() -> None:
        try:
            extract(bomb, "bomb.zip")
        except ExtractError as exc:
            errors.append(exc)

    peak = _peak_while(run)
    assert [e.code for e in errors] == ["zip_bomb"]
    assert peak < 64 * MiB


def test_member_and_total_caps_hold_when_the_ratio_check_is_off():
    bomb = raw_zip([zeros_member("a.txt", 256 * MiB)])
    limits = Limits(max_ratio=1e9, max_member_bytes=8 * MiB)
    err = _refused(bomb, "bomb.zip", "zip_bomb", limits)
    assert "8 MB" in err.message_en
    peak = _peak_while(lambda: pytest.raises(ExtractError, extract, bomb, "bomb.zip", limits=limits))
    assert peak < 32 * MiB


def test_overlapping_entries_are_counted_towards_the_total():
    # One 700 kB member listed 1,500 times by the central directory: 1 GB from a tiny file.
    bomb = overlapping_zip("政府信息公开\n".encode() * 50_000, 1500)
    err = _refused(bomb, "overlap.zip", "zip_bomb", Limits(max_total_bytes=8 * MiB))
    assert "8 MB" in err.message_en


def test_ten_thousand_members_are_refused_before_decompressing():
    err = _refused(many_members_zip(10_000), "many.zip", "zip_bomb")
    assert "2000" in err.message_en


def test_docx_that_is_a_bomb_is_refused():
    _refused(docx_bomb(1024 * MiB), "report.docx", "zip_bomb")


def test_xml_entity_expansion_in_docx_is_refused():
    good = (FIXTURES / "merged_cells.docx").read_bytes()
    err = _refused(replace_part(good, "word/document.xml", BILLION_LAUGHS), "report.docx", "corrupt")
    assert "DTD" in err.message_en


def test_xml_entity_expansion_in_xlsx_is_refused():
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "规章"
    buf = io.BytesIO()
    wb.save(buf)
    laughs = BILLION_LAUGHS.replace(b"w:document", b"worksheet")
    _refused(replace_part(buf.getvalue(), "xl/worksheets/sheet1.xml", laughs), "r.xlsx", "corrupt")


def test_names_with_dotdot_or_absolute_paths_are_skipped():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../../etc/passwd.txt", "root")
        z.writestr("/abs/report.txt", "x")
        z.writestr("C:/win/report.txt", "x")
        z.writestr("ok/report.txt", "2021年报告")
    result = extract(buf.getvalue(), "a.zip")
    assert [d.source.file for d in result.documents] == ["a.zip/ok/report.txt"]
    assert len(result.skipped) == 3
    assert all("“..”" in s.reason and "absolute" in s.reason_en for s in result.skipped)


def test_encrypted_pdf_is_refused_with_a_clear_message():
    err = _refused(encrypted_pdf(), "report.pdf", "encrypted")
    assert "密码" in err.message_zh and "password" in err.message_en


def test_scanned_pdf_without_text_layer_is_refused():
    err = _refused(scanned_pdf(), "scan.pdf", "scanned")
    assert err.message_zh.startswith("扫描件，无文字层，无法读取数字")


def test_pdf_with_cid_fonts_is_refused_as_unreadable_text():
    err = _refused(cid_pdf(), "cid.pdf", "scanned")
    assert "Unicode" in err.message_en


def test_encrypted_office_package_and_encrypted_doc_are_refused():
    _refused(cfb({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x00" * 64}), "report.docx", "encrypted")
    _refused(cfb({"WordDocument": word_fib(encrypted=True)}), "report.doc", "encrypted")


def test_legacy_xls_is_unsupported_with_advice():
    err = _refused(cfb({"Workbook": b"\x09\x08"}), "report.xls", "unsupported")
    assert ".xlsx" in err.message_zh


def test_encrypted_zip_member_is_skipped():
    good = many_members_zip(1)
    data = bytearray(good)
    # Set the "encrypted" flag on the local header and the central directory entry.
    data[6] |= 1
    cd = data.find(b"PK\x01\x02")
    data[cd + 8] |= 1
    result = extract(bytes(data), "locked.zip")
    assert result.documents == []
    assert [s.name for s in result.skipped] == ["locked.zip/r/0.txt"]
    assert "password" in result.skipped[0].reason_en


@pytest.mark.parametrize("name,data", [
    ("broken.docx", (FIXTURES / "merged_cells.docx").read_bytes()[:5000]),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer garbage"),
    ("broken.zip", b"PK\x03\x04" + b"\x00" * 100),
])
def test_corrupt_files_are_refused(name, data):
    err = _refused(data, name, "corrupt")
    assert "损坏" in err.message_zh and "corrupt" in err.message_en


def test_oversized_file_is_refused_by_the_configured_limit():
    limits = Limits.for_upload_mb(1)
    err = _refused(b"%PDF-1.4\n" + bytes(2 * MiB), "big.pdf", "too_large", limits)
    assert "1 MB" in err.message_en


def test_corrupt_doc_is_refused_after_both_readers_fail():
    # A compound file with a Word stream header and nothing else: antiword and LibreOffice both fail.
    err = _refused(cfb({"WordDocument": word_fib(encrypted=False)}), "broken.doc", "corrupt")
    assert "Word" in err.message_en
