"""Rendering: splitting below Telegram's limit, escaping after splitting, summaries and findings."""

from __future__ import annotations

import html

import pytest

from bot import render
from bot.render import Line, to_messages, utf16_len
from bot.texts import TEXTS, lang_of, plain, t
from reports.document import Source
from reports.model import Cell, Finding, Report, Severity
from reports.pipeline import analyse
from tests.conftest import sample_bytes
from tests.fakes.bot_api import check_html, visible_text


def test_long_text_is_split_below_the_limit_and_every_chunk_is_valid_html():
    lines = [Line(f"第{i}行：a < b && c > d，“引号”与<标签>" * 3, bold=i % 7 == 0) for i in range(400)]
    messages = to_messages(lines)
    assert len(messages) > 1
    for m in messages:
        check_html(m)                                   # raises on broken markup, as Telegram would
        assert utf16_len(visible_text(m)) <= render.MESSAGE_LIMIT
    shown = "\n".join(visible_text(m) for m in messages)
    assert shown == "\n".join(line.text for line in lines)


def test_a_line_longer_than_a_message_is_cut_after_punctuation():
    sentence = "本机关依法答复申请人，" * 600        # 6,000 characters, commas every 11
    messages = to_messages([Line(sentence)])
    assert len(messages) == 2
    assert all(visible_text(m).endswith("，") for m in messages)
    assert "".join(visible_text(m) for m in messages) == sentence


def test_characters_outside_the_bmp_count_twice():
    messages = to_messages([Line("😀" * 3000)])
    assert [utf16_len(visible_text(m)) for m in messages] == [4096, 1904]


def test_escaping_happens_after_splitting():
    messages = to_messages([Line("&" * 5000)])
    assert [len(visible_text(m)) for m in messages] == [4096, 904]
    assert messages[0] == "&amp;" * 4096


def test_every_text_has_both_languages_and_values_are_escaped():
    for key, variants in TEXTS.items():
        assert set(variants) == {"zh", "en"}, key
    assert "&lt;b&gt;" in t("upload.unreadable", "zh", name="<b>x</b>", reason="r")
    assert plain("upload.unreadable", "en", name="<b>", reason="r").startswith("Could not read <b>")


@pytest.mark.parametrize("code,lang", [("en", "en"), ("en-GB", "en"), ("zh-hans", "zh"), ("ru", "zh"), (None, "zh")])
def test_language_from_telegram_code(code, lang):
    assert lang_of(code) == lang


def test_report_summary_from_a_real_sample():
    report = analyse(sample_bytes("pingtan_2021.txt"), "pingtan_2021.txt").reports[0]
    text = "\n".join(line.text for line in render.report_lines(report, "zh"))
    assert "平潭综合实验区 · 2021年度" in text
    assert "模板：2021版" in text
    assert "发布日期：2022-02-08（按期，期限 2022-03-31）" in text
    assert "新收 70 · 上年结转 0 · 办结 69 · 予以公开 30 · 结转下年 1 · 行政复议 3 · 行政诉讼 12" in text


def test_unknown_figures_are_question_marks_never_zero():
    report = analyse(sample_bytes("zhongcun_2020_excerpt.txt"), "zhongcun_2020_excerpt.txt").reports[0]
    text = "\n".join(line.text for line in render.report_lines(report, "en"))
    assert "new ? · carried over ? · answered ?" in text


def _finding(code: str, severity: Severity) -> Finding:
    return Finding(code, severity, "表三", f"{code} 中文", f"{code} english")


def test_findings_errors_first_and_the_rest_counted():
    report = Report(source=Source("x.txt", "0" * 64, "text"), agency="某局", year=2022)
    report.findings = [_finding(f"W{i}", Severity.WARNING) for i in range(10)] + [_finding("E", Severity.ERROR)]
    lines = [line.text for line in render.report_lines(report, "en", max_findings=3)]
    assert lines[-5].startswith("Problems found: 1 errors · 10 warnings · 0 notes")
    assert lines[-4] == "❌ [E] 表三: E english"
    assert lines[-1] == "… 8 more; press “All problems” to see them."


def test_late_publication_is_said():
    report = Report(source=Source("x.txt", "0" * 64, "text"), agency="某区教育局", level="department", year=2023)
    from datetime import date
    report.published_on = date(2024, 2, 5)
    report.requests = {"new": {"total": Cell.of(5)}}
    text = "\n".join(line.text for line in render.report_lines(report, "zh"))
    assert "发布日期：2024-02-05（逾期，期限 2024-01-31）" in text
    assert "新收 5" in text
    assert html.escape("<") == "&lt;"
