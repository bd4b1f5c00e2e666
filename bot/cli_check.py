"""``python -m bot check FILE… [--json]``: parse and validate report files without storing them.

Prints, per report, the agency, year, template, publication date and whether it was on time, the
headline figures and the findings grouped by severity; or, with ``--json``, the contract's report
JSON (one object for a single report, an array when there are several; a zip yields one entry per
report inside, plus one per member it skipped). Exit status: 0 ran (findings are not failures),
1 when an input could not be read, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.texts import Lang
from reports.model import Finding, Number, Report, Severity

EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE = 0, 1, 2

_T: dict[str, dict[str, str]] = {
    "agency": {"zh": "机关", "en": "Agency"},
    "year": {"zh": "年度", "en": "Year"},
    "template": {"zh": "模板", "en": "Template"},
    "published": {"zh": "发布日期", "en": "Published"},
    "on_time": {"zh": "按时（期限 {deadline}）", "en": "on time (deadline {deadline})"},
    "late": {"zh": "逾期{days}天（期限 {deadline}）", "en": "{days} days late (deadline {deadline})"},
    "unknown": {"zh": "未知", "en": "unknown"},
    "requests": {"zh": "申请", "en": "Requests"},
    "appeals": {"zh": "复议诉讼", "en": "Appeals"},
    "new": {"zh": "新收", "en": "new"},
    "carried_over": {"zh": "上年结转", "en": "carried over"},
    "handled": {"zh": "办结", "en": "handled"},
    "granted": {"zh": "予以公开", "en": "granted"},
    "carried_forward": {"zh": "结转下年度", "en": "carried forward"},
    "reviews": {"zh": "行政复议", "en": "reviews"},
    "lawsuits": {"zh": "行政诉讼", "en": "lawsuits"},
    "findings": {"zh": "发现", "en": "Findings"},
    "none": {"zh": "未发现问题", "en": "no problems found"},
    "error": {"zh": "错误", "en": "errors"},
    "warning": {"zh": "警告", "en": "warnings"},
    "info": {"zh": "提示", "en": "notes"},
    "skipped": {"zh": "跳过", "en": "skipped"},
    "unreadable": {"zh": "无法读取", "en": "cannot read"},
    "no_report": {"zh": "未找到年度报告", "en": "no annual report found"},
    "pre2019": {"zh": "2019年以前的旧格式", "en": "pre-2019 layout"},
    "template_name": {"zh": "{id}版（{doc}）", "en": "{id} ({doc})"},
}
_DATE_SOURCES = {"page": {"zh": "页面日期", "en": "page date"}, "signature": {"zh": "落款日期", "en": "signature date"}}
_LEVELS = {"department": {"zh": "政府部门", "en": "department"}, "town": {"zh": "乡镇/街道", "en": "town"},
           "government": {"zh": "人民政府", "en": "government"}, "unknown": {"zh": "级别未知", "en": "level unknown"}}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="report files (txt, html, docx, doc, pdf, xlsx, zip)")
    parser.add_argument("--json", action="store_true", help="print the report JSON instead of a summary")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the summary (default zh)")
    parser.add_argument("--town-deadline", metavar="MM-DD", default=None,
                        help="deadline of 乡镇/街道 reports (default: TOWN_REPORT_DEADLINE, 01-31)")


def _deadline(value: str) -> tuple[int, int]:
    month, _, day = value.partition("-")
    if not (month.isdigit() and day.isdigit() and 1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        raise ValueError(value)
    return int(month), int(day)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    from bot.settings import get_settings

    settings = get_settings()
    try:
        town_deadline = _deadline(args.town_deadline or settings.town_report_deadline)
    except ValueError:
        print(f"--town-deadline must be MM-DD, got {args.town_deadline!r}", file=err)
        return EXIT_USAGE
    paths = [Path(f) for f in args.files]
    for p in paths:
        if p.is_dir():
            print(f"{p}: is a directory (check takes files; `import` takes folders)", file=err)
            return EXIT_USAGE

    from reports.extract import ExtractError, Limits
    from reports.pipeline import analyse

    limits = Limits.for_upload_mb(settings.max_upload_mb)
    items: list[dict[str, Any]] = []
    status = EXIT_OK
    lang = args.lang
    for p in paths:
        try:
            data = p.read_bytes()
            analysis = analyse(data, p.name, limits=limits, town_deadline=town_deadline)
        except OSError as e:
            status = EXIT_UNREADABLE
            reason = e.strerror or str(e)
            items.append(_error(p.name, "io", f"文件不存在或无法打开（{reason}）", f"no such file or cannot open it ({reason})"))
            continue
        except ExtractError as e:
            status = EXIT_UNREADABLE
            items.append(_error(p.name, e.code, e.message_zh, e.message_en))
            continue
        for report in analysis.reports:
            if not report.recognised:
                status = EXIT_UNREADABLE
                items.append(_error(report.source.file or p.name, "not_a_report", _T["no_report"]["zh"],
                                    _T["no_report"]["en"]))
            else:
                items.append({"report": report})
        for s in analysis.skipped:
            items.append({"source": {"file": s.name}, "container": p.name, "skipped": True,
                          "reason": s.reason, "reason_en": s.reason_en})
        if not analysis.reports and not analysis.skipped:
            status = EXIT_UNREADABLE
            items.append(_error(p.name, "not_a_report", _T["no_report"]["zh"], _T["no_report"]["en"]))
    if args.json:
        docs = [i["report"].to_json(cells=False) if "report" in i else i for i in items]
        json.dump(docs[0] if len(docs) == 1 else docs, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for n, item in enumerate(items):
            if n:
                out.write("\n")
            out.write(summary(item["report"], lang, town_deadline) if "report" in item
                      else _problem_line(item, lang))
    return status



def _error(name: str, code: str, zh: str, en: str) -> dict[str, Any]:
    return {"source": {"file": name}, "error": {"code": code, "message": zh, "message_en": en}}


def _problem_line(item: dict[str, Any], lang: Lang) -> str:
    name = item["source"]["file"]
    if item.get("skipped"):
        reason = item["reason"] if lang == "zh" else item["reason_en"]
        return f"== {item['container']} › {name} ==\n{_T['skipped'][lang]}{_sep(lang)}{reason}\n"
    e = item["error"]
    return f"== {name} ==\n{_T['unreadable'][lang]}{_sep(lang)}{e['message'] if lang == 'zh' else e['message_en']}\n"


def _sep(lang: Lang) -> str:
    return "：" if lang == "zh" else ": "


def _n(value: Number | None, lang: Lang) -> str:
    if value is None:
        return _T["unknown"][lang]
    return str(int(value)) if float(value).is_integer() else str(value)


def summary(report: Report, lang: Lang = "zh", town_deadline: tuple[int, int] = (1, 31)) -> str:
    """The readable summary of one checked report."""
    from reports.checks import headline
    from reports.checks.bodies import infer_level
    from reports.deadlines import annual_report_deadline
    from reports.templates import TEMPLATES


    def t(key: str, **kw: object) -> str:
        return _T[key][lang].format(**kw)

    sep = _sep(lang)
    lines = [f"== {report.source.file} =="]
    level = infer_level(report.agency, report.level)
    lines.append(f"{t('agency')}{sep}{report.agency or t('unknown')}（{_LEVELS[level][lang]}）" if lang == "zh" else
                 f"{t('agency')}{sep}{report.agency or t('unknown')} ({_LEVELS[level][lang]})")
    if report.template in TEMPLATES:
        template = t("template_name", id=report.template, doc=TEMPLATES[report.template].document)
    elif report.template == "pre2019":
        template = t("pre2019")
    else:
        template = t("unknown")
    lines.append(f"{t('year')}{sep}{report.year or t('unknown')}    {t('template')}{sep}{template}")
    published = t("unknown")
    if report.published_on:
        published = report.published_on.isoformat()
        if report.published_on_source in _DATE_SOURCES:
            published += f"（{_DATE_SOURCES[report.published_on_source][lang]}）" if lang == "zh" else \
                f" ({_DATE_SOURCES[report.published_on_source][lang]})"
        if report.year:
            deadline = annual_report_deadline(level, report.year, town_deadline)
            days = (report.published_on - deadline).days
            when = t("late", days=days, deadline=deadline) if days > 0 else t("on_time", deadline=deadline)
            published += f" {when}"
    lines.append(f"{t('published')}{sep}{published}")
    h = headline(report)
    figures = " · ".join(f"{t(k)} {_n(h[k], lang)}" for k in
                         ("new", "carried_over", "handled", "granted", "carried_forward"))
    lines.append(f"{t('requests')}{sep}{figures}")
    appeals = f"{t('reviews')} {_n(h['reviews'], lang)} · {t('lawsuits')} {_n(h['lawsuits'], lang)}"
    lines.append(f"{t('appeals')}{sep}{appeals}")
    lines += _findings(report.findings, lang, t, sep)
    return "\n".join(lines) + "\n"


def _findings(findings: list[Finding], lang: Lang, t, sep: str) -> list[str]:
    if not findings:
        return [f"{t('findings')}{sep}{t('none')}"]
    counts = " · ".join(f"{t(s.value)} {sum(f.severity is s for f in findings)}" for s in Severity)
    lines = [f"{t('findings')}{sep}{counts}"]
    for sev in Severity:
        group = [f for f in findings if f.severity is sev]
        if not group:
            continue
        lines.append(f"  [{t(sev.value)}]")
        for f in group:
            if lang == "zh" or not f.message_en:
                said = _squeeze(f.message)
                place = "" if not f.where or _squeeze(f.where) in said else f"  [{f.where}]"
                lines.append(f"    {f.code}  {f.message}{place}")
            else:
                lines.append(f"    {f.code}  {f.message_en}")
    return lines


def _squeeze(text: str) -> str:
    """Text without the separators of a location, to tell whether a message already names it."""
    return "".join(text.split()).replace("·", "")
