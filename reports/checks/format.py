"""Soft rules on the report as a whole: OUTDATED_FORMAT, MISSING_SECTION, LATE, TOWN_REGULATION, and the
FEE_NOT_STATED note."""

from __future__ import annotations

from ..deadlines import annual_report_deadline
from ..model import Finding, Report, Severity
from ..templates import SECTIONS, TEMPLATES, expected_template
from .bodies import cannot_make_regulations, infer_level
from .where import SEP, fmt, section_name, section_name_en, table_name, table_name_en

W, I = Severity.WARNING, Severity.INFO
_TABLE_OF_SECTION = {"disclosure": "disclosure", "requests": "requests", "appeals": "appeals"}
_SECTION_OF_TABLE = {t: s for s, t in _TABLE_OF_SECTION.items()}
_TABLE_NUMBER = {"disclosure": "二", "requests": "三", "appeals": "四"}
_LEVEL_ZH = {"department": "政府部门", "town": "乡镇（街道）", "government": "人民政府", "unknown": "机关"}


def _template_name(template: str) -> str:
    if template in TEMPLATES:
        return f"{template}版模板（{TEMPLATES[template].document}）"
    return "2019年以前的旧格式"


def outdated_format(report: Report) -> list[Finding]:
    expected = expected_template(report.year)
    if report.template is None or expected is None or report.template == expected:
        return []
    msg = f"{report.year}年度报告使用了{_template_name(report.template)}，应使用{_template_name(expected)}"
    en = f"the report on {report.year} uses the {report.template} template; {expected} is expected"
    return [Finding("OUTDATED_FORMAT", W, "全文", msg, en, data={"template": report.template, "expected": expected})]


def missing_sections(report: Report) -> list[Finding]:
    """Six sections and three tables, in document order.

    After a truncation point nothing is expected: what would follow the cut is noted once, as info.
    When everything from some point on is missing (an excerpt, a page that stops), that is one
    finding naming the tail, not one per part.
    """
    if report.template == "pre2019":
        return []
    items = _parts(report.template)

    def present(kind: str, ident: str) -> bool:
        if kind == "table":
            return ident in report.tables_found
        return ident in report.sections or _TABLE_OF_SECTION.get(ident) in report.tables_found

    missing = [i for i, (kind, ident, _, _) in enumerate(items) if not present(kind, ident)]
    cut = min((i for i, (kind, ident, _, _) in enumerate(items) if kind == "table" and ident in report.truncated),
              default=None)
    out: list[Finding] = []
    if cut is not None:
        tail = [i for i in missing if i > cut]
        missing = [i for i in missing if i <= cut]
        if tail:
            names = _tail_names(items, tail)
            out.append(Finding(
                "MISSING_SECTION", I, "截断之后",
                f"文本在表{_TABLE_NUMBER[items[cut][1]]}处截断，其后的{'、'.join(names)}未见（可能是节选）",
                f"the text is cut inside a table; {len(names)} later parts were not seen (probably an excerpt)",
                data={"after_cut": names}))
    if len(missing) >= 2 and missing == list(range(missing[0], len(items))) and missing[0] > 0:
        names = _tail_names(items, missing)
        last = items[missing[0] - 1][2]
        out.append(Finding(
            "MISSING_SECTION", W, f"“{last}”之后",
            f"报告在“{last}”之后中断：其后的{'、'.join(names)}均未找到（文件可能不完整）",
            f"the report stops after {items[missing[0] - 1][3]}: {len(names)} later parts were not found",
            data={"kind": "tail", "missing": [items[i][1] for i in missing], "names": names}))
        return out
    for i in missing:
        kind, ident, name, en = items[i]
        kind_zh = "部分" if kind == "section" else "统计表"
        out.append(Finding("MISSING_SECTION", W, name, f"未找到{kind_zh}“{name}”", f"{en} was not found",
                           data={"kind": kind, "id": ident}))
    return out


def _tail_names(items: list[tuple[str, str, str, str]], indices: list[int]) -> list[str]:
    """Names of the missing parts, a table being named only when its section is not."""
    listed = {items[i][1] for i in indices if items[i][0] == "section"}
    return [items[i][2] for i in indices if items[i][0] == "section" or _SECTION_OF_TABLE[items[i][1]] not in listed]


