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
DEFAULT_BUDGET = 30_000  # steps; real rows (even a busy city's) need under 10 000


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
             limit: int | None = None, spent: list[int] | None = None) -> list[tuple[Number, ...]]:
    """Every way to read ``run`` (digits, spaces as hard boundaries) as ``n`` cells.

    ``totals`` force total cells; ``last_amount`` lets the last cell be an amount with decimals and
    a unit ("3575394432.52元"); cells whose index is in ``signed`` may start with a minus sign.
    ``limit`` stops after that many readings (enough to know a run is ambiguous). Raises
    ``BudgetExceeded`` when the search would take more than ``budget`` steps; the steps taken are
    appended to ``spent`` when given (callers share a budget across runs).
    """
    s = " ".join(run.split())
    if not s or n <= 0:
        return []
    if not last_amount and not all(ch.isdigit() or ch == " " or (ch == "-" and signed) for ch in s):
        return []
    sizes = _groups(n, totals)
    if sizes is not None and len(sizes) > 1 and not last_amount and not signed:
        return _grouped(s, sizes, budget, limit, spent)
    search = _Search(s, n, {t.at: t.parts for t in totals}, last_amount, signed, budget, limit)
    try:
        return _run(search, s, n, last_amount)
    finally:
        if spent is not None:
            spent.append(search.steps)


def _groups(n: int, totals: Sequence[Total]) -> list[int] | None:
    """Group sizes when the cells are consecutive groups each closed by its own total (table 四)."""
    sizes: list[int] = []
    start = 0
    for t in sorted(totals, key=lambda t: t.at):
        if tuple(t.parts) != tuple(range(start, t.at)):
            return None
        sizes.append(t.at - start + 1)
        start = t.at + 1
    return sizes if start == n and sizes else None


def _grouped(s: str, sizes: list[int], budget: int, limit: int | None,
             spent: list[int] | None) -> list[tuple[Number, ...]]:
    """Readings of consecutive total-closed groups: each group is cut on its own, for every place
    the run may be divided between groups, so the search grows with the run's length, not with
    the product of the groups' possibilities."""
    steps = [0]
    memo: dict[tuple[int, int], list[tuple[Number, ...]]] = {}

    def one(start: int, end: int, size: int) -> list[tuple[Number, ...]]:
        used: list[int] = []
        try:
            return readings(s[start:end], size, (Total(tuple(range(size - 1)), size - 1),),
                            budget=max(budget - steps[0], 1), spent=used)
        finally:
            steps[0] += sum(used) + 1

    def rest(start: int, g: int) -> list[tuple[Number, ...]]:
        if (start, g) in memo:
            return memo[(start, g)]
        size = sizes[g]
        out: list[tuple[Number, ...]] = []
        if g == len(sizes) - 1:
            out = one(start, len(s), size)
        else:
            later = sum(sizes[g + 1:])
            for end in range(start + size, min(len(s), start + size * (MAX_DIGITS + 1)) + 1):
                if len(s) - end < later or s[end - 1] == " ":
                    continue
                heads = one(start, end, size)
                if heads:
                    nxt = end + 1 if end < len(s) and s[end] == " " else end
                    tails = rest(nxt, g + 1)
                    out.extend(h + t for h in heads for t in tails)
                    if limit is not None and len(out) >= limit:
                        break
        memo[(start, g)] = out
        return out

    try:
        found = rest(0, 0)
    finally:
        if spent is not None:
            spent.append(steps[0])
    return found[:limit] if limit is not None else found


def _run(search: "_Search", s: str, n: int, last_amount: bool) -> list[tuple[Number, ...]]:
    final = search.forced.get(n - 1)
    if final is not None and not last_amount and n > 1:
        # The last cell is a total: it is a suffix of the run, which caps what its parts may add up to.
        for size in range(1, min(MAX_DIGITS, len(s)) + 1):
            suffix = s[len(s) - size:]
            if " " in suffix:
                break
            if size > 1 and suffix[0] == "0":
                continue
            prefix_end = len(s) - size
            if prefix_end > 0 and s[prefix_end - 1] == " ":
                prefix_end -= 1
            if prefix_end <= 0:
                continue
            search.target = (frozenset(final), int(suffix))
            search.end = prefix_end
            search.dead = set()
            search.parts_left = [sum(1 for j in final if j >= i) for i in range(n + 1)]
            if not search.dfs(0, 0, 0):
                break
        return search.out
    search.end = len(s)
    search.dfs(0, 0, 0)
    return search.out


