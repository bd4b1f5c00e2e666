"""Legal deadlines of the annual report (条例 第四十九条; old 条例 第三十一条 for 2008–2018)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from typing import NamedTuple

from .model import Level
from .workdays import Calendar, WorkdayCount


def annual_report_deadline(level: Level | str, year: int, town_deadline: tuple[int, int] = (1, 31)) -> date:
    """The last day on which the report on ``year`` may be published by a body of ``level``.

    Departments: 1月31日 (Art. 49 ¶1). Governments: 3月31日 (Art. 49 ¶2). Towns and street offices
    are not named in Art. 49; local notices decide, hence ``town_deadline`` (default 1月31日).
    Reports on 2008–2018 fell under the old 条例 (Art. 31): 3月31日 for every body. An unknown level
    gets the later, government deadline so that LATE is never raised on a guess.
    """
    nxt = year + 1
    if year <= 2018:
        return date(nxt, 3, 31)
    if level == "department":
        return date(nxt, 1, 31)
    if level == "town":
        month, day = town_deadline
        return date(nxt, month, day)
    return date(nxt, 3, 31)


# ---------------------------------------------------------------------------------------------
# Answering applications (条例 第三十条–第三十四条)
# ---------------------------------------------------------------------------------------------

# The 2019 条例 (国务院令第711号) applies to applications received from this day on; before it, the
# old 条例 gave 15 + 15 working days.
NEW_REGULATION_FROM = date(2019, 5, 15)
ANSWER_WORKDAYS = 20            # 第三十三条
EXTENSION_WORKDAYS = 20         # 第三十三条: once, at most 20
OLD_ANSWER_WORKDAYS = 15        # old 条例 第二十四条
OLD_EXTENSION_WORKDAYS = 15
CORRECTION_NOTICE_WORKDAYS = 7  # 第三十条: ask for 补正 within 7 working days of receipt
OPINION_WORKDAYS = 15           # 第三十二条 / 第三十四条: the third party's or other agency's time to reply


class Channel(StrEnum):
    """How the application arrived; it decides which day counts as the receipt day (第三十一条)."""

    IN_PERSON = "in_person"  # 当面提交: the day it was handed in
    MAIL = "mail"            # 邮寄: the day it was signed for (平常信函: the day confirmed with the applicant)
    ONLINE = "online"        # 互联网: the day both sides confirmed receipt
    FAX = "fax"              # 传真: the day both sides confirmed receipt


# Words users type for each channel (lower-cased before lookup).
CHANNEL_WORDS: dict[str, Channel] = {
    "当面": Channel.IN_PERSON, "当面提交": Channel.IN_PERSON, "现场": Channel.IN_PERSON, "窗口": Channel.IN_PERSON,
    "in_person": Channel.IN_PERSON, "in-person": Channel.IN_PERSON, "person": Channel.IN_PERSON,
    "邮寄": Channel.MAIL, "信函": Channel.MAIL, "挂号": Channel.MAIL, "快递": Channel.MAIL, "mail": Channel.MAIL,
    "post": Channel.MAIL, "letter": Channel.MAIL,
    "网络": Channel.ONLINE, "网上": Channel.ONLINE, "互联网": Channel.ONLINE, "在线": Channel.ONLINE,
    "网申": Channel.ONLINE, "电子邮件": Channel.ONLINE, "邮件": Channel.ONLINE,
    "online": Channel.ONLINE, "internet": Channel.ONLINE, "web": Channel.ONLINE, "email": Channel.ONLINE,
    "传真": Channel.FAX, "fax": Channel.FAX,
}


def parse_channel(word: str) -> Channel | None:
    return CHANNEL_WORDS.get(word.strip().lower())


class PauseKind(StrEnum):
    CORRECTION = "correction"      # 补正 (第三十条): the clock restarts when the corrected application arrives
    CONSULTATION = "consultation"  # 征求第三方/其他机关意见 (第三十二条, 第三十四条): that time is not counted


PAUSE_WORDS: dict[str, PauseKind] = {
    "补正": PauseKind.CORRECTION, "correction": PauseKind.CORRECTION, "correct": PauseKind.CORRECTION,
    "征求意见": PauseKind.CONSULTATION, "征求": PauseKind.CONSULTATION, "征求第三方意见": PauseKind.CONSULTATION,
    "第三方": PauseKind.CONSULTATION, "consultation": PauseKind.CONSULTATION, "consult": PauseKind.CONSULTATION,
    "third_party": PauseKind.CONSULTATION, "third-party": PauseKind.CONSULTATION,
}


def parse_pause_kind(word: str) -> PauseKind | None:
    return PAUSE_WORDS.get(word.strip().lower())


class ClockError(ValueError):
    """An operation the rules do not allow (a second extension, resuming a clock that is not paused …)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class DueDate(NamedTuple):
    """``on`` is None while the clock is paused."""

    on: date | None
    approximate: bool


