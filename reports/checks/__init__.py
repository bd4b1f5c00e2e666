"""The rules of report-format.md §6 over a parsed ``Report``. A rule returns findings; it never
changes the report, and it is not evaluated when one of its inputs is not known for certain
(ambiguous, unreadable, absent or a blank total), so nothing unread is ever reported as violated.
"""

from __future__ import annotations

from ..model import Finding, Report, Severity
from .arithmetic import check_arithmetic
from .carryover import CarryFigures, check_carryover, compare_carryover
from .cells import check_cells
from .format import check_format
from .narrative import check_narrative
from .values import headline, values

__all__ = ["CODES", "CarryFigures", "check", "check_carryover", "compare_carryover", "headline"]

# code → (severity, what it means in Chinese, in English): the README's table of checks.
CODES: dict[str, tuple[Severity, str, str]] = {
    "ROW_TOTAL": (Severity.ERROR, "表三某行总计不等于各类申请人之和", "a table-3 row total differs from its columns"),
    "SUBTOTAL": (Severity.ERROR, "表三（七）总计不等于各项办理结果之和", "table-3 total handled differs from its outcome rows"),
    "BALANCE": (Severity.ERROR, "表三不满足“第一项加第二项之和等于第三项加第四项之和”",
                "table 3: new + carried over ≠ handled + carried forward"),
    "LITIGATION_TOTAL": (Severity.ERROR, "表四总计不等于各项结果之和", "a table-4 total differs from its outcomes"),
    "NEGATIVE_VALUE": (Severity.ERROR, "数量为负数", "a count is negative"),
    "NON_INTEGER_VALUE": (Severity.ERROR, "件数带有小数", "a count has decimals"),
    "MISSING_TOTAL": (Severity.ERROR, "总计留空而各项不全为0", "a total is blank while its parts are not all zero"),
    "OUTDATED_FORMAT": (Severity.WARNING, "使用了与年度不符的模板", "the template does not match the year"),
    "LATE": (Severity.WARNING, "晚于法定期限发布", "published after the legal deadline"),
    "MISSING_SECTION": (Severity.WARNING, "缺少某一部分或统计表", "a section or table is missing"),
    "TOWN_REGULATION": (Severity.WARNING, "无权制定规章的机关填报了规章", "a body that cannot make 规章 reports some"),
    "NARRATIVE_MISMATCH": (Severity.WARNING, "正文中的数字与表格不符", "a figure in the text differs from the tables"),
    "NARRATIVE_POINTS": (Severity.WARNING, "正文宣布的要点数与实际列出的不符",
                         "the text announces a number of points and lists another"),
    "CARRYOVER_MISMATCH": (Severity.WARNING, "上年结转与上一年报的结转下年度不符",
                           "carried over differs from last year's carried forward"),
    "AMBIGUOUS_CELL": (Severity.WARNING, "粘连数字无法唯一拆分", "glued digits cannot be split uniquely"),
    "INFERRED_SPLIT": (Severity.INFO, "粘连数字无总计可据，按常理拆分并列出其他读法",
                       "glued digits with no totals to split by were read by plausibility; other readings listed"),
    "UNREADABLE_CELL": (Severity.WARNING, "单元格内容不是可识别的数字", "a cell is not a readable number"),
    "MISSING_CELL": (Severity.WARNING, "统计表中有单元格未读到", "a cell of a table was not found"),
    "FEE_NOT_STATED": (Severity.INFO, "2021版报告未说明信息处理费收取情况", "a 2021-template report does not state the fees"),
    "TRUNCATED": (Severity.WARNING, "统计表不完整（提前结束）", "a table ends early"),
}

_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def check(report: Report, *, town_deadline: tuple[int, int] = (1, 31)) -> list[Finding]:
    """Every rule over one report, errors first. ``town_deadline`` is the (month, day) by which
    乡镇/街道 must publish (set by local notices; 1月31日 by default)."""
    v = values(report)
    findings = [*check_arithmetic(report, v), *check_cells(report), *check_format(report, town_deadline),
                *check_narrative(report, v)]
    return sorted(findings, key=lambda f: _ORDER[f.severity])
