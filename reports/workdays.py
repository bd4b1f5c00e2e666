"""China's official working-day calendar (State Council holiday notices, 调休 weekend workdays included).

Two sources, in this order:

1. ``reports/data/holidays.json`` — years an administrator has entered from the State Council's notice
   (国务院办公厅关于 Y 年部分节假日安排的通知). It exists because ``chinesecalendar`` only learns a new year
   with a new release, and the notice comes out in November/December. Adding a year is a data change,
   no code change (format in ``docs/reminders.md`` and in the file's own ``format`` key). A year listed
   in the file overrides the library for that year: the file is the deliberate, reviewed source.
2. ``chinesecalendar`` — every year it ships (2004–2026 in 1.11.0); it raises ``NotImplementedError``
   beyond its last year.

A year neither covers falls back to Monday–Friday. Results that relied on the fallback carry
``approximate=True`` and a warning is logged once per year, so a deadline is never presented as exact
when the official schedule was not known.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, NamedTuple

import chinese_calendar

log = logging.getLogger(__name__)

HOLIDAY_FILE = Path(__file__).resolve().parent / "data" / "holidays.json"


class HolidayFileError(ValueError):
    """The holiday file is malformed; the message says where."""


class WorkdayResult(NamedTuple):
    """A date found by counting working days; ``approximate`` when an uncovered year was involved."""

    date: date
    approximate: bool


class WorkdayCount(NamedTuple):
    count: int
    approximate: bool


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """One year's official schedule: days off (weekdays or not) and weekend days worked (调休)."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""

    def __post_init__(self) -> None:
        both = self.holidays & self.workdays
        if both:
            raise HolidayFileError(f"{self.year}: dates both off and worked: {sorted(d.isoformat() for d in both)}")
        for d in self.workdays:
            if d.weekday() < 5:
                raise HolidayFileError(
                    f"{self.year}: {d.isoformat()} is listed as a 调休 workday but is a weekday (only Saturdays "
                    f"and Sundays are worked in lieu)"
                )
        for d in self.holidays | self.workdays:
            # A notice may reach back into the previous year (2019's 元旦 began on 2018-12-30).
            if d.year not in (self.year - 1, self.year):
                raise HolidayFileError(f"{self.year}: {d.isoformat()} lies outside the year of the notice")