_PARTS: dict[str | None, list[tuple[str, str, str, str]]] = {}


def _parts(template: str | None) -> list[tuple[str, str, str, str]]:
    """(kind, id, Chinese name, English name) of the six sections and three tables, in document order."""
    if template not in _PARTS:
        spec = TEMPLATES.get(template or "")
        items: list[tuple[str, str, str, str]] = []
        for s in SECTIONS:
            items.append(("section", s.id, section_name(s.id), section_name_en(s.id)))
            if s.id in _TABLE_OF_SECTION:
                t = _TABLE_OF_SECTION[s.id]
                tspec = spec.table(t) if spec else None  # type: ignore[arg-type]
                items.append(("table", t, f"{table_name(tspec)}（{tspec.title}）" if tspec else f"表{_TABLE_NUMBER[t]}",
                              table_name_en(tspec) if tspec else f"table {_TABLE_NUMBER[t]}"))
        _PARTS[template] = items
    return _PARTS[template]


def late(report: Report, town_deadline: tuple[int, int]) -> list[Finding]:
    if report.published_on is None or report.year is None:
        return []
    level = infer_level(report.agency, report.level)
    deadline = annual_report_deadline(level, report.year, town_deadline)
    if report.published_on <= deadline:
        return []
    days = (report.published_on - deadline).days
    # a date read from the signature (年月日 sometimes stripped) is weaker evidence than the page's own date
    basis, basis_en = ("（按落款日期）", " (signature date)") if report.published_on_source == "signature" else ("", "")
    msg = (f"发布于{report.published_on.isoformat()}{basis}，晚于{_LEVEL_ZH.get(level, '机关')}的法定期限"
           f"{deadline.isoformat()}（{days}天）")
    en = (f"published on {report.published_on.isoformat()}{basis_en}, {days} days after the deadline "
          f"{deadline.isoformat()}")
    return [Finding("LATE", W, "发布日期", msg, en,
                    data={"published_on": report.published_on.isoformat(), "deadline": deadline.isoformat(),
                          "days_late": days, "level": level})]


def town_regulation(report: Report) -> list[Finding]:
    spec = report.spec
    if spec is None:
        return []
    why = cannot_make_regulations(report.agency, report.level)
    if why is None:
        return []
    table = spec.table("disclosure")
    row = table.row("regulations")
    counts = {c.id: report.number("disclosure", "regulations", c.id) for c in table.columns_of(row) if not c.signed}
    positive = {k: v for k, v in counts.items() if v}
    if not positive or all(v < 0 for v in positive.values()):
        return []
    listed = "，".join(f"{table.column(k).label}{fmt(v)}" for k, v in positive.items())
    body = "乡镇、街道" if why == "town" else "县级及以下机关"
    who = report.agency or "本机关"
    msg = f"{who}属于{body}，无权制定规章，但表二“{row.label}”填报了数字（{listed}）"
    who_en = "a town or street office" if why == "town" else "a county-level body"
    listed_en = ", ".join(f"{table.column(k).en} {fmt(v)}" for k, v in positive.items())
    en = f"{who_en} cannot make regulations (规章), yet table 2 reports some: {listed_en}"
    return [Finding("TOWN_REGULATION", W, f"{table_name(table)}{SEP}{row.label}", msg, en, "disclosure", "regulations",
                    None,
                    {"values": positive, "body": why})]


def fee_not_stated(report: Report) -> list[Finding]:
    """The 2021 template's section 六 reports the 信息处理费 collected (even when none was)."""
    if report.template != "2021" or "other" not in report.sections:
        return []
    if any("处理费" in text for text in report.sections.values()):
        return []
    return [Finding("FEE_NOT_STATED", I, section_name("other"),
                    f"“{section_name('other')}”未说明收取信息处理费的情况（2021版模板要求，未收取也应说明）",
                    f"{section_name_en('other')} does not state the information-processing fees collected "
                    "(the 2021 template asks for it, even when none were)", data={"section": "other"})]


def check_format(report: Report, town_deadline: tuple[int, int]) -> list[Finding]:
    return [*outdated_format(report), *missing_sections(report), *late(report, town_deadline),
            *town_regulation(report), *fee_not_stated(report)]