class _Search:
    """Depth-first cutting of ``s[:end]``; ``target`` caps the parts of a final total."""

    def __init__(self, s: str, n: int, forced: dict[int, tuple[int, ...]], last_amount: bool,
                 signed: frozenset[int], budget: int, limit: int | None) -> None:
        self.s, self.n, self.forced, self.last_amount = s, n, forced, last_amount
        self.signed, self.budget, self.limit = signed, budget, limit
        self.out: list[tuple[Number, ...]] = []
        self.vals: list[Number] = []
        self.steps = 0
        self.end = len(s)
        self.target: tuple[frozenset[int], int] | None = None
        self.dead: set[tuple] = set()
        self.parts_left: list[int] = []
        chars = [0] * (len(s) + 1)          # non-space characters from i to the end of s
        for i in range(len(s) - 1, -1, -1):
            chars[i] = chars[i + 1] + (s[i] != " ")
        self.chars = chars

    def emit(self) -> bool:
        reading = tuple(self.vals) + ((self.target[1],) if self.target else ())
        self.out.append(reading)
        return self.limit is None or len(self.out) < self.limit

    def dfs(self, pos: int, i: int, partial: int) -> bool:
        """Cut cells ``i``… from ``pos``; ``partial`` is the sum so far of the target's parts.

        A state that led to no reading is remembered: the rest of a run does not depend on how its
        beginning was cut, only on where the cut stands and what the open totals have summed so far.
        """
        if len(self.forced) <= 1:
            key: tuple = (pos, i, partial)      # the one total, if any, is the target: partial says it
        else:
            key = (pos, i, partial, tuple(sum(self.vals[j] for j in parts if j < i)
                                          for at, parts in self.forced.items() if at >= i))
        if key in self.dead:
            return True
        found = len(self.out)
        more = self._cut(pos, i, partial)
        if more and len(self.out) == found:
            self.dead.add(key)
        return more

    def _cut(self, pos: int, i: int, partial: int) -> bool:
        self.steps += 1
        if self.steps > self.budget:
            raise BudgetExceeded(self.s)
        s, end = self.s, self.end
        if pos < end and s[pos] == " ":
            pos += 1
        cells = self.n - (1 if self.target else 0)
        left = cells - i
        if left == 0:
            if pos == end and (self.target is None or partial == self.target[1]):
                return self.emit()
            return True
        chars = self.chars[pos] - self.chars[end]
        if chars < left or chars > left * MAX_DIGITS + (24 if self.last_amount else 0):
            return True
        if self.last_amount and i == self.n - 1:
            rest = s[pos:end]
            value = amount_value(rest) if " " not in rest else None
            if value is None:
                return True
            self.vals.append(value)
            more = self.dfs(end, i + 1, partial)
            self.vals.pop()
            return more
        counted = self.target is not None and i in self.target[0]
        if counted and self.target is not None:
            # None of the parts still to cut can be longer than the digits spare after the others
            # take one each, which caps what they can add up to.
            parts_left = self.parts_left[i]
            longest = max(chars - (left - parts_left) - parts_left + 1, 0)
            if partial + parts_left * (10 ** longest - 1) < self.target[1]:
                return True
        if i in self.forced:
            expected = str(sum(self.vals[j] for j in self.forced[i]))
            stop = pos + len(expected)
            if stop <= end and s.startswith(expected, pos) and (stop == end or s[stop] == " " or left > 1):
                self.vals.append(int(expected))
                more = self.dfs(stop, i + 1, partial + (int(expected) if counted else 0))
                self.vals.pop()
                return more
            return True
        sign = 1 if i in self.signed and s.startswith("-", pos) else 0
        for length in range(1 + sign, MAX_DIGITS + 1 + sign):
            stop = pos + length
            if stop > end or not s[stop - 1].isdigit():
                break
            if length > 1 + sign and s[pos + sign] == "0":
                break
            if left == 1 and stop < end and s[stop] != " ":
                continue
            value = int(s[pos:stop])
            if counted and partial + value > self.target[1]:
                break       # longer cuts only grow
            self.vals.append(value)
            more = self.dfs(stop, i + 1, partial + (value if counted else 0))
            self.vals.pop()
            if not more:
                return False
        return True