@dataclass(frozen=True, slots=True)
class ApplicationClock:
    """The answer deadline of one disclosure application, as a value: every change returns a new clock.

    ``received_on`` is the receipt day the user gives (already applying 第三十一条 for the channel) and
    never changes; ``counted_from`` is day 0 of the count: the receipt day, or after a 补正 the day the
    corrected application arrived. Day 0 is not counted; the first working day counted is the next one.
    Consultation pauses add the working days they lasted, ``(paused_since, resumed_on]``, to the limit.
    """

    received_on: date
    channel: Channel
    counted_from: date | None = None
    extended: bool = False
    excluded_workdays: int = 0
    paused_since: date | None = None
    pause_kind: PauseKind | None = None
    excluded_approximate: bool = False

    def __post_init__(self) -> None:
        if self.counted_from is None:
            object.__setattr__(self, "counted_from", self.received_on)
        if (self.paused_since is None) != (self.pause_kind is None):
            raise ValueError("paused_since and pause_kind go together")

    @property
    def start(self) -> date:
        assert self.counted_from is not None  # set in __post_init__
        return self.counted_from

    @property
    def old_rules(self) -> bool:
        """Received before 2019-05-15: the old 条例's 15 + 15 working days."""
        return self.received_on < NEW_REGULATION_FROM

    @property
    def base_workdays(self) -> int:
        return OLD_ANSWER_WORKDAYS if self.old_rules else ANSWER_WORKDAYS

    @property
    def extension_workdays(self) -> int:
        return OLD_EXTENSION_WORKDAYS if self.old_rules else EXTENSION_WORKDAYS

    @property
    def limit_workdays(self) -> int:
        """Working days allowed, consultation time included: base (+ extension) + excluded days."""
        return self.base_workdays + (self.extension_workdays if self.extended else 0) + self.excluded_workdays

    @property
    def paused(self) -> bool:
        return self.paused_since is not None

    def due(self, calendar: Calendar) -> DueDate:
        if self.paused:
            return DueDate(None, self.excluded_approximate)
        day, approx = calendar.add_workdays(self.start, self.limit_workdays)
        return DueDate(day, approx or self.excluded_approximate)

    def used_workdays(self, today: date, calendar: Calendar) -> WorkdayCount:
        """Working days counted so far (consultation time left out); frozen while paused."""
        end = self.paused_since if self.paused_since is not None else today
        elapsed = calendar.workdays_between(self.start, max(end, self.start))
        return WorkdayCount(max(elapsed.count - self.excluded_workdays, 0), elapsed.approximate)

    def remaining_workdays(self, today: date, calendar: Calendar) -> WorkdayCount:
        """Working days left (negative once overdue)."""
        allowed = self.limit_workdays - self.excluded_workdays
        used = self.used_workdays(today, calendar)
        return WorkdayCount(allowed - used.count, used.approximate or self.excluded_approximate)

    def correction_notice_by(self, calendar: Calendar) -> DueDate:
        """The last day to ask for 补正 (第三十条: 7 working days from receipt); the old 条例 set none."""
        if self.old_rules:
            return DueDate(None, False)
        day, approx = calendar.add_workdays(self.received_on, CORRECTION_NOTICE_WORKDAYS)
        return DueDate(day, approx)

    def opinion_due(self, calendar: Calendar) -> DueDate:
        """When paused for consultation: the day the third party / other agency should have replied."""
        if self.pause_kind is not PauseKind.CONSULTATION or self.paused_since is None:
            return DueDate(None, False)
        day, approx = calendar.add_workdays(self.paused_since, OPINION_WORKDAYS)
        return DueDate(day, approx)

    def extend(self) -> "ApplicationClock":
        if self.extended:
            raise ClockError("already_extended", "the answer period may be extended only once (第三十三条)")
        return replace(self, extended=True)

    def pause(self, kind: PauseKind, on: date) -> "ApplicationClock":
        if self.paused:
            raise ClockError("already_paused", f"already paused ({self.pause_kind}) since {self.paused_since}")
        if on < self.start:
            raise ClockError("pause_before_start", f"{on} is before the count started ({self.start})")
        return replace(self, paused_since=on, pause_kind=kind)

    def resume(self, on: date, calendar: Calendar) -> "ApplicationClock":
        """End the pause on ``on``: after 补正 the count restarts from ``on``; after a consultation the
        working days in ``(paused_since, on]`` are added to the limit."""
        if self.paused_since is None:
            raise ClockError("not_paused", "the clock is not paused")
        if on < self.paused_since:
            raise ClockError("resume_before_pause", f"{on} is before the pause began ({self.paused_since})")
        if self.pause_kind is PauseKind.CORRECTION:
            # 第三十条: the period runs from the day the corrected application is received; time spent on
            # earlier consultations belonged to the superseded application.
            return replace(self, counted_from=on, excluded_workdays=0, excluded_approximate=False,
                           paused_since=None, pause_kind=None)
        spent = calendar.workdays_between(self.paused_since, on)
        return replace(
            self,
            excluded_workdays=self.excluded_workdays + spent.count,
            excluded_approximate=self.excluded_approximate or spent.approximate,
            paused_since=None,
            pause_kind=None,
        )


