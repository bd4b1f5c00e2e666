"""Turn reports, ingest results and answers into Telegram HTML messages.

Everything is built as plain ``Line``s first; ``to_messages`` packs them into chunks under
Telegram's 4096-character limit (counted as Telegram does, in UTF-16 code units of the visible
text) and only then escapes each chunk and adds the markup, so a split can never cut a tag or an
entity in half.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.texts import TEXTS, Lang, plain
from reports.deadlines import annual_report_deadline
from reports.model import Finding, Report, Severity

if TYPE_CHECKING:
    from services.ingest import IngestResult

MESSAGE_LIMIT = 4096
SEVERITY_ICON = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
# Findings shown under an upload's summary; the rest behind the 「全部问题」 button.
SUMMARY_FINDINGS = 8
_BREAK_AFTER = set(" \t，。；、,.;:：)）]】")


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    bold: bool = False
    italic: bool = False

    def html(self, text: str | None = None) -> str:
        body = html.escape(self.text if text is None else text, quote=False)
        if self.bold:
            body = f"<b>{body}</b>"
        if self.italic:
            body = f"<i>{body}</i>"
        return body


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> tuple[str, str]:
    """Split ``text`` so the head fits ``limit`` UTF-16 units, preferring a break after a space or punctuation."""
    size = 0
    end = 0
    for i, ch in enumerate(text):
        size += 2 if ord(ch) > 0xFFFF else 1
        if size > limit:
            break
        end = i + 1
    else:
        return text, ""
    head = text[:end]
    for j in range(len(head) - 1, max(len(head) // 2, 0), -1):
        if head[j] in _BREAK_AFTER:
            return text[:j + 1], text[j + 1:]
    return head, text[end:]


def to_messages(lines: Iterable[Line], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pack lines into as few HTML messages as fit ``limit`` visible characters each."""
    chunks: list[list[tuple[Line, str]]] = [[]]
    size = 0
    for line in lines:
        rest = line.text
        while True:
            sep = 1 if chunks[-1] else 0
            room = limit - size - sep
            if utf16_len(rest) <= room:
                chunks[-1].append((line, rest))
                size += sep + utf16_len(rest)
                break
            if room >= max(limit // 4, 1) or not chunks[-1]:
                head, rest = _cut(rest, room if chunks[-1] else limit)
                chunks[-1].append((line, head))
            chunks.append([])
            size = 0
    return ["\n".join(line.html(text) for line, text in chunk) for chunk in chunks if chunk]


def fmt_number(value: float | int | None) -> str:
    """A figure as printed; None (unknown, unreadable) is "?" — never a guessed 0."""
    if value is None:
        return "?"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.6f}".rstrip("0").rstrip(".")


def _sum(*values: float | int | None) -> float | int | None:
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def finding_text(f: Finding, lang: Lang) -> str:
    message = f.message_en if lang == "en" and f.message_en else f.message
    where = f"{f.where}：" if f.where and lang == "zh" else f"{f.where}: " if f.where else ""
    return f"{SEVERITY_ICON.get(f.severity, '•')} [{f.code}] {where}{message}"


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 3))


def report_title(report: Report, lang: Lang) -> str:
    agency = report.agency or plain("report.unknown_agency", lang)
    year = plain("report.year", lang, year=report.year) if report.year else plain("report.unknown_year", lang)
    return f"{agency} · {year}"


