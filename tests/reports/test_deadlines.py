"""Application answer deadlines (条例 第三十条–第三十四条) and the annual-report reminder schedule."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from reports.deadlines import (ApplicationClock, Channel, ClockError, PauseKind, annual_deadlines,
                               annual_report_deadline, annual_schedule, application_schedule, current_report_years,
                               local_time_utc, parse_channel, parse_pause_kind)
from reports.workdays import Calendar

CAL = Calendar()
TZ = ZoneInfo("Asia/Shanghai")


def due(clock: ApplicationClock) -> date | None:
    return clock.due(CAL).on


# ---- 20 working days ------------------------------------------------------------------------------


def test_received_before_national_day_2026():
    # Day 0 = 2026-09-28 (Mon). Counted: Sep 29, 30, then 国庆 10月1日–7日 off, Oct 8, 9, 10 (Saturday, a
    # working day), then 15 more weekdays: Oct 12–16, 19–23, 26–30.
    clock = ApplicationClock(date(2026, 9, 28), Channel.IN_PERSON)
    assert clock.due(CAL) == (date(2026, 10, 30), False)
    assert clock.limit_workdays == 20 and not clock.old_rules


def test_received_before_spring_festival_2026():
    # Day 0 = 2026-02-06 (Fri): Feb 9–13 (5), Feb 14 Saturday worked (6), 春节 Feb 15–23 off, Feb 24–27 (10),
    # Feb 28 Saturday worked (11), Mar 2–6 (16), Mar 9–12 (20).
    assert due(ApplicationClock(date(2026, 2, 6), Channel.MAIL)) == date(2026, 3, 12)


def test_receipt_on_a_holiday_counts_from_the_next_working_day():
    assert due(ApplicationClock(date(2026, 10, 3), Channel.ONLINE)) == due(
        ApplicationClock(date(2026, 10, 7), Channel.ONLINE))


def test_extension_adds_twenty_working_days_once():
    clock = ApplicationClock(date(2026, 9, 28), Channel.FAX).extend()
    assert clock.extended and due(clock) == date(2026, 11, 27)
    with pytest.raises(ClockError) as err:
        clock.extend()
    assert err.value.code == "already_extended"


def test_pre_2019_applications_get_fifteen_plus_fifteen():
    clock = ApplicationClock(date(2019, 5, 14), Channel.IN_PERSON)
    assert clock.old_rules and clock.limit_workdays == 15
    # 2019-05-14 (Tue): May 15–17 (3), 20–24 (8), 27–31 (13), Jun 3, 4 (15).
    assert due(clock) == date(2019, 6, 4)
    assert due(clock.extend()) == date(2019, 6, 26)   # + 15: Jun 5, 6, (7 端午), 10–14, 17–21, 24–26
    assert clock.correction_notice_by(CAL).on is None  # the old 条例 set no 7-day 补正 limit
    new = ApplicationClock(date(2019, 5, 15), Channel.IN_PERSON)
    assert not new.old_rules and new.limit_workdays == 20


def test_correction_notice_within_seven_working_days():
    clock = ApplicationClock(date(2026, 9, 28), Channel.MAIL)
    assert clock.correction_notice_by(CAL).on == date(2026, 10, 13)


# ---- pauses ----------------------------------------------------------------------------------------


def test_correction_restarts_the_count_from_the_corrected_application():
    clock = ApplicationClock(date(2026, 9, 28), Channel.MAIL).pause(PauseKind.CORRECTION, date(2026, 9, 30))
    assert clock.paused and clock.due(CAL).on is None
    resumed = clock.resume(date(2026, 10, 9), CAL)
    assert resumed.start == date(2026, 10, 9) and resumed.received_on == date(2026, 9, 28)
    # From Oct 9: Oct 10 (Sat, worked) is day 1, Oct 12–16 (6), 19–23 (11), 26–30 (16), Nov 2–5 (20).
    assert due(resumed) == date(2026, 11, 5)


def test_consultation_time_is_not_counted():
    clock = ApplicationClock(date(2026, 9, 28), Channel.IN_PERSON)
    paused = clock.pause(PauseKind.CONSULTATION, date(2026, 10, 12))
    assert paused.opinion_due(CAL).on == date(2026, 11, 2)      # 15 working days for the third party
    resumed = paused.resume(date(2026, 10, 19), CAL)           # Oct 13–16, 19: 5 working days excluded
    assert resumed.excluded_workdays == 5
    assert due(resumed) == date(2026, 11, 6)                    # Oct 30 + 5 working days
    # A second consultation adds up.
    again = resumed.pause(PauseKind.CONSULTATION, date(2026, 10, 26)).resume(date(2026, 10, 28), CAL)
    assert again.excluded_workdays == 7 and due(again) == date(2026, 11, 10)


def test_used_and_remaining_working_days():
    clock = ApplicationClock(date(2026, 9, 28), Channel.IN_PERSON)
    assert clock.remaining_workdays(date(2026, 10, 10), CAL).count == 15
    assert clock.remaining_workdays(date(2026, 10, 30), CAL).count == 0
    assert clock.remaining_workdays(date(2026, 11, 3), CAL).count == -2
    paused = clock.pause(PauseKind.CONSULTATION, date(2026, 10, 12))
    # Frozen while paused: what was used by the pause day stays used.
    assert paused.used_workdays(date(2026, 10, 28), CAL).count == 6
    resumed = paused.resume(date(2026, 10, 19), CAL)
    assert resumed.remaining_workdays(date(2026, 10, 19), CAL).count == 14


def test_pause_rules():
    clock = ApplicationClock(date(2026, 9, 28), Channel.IN_PERSON)
    with pytest.raises(ClockError) as err:
        clock.resume(date(2026, 10, 9), CAL)
    assert err.value.code == "not_paused"
    paused = clock.pause(PauseKind.CONSULTATION, date(2026, 10, 12))
    with pytest.raises(ClockError) as err:
        paused.pause(PauseKind.CORRECTION, date(2026, 10, 13))
    assert err.value.code == "already_paused"
    with pytest.raises(ClockError) as err:
        paused.resume(date(2026, 10, 9), CAL)
    assert err.value.code == "resume_before_pause"
    with pytest.raises(ClockError) as err:
        clock.pause(PauseKind.CORRECTION, date(2026, 9, 1))
    assert err.value.code == "pause_before_start"


def test_year_not_covered_is_approximate():
    last = max(CAL.covered_years())
    clock = ApplicationClock(date(last, 12, 18), Channel.ONLINE)
    result = clock.due(CAL)
    assert result.on is not None and result.on.year == last + 1 and result.approximate
    assert ApplicationClock(date(last, 3, 2), Channel.ONLINE).due(CAL).approximate is False


def test_channel_and_pause_words():
    assert parse_channel("邮寄") is Channel.MAIL and parse_channel("当面") is Channel.IN_PERSON
    assert parse_channel("网络") is Channel.ONLINE and parse_channel("Fax") is Channel.FAX
    assert parse_channel("信鸽") is None
    assert parse_pause_kind("补正") is PauseKind.CORRECTION
    assert parse_pause_kind("征求意见") is PauseKind.CONSULTATION and parse_pause_kind("x") is None


def test_application_schedule():
    clock = ApplicationClock(date(2026, 9, 28), Channel.MAIL)
    items = application_schedule(clock, CAL, TZ)
    assert [(r.kind, r.on, r.workdays_left) for r in items] == [
        ("due_soon", date(2026, 10, 23), 5), ("due_soon", date(2026, 10, 29), 1),
        ("due_today", date(2026, 10, 30), 0), ("overdue", date(2026, 11, 2), -1)]
    assert items[0].due_at == datetime(2026, 10, 23, 1, 0, tzinfo=timezone.utc)   # 09:00 in Beijing
    paused = clock.pause(PauseKind.CONSULTATION, date(2026, 10, 12))
    assert [(r.kind, r.on) for r in application_schedule(paused, CAL, TZ)] == [("opinion_due", date(2026, 11, 2))]
    assert application_schedule(clock.pause(PauseKind.CORRECTION, date(2026, 10, 9)), CAL, TZ) == []


# ---- annual reports -----------------------------------------------------------------------------------


def test_annual_report_deadline_unchanged():
    assert annual_report_deadline("department", 2026) == date(2027, 1, 31)
    assert annual_report_deadline("government", 2026) == date(2027, 3, 31)
    assert annual_report_deadline("town", 2026, (2, 20)) == date(2027, 2, 20)
    assert annual_report_deadline("department", 2018) == date(2019, 3, 31)


def test_annual_deadlines_group_levels():
    assert annual_deadlines(2026) == {date(2027, 1, 31): ("department", "town"),
                                      date(2027, 3, 31): ("government", "unknown")}
    assert len(annual_deadlines(2026, (2, 20))) == 3


def test_annual_schedule_times():
    items = annual_schedule(2026, TZ, deadline=date(2027, 1, 31))
    assert [r.days_before for r in items] == [30, 14, 7, 3, 1, 0, -1]
    days = [r.due_at.astimezone(TZ) for r in items]
    assert [d.date() for d in days] == [date(2027, 1, 1), date(2027, 1, 17), date(2027, 1, 24), date(2027, 1, 28),
                                        date(2027, 1, 30), date(2027, 1, 31), date(2027, 2, 1)]
    assert all((d.hour, d.minute) == (9, 0) for d in days)
    assert all(r.due_at.tzinfo == timezone.utc for r in items)
    assert items[-1].overdue and not items[0].overdue
    assert len(annual_schedule(2026, TZ)) == 14


def test_local_time_in_another_zone():
    assert local_time_utc(date(2027, 1, 31), ZoneInfo("Europe/Berlin")) == datetime(2027, 1, 31, 8, tzinfo=timezone.utc)


def test_current_report_years_follow_an_injected_clock():
    assert current_report_years(datetime(2026, 11, 27, tzinfo=timezone.utc), TZ) == [2026]
    assert current_report_years(datetime(2027, 2, 15, tzinfo=timezone.utc), TZ) == [2026, 2027]
    assert current_report_years(datetime(2027, 4, 2, tzinfo=timezone.utc), TZ) == [2027]
