"""CARRYOVER_MISMATCH: 上年结转 of year Y must equal 结转下年度继续办理 of year Y−1 (same agency)."""

from __future__ import annotations

from ..model import Finding, Report, Severity
from ..templates import REQUEST_COLUMNS
from .values import values
from .where import fmt


def check_carryover(previous: Report, current: Report) -> list[Finding]:
    """Compare two reports of one agency for consecutive years (the caller matches the agency).

    Returns no finding when the years are unknown or not consecutive, or when no column can be
    compared because a cell is not known for certain in one of the reports.
    """
    if previous.year is None or current.year is None or current.year != previous.year + 1:
        return []
    before, now = values(previous), values(current)
    diffs: dict[str, dict[str, float | int]] = {}
    for col in REQUEST_COLUMNS:
        forward = before.get("requests", "carried_forward", col.id)
        over = now.get("requests", "carried_over", col.id)
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
