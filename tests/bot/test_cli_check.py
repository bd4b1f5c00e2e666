"""``python -m bot check FILE… [--json]``: summaries, JSON, zips and exit codes."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile

import pytest

from bot.cli import main
from bot.settings import get_settings
from reports.synthetic import generate, render_html
from tests.conftest import ROOT, sample_bytes


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch):
    monkeypatch.delenv("TOWN_REPORT_DEADLINE", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def put(tmp_path, name: str, data: bytes | None = None):
    path = tmp_path / name
    path.write_bytes(sample_bytes(name) if data is None else data)
    return str(path)


def test_summary_of_wuyang(tmp_path, capsys):
    assert main(["check", put(tmp_path, "wuyang_2020.txt")]) == 0
    out = capsys.readouterr().out
    assert "重庆市秀山土家族苗族自治县乌杨街道办事处" in out
    assert "年度：2020" in out and "2019版" in out
    assert "2021-01-20（页面日期） 按时（期限 2021-01-31）" in out
    assert "新收 0 · 上年结转 0 · 办结 0 · 予以公开 0 · 结转下年度 0" in out
    assert "行政复议 0 · 行政诉讼 0" in out
    assert "[警告]" in out and "NARRATIVE_POINTS" in out and "[错误]" not in out


def test_summary_groups_findings_by_severity_in_english(tmp_path, capsys):
    assert main(["check", "--lang", "en", put(tmp_path, "shanghai_2019.html")]) == 0
    out = capsys.readouterr().out
    assert "new 859 · carried over 18 · handled 805 · granted 272 · carried forward 72" in out
    assert "reviews 7 · lawsuits 9" in out
    order = [out.index(s) for s in ("[errors]", "MISSING_TOTAL", "[warnings]", "NARRATIVE_MISMATCH")]
    assert order == sorted(order)


def test_town_deadline_option_and_setting(tmp_path, capsys, monkeypatch):
    path = put(tmp_path, "wuyang_2020.txt")
    assert main(["check", "--town-deadline", "01-15", path]) == 0
    assert "逾期5天（期限 2021-01-15）" in capsys.readouterr().out
    monkeypatch.setenv("TOWN_REPORT_DEADLINE", "01-10")
    get_settings.cache_clear()
    assert main(["check", path]) == 0
    assert "LATE" in capsys.readouterr().out
    assert main(["check", "--town-deadline", "13-40", path]) == 2


def test_json_single_object_then_array(tmp_path, capsys):
    one = put(tmp_path, "pingtan_2021.txt")
    assert main(["check", "--json", one]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert isinstance(doc, dict)
    assert doc["agency"] == "平潭综合实验区" and doc["year"] == 2021 and doc["template"] == "2021"
    assert doc["requests"]["new"]["total"] == 70 and doc["appeals"]["suit_direct"]["total"] == 12
    assert [f["code"] for f in doc["findings"]] == ["INFERRED_SPLIT"]
    assert main(["check", "--json", one, put(tmp_path, "songmutang_2022_excerpt.txt")]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert isinstance(docs, list) and len(docs) == 2
    assert {f["code"] for f in docs[1]["findings"]} >= {"TOWN_REGULATION", "TRUNCATED"}
    assert all({"code", "severity", "where", "message"} <= set(f) for f in docs[1]["findings"])


def test_zip_yields_one_object_per_report_and_its_skipped_members(tmp_path, capsys):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a/wuyang_2020.txt", sample_bytes("wuyang_2020.txt"))
        zf.writestr("synthetic.html", render_html(generate(random.Random(2), template="2019")))
        zf.writestr("notes.bin", b"\x00\x01\x02" * 100)
    path = put(tmp_path, "season.zip", buf.getvalue())
    assert main(["check", "--json", path]) == 0
    docs = json.loads(capsys.readouterr().out)
    reports = [d for d in docs if "agency" in d]
    skipped = [d for d in docs if d.get("skipped")]
    assert len(reports) == 2 and len(skipped) == 1
    assert skipped[0]["container"] == "season.zip" and skipped[0]["reason"] and skipped[0]["reason_en"]
    assert main(["check", path]) == 0
    out = capsys.readouterr().out
    assert out.count("== ") == 3 and "跳过" in out


def test_unreadable_inputs_exit_1_but_the_rest_is_checked(tmp_path, capsys):
    good = put(tmp_path, "wuyang_2020.txt")
    empty = put(tmp_path, "empty.txt", b"")
    missing = str(tmp_path / "nope.docx")
    assert main(["check", good, empty, missing]) == 1
    out = capsys.readouterr().out
    assert "乌杨街道办事处" in out
    assert "== empty.txt ==\n无法读取：文件为空" in out
    assert "== nope.docx ==\n无法读取：文件不存在或无法打开" in out
    assert main(["check", "--json", empty]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["error"]["code"] == "empty" and doc["error"]["message_en"]


def test_text_that_is_not_a_report(tmp_path, capsys):
    path = put(tmp_path, "notes.txt", "会议纪要\n今天讨论了食堂菜单。\n".encode())
    assert main(["check", path]) == 1
    assert "未找到年度报告" in capsys.readouterr().out
    assert main(["check", "--json", path]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "not_a_report"


def test_usage_errors_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["check"])
    assert e.value.code == 2
    assert main(["check", str(tmp_path)]) == 2
    assert "directory" in capsys.readouterr().err


def test_module_entry_point(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "bot", "check", "--json", put(tmp_path, "pingtan_2019.txt")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    codes = [f["code"] for f in doc["findings"]]
    assert codes.count("AMBIGUOUS_CELL") == 1 and set(codes) == {"AMBIGUOUS_CELL", "INFERRED_SPLIT"}


def test_a_text_that_only_mentions_the_templates_is_not_a_report(tmp_path, capsys):
    # The samples' README quotes table labels and figures but reports on no year: not a report.
    assert main(["check", put(tmp_path, "README.md")]) == 1
    assert "未找到年度报告" in capsys.readouterr().out
