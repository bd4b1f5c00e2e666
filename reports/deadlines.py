"""Legal deadlines of the annual report (条例 第四十九条; old 条例 第三十一条 for 2008–2018)."""

from __future__ import annotations

from datetime import date

from .model import Level


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