# ---------------------------------------------------------------------------------------------
# Annual-report reminder schedule
# ---------------------------------------------------------------------------------------------

ANNUAL_LEAD_DAYS: tuple[int, ...] = (30, 14, 7, 3, 1, 0)  # calendar days before the deadline; 0 = on the day
ANNUAL_OVERDUE_AFTER_DAYS = 1                              # one summary the day after the deadline
REMINDER_TIME = time(9, 0)                                 # local time of every reminder

LEVELS: tuple[str, ...] = ("department", "town", "government", "unknown")


class AnnualReminder(NamedTuple):
    report_year: int
    deadline: date
    days_before: int          # ≥ 0 before/on the day; negative for the overdue summary
    due_at: datetime          # UTC

    @property
    def overdue(self) -> bool:
        return self.days_before < 0


def local_time_utc(day: date, tz: tzinfo, at: time = REMINDER_TIME) -> datetime:
    """``day`` at ``at`` wall-clock time in ``tz``, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(timezone.utc)


def annual_deadlines(report_year: int, town_deadline: tuple[int, int] = (1, 31)) -> dict[date, tuple[str, ...]]:
    """Each distinct deadline for reports on ``report_year``, with the levels it applies to."""
    out: dict[date, list[str]] = {}
    for level in LEVELS:
        out.setdefault(annual_report_deadline(level, report_year, town_deadline), []).append(level)
    return {d: tuple(levels) for d, levels in sorted(out.items())}


def annual_schedule(
    report_year: int, tz: tzinfo, *, town_deadline: tuple[int, int] = (1, 31), deadline: date | None = None
) -> list[AnnualReminder]:
    """The reminders for one report year: 30, 14, 7, 3, 1 days before each deadline, on the day, and one
    overdue summary the day after — all at 09:00 local time. ``deadline`` limits it to one deadline."""
    out: list[AnnualReminder] = []
    for d in annual_deadlines(report_year, town_deadline):
        if deadline is not None and d != deadline:
            continue
        for lead in ANNUAL_LEAD_DAYS:
            out.append(AnnualReminder(report_year, d, lead, local_time_utc(d - timedelta(days=lead), tz)))
        after = d + timedelta(days=ANNUAL_OVERDUE_AFTER_DAYS)
        out.append(AnnualReminder(report_year, d, -ANNUAL_OVERDUE_AFTER_DAYS, local_time_utc(after, tz)))
    return out


def current_report_years(now: datetime, tz: tzinfo, town_deadline: tuple[int, int] = (1, 31)) -> list[int]:
    """The report years whose reminders are not all in the past at ``now`` (aware): last year's until its
    last overdue summary has gone, and this year's (its reminders start in December or January)."""
    today = now.astimezone(tz).date()
    years = []
    for year in (today.year - 1, today.year):
        if any(r.due_at >= now for r in annual_schedule(year, tz, town_deadline=town_deadline)):
            years.append(year)
    return years


APPLICATION_LEAD_WORKDAYS: tuple[int, ...] = (5, 1)  # working days left when a "due soon" reminder goes out


class ApplicationReminder(NamedTuple):
    kind: str                 # "due_soon" | "due_today" | "overdue" | "opinion_due"
    on: date                  # local day
    workdays_left: int
    due_at: datetime          # UTC, 09:00 local on ``on``


def application_schedule(clock: ApplicationClock, calendar: Calendar, tz: tzinfo) -> list[ApplicationReminder]:
    """Reminders for one tracked application: 5 and 1 working days before the due date, on the due date,
    and one on the next working day if it is still open. While paused for consultation, only a reminder
    on the day the third party's 15 working days run out; while paused for 补正, none (the applicant acts)."""
    if clock.paused:
        opinion = clock.opinion_due(calendar).on
        if opinion is None:
            return []
        return [ApplicationReminder("opinion_due", opinion, 0, local_time_utc(opinion, tz))]
    due = clock.due(calendar).on
    assert due is not None  # not paused
    out = []
    for n in APPLICATION_LEAD_WORKDAYS:
        day = calendar.workday_before(due, n).date
        if day > clock.start:
            out.append(ApplicationReminder("due_soon", day, n, local_time_utc(day, tz)))
    out.append(ApplicationReminder("due_today", due, 0, local_time_utc(due, tz)))
    after = calendar.add_workdays(due, 1).date
    out.append(ApplicationReminder("overdue", after, -1, local_time_utc(after, tz)))
    return out
