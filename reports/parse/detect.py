"""Which template a report follows, told by the labels only that template prints."""

from __future__ import annotations

import re

from reports.templates import PRE2019_MARKERS, TEMPLATES, expected_template

from .text import compiled, fuzzy

_ANY_TABLE = re.compile(fuzzy("本年新收政府信息公开申请") + "|" + r"第\s*二\s*十\s*条\s*第")


def _count(text: str, markers: tuple[str, ...]) -> int:
    return sum(1 for m in dict.fromkeys(fuzzy(x) for x in markers) if compiled(m).search(text))


def detect_template(text: str, year: int | None) -> str | None:
    """"2019" or "2021" by their markers; "pre2019" for the old free layout; None without tables."""
    scores = {tid: _count(text, spec.markers) for tid, spec in TEMPLATES.items()}
    best = max(scores.values())
    if best > 0:
        leaders = [tid for tid, s in scores.items() if s == best]
        if len(leaders) == 1:
            return leaders[0]
        expected = expected_template(year)
        return expected if expected in leaders else leaders[-1]
    if _count(text, PRE2019_MARKERS) >= 2:
        return "pre2019"
    if _ANY_TABLE.search(text):
        expected = expected_template(year)
        return expected if expected in TEMPLATES else "2021"
    return None