def report_lines(report: Report, lang: Lang, *, town_deadline: tuple[int, int] = (1, 31),
                 status: str | None = None, max_findings: int | None = SUMMARY_FINDINGS) -> list[Line]:
    """Summary (agency, year, template, publication date and deadline, key figures) and findings."""
    lines = [Line("📄 " + report_title(report, lang), bold=True)]
    if status:
        lines.append(Line(status, italic=True))
    key = f"report.template.{report.template or 'none'}"
    template = plain(key, lang) if key in TEXTS else str(report.template)
    meta = [plain("report.template", lang, template=template)]
    if report.published_on:
        published = plain("report.published", lang, date=report.published_on.isoformat())
        if report.year:
            deadline = annual_report_deadline(report.level, report.year, town_deadline)
            late = any(f.code == "LATE" for f in report.findings) or report.published_on > deadline
            published += plain("report.late" if late else "report.on_time", lang, deadline=deadline.isoformat())
        meta.append(published)
    else:
        meta.append(plain("report.published.unknown", lang))
    lines.append(Line(" · ".join(meta)))
    n = report.number
    lines.append(Line(plain(
        "report.figures", lang,
        new=fmt_number(n("requests", "new", "total")),
        carried_over=fmt_number(n("requests", "carried_over", "total")),
        done=fmt_number(n("requests", "total", "total")),
        granted=fmt_number(n("requests", "granted", "total")),
        carried_forward=fmt_number(n("requests", "carried_forward", "total")),
        review=fmt_number(n("appeals", "review", "total")),
        suit=fmt_number(_sum(n("appeals", "suit_direct", "total"), n("appeals", "suit_after_review", "total"))))))
    lines.extend(findings_lines(report.findings, lang, limit=max_findings))
    return lines


def findings_lines(findings: Sequence[Finding], lang: Lang, *, limit: int | None = None) -> list[Line]:
    if not findings:
        return [Line(plain("report.no_findings", lang))]
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    lines = [Line(plain("report.findings", lang, error=counts[Severity.ERROR], warning=counts[Severity.WARNING],
                        info=counts[Severity.INFO]), bold=True)]
    ordered = sorted_findings(findings)
    shown = ordered if limit is None else ordered[:limit]
    lines.extend(Line(finding_text(f, lang)) for f in shown)
    if len(ordered) > len(shown):
        lines.append(Line(plain("report.more_findings", lang, n=len(ordered) - len(shown)), italic=True))
    return lines


# ---- ingest results -------------------------------------------------------------------------

def ingest_table_lines(result: "IngestResult", lang: Lang) -> list[Line]:
    """An archive's outcome: one line per file (status, agency, year, errors/warnings), then the counts."""
    total = len(result.outcomes) + len(result.unreadable) + len(result.skipped)
    lines = [Line(plain("zip.title", lang, name=result.file, total=total), bold=True)]
    for o in result.outcomes:
        agency = o.agency or o.agency_printed or plain("report.unknown_agency", lang)
        year = str(o.year) if o.year else "?"
        icon = "❌" if o.status == "failed" else "🔁" if o.status == "duplicate" else "✅"
        counts = f"❌{o.errors} ⚠️{o.warnings}" if o.status != "failed" else plain("outcome.failed", lang)
        lines.append(Line(f"{icon} {_base(o.file)} · {agency} · {year} · {counts}"))
    for bad in result.unreadable:
        lines.append(Line(f"🚫 {_base(bad.file)} · {bad.message_en if lang == 'en' else bad.message}"))
    for skipped in result.skipped:
        lines.append(Line(f"⏭ {_base(skipped.name)} · {skipped.reason_en if lang == 'en' else skipped.reason}"))
    lines.append(Line(plain("zip.counts", lang,
                            stored=len(result.of("stored")), duplicate=len(result.of("duplicate")),
                            superseded=len(result.of("superseded")), unreadable=len(result.unreadable),
                            skipped=len(result.skipped)), italic=True))
    return lines


def _base(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def findings_csv(result: "IngestResult", lang: Lang) -> bytes:
    """Every finding of an archive, one row each; UTF-8 with BOM so Excel opens the Chinese correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    header = {"zh": ["文件", "机构", "年度", "代码", "严重程度", "位置", "说明"],
              "en": ["file", "agency", "year", "code", "severity", "where", "message"]}[lang]
    writer.writerow(header)
    for o in result.outcomes:
        for f in sorted_findings(o.findings):
            writer.writerow([o.file, o.agency or o.agency_printed or "", o.year or "", f.code, f.severity.value,
                             f.where, f.message_en if lang == "en" and f.message_en else f.message])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# ---- answers ---------------------------------------------------------------------------------

def answer_lines(answer: object) -> list[Line]:
    """An answer's text (plain text from the questions engine), line by line."""
    text = getattr(answer, "text", "") or ""
    return [Line(line) for line in text.splitlines()] or [Line("…")]
