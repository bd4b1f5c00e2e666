"""The six numbered sections (一 … 六) of a report, found by their headings.

A heading is a section numeral with its separator ("四、", "四.", "一、。。 ") followed by text that
resembles the section's label or one of its aliases: compared on letters and CJK characters only, so
spaces inside, ASCII/full-width punctuation and small typos ("行政法复议") do not matter. Headings are
searched in order, each after the previous one, which keeps the preamble's list of section names
("本报告包括总体情况、主动公开…") and the table's "四、结转下年度继续办理" from passing for headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from reports.templates import SECTIONS, Section

from .text import _SIGNIFICANT, significant

# A section numeral with its separator. It must not follow an opening bracket, 第 or another numeral
# ("（一）", "第二、", "十二、"): that is checked on the character before the match (``_NOT_AFTER``),
# not by a lookbehind, which would stop the regex engine from skipping ahead to the numerals.
_HEADING_MARK = re.compile(r"([一二三四五六])\s*[、.,:]")
_NOT_AFTER = frozenset("([第一二三四五六七八九十")
_MIN_SCORE = 80.0


@dataclass(frozen=True, slots=True)
class Heading:
    section: str
    start: int      # offset of the numeral
    end: int        # offset just after the heading label


_LABELS: dict[str, tuple[str, ...]] = {}


def _labels(section: Section) -> tuple[str, ...]:
    labels = _LABELS.get(section.id)
    if labels is None:
        labels = _LABELS[section.id] = tuple(significant(x) for x in (section.label, *section.aliases))
    return labels


def _score(section: Section, following: str) -> tuple[float, int]:
    """How well the text after a numeral reads as this section's heading, and how many of its
    significant characters the heading takes (a typo may add or drop one or two). Between labels
    that read equally well the longest wins, so the heading is not cut after a short alias."""
    labels = _labels(section)
    # The usual heading prints a label exactly: only an identical string scores 100, so the longest
    # label printed exactly wins, and the fuzzy comparisons below could not change that.
    exact = max((len(label) for label in labels if following.startswith(label)), default=0)
    if exact:
        return 100.0, exact
    best: tuple[float, int, int] = (0.0, 0, 0)     # score, label length, characters taken
    for label in labels:
        n = len(label)
        mine: tuple[float, int] | None = None
        for length in range(max(1, n - 2), n + 3):
            head = following[:length]
            if len(head) < length:
                break
            score = fuzz.ratio(label, head)
            if mine is None or score > mine[0]:
                mine = (score, length)
        if mine and (mine[0], n) > best[:2]:
            best = (mine[0], n, mine[1])
    return best[0], best[2]


def find_headings(text: str) -> list[Heading]:
    found: list[Heading] = []
    by_number = {s.number: s for s in SECTIONS}
    order = [s.number for s in SECTIONS]
    pos = 0
    next_index = 0
    marks = list(_HEADING_MARK.finditer(text))
    for m in marks:
        if m.start() < pos or (m.start() > 0 and text[m.start() - 1] in _NOT_AFTER):
            continue
        number = m.group(1)
        if number not in by_number:
            continue
        idx = order.index(number)
        if idx < next_index:
            continue
        section = by_number[number]
        window = text[m.end():m.end() + 80]
        following = significant(window)
        score, length = _score(section, following)
        if score < _MIN_SCORE:
            continue
        end = _advance(window, length) + m.end()
        found.append(Heading(section.id, m.start(), end))
        pos = end
        next_index = idx + 1
    return found


def _advance(window: str, n_significant: int) -> int:
    """Offset in ``window`` just after its first ``n_significant`` significant characters."""
    count = 0
    # A character is significant as it stands exactly when ``significant`` keeps it: normalising
    # maps no letter or digit to punctuation or back (checked in ``text``).
    for m in _SIGNIFICANT.finditer(window):
        count += 1
        if count == n_significant:
            j = m.end()
            # Keep a closing bracket or quote that belongs to the heading.
            while j < len(window) and window[j] in ")）”\"":
                j += 1
            return j
    return len(window)


def section_texts(text: str, headings: list[Heading]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, h in enumerate(headings):
        end = headings[i + 1].start if i + 1 < len(headings) else len(text)
        out[h.section] = text[h.end:end].strip()
    return out