def _parse_day(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise HolidayFileError(f"{where}: expected a date string YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise HolidayFileError(f"{where}: {value!r} is not a date YYYY-MM-DD") from exc


def _parse_days(items: Any, where: str, *, ranges: bool) -> set[date]:
    if not isinstance(items, list):
        raise HolidayFileError(f"{where}: expected a list")
    days: set[date] = set()
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        if ranges and isinstance(item, list):
            if len(item) != 2:
                raise HolidayFileError(f"{at}: a range is [first, last]")
            first, last = _parse_day(item[0], at), _parse_day(item[1], at)
            if last < first or (last - first).days > 31:
                raise HolidayFileError(f"{at}: range {first}..{last} is reversed or longer than a month")
            days.update(first + timedelta(days=k) for k in range((last - first).days + 1))
        else:
            days.add(_parse_day(item, at))
    return days


def parse_holiday_data(data: Mapping[str, Any]) -> dict[int, YearSchedule]:
    """Validate the holiday file's content; every problem raises ``HolidayFileError`` naming its place."""
    years = data.get("years")
    if not isinstance(years, dict):
        raise HolidayFileError('the file needs a "years" object (it may be empty: {})')
    out: dict[int, YearSchedule] = {}
    for key, entry in years.items():
        if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
            raise HolidayFileError(f"years: key {key!r} is not a four-digit year")
        year = int(key)
        if not isinstance(entry, dict):
            raise HolidayFileError(f"years.{key}: expected an object with holidays, workdays, source")
        source = entry.get("source", "")
        if not isinstance(source, str) or not source.strip():
            raise HolidayFileError(f"years.{key}: \"source\" must name the State Council notice it was copied from")
        holidays = _parse_days(entry.get("holidays", []), f"years.{key}.holidays", ranges=True)
        workdays = _parse_days(entry.get("workdays", []), f"years.{key}.workdays", ranges=False)
        if not holidays:
            raise HolidayFileError(f"years.{key}: no holidays listed")
        out[year] = YearSchedule(year, frozenset(holidays), frozenset(workdays), source.strip())
    return out


def load_holiday_file(path: Path = HOLIDAY_FILE) -> dict[int, YearSchedule]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HolidayFileError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise HolidayFileError(f"{path}: expected a JSON object")
    try:
        return parse_holiday_data(data)
    except HolidayFileError as exc:
        raise HolidayFileError(f"{path}: {exc}") from exc


def _library_years() -> frozenset[int]:
    from chinese_calendar.constants import holidays

    years = [d.year for d in holidays]
    return frozenset(range(min(years), max(years) + 1))


class Calendar:
    """Working days by the official schedule; Monday–Friday (approximate) where no schedule is known."""

    def __init__(self, schedules: Mapping[int, YearSchedule] | None = None, *, use_library: bool = True) -> None:
        self._schedules = dict(schedules or {})
        self._library = _library_years() if use_library else frozenset()
        self._off: set[date] = set()
        self._on: set[date] = set()
        for s in self._schedules.values():
            self._off |= s.holidays
            self._on |= s.workdays
        self._warned: set[int] = set()

    @classmethod
    def from_file(cls, path: Path = HOLIDAY_FILE, *, use_library: bool = True) -> "Calendar":
        return cls(load_holiday_file(path), use_library=use_library)

    def covered_years(self) -> frozenset[int]:
        return frozenset(self._library | set(self._schedules))

    def is_covered(self, year: int) -> bool:
        return year in self._schedules or year in self._library

    def schedule_source(self, year: int) -> str | None:
        """Where the year's schedule comes from: the notice named in the file, the library, or None."""
        if year in self._schedules:
            return self._schedules[year].source
        if year in self._library:
            return f"chinesecalendar {chinese_calendar.__version__}"
        return None

    def check(self, d: date) -> tuple[bool, bool]:
        """``(is_workday, approximate)`` for one day."""
        # File dates first: they may reach into the previous year (元旦 starting on 12-30).
        if d in self._on:
            return True, False
        if d in self._off:
            return False, False
        if d.year in self._schedules:
            return d.weekday() < 5, False
        if d.year in self._library:
            return chinese_calendar.is_workday(d), False
        if d.year not in self._warned:
            self._warned.add(d.year)
            log.warning(
                "no official holiday schedule for %d: counting Monday–Friday (approximate). "
                "Add the State Council notice to %s.", d.year, HOLIDAY_FILE,
            )
        return d.weekday() < 5, True

    def is_workday(self, d: date) -> bool:
        return self.check(d)[0]

    def add_workdays(self, start: date, n: int) -> WorkdayResult:
        """The day on which the ``n``-th working day after ``start`` falls (``start`` itself is day 0)."""
        if n < 0:
            raise ValueError("n must be ≥ 0")
        day, approximate, counted = start, False, 0
        while counted < n:
            day += timedelta(days=1)
            ok, approx = self.check(day)
            approximate |= approx
            counted += ok
        return WorkdayResult(day, approximate)

    def workday_before(self, end: date, n: int) -> WorkdayResult:
        """The working day on which exactly ``n`` working days remain until ``end``: the latest working
        day ``d`` with ``workdays_between(d, end) == n`` (``n = 0``: ``end``, or the working day before it)."""
        if n < 0:
            raise ValueError("n must be ≥ 0")
        day, approximate, counted = end, False, 0
        while True:
            ok, approx = self.check(day)
            approximate |= approx
            if ok and counted == n:
                return WorkdayResult(day, approximate)
            counted += ok
            day -= timedelta(days=1)

    def workdays_between(self, start: date, end: date) -> WorkdayCount:
        """Working days in ``(start, end]``: what has elapsed by ``end`` on a clock started on ``start``.

        Negative when ``end`` is before ``start`` (the working days in ``(end, start]``, negated).
        """
        if end < start:
            count = self.workdays_between(end, start)
            return WorkdayCount(-count.count, count.approximate)
        count, approximate, day = 0, False, start
        while day < end:
            day += timedelta(days=1)
            ok, approx = self.check(day)
            approximate |= approx
            count += ok
        return WorkdayCount(count, approximate)


@lru_cache(maxsize=1)
def default_calendar() -> Calendar:
    """The process-wide calendar (library + the repository's holiday file), loaded once."""
    return Calendar.from_file()
