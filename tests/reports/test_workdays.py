"""The official working-day calendar: chinesecalendar, the holiday file, and the Monday–Friday fallback."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest

from reports.workdays import (HOLIDAY_FILE, Calendar, HolidayFileError, YearSchedule, load_holiday_file,
                              parse_holiday_data)

# A made-up schedule for a far year nobody has published, used only to exercise the file format.
SYNTHETIC_YEAR = 2090
SYNTHETIC = {
    "years": {
        str(SYNTHETIC_YEAR): {
            "source": "synthetic test schedule (not an official notice)",
            "holidays": [f"{SYNTHETIC_YEAR}-01-02", [f"{SYNTHETIC_YEAR}-02-06", f"{SYNTHETIC_YEAR}-02-10"]],
            "workdays": [f"{SYNTHETIC_YEAR}-02-12"],
        }
    }
}


def test_library_years_and_2026_national_day():
    cal = Calendar()
    assert {2004, 2019, 2026} <= cal.covered_years()
    for d in range(1, 8):
        assert not cal.is_workday(date(2026, 10, d))                 # 国庆 10月1日–7日
    assert cal.is_workday(date(2026, 10, 10))                        # Saturday worked (调休)
    assert cal.is_workday(date(2026, 9, 20))                         # Sunday worked (调休)
    assert not cal.is_workday(date(2026, 10, 11))                    # ordinary Sunday
    assert cal.check(date(2026, 10, 10)) == (True, False)


def test_spring_festival_2026_with_weekend_workdays():
    cal = Calendar()
    assert cal.is_workday(date(2026, 2, 14))                         # Saturday worked
    assert all(not cal.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert cal.is_workday(date(2026, 2, 28))                         # Saturday worked


def test_add_workdays_counts_from_the_day_after():
    cal = Calendar()
    # Received Monday 2026-09-28: Sep 29, 30, Oct 8, 9, 10 (Sat) … → the 20th working day is Oct 30.
    assert cal.add_workdays(date(2026, 9, 28), 20) == (date(2026, 10, 30), False)
    assert cal.add_workdays(date(2026, 9, 28), 0) == (date(2026, 9, 28), False)
    assert cal.add_workdays(date(2026, 9, 30), 1).date == date(2026, 10, 8)
    with pytest.raises(ValueError):
        cal.add_workdays(date(2026, 9, 28), -1)


def test_workdays_between_half_open_and_negative():
    cal = Calendar()
    assert cal.workdays_between(date(2026, 9, 28), date(2026, 10, 10)) == (5, False)
    assert cal.workdays_between(date(2026, 10, 10), date(2026, 9, 28)) == (-5, False)
    assert cal.workdays_between(date(2026, 10, 1), date(2026, 10, 7)).count == 0


def test_workday_before():
    cal = Calendar()
    due = date(2026, 10, 30)
    assert cal.workday_before(due, 0).date == due
    assert cal.workday_before(due, 1).date == date(2026, 10, 29)
    assert cal.workday_before(due, 5).date == date(2026, 10, 23)
    # 5 working days before 2026-10-13: Oct 12, 10 (Sat, worked), 9, 8 and Sep 30 → Sep 30 itself.
    assert cal.workday_before(date(2026, 10, 13), 5).date == date(2026, 9, 30)


def test_uncovered_year_falls_back_to_weekdays_marked_approximate(caplog):
    cal = Calendar()
    year = max(cal.covered_years()) + 1
    assert not cal.is_covered(year)
    with caplog.at_level(logging.WARNING, logger="reports.workdays"):
        ok, approx = cal.check(date(year, 1, 4))
        cal.check(date(year, 1, 5))
    assert approx is True and ok == (date(year, 1, 4).weekday() < 5)
    warnings = [r for r in caplog.records if str(year) in r.getMessage()]
    assert len(warnings) == 1                                          # once per year
    start = date(year - 1, 12, 20)
    result = cal.add_workdays(start, 20)
    assert result.approximate is True
    # Within a covered year nothing is approximate.
    assert cal.add_workdays(date(year - 1, 3, 2), 10).approximate is False


def test_holiday_file_fills_a_year_the_library_lacks():
    schedules = parse_holiday_data(SYNTHETIC)
    cal = Calendar(schedules)
    assert SYNTHETIC_YEAR in cal.covered_years() and cal.is_covered(SYNTHETIC_YEAR)
    assert cal.check(date(SYNTHETIC_YEAR, 1, 2)) == (False, False)          # a listed weekday off
    assert cal.check(date(SYNTHETIC_YEAR, 2, 8)) == (False, False)          # inside a range
    assert cal.check(date(SYNTHETIC_YEAR, 2, 12)) == (True, False)          # a Sunday worked
    assert cal.check(date(SYNTHETIC_YEAR, 3, 1)) == (date(SYNTHETIC_YEAR, 3, 1).weekday() < 5, False)
    assert cal.schedule_source(SYNTHETIC_YEAR).startswith("synthetic")
    assert cal.schedule_source(2026).startswith("chinesecalendar")
    assert cal.schedule_source(SYNTHETIC_YEAR + 1) is None


def test_file_overrides_library_for_a_year_it_lists():
    data = {"years": {"2026": {"source": "synthetic override", "holidays": ["2026-03-02"], "workdays": []}}}
    cal = Calendar(parse_holiday_data(data))
    assert not cal.is_workday(date(2026, 3, 2))
    assert cal.is_workday(date(2026, 10, 1))   # the file's 2026 replaces the library's 2026 entirely


@pytest.mark.parametrize("data, fragment", [
    ({}, '"years"'),
    ({"years": {"27": {}}}, "four-digit"),
    ({"years": {"2090": {"holidays": ["2090-01-02"]}}}, "source"),
    ({"years": {"2090": {"source": "x", "holidays": ["2090-13-01"]}}}, "not a date"),
    ({"years": {"2090": {"source": "x", "holidays": []}}}, "no holidays"),
    ({"years": {"2090": {"source": "x", "holidays": [["2090-02-10", "2090-02-01"]]}}}, "reversed"),
    ({"years": {"2090": {"source": "x", "holidays": ["2090-01-02"], "workdays": ["2090-01-03"]}}}, "weekday"),
    ({"years": {"2090": {"source": "x", "holidays": ["2070-01-02"]}}}, "outside"),
    ({"years": {"2090": {"source": "x", "holidays": ["2090-02-12"], "workdays": ["2090-02-12"]}}}, "both"),
])
def test_malformed_holiday_data_is_refused_with_its_place(data, fragment):
    with pytest.raises(HolidayFileError) as err:
        parse_holiday_data(data)
    assert fragment in str(err.value)


def test_holiday_file_in_the_repository_is_valid_and_invents_nothing():
    raw = json.loads(HOLIDAY_FILE.read_text(encoding="utf-8"))
    assert "format" in raw
    schedules = load_holiday_file()
    for schedule in schedules.values():
        assert isinstance(schedule, YearSchedule) and schedule.source
    # Every year listed must name the State Council notice it was copied from.
    assert all("国务院办公厅" in s.source for s in schedules.values())


def test_missing_or_broken_file(tmp_path):
    assert load_holiday_file(tmp_path / "absent.json") == {}
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(HolidayFileError):
        load_holiday_file(broken)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(SYNTHETIC), encoding="utf-8")
    assert SYNTHETIC_YEAR in Calendar.from_file(good).covered_years()
