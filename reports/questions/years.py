"""Which report years a question is about.

Explicit years ("2020", "2020年", "二〇二〇年", "21年"), ranges ("2019到2021", "2019-2021", "from 2019 to
2021", "2019年以来"), relative years (去年/今年/前年, "last year") counted from an injected ``today``,
and spans ("近三年", "last 3 years", "历年"). Nothing found → ``source == "none"``: the caller picks the
latest stored year and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

_CN_DIGITS = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_SMALL = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
             "ten": 10}

FIRST_YEAR = 2008   # the first 条例 took effect on 2008-05-01

_Y = r"(?<!\d)((?:19|20)\d{2})(?!\d)"
_CN_YEAR = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})年")
_SHORT_YEAR = re.compile(r"(?<![\d.])(\d{2})年(?!代)")
_RANGE = re.compile(_Y + r"\s*年?度?\s*(?:到|至|–|—|-|~|～|〜|to|through|thru|until|and)\s*" + _Y + r"\s*年?度?",
                    re.I)
_RANGE_EN = re.compile(r"(?:from|between)\s+" + _Y + r"\s+(?:to|and|through|until)\s+" + _Y, re.I)
_SINCE = re.compile(r"(?:自|从)?" + _Y + r"\s*年?(?:以来|至今|起)|since\s+" + _Y, re.I)
_SINGLE = re.compile(_Y + r"\s*(?:年度|年)?")
_RECENT_ZH = re.compile(r"(?:最近|近|过去|前)\s*([0-9一二两三四五六七八九十]{1,2})\s*(?:个)?年(?:度)?")
_RECENT_EN = re.compile(r"(?:last|past|recent|previous)\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)"
                        r"\s+years?", re.I)
_ALL = re.compile(r"历年|各年|每一?年|逐年|所有年份|全部年份|over the years|every year|each year|all years|per year|"
                  r"year by year", re.I)
_RELATIVE: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"大前年"), -3),
    (re.compile(r"前年|the year before last", re.I), -2),
    (re.compile(r"去年|上一?年度?(?!结转)|last year|previous year", re.I), -1),
    (re.compile(r"今年|本年度|this year|current year", re.I), 0),
)


@dataclass(slots=True)
class YearSpec:
    years: list[int] = field(default_factory=list)
    source: str = "none"          # explicit | range | relative | recent | all | none
    spans: list[tuple[int, int]] = field(default_factory=list)   # where in the text the years were said

    @property
    def given(self) -> bool:
        return self.source != "none"


def _small_number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token.lower() in _EN_SMALL:
        return _EN_SMALL[token.lower()]
    if token == "十":
        return 10
    if len(token) == 2 and token[0] == "十":
        return 10 + _CN_SMALL.get(token[1], 0)
    return _CN_SMALL.get(token)


def _normalise(text: str) -> str:
    """Chinese-digit years (二〇二〇年) become Arabic, keeping the text's length so spans stay valid."""
    def cn(m: re.Match[str]) -> str:
        return "".join(_CN_DIGITS[ch] for ch in m.group(1)) + "年"
    return _CN_YEAR.sub(cn, text)


def parse_years(text: str, *, today: date, available: list[int] | tuple[int, ...] = ()) -> YearSpec:
    """The years ``text`` names. ``available`` (stored years) bounds spans such as 近三年 and 历年."""
    text = _normalise(text)
    # Reports on year Y appear in Y+1, so "近三年" ends last year, or at the latest stored year if older.
    latest_report_year = today.year - 1
    if available and max(available) < latest_report_year:
        latest_report_year = max(available)

    for rx in (_RANGE_EN, _RANGE):
        m = rx.search(text)
        if m:
            a, b = sorted((int(m.group(1)), int(m.group(2))))
            if b - a <= 40:
                return YearSpec(list(range(a, b + 1)), "range", [m.span()])

    m = _SINCE.search(text)
    if m:
        start = int(m.group(1) or m.group(2))
        end = max(latest_report_year, start)
        return YearSpec(list(range(start, end + 1)), "range", [m.span()])

    singles = [(int(m.group(1)), m.span()) for m in _SINGLE.finditer(text)]
    singles += [(2000 + int(m.group(1)), m.span()) for m in _SHORT_YEAR.finditer(text)]
    if singles:
        years = sorted({y for y, _ in singles})
        return YearSpec(years, "explicit", [s for _, s in singles])

    for rx in (_RECENT_ZH, _RECENT_EN):
        m = rx.search(text)
        if m:
            n = _small_number(m.group(1))
            if n:
                years = list(range(latest_report_year - n + 1, latest_report_year + 1))
                return YearSpec(years, "recent", [m.span()])

    m = _ALL.search(text)
    if m:
        years = sorted(set(available)) if available else []
        return YearSpec(years, "all", [m.span()])

    found: list[tuple[int, tuple[int, int]]] = []
    taken: list[tuple[int, int]] = []
    for rx, delta in _RELATIVE:
        for m in rx.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                continue
            taken.append(m.span())
            found.append((today.year + delta, m.span()))
    if found:
        return YearSpec(sorted({y for y, _ in found}), "relative", [s for _, s in found])
    return YearSpec()
