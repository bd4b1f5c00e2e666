"""CARRYOVER_MISMATCH: 上年结转 of year Y must equal 结转下年度继续办理 of year Y−1 (same agency)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Finding, Number, Report, Severity
from ..templates import REQUEST_COLUMNS
from .values import values
from .where import fmt


@dataclass(frozen=True, slots=True)
class CarryFigures:
    """All the carry-over rule reads of one report: its year, and the table-三 numbers known for certain
    (``values``: blank totals resolved) of 二、上年结转 and 四、结转下年度继续办理, by column.

    A store keeps this beside each report, so comparing two stored reports needs neither of them whole."""

    year: int | None
    carried_over: dict[str, Number]
    carried_forward: dict[str, Number]

    @classmethod
    def of(cls, report: Report) -> CarryFigures:
        known = values(report).known
        over: dict[str, Number] = {}
        forward: dict[str, Number] = {}
        for col in REQUEST_COLUMNS:
            if (n := known.get(("requests", "carried_over", col.id))) is not None:
                over[col.id] = n
            if (n := known.get(("requests", "carried_forward", col.id))) is not None:
                forward[col.id] = n
        return cls(report.year, over, forward)

    def to_json(self) -> dict[str, Any]:
        """Without the year, which a store keeps in a column of its own."""
        return {"carried_over": self.carried_over, "carried_forward": self.carried_forward}

    @classmethod
    def from_json(cls, year: int | None, d: dict[str, Any] | None) -> CarryFigures:
        d = d or {}
        return cls(year, dict(d.get("carried_over") or {}), dict(d.get("carried_forward") or {}))


def check_carryover(previous: Report, current: Report) -> list[Finding]:
    """Compare two reports of one agency for consecutive years (the caller matches the agency).

    Returns no finding when the years are unknown or not consecutive, or when no column can be
    compared because a cell is not known for certain in one of the reports.
    """
    return compare_carryover(CarryFigures.of(previous), CarryFigures.of(current))


def compare_carryover(previous: CarryFigures, current: CarryFigures) -> list[Finding]:
    """``check_carryover`` on what the rule reads of each report."""
    if previous.year is None or current.year is None or current.year != previous.year + 1:
        return []
    diffs: dict[str, dict[str, float | int]] = {}
    for col in REQUEST_COLUMNS:
        forward = previous.carried_forward.get(col.id)
        over = current.carried_over.get(col.id)
        if forward is not None and over is not None and forward != over:
            diffs[col.id] = {"previous_carried_forward": forward, "carried_over": over}
    if not diffs:
        return []
    key = "total" if "total" in diffs else next(iter(diffs))
    label = next(c.label for c in REQUEST_COLUMNS if c.id == key)
    d = diffs[key]
    cols = "、".join(next(c.label for c in REQUEST_COLUMNS if c.id == k) for k in diffs)
    msg = (f"{current.year}年报表三“二、上年结转”{label}为{fmt(d['carried_over'])}，但{previous.year}年报"
           f"“四、结转下年度继续办理”{label}为{fmt(d['previous_carried_forward'])}（不一致的列：{cols}）")
    en = (f"{current.year}: {fmt(d['carried_over'])} requests carried over ({label}), but the {previous.year} report "
          f"carried {fmt(d['previous_carried_forward'])} forward")
    return [Finding("CARRYOVER_MISMATCH", Severity.WARNING, f"表三 · 二、上年结转 · {label}", msg, en,
                    "requests", "carried_over", key,
                    {"previous_year": previous.year, "year": current.year, "columns": diffs})]
