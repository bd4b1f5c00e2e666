"""The storage commands end to end: import (files, folders, zips), export, reparse, agency."""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import zipfile

import pytest
from openpyxl import load_workbook

from bot.settings import get_settings
from tests.conftest import sample_bytes


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/db/govreports.db")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def cli(name: str, *argv: str) -> int:
    """Run one command the way ``python -m bot NAME …`` does."""
    module = importlib.import_module(f"bot.cli_{name}")
    parser = argparse.ArgumentParser(prog=f"govreport {name}")
    module.add_arguments(parser)
    return module.run(parser.parse_args(list(argv)))


def _folder(tmp_path):
    folder = tmp_path / "season"
    (folder / "sub").mkdir(parents=True)
    (folder / "pingtan_2019.txt").write_bytes(sample_bytes("pingtan_2019.txt"))
    (folder / "sub" / "wuyang_2020.txt").write_bytes(sample_bytes("wuyang_2020.txt"))
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("上海/shanghai_2019.html", sample_bytes("shanghai_2019.html"))
        zf.writestr("pingtan_2021.txt", sample_bytes("pingtan_2021.txt"))
    (folder / "county.zip").write_bytes(buf.getvalue())
    return folder


def test_import_folder_prints_table_and_totals(store, capsys):
    folder = _folder(store)
    empty = store / "empty.txt"
    empty.write_bytes(b"")
    # Two worker processes analyse while the store writes; the empty file is unreadable.
    assert cli("import", str(folder), str(empty), "--no-progress", "--jobs", "2") == 1
    out = capsys.readouterr().out
    assert "已保存 stored: 4" in out and "无法读取 unreadable: 1" in out
    assert "county.zip › 上海/shanghai_2019.html" in out
    assert "上海市人民政府" in out and "MISSING_TOTAL" in out and "文件为空" in out
    assert ".DS_Store" not in out

    assert cli("import", str(folder / "county.zip"), "--no-progress", "--jobs", "1") == 0
    out = capsys.readouterr().out
    assert "已存储 duplicate: 2" in out and "已保存 stored: 0" in out


def test_import_missing_path_is_unreadable(store, capsys):
    assert cli("import", str(store / "nope.txt"), "--no-progress", "--jobs", "1") == 1
    assert "no such file or folder" in capsys.readouterr().out


def test_export_reparse_and_agency_commands(store, capsys):
    cli("import", str(_folder(store)), "--no-progress", "--jobs", "1")
    capsys.readouterr()

    out_csv = store / "out.csv"
    assert cli("export", "--format", "csv", "-o", str(out_csv)) == 0
    rows = list(csv.reader(io.StringIO(out_csv.read_text("utf-8-sig"))))
    assert rows[0][:2] == ["report_id", "agency"] and rows[1][:2] == ["报告编号", "机关"]
    assert len(rows) == 2 + 4
    out_xlsx = store / "out.xlsx"
    assert cli("export", "--format", "xlsx", "-o", str(out_xlsx)) == 0
    assert load_workbook(out_xlsx, read_only=True).active.cell(2, 1).value == "报告编号"

    assert cli("reparse", "--no-progress") == 0
    assert "无变化 unchanged: 4" in capsys.readouterr().out

    assert cli("agency", "list") == 0
    listing = capsys.readouterr().out
    assert "平潭综合实验区" in listing and "government" in listing
    assert cli("agency", "alias", "平潭综合实验区", "平潭综合实验区党工委") == 0
    assert "alias recorded" in capsys.readouterr().out
    assert cli("agency", "merge", "平潭综合实验区", "上海市人民政府") == 0
    assert "merged “上海市人民政府” into “平潭综合实验区”" in capsys.readouterr().out
    assert cli("agency", "merge", "平潭综合实验区", "不存在的机关") == 2
    assert "没有找到机关" in capsys.readouterr().err


def test_a_file_that_breaks_the_analysis_does_not_stop_the_import(store, capsys, monkeypatch):
    import services.ingest as ingest

    real = ingest.prepare_path

    def flaky(path, name, **kwargs):
        if name == "wuyang_2020.txt":
            raise ValueError("parser bug")
        return real(path, name, **kwargs)

    # Workers take several files per task: the others of the same task are still stored.
    monkeypatch.setattr(ingest, "prepare_path", flaky)
    assert cli("import", str(_folder(store)), "--no-progress", "--jobs", "1") == 1
    out = capsys.readouterr().out
    assert "analysing this file failed: ValueError: parser bug" in out
    assert "已保存 stored: 3" in out


def test_a_file_over_the_size_limit_is_refused_unread(store, capsys, monkeypatch):
    monkeypatch.setenv("MAX_UPLOAD_MB", "0.01")        # 10 KB: the samples below are larger or smaller
    get_settings.cache_clear()
    big = store / "big.txt"
    big.write_bytes(sample_bytes("pingtan_2021.txt") + b" " * 20_000)
    small = store / "wuyang_2020.txt"
    small.write_bytes(sample_bytes("wuyang_2020.txt"))
    assert len(small.read_bytes()) < 10_485
    assert cli("import", str(big), str(small), "--no-progress", "--jobs", "2") == 1
    out = capsys.readouterr().out
    assert "file too large; the limit is 0.01 MB" in out and "已保存 stored: 1" in out
