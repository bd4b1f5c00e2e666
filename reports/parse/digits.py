"""Cutting a run of glued digits into table cells.

Collapsed text runs the cells of a row together ("640020470"); spaces, where some survive, are
certain cell boundaries ("230 000023"). A reading cuts the run into exactly ``n`` cells, none with a
leading zero except "0" itself. Totals prune the search: a total cell is not guessed but forced to
the sum of its parts, so it either matches the digits that follow or the branch dies. The search is
bounded by a node budget; past it the caller reports the cell as unreadable rather than waiting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reports.model import Number

_AMOUNT = re.compile(r"(0|[1-9]\d*)(\.\d+)?(万元|元)?")
MAX_DIGITS = 12          # no count in these tables has more than 12 digits
DEFAULT_BUDGET = 200_000


@dataclass(frozen=True, slots=True)
class Total:
    parts: tuple[int, ...]   # indices of the summed cells (all before ``at``)
    at: int                  # index of the total cell


class BudgetExceeded(Exception):
    """The run is too long to enumerate its readings within the budget."""


def amount_value(text: str) -> Number | None:
    """The number in an amount as printed ("251000元", "96171.6"), or None."""
    m = _AMOUNT.fullmatch(text)
    if not m:
        return None
    if m.group(2):
        return float(m.group(1) + m.group(2))
    return int(m.group(1))


def readings(run: str, n: int, totals: Sequence[Total] = (), *, last_amount: bool = False,
             signed: frozenset[int] = frozenset(), budget: int = DEFAULT_BUDGET,
             limit: int | None = None) -> list[tuple[Number, ...]]:
    """Every way to read ``run`` (digits, spaces as hard boundaries) as ``n`` cells.

    ``totals`` force total cells; ``last_amount`` lets the last cell be an amount with decimals and
    a unit ("3575394432.52元"); cells whose index is in ``signed`` may start with a minus sign. ``limit`` stops after that many readings (enough to know a run is
    ambiguous). Raises ``BudgetExceeded`` when the search would take more than ``budget`` steps.
    """
    s = " ".join(run.split())
    if not s or n <= 0:
        return []
    forced = {t.at: t.parts for t in totals}
    suffix_chars = [0] * (len(s) + 1)      # non-space characters from i to the end
    for i in range(len(s) - 1, -1, -1):
        suffix_chars[i] = suffix_chars[i + 1] + (s[i] != " ")
    out: list[tuple[Number, ...]] = []
    vals: list[Number] = []
    steps = 0

    def dfs(pos: int, i: int) -> bool:
        nonlocal steps
        steps += 1
        if steps > budget:
            raise BudgetExceeded(run)
        if pos < len(s) and s[pos] == " ":
            pos += 1
        left = n - i
        if left == 0:
            if pos == len(s):
                out.append(tuple(vals))
                return limit is None or len(out) < limit
            return True
        chars = suffix_chars[pos]
        if chars < left or chars > left * MAX_DIGITS + (24 if last_amount else 0):
            return True
        if last_amount and left == 1:
            rest = s[pos:]
            if " " not in rest:
                value = amount_value(rest)
                if value is not None:
                    vals.append(value)
                    more = dfs(len(s), i + 1)
                    vals.pop()
                    return more
            return True
        if i in forced:
            expected = str(sum(vals[j] for j in forced[i]))
            end = pos + len(expected)
            if s.startswith(expected, pos) and (end == len(s) or s[end] == " " or left > 1):
                vals.append(int(expected))
                more = dfs(end, i + 1)
                vals.pop()
                return more
            return True
        sign = 1 if i in signed and s.startswith("-", pos) else 0
        for length in range(1 + sign, MAX_DIGITS + 1 + sign):
            end = pos + length
            if end > len(s):
                break
            ch = s[end - 1]
            if not ch.isdigit():
                break
            if length > 1 + sign and s[pos + sign] == "0":
                break
            if end < len(s) and s[end] != " " and left == 1:
                continue
            vals.append(int(s[pos:end]))
            more = dfs(end, i + 1)
            vals.pop()
            if not more:
                return False
        return True

    if not last_amount and not all(ch.isdigit() or ch == " " or (ch == "-" and signed) for ch in s):
        return []
    dfs(0, 0)
    return out


def is_digit_run(tokens: Sequence[str]) -> bool:
    return bool(tokens) and all(t.isdigit() for t in tokens)
