"""Reminder handlers' pure parts: date arguments and the rendering of reminders in both languages."""

from __future__ import annotations

from datetime import date

from handlers.reminders import LIST_LIMIT, pack, parse_day, render_notice
from services.reminders import Notice

TODAY = date(2026, 11, 27)


def test_parse_day_forms():
    assert parse_day("2026-09-28", TODAY) == date(2026, 9, 28)
    assert parse_day("2026/9/8", TODAY) == date(2026, 9, 8)
    assert parse_day("20260928", TODAY) == date(2026, 9, 28)
    assert parse_day("2026年9月28日", TODAY) == date(2026, 9, 28)
    assert parse_day("9月28日", TODAY) == date(2026, 9, 28)
    assert parse_day("12月30日", TODAY) == date(2025, 12, 30)     # a 月日 still ahead is last year's
    assert parse_day("今天", TODAY) == TODAY and parse_day("yesterday", TODAY) == date(2026, 11, 26)
    assert parse_day("2026-02-30", TODAY) is None and parse_day("补正", TODAY) is None


def annual(lang: str, **data) -> Notice:
    base = {"year": 2026, "deadline": "2027-01-31", "days_left": 30, "overdue": False,
            "missing": ["甲市<财政>局"], "total": 2}
    return Notice(1, 42, lang, "annual", {**base, **data})


def test_annual_reminder_texts_escape_names():
    (zh,) = render_notice(annual("zh"))
    assert "还有 30 天" in zh and "2027年1月31日" in zh and "甲市&lt;财政&gt;局" in zh and "（1/2）" in zh
    (en,) = render_notice(annual("en"))
    assert "30 days left" in en and "2027-01-31 (Sun)" in en
    (today,) = render_notice(annual("zh", days_left=0))
    assert "今天" in today
    (done,) = render_notice(annual("en", overdue=True, missing=[], days_left=-1))
    assert "all 2 bodies" in done


def test_long_lists_are_cut_and_counted():
    names = [f"机构{i:03d}" for i in range(LIST_LIMIT + 15)]
    text = "\n".join(render_notice(annual("zh", missing=names, total=len(names))))
    assert f"机构{LIST_LIMIT - 1:03d}" in text and f"机构{LIST_LIMIT:03d}" not in text and "另有 15 个" in text


def test_application_reminders():
    data = {"reminder": "due_soon", "id": 3, "subject": "FOI-7", "due_on": "2026-10-30",
            "remaining_workdays": 5, "approximate": True, "extended": False, "opinion_due": None}
    (text,) = render_notice(Notice(1, 42, "en", "application", data))
    assert "5 working days left" in text and "Monday–Friday" in text
    # A "due soon" reminder sent late (after a restart) says what is true when it goes out.
    (late,) = render_notice(Notice(1, 42, "zh", "application", {**data, "remaining_workdays": -1,
                                                                 "approximate": False}))
    assert "已过" in late and "/done 3" in late


def test_holidays_missing_and_pack():
    (text,) = render_notice(Notice(1, 9001, "zh", "holidays_missing", {"year": 2027}))
    assert "2027年" in text and "holidays.json" in text
    chunks = pack(["x" * 3000, "y" * 3000, "z"])
    assert len(chunks) == 2 and chunks[1] == "y" * 3000 + "\nz"
