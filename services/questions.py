"""Answer a question from the store: understand → compute (with sources) → render (zh/en, chart, CSV).

Rules the answers keep:
- a number is given only when every cell behind it was read; an unreadable or missing cell makes
  the answer say so (aggregates leave such reports out and count them);
- an agency that is ambiguous or unknown gets a clarification (buttons) or an "I don't know",
  never a number for a guessed body;
- every figure names its source: agency (full name), year, table and row, file.

``Answer.text`` is plain text without markup; the bot's renderer escapes it for Telegram HTML.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from reports.questions.agencies import AgencyIndex, KnownAgency
from reports.questions.metrics import (APPEAL_OUTCOMES, APPLICANT_COLUMNS, DERIVED, METRICS, OVERVIEW, Metric,
                                       applicant_label, metric_label, outcome_label)
from reports.questions.query import AgencyRef, Query
from reports.questions.understand import understand
from reports.templates import TEMPLATES
from storage import queries as sq
from storage.db import Database

from .question_charts import Chart, ChartSpec, to_csv

TABLE_NUMBER = {"disclosure": ("二", "2"), "requests": ("三", "3"), "appeals": ("四", "4")}
MAX_LISTED = 20            # lines of a ranking / list shown in the text
CSV_ROWS = 200             # rows of a ranking or a sum's contributors in the CSV
MAX_SOURCES = 20           # sources listed for an aggregate
MAX_CHOICES = 8            # buttons offered for an ambiguous name


# ---- result types ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Source:
    agency: str
    year: int
    table: str            # disclosure | requests | appeals
    row: str              # row id, or ids joined by "+"
    file: str
    column: str = ""      # column id

    def describe(self, lang: str, template: str | None = None) -> str:
        """"平潭综合实验区《2021年政府信息公开工作年度报告》表三「一、本年新收…」总计列（文件：…）"."""
        head = _t(lang, f"{self.agency}《{self.year}年政府信息公开工作年度报告》", f"{self.agency}, {self.year} annual report")
        where = ""
        if self.table in TABLE_NUMBER and self.row:
            labels = [_row_label(self.table, r, template, lang) for r in self.row.split("+")]
            col = _column_label(self.table, self.column, template, lang) if self.column else ""
            zh_n, en_n = TABLE_NUMBER[self.table]
            if lang == "zh":
                where = f"表{zh_n}" + "、".join(f"「{x}」" for x in labels) + (f"{col}列" if col else "")
            else:
                where = (f", table {en_n}, row{'s' if len(labels) > 1 else ''} " + ", ".join(f"“{x}”" for x in labels)
                         + (f", column “{col}”" if col else ""))
        return head + where + _t(lang, f"（文件：{self.file}）", f" (file: {self.file})")


def _spec_rows(table: str, template: str | None):
    """The table's spec in ``template`` first, then in the other template (a 2019-only row such as （六）)."""
    order = [template] if template in TEMPLATES else []
    order += [t for t in ("2021", "2019") if t not in order]
    return [TEMPLATES[t].table(table) for t in order]  # type: ignore[arg-type]


def _column_label(table: str, column: str, template: str | None, lang: str) -> str:
    for spec in _spec_rows(table, template):
        for c in spec.columns:
            if c.id == column:
                return c.label if lang == "zh" else c.en
    return column


def _row_label(table: str, row_id: str, template: str | None, lang: str) -> str:
    """A row as printed: "一、本年新收政府信息公开申请数量", "（三）不予公开 1.属于国家秘密"; English label in en."""
    for spec in _spec_rows(table, template):
        for row in spec.rows:
            if row.id != row_id:
                continue
            if lang != "zh":
                return row.en
            label = row.label.split("（区分处理")[0]
            if table != "requests" or not row.marker:
                return label
            if row.group in ("denied", "unavailable", "not_processed", "other"):
                group = next(g for g in spec.groups if g.id == row.group)
                return f"{group.marker}{group.label} {row.marker}.{label}"
            return f"{row.marker}{'、' if row.marker in '一二三四' else ''}{label}"
    return row_id


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    payload: str          # ≤ 64 bytes (Telegram callback data)


@dataclass(frozen=True, slots=True)
class Value:
    """One number the answer states (machine-readable twin of the text)."""

    metric: str
    value: float | None
    agency: str | None = None
    year: int | None = None
    column: str | None = None
    reports: int = 1              # how many reports it was computed from


@dataclass(slots=True)
class Answer:
    text: str
    lang: str
    query: Query
    figures: list[Value] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    clarification: list[Choice] | None = None
    chart: Chart | None = None
    csv: bytes | None = None

    @property
    def chart_png(self) -> bytes | None:
        return self.chart.png if self.chart else None


# ---- known agencies and years, cached per database until the store changes --------------------

@dataclass(slots=True)
class _Known:
    fingerprint: tuple          # (max report id, max agency id, max alias id)
    index: AgencyIndex
    years: list[int]


_CACHE: "weakref.WeakKeyDictionary[Database, _Known]" = weakref.WeakKeyDictionary()


def _record(r: sq.AgencyRecord) -> KnownAgency:
    return KnownAgency(r.id, r.name, r.level, r.region, r.aliases)


async def _known(session, db: Database, *, force: bool = False) -> _Known:
    """The known agencies and stored years, cached per database.

    New reports, agencies and aliases are added to the cached index as they appear (a full build takes
    seconds at tens of thousands of agencies); ``force`` rebuilds it, for when an agency was merged away.
    """
    fp = tuple(x or 0 for x in await sq.fingerprint(session))
    cached = _CACHE.get(db)
    if cached is not None and not force:
        if cached.fingerprint == fp:
            return cached
        changed = await sq.changed_agencies(session, after_report=cached.fingerprint[0],
                                            after_agency=cached.fingerprint[1], after_alias=cached.fingerprint[2])
        for record in await sq.known_agencies(session, sorted(changed)) if changed else []:
            cached.index.add(_record(record))
        if fp[0] != cached.fingerprint[0]:
            cached.years = await sq.stored_years(session)
        cached.fingerprint = fp
        return cached
    records = await sq.known_agencies(session)
    # Pinyin for tens of thousands of names takes a moment: keep the event loop (the bot) responsive.
    index = await asyncio.to_thread(AgencyIndex, [_record(r) for r in records])
    known = _Known(fp, index, await sq.stored_years(session))
    _CACHE[db] = known
    return known


# ---- entry points ---------------------------------------------------------------------------

async def answer(db: Database, question: str, *, today: date, lang: str | None = None) -> Answer:
    """Answer ``question`` in its own language (Chinese if it contains CJK) unless ``lang`` forces one."""
    async with db.transaction(write=False) as session:
        known = await _known(session, db)
        q = understand(question, agencies=known.index, years_available=known.years, today=today, lang=lang)
        named = {a.id for a in q.agencies} | {a.id for refs in q.ambiguous.values() for a in refs}
        if named and await sq.existing_agencies(session, sorted(named)) != named:
            # An agency was merged away or deleted since the names were cached: read them again.
            known = await _known(session, db, force=True)
            q = understand(question, agencies=known.index, years_available=known.years, today=today, lang=lang)
        return await _Engine(session, known, today).run(q)


async def answer_choice(db: Database, payload: str, *, today: date, lang: str | None = None) -> Answer:
    """Answer the query a clarification button carries."""
    async with db.transaction(write=False) as session:
        known = await _known(session, db)
        try:
            q = Query.from_payload(payload)
        except (ValueError, IndexError):
            q = Query(intent="unknown", lang=lang or "zh")
            return Answer(_t(q.lang, "这个按钮已失效，请重新提问。", "This button has expired; please ask again."), q.lang, q)
        if lang:
            q.lang = lang
        refs = []
        for ref in q.agencies:
            a = known.index.by_id.get(ref.id)
            if a is None:
                return Answer(_t(q.lang, "该机关已不在库中，请重新提问。", "That agency is no longer stored; please ask again."),
                              q.lang, q)
            refs.append(AgencyRef(a.id, a.name))
        q.agencies = refs
        return await _Engine(session, known, today).run(q)


# ---- helpers --------------------------------------------------------------------------------

def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def fmt(v: float | None) -> str:
    if v is None:
        return "—"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.6f}".rstrip("0").rstrip(".")


def _unit(m: Metric | None, lang: str) -> str:
    if m is None:
        return ""
    return m.unit_zh if lang == "zh" else (f" {m.unit_en}" if m.unit_en else "")


def _column(m: Metric, template: str | None, override: str | None) -> str | None:
    if m.table == "requests" and override in APPLICANT_COLUMNS:
        return override if m.column(template) else None
    if m.table == "appeals" and override in APPEAL_OUTCOMES:
        return override if m.column(template) else None
    return m.column(template)


Key = tuple[str, str, str]     # (table, row, column)


@dataclass(slots=True)
class Figs:
    """One report's stored numbers, and the 总计 cells printed blank although their parts are not zero
    (stored as 0, but not a real 0: they are kept out of ``values``)."""

    values: dict[Key, float] = field(default_factory=dict)
    blank: dict[Key, float | None] = field(default_factory=dict)
    inferred: dict[Key, tuple[str, str]] = field(default_factory=dict)   # INFERRED_SPLIT cells: (zh, en) note


def _keys(m: Metric, template: str | None, column: str | None) -> list[Key]:
    col = _column(m, template, column)
    return [(m.table, r, col) for r in m.rows_for(template)] if col else []


def cell_value(figs: Figs, m: Metric, template: str | None, column: str | None) -> tuple[float | None, str]:
    """(value, status): ok | not_in_template | unreadable | blank_total (a 总计 printed blank, parts not zero)."""
    keys = _keys(m, template, column)
    if not keys:
        return None, "not_in_template"
    values = [figs.values.get(k) for k in keys]
    if any(v is None for v in values):
        return None, "blank_total" if any(k in figs.blank for k in keys) else "unreadable"
    return float(sum(values)), "ok"  # type: ignore[arg-type]


def component(m: Metric, column: str | None) -> sq.Component:
    """The cells of ``m`` (with a column override) per template, as the aggregate queries want them."""
    cells = []
    for t in m.templates:
        col, rows = _column(m, t, column), m.rows_for(t)
        if col and rows:
            cells.append((t, rows, col))
    return sq.Component(m.table, tuple(cells))


def _label(metric_id: str, lang: str, column: str | None = None) -> str:
    base = metric_label(metric_id, lang)
    m = METRICS.get(metric_id)
    if m is not None and column:
        if m.table == "requests" and column in APPLICANT_COLUMNS:
            return (f"{applicant_label(column, lang)}{base}" if lang == "zh"
                    else f"{base} from {applicant_label(column, lang)}")
        if m.table == "appeals" and column in APPEAL_OUTCOMES:
            return f"{base}{outcome_label(column, lang)}" if lang == "zh" else f"{base}: {outcome_label(column, lang)}"
    return base


def _status_text(status: str, lang: str) -> str:
    """Why a cell gives no number, in a few words."""
    return {
        "unreadable": _t(lang, "未能可靠读取", "not reliably readable"),
        "blank_total": _t(lang, "总计栏留空（MISSING_TOTAL）", "total cell blank (MISSING_TOTAL)"),
        "not_in_template": _t(lang, "该年格式无此项", "not in that year's template"),
    }.get(status, _t(lang, "无数据", "no data"))


def _names(items: Iterable[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


class _Engine:
    def __init__(self, session, known: _Known, today: date):
        self.s = session
        self.known = known
        self.today = today

    # ---- dispatch ---------------------------------------------------------------------------

    async def run(self, q: Query) -> Answer:
        lang = q.lang
        if q.intent == "help":
            return Answer(self._help(lang), lang, q)
        if q.ambiguous:
            return self._clarify_ambiguous(q)
        if q.unresolved:
            return self._unknown_agency(q)
        if q.intent == "unknown":
            return Answer(self._dont_know(lang), lang, q)
        if not self.known.years:
            return Answer(_t(lang, "库中还没有任何年度报告，无法回答。请先上传报告。",
                             "No annual reports are stored yet, so there is nothing to answer from. "
                             "Please upload reports first."), lang, q)
        if q.year_source == "default" and q.agencies and q.intent != "coverage":
            latest = await sq.current_reports(self.s, agency_ids=[a.id for a in q.agencies])
            if latest:
                q.years = [max(r.year for r in latest)]
        handler = {
            "figure": self._figure, "breakdown": self._breakdown, "sum": self._sum, "ranking": self._ranking,
            "trend": self._trend, "compare": self._compare, "share": self._share, "findings": self._findings,
            "coverage": self._coverage,
        }[q.intent]
        ans = await handler(q)
        notes = []
        if q.guessed:
            notes += [_t(lang, f"（将“{k}”理解为“{v}”。）", f"(Reading “{k}” as “{v}”.)") for k, v in q.guessed.items()]
        if q.year_source == "default" and q.years and q.intent not in ("findings",):
            y = q.years[-1]
            notes.append(_t(lang, f"（未指定年份，按{y}年回答。）", f"(No year given; answering for {y}.)")
                         if q.intent == "coverage" else
                         _t(lang, f"（未指定年份，按已存储的最新年份{y}年回答。）",
                            f"(No year given; using the latest stored year, {y}.)"))
        if notes:
            ans.text = "\n".join(notes) + "\n" + ans.text
        return ans

    # ---- non-answers ------------------------------------------------------------------------

    def _help(self, lang: str) -> str:
        return _t(
            lang,
            "可以这样问我：\n"
            "· 乌杨街道2020年收到多少政府信息公开申请？\n"
            "· 平潭2021年予以公开多少件？不予公开多少？\n"
            "· 2023年哪个部门收到的申请最多？前5名？\n"
            "· 平潭近三年行政复议情况\n"
            "· 淮安2024年公开率是多少？自然人申请占比？\n"
            "· 平潭2021年申请比去年增长多少？\n"
            "· 哪些报告勾稽关系不对？\n"
            "· 还有谁没交2024年的年报？",
            "You can ask, for example:\n"
            "· How many requests did Pingtan get in 2021?\n"
            "· How many requests were denied by Huai'an in 2024?\n"
            "· Which agency received the most requests in 2023? Top 5?\n"
            "· Pingtan administrative reviews over the last three years\n"
            "· Huai'an disclosure rate in 2024; share of natural persons\n"
            "· Which reports don't add up?\n"
            "· Who hasn't filed the 2024 report?")

    def _dont_know(self, lang: str) -> str:
        return _t(lang, "抱歉，没有看懂这个问题，不作回答。\n", "Sorry, I did not understand the question, so I give no "
                  "figure.\n") + self._help(lang)

    def _clarify_ambiguous(self, q: Query) -> Answer:
        mention, refs = next(iter(q.ambiguous.items()))
        shown = sorted(refs, key=lambda r: r.name)[:MAX_CHOICES]
        text = _t(q.lang, f"“{mention}”对应{len(refs)}个机关，请选择：\n",
                  f"“{mention}” matches {len(refs)} agencies; which one?\n")
        text += "\n".join(f"· {r.name}" for r in shown)
        if len(refs) > len(shown):
            text += _t(q.lang, f"\n……另有{len(refs) - len(shown)}个，请在问题中写明地名，例如“某某市{mention}”。",
                       f"\n… and {len(refs) - len(shown)} more: please name the place too.")
        return Answer(text, q.lang, q, clarification=self._choices(q, shown) or None)

    def _unknown_agency(self, q: Query) -> Answer:
        lines = []
        refs: list[AgencyRef] = []
        for mention in q.unresolved:
            close = q.suggestions.get(mention) or []
            if close:
                lines.append(_t(q.lang, f"库中没有名为“{mention}”的机关。您是不是要问：{_names((r.name for r in close), 'zh')}？",
                                f"No stored agency is called “{mention}”. Did you mean: "
                                f"{_names((r.name for r in close), 'en')}?"))
                refs += [r for r in close if r not in refs]
            else:
                lines.append(_t(q.lang, f"库中没有名为“{mention}”的机关，无法回答。",
                                f"I don't know an agency called “{mention}” (no report of it is stored), so I can't "
                                "answer."))
        choices = self._choices(q, refs) if refs else None
        return Answer("\n".join(lines), q.lang, q, clarification=choices or None)

    def _choices(self, q: Query, refs: list[AgencyRef]) -> list[Choice]:
        out = []
        for r in refs:
            pick = Query(intent=q.intent if q.intent != "unknown" else "breakdown", metrics=list(q.metrics),
                         column=q.column, agencies=[*q.agencies, r], years=list(q.years), level=q.level, top=q.top,
                         order=q.order, yoy=False, lang=q.lang)
            if pick.intent in ("sum", "ranking"):
                pick.intent = "figure" if pick.metrics else "breakdown"
            if q.yoy and len(q.years) == 2:
                pick.intent, pick.yoy = "compare", True
            try:
                out.append(Choice(r.name, pick.to_payload()))
            except ValueError:
                pick.metrics = pick.metrics[:1]
                try:
                    out.append(Choice(r.name, pick.to_payload()))
                except ValueError:
                    continue
        return out

    # ---- data access ------------------------------------------------------------------------

    async def _reports(self, q: Query, years: list[int] | None = None) -> dict[tuple[int, int], sq.ReportInfo]:
        reps = await sq.current_reports(self.s, agency_ids=[a.id for a in q.agencies], years=years or q.years)
        return {(r.agency_id, r.year): r for r in reps}

    async def _figs(self, reports: Iterable[sq.ReportInfo]) -> dict[int, Figs]:
        """Each report's numbers, without the 总计 cells printed blank (stored as 0 but not a real 0)."""
        ids = [r.id for r in reports]
        figs = {rid: Figs(values) for rid, values in (await sq.report_figures(self.s, ids)).items()}
        blanks, split = await sq.flagged_cells(self.s, report_ids=ids)
        for rid, blank in blanks.items():
            for key in blank:
                figs[rid].values.pop(key, None)
            figs[rid].blank = blank
        for rid, inferred in split.items():
            figs[rid].inferred = inferred
        return figs

    def _no_report(self, lang: str, agency: AgencyRef, year: int, years_of_agency: list[int]) -> str:
        have = _names((str(y) for y in years_of_agency), lang) or _t(lang, "无", "none")
        return _t(lang, f"尚未存储{agency.name}{year}年的年度报告（已存储年份：{have}），无法回答。",
                  f"No {year} annual report of {agency.name} is stored (stored years: {have}), so I can't answer.")

    async def _agency_years(self, agency_id: int) -> list[int]:
        return sorted({r.year for r in await sq.current_reports(self.s, agency_ids=[agency_id])})

    def _missing_text(self, lang: str, rep: sq.ReportInfo, metric_id: str, status: str, column: str | None) -> str:
        label = _label(metric_id, lang, column)
        if status == "blank_total":
            return _t(lang, f"{rep.agency}{rep.year}年报告中“{label}”的总计栏留空，而各类申请人的数字不为0"
                            f"（见检查结果 MISSING_TOTAL），表中没有可用的总计，不给出数字。",
                      f"In {rep.agency}'s {rep.year} report the total cell of “{label}” is blank although its parts "
                      f"are not zero (finding MISSING_TOTAL), so the table gives no usable total.")
        if status == "not_in_template":
            tpl = rep.template or "?"
            return _t(lang, f"{rep.agency}{rep.year}年报告使用{tpl}年版格式，没有“{label}”这一项。",
                      f"{rep.agency}'s {rep.year} report uses the {tpl} template, which has no “{label}”.")
        return _t(lang, f"{rep.agency}{rep.year}年报告中“{label}”未能可靠读取（单元格缺失、无法识别或数字粘连无法唯一拆分），"
                        f"不给出数字。",
                  f"“{label}” could not be read reliably in {rep.agency}'s {rep.year} report (cell missing, unreadable "
                  f"or digits glued together without a unique split), so I give no figure.")

    def _source(self, rep: sq.ReportInfo, m: Metric, column: str | None) -> Source:
        rows = m.rows_for(rep.template) or m.rows
        return Source(rep.agency, rep.year, m.table, "+".join(rows), rep.source_file,
                      _column(m, rep.template, column) or "")

    # ---- figure / breakdown -----------------------------------------------------------------

    async def _figure(self, q: Query) -> Answer:
        if any(m in DERIVED for m in q.metrics):
            return await self._share(q)
        if len(q.agencies) > 1:
            return await self._compare(q)
        if len(q.years) > 1:
            return await self._trend(q)
        if not q.agencies:
            return await self._sum(q)
        lang, agency, year = q.lang, q.agencies[0], q.years[0]
        reps = await self._reports(q)
        rep = reps.get((agency.id, year))
        if rep is None:
            return Answer(self._no_report(lang, agency, year, await self._agency_years(agency.id)), lang, q)
        figs = (await self._figs([rep]))[rep.id]
        ans = Answer("", lang, q)
        lines = []
        for mid in q.metrics:
            if mid in METRICS:
                lines += self._describe_metric(ans, rep, figs, METRICS[mid], q.column, detail=True)
        ans.text = "\n".join(lines)
        return ans

    def _describe_metric(self, ans: Answer, rep: sq.ReportInfo, figs: Figs, m: Metric, column: str | None,
                         detail: bool) -> list[str]:
        lang = ans.lang
        value, status = cell_value(figs, m, rep.template, column)
        src = self._source(rep, m, column)
        if value is None:
            ans.figures.append(Value(m.id, None, rep.agency, rep.year, column))
            return [self._missing_text(lang, rep, m.id, status, column),
                    _t(lang, "来源：", "Source: ") + src.describe(lang, rep.template)]
        ans.figures.append(Value(m.id, value, rep.agency, rep.year, column))
        ans.sources.append(src)
        label = _label(m.id, lang, column)
        lines = [_t(lang, f"{rep.agency}{rep.year}年{label}：{fmt(value)}{_unit(m, lang)}。",
                    f"{rep.agency}, {rep.year}: {label}: {fmt(value)}{_unit(m, lang)}.")]
        if detail:
            extra = self._detail(lang, rep, figs, m, column)
            if extra:
                lines.append(extra)
        notes = {figs.inferred[k] for k in _keys(m, rep.template, column) if k in figs.inferred}
        for zh, en in sorted(notes):
            lines.append(_t(lang, f"注意：原文中这些数字粘连在一起，此数是按常理拆分的读法，请核对原文（INFERRED_SPLIT）：{zh}",
                            f"Caution: these digits are glued together in the source; this is the most plausible "
                            f"reading, please check the original (INFERRED_SPLIT): {en}"))
        lines.append(_t(lang, "来源：", "Source: ") + src.describe(lang, rep.template))
        return lines

    @staticmethod
    def _detail(lang: str, rep: sq.ReportInfo, figs: Figs, m: Metric, column: str | None) -> str:
        """The breakdown by applicant type (table 三) or by outcome (table 四), when every cell was read."""
        if m.table == "requests" and column in (None, "total"):
            parts = [(c, cell_value(figs, m, rep.template, c)[0]) for c in APPLICANT_COLUMNS]
            if all(v is not None for _, v in parts):
                body = _names((f"{applicant_label(c, lang)} {fmt(v)}" for c, v in parts), lang)
                return _t(lang, f"按申请人：{body}。", f"By applicant: {body}.")
        if m.table == "appeals" and column in (None, "total"):
            parts = [(c, cell_value(figs, m, rep.template, c)[0]) for c in APPEAL_OUTCOMES]
            if all(v is not None for _, v in parts):
                body = _names((f"{outcome_label(c, lang)} {fmt(v)}" for c, v in parts), lang)
                return _t(lang, f"其中{body}。", f"Outcomes: {body}.")
        return ""

    async def _breakdown(self, q: Query) -> Answer:
        if len(q.years) > 1:
            return await self._trend(q)
        if len(q.agencies) != 1:
            if q.metrics:
                return await (self._compare(q) if q.agencies else self._sum(q))
            return Answer(_t(q.lang, "请说明要查看哪个机关的情况，例如“平潭2021年申请情况”。",
                             "Please say which agency, e.g. “Pingtan requests in 2021”."), q.lang, q)
        lang, agency, year = q.lang, q.agencies[0], q.years[0]
        rep = (await self._reports(q)).get((agency.id, year))
        if rep is None:
            return Answer(self._no_report(lang, agency, year, await self._agency_years(agency.id)), lang, q)
        figs = (await self._figs([rep]))[rep.id]
        ans = Answer("", lang, q)
        metrics = [METRICS[mid] for mid in q.metrics if mid in METRICS]
        if not metrics:
            parts = [METRICS[x] for x in OVERVIEW["requests"] + OVERVIEW["appeals"]]
            head = _t(lang, f"{rep.agency}{year}年政府信息公开申请办理情况：", f"{rep.agency}, {year}: requests and appeals")
        else:
            m = metrics[0]
            if m.parts:
                parts = [m] + [METRICS[p] for p in m.parts if METRICS[p].rows_for(rep.template)]
            else:
                parts = metrics
            head = _t(lang, f"{rep.agency}{year}年{_label(m.id, lang, q.column)}情况：",
                      f"{rep.agency}, {year}: {_label(m.id, lang, q.column)}")
        lines = [head]
        unknown = []
        for m in parts:
            value, status = cell_value(figs, m, rep.template, q.column)
            label = _label(m.id, lang, q.column)
            if value is None:
                if status in ("unreadable", "blank_total"):
                    unknown.append(label)
                    ans.figures.append(Value(m.id, None, rep.agency, year, q.column))
                continue
            ans.figures.append(Value(m.id, value, rep.agency, year, q.column))
            ans.sources.append(self._source(rep, m, q.column))
            extra = ""
            if m.table == "appeals" and q.column in (None, "total"):
                extra = self._detail(lang, rep, figs, m, q.column)
            shown = f"{fmt(value)}{_unit(m, lang)}"
            extra = extra.rstrip("。.")
            if lang == "zh":
                lines.append(f"· {label}：{shown}" + (f"（{extra}）" if extra else ""))
            else:
                lines.append(f"· {label}: {shown}" + (f" ({extra})" if extra else ""))
        if unknown:
            lines.append(_t(lang, f"未能可靠读取、不给出数字的项目：{_names(unknown, lang)}。",
                            f"Not reliably readable (no figure given): {_names(unknown, lang)}."))
        lines.append(_t(lang, f"来源：{rep.agency}《{year}年政府信息公开工作年度报告》表三、表四（文件：{rep.source_file}）",
                        f"Source: {rep.agency}, {year} annual report, tables 3 and 4 (file: {rep.source_file})"))
        ans.text = "\n".join(lines)
        return ans

    # ---- aggregates -------------------------------------------------------------------------

    async def _aggregate_scope(self, q: Query, years: list[int], metrics: list[tuple[Metric, str | None]],
                               agency_ids: list[int] | None = None) -> sq.Scope:
        """The scope of an aggregate, leaving out reports whose cells needed here are a blank 总计 or a
        plausible split of glued digits (never summed as if printed)."""
        wanted = {k for m, col in metrics for t in m.templates for k in _keys(m, t, col)}
        # Only table 二 digits are split by plausibility.
        flagged = await sq.flagged_cells(self.s, years=years, inferred=any(k[0] == "disclosure" for k in wanted))
        exclude = tuple(sorted({rid for cells_by_report in flagged for rid, cells in cells_by_report.items()
                                if wanted & set(cells)}))
        return sq.Scope(tuple(years), tuple(agency_ids or ()), q.level, q.region, exclude)

    async def _in_scope(self, q: Query, years: list[int], agency_ids: list[int] | None = None) -> dict[int, int]:
        return await sq.count_reports(self.s, years=years, level=q.level, region=q.region, agency_ids=agency_ids)

    def _ratio_parts(self, q: Query) -> tuple[list[tuple[Metric, str | None]], tuple[Metric, str | None] | None]:
        """(numerator metrics, denominator metric) of the first asked metric: a rate, a share, or a plain sum."""
        mid = q.metrics[0]
        if mid in DERIVED:
            d = DERIVED[mid]
            return [(METRICS[x], None) for x in d.numerator], (METRICS[d.denominator], None)
        m = METRICS[mid]
        if q.intent == "share":
            return [(m, q.column)], (m, "total")
        return [(m, q.column)], None

    def _scope_text(self, q: Query, lang: str) -> str:
        level = {"department": ("部门", "departments"), "town": ("乡镇街道", "towns and subdistricts"),
                 "government": ("政府", "governments")}.get(q.level or "")
        parts = []
        if q.region:
            parts.append(_t(lang, f"{q.region}", f"in {q.region}"))
        if level:
            parts.append(_t(lang, f"{level[0]}", f"{level[1]}"))
        if not parts:
            return _t(lang, "全部机关", "all agencies")
        return "".join(parts) if lang == "zh" else " ".join(reversed(parts))

    async def _sum(self, q: Query) -> Answer:
        lang = q.lang
        if not q.metrics:
            return Answer(self._dont_know(lang), lang, q)
        if len(q.years) > 1 and not q.agencies:
            return await self._trend(q)
        m = METRICS.get(q.metrics[0])
        if m is None:
            return await self._share(q)
        ids = [a.id for a in q.agencies] or None
        scope = await self._aggregate_scope(q, q.years, [(m, q.column)], ids)
        totals = await sq.totals_by_year(self.s, [component(m, q.column)], None, scope)
        n = sum(t[0] for t in totals.values())
        total = sum(t[1] for t in totals.values())
        missing = sum((await self._in_scope(q, q.years, ids)).values()) - n
        ans = Answer("", lang, q)
        label = _label(m.id, lang, q.column)
        years_txt = _names((str(y) for y in q.years), lang)
        scope_txt = _names((a.name for a in q.agencies), lang) if q.agencies else self._scope_text(q, lang)
        if not n:
            ans.text = _t(lang, f"{years_txt}年{scope_txt}没有可用的“{label}”数据（库中无相应报告，或该项未能可靠读取）。",
                          f"No usable “{label}” figure for {scope_txt} in {years_txt} (no such report stored, or the "
                          "cell could not be read reliably).")
            return ans
        ans.figures.append(Value(m.id, total, None, q.years[0] if len(q.years) == 1 else None, q.column, n))
        # A few reports are listed one by one (with a CSV); thousands are summarised.
        top = await sq.top_reports(self.s, component(m, q.column), scope, limit=n) if n <= MAX_SOURCES else []
        ans.sources += [self._source(rep, m, q.column) for rep, _ in top]
        lines = [_t(lang, f"{years_txt}年{scope_txt}共{n}份报告，{label}合计：{fmt(total)}{_unit(m, lang)}。",
                    f"{scope_txt}, {years_txt}: {label}: {fmt(total)}{_unit(m, lang)} in total, from {n} "
                    f"report{'s' if n != 1 else ''}.")]
        if missing:
            lines.append(_t(lang, f"另有{missing}份报告该项缺失或未能可靠读取，未计入。",
                            f"{missing} more report{'s' if missing != 1 else ''} lacked this figure or could not be "
                            "read reliably and are not included."))
        if n <= 5:
            sep = "；" if lang == "zh" else "; "
            lines.append(_t(lang, "来源：", "Sources: ") + sep.join(s.describe(lang) for s in ans.sources))
        else:
            row_labels = _names((_row_label(m.table, r, None, lang) for r in dict.fromkeys(m.rows)), lang)
            lines.append(_t(lang, f"来源：{n}份年度报告的表{TABLE_NUMBER[m.table][0]}（{row_labels}）。",
                            f"Sources: table {TABLE_NUMBER[m.table][1]} ({row_labels}) of {n} annual reports."))
        if top:
            ans.csv = to_csv([_t(lang, "机关", "agency"), _t(lang, "年度", "year"), label, _t(lang, "文件", "file")],
                             [[rep.agency, rep.year, fmt(v), rep.source_file] for rep, v in top])
        ans.text = "\n".join(lines)
        return ans

    async def _ranking(self, q: Query) -> Answer:
        lang = q.lang
        if not q.metrics:
            return Answer(self._dont_know(lang), lang, q)
        mid = q.metrics[0]
        rate = mid in DERIVED
        nums, den = self._ratio_parts(q)
        scope = await self._aggregate_scope(q, q.years, nums + ([den] if den else []))
        top = q.top or 10
        ranked, n_ranked, n_reports = await sq.rank_agencies(
            self.s, [component(m, c) for m, c in nums], component(*den) if den else None, scope,
            ascending=q.order == "asc", limit=max(top, CSV_ROWS), percent=rate)
        missing = sum((await self._in_scope(q, q.years)).values()) - n_reports
        ans = Answer("", lang, q)
        label = _label(mid, lang, q.column)
        years_txt = _names((str(y) for y in q.years), lang)
        scope_txt = self._scope_text(q, lang)
        if not ranked:
            ans.text = _t(lang, f"{years_txt}年{scope_txt}没有可用于排名的“{label}”数据。",
                          f"No usable “{label}” figures to rank for {scope_txt} in {years_txt}.")
            return ans
        shown = ranked[:top]
        # Ties at the cut-off are shown too: "哪个最多" with two equal leaders names both.
        while len(shown) < len(ranked) and ranked[len(shown)].value == shown[-1].value:
            shown.append(ranked[len(shown)])
        unit = _unit(METRICS.get(mid), lang)
        show = (lambda v: f"{v:.1f}%") if rate else (lambda v: f"{fmt(v)}{unit}")
        year = q.years[0] if len(q.years) == 1 else None
        for r in shown:
            ans.figures.append(Value(mid, round(r.value, 1) if rate else r.value, r.agency, year, q.column, r.reports))
        reps = await sq.current_reports(self.s, agency_ids=[r.agency_id for r in shown[:MAX_SOURCES]], years=q.years)
        for rep in reps:
            parts = nums + ([den] if den else [])
            rows = "+".join(dict.fromkeys(r for m, _ in parts for r in m.rows_for(rep.template)))
            ans.sources.append(Source(rep.agency, rep.year, parts[0][0].table, rows, rep.source_file,
                                      _column(parts[0][0], rep.template, parts[0][1]) or ""))
        if rate:
            word = _t(lang, "最低" if q.order == "asc" else "最高", "lowest" if q.order == "asc" else "highest")
        else:
            word = _t(lang, "最少" if q.order == "asc" else "最多", "fewest" if q.order == "asc" else "most")
        leaders = [r for r in shown if r.value == shown[0].value]
        names = _names((r.agency for r in leaders), lang)
        tied = _t(lang, "（并列）", " (tied)") if len(leaders) > 1 else ""
        lines = [_t(lang, f"{years_txt}年{scope_txt}中，{label}{word}的是{names}{tied}：{show(shown[0].value)}。",
                    f"{years_txt}, {scope_txt}: the {word} {label}: {names}{tied}, {show(shown[0].value)}.")]
        if len(shown) > 1:
            lines.append(_t(lang, f"前{len(shown)}名：", f"Top {len(shown)}:"))
            lines += [f"{i}. {r.agency} — {show(r.value)}" for i, r in enumerate(shown[:MAX_LISTED], 1)]
        lines.append(_t(lang, f"参与排名：{n_ranked}个机关。", f"Ranked: {n_ranked} agenc{'y' if n_ranked == 1 else 'ies'}."))
        if missing:
            lines.append(_t(lang, f"另有{missing}份报告该项缺失或未能可靠读取，未参与排名。",
                            f"{missing} report{'s' if missing != 1 else ''} lacked this figure or could not be read "
                            "reliably and are not ranked."))
        if len(shown) == 1 and reps:
            lines.append(_t(lang, "来源：", "Source: ") + ans.sources[0].describe(lang, reps[0].template))
        else:
            lines.append(_t(lang, f"来源：各机关年度报告表{TABLE_NUMBER[nums[0][0].table][0]}（前{len(ranked)}名见CSV）。",
                            f"Sources: table {TABLE_NUMBER[nums[0][0].table][1]} of each agency's annual report "
                            f"(top {len(ranked)} in the CSV)."))
        ans.csv = to_csv([_t(lang, "名次", "rank"), _t(lang, "机关", "agency"), label],
                         [[i, r.agency, f"{r.value:.1f}" if rate else fmt(r.value)] for i, r in enumerate(ranked, 1)])
        if len(shown) > 1:
            chart_rows = shown[:MAX_LISTED]
            ans.chart = Chart(ChartSpec("bar", f"{years_txt} {label}", tuple(r.agency for r in chart_rows),
                                        ((label, tuple(r.value for r in chart_rows)),)))
        ans.text = "\n".join(lines)
        return ans

    # ---- over years / across agencies ---------------------------------------------------------

    async def _series(self, m: Metric, column: str | None, agency: AgencyRef,
                      years: list[int]) -> dict[int, tuple[float | None, str, sq.ReportInfo | None, Figs]]:
        """One agency's value of ``m`` per year, with its status and report."""
        reps = await sq.current_reports(self.s, agency_ids=[agency.id], years=years)
        by_year = {r.year: r for r in reps}
        figs = await self._figs(reps)
        out = {}
        for y in years:
            rep = by_year.get(y)
            if rep is None:
                out[y] = (None, "no_report", None, Figs())
                continue
            v, status = cell_value(figs[rep.id], m, rep.template, column)
            out[y] = (v, status, rep, figs[rep.id])
        return out

    async def _trend(self, q: Query) -> Answer:
        lang = q.lang
        if not q.years:
            return Answer(self._dont_know(lang), lang, q)
        if not q.agencies:
            return await self._trend_all(q)
        if len(q.agencies) > 1:
            return await self._compare_years(q)
        agency = q.agencies[0]
        ans = Answer("", lang, q)
        metrics = [METRICS[x] for x in q.metrics if x in METRICS] or [METRICS["new"]]
        if q.metrics and q.metrics[0] in DERIVED or (q.intent == "share"):
            return await self._share(q)
        lines = []
        csv_rows = []
        series = []
        for m in metrics:
            data = await self._series(m, q.column, agency, q.years)
            label = _label(m.id, lang, q.column)
            lines.append(_t(lang, f"{agency.name}{q.years[0]}–{q.years[-1]}年{label}：",
                            f"{agency.name}, {label}, {q.years[0]}–{q.years[-1]}:"))
            values = []
            for y in q.years:
                v, status, rep, figs = data[y]
                values.append(v)
                if rep is None:
                    lines.append(_t(lang, f"· {y}年：未存储该年报告", f"· {y}: no report stored"))
                    ans.figures.append(Value(m.id, None, agency.name, y, q.column, 0))
                    continue
                if v is None:
                    lines.append(_t(lang, f"· {y}年：", f"· {y}: ") + _status_text(status, lang))
                    ans.figures.append(Value(m.id, None, agency.name, y, q.column))
                    continue
                ans.figures.append(Value(m.id, v, agency.name, y, q.column))
                ans.sources.append(self._source(rep, m, q.column))
                extra = self._detail(lang, rep, figs, m, q.column) if m.table == "appeals" else ""
                lines.append(_t(lang, f"· {y}年：", f"· {y}: ") + f"{fmt(v)}{_unit(m, lang)}" + (f" — {extra}" if extra else ""))
                row = [y, fmt(v)]
                if m.table == "appeals" and q.column in (None, "total"):
                    row += [fmt(cell_value(figs, m, rep.template, c)[0]) for c in APPEAL_OUTCOMES]
                csv_rows.append([label, *row, rep.source_file])
            known = [(y, v) for y, v in zip(q.years, values) if v is not None]
            if len(known) >= 2:
                (y0, v0), (y1, v1) = known[0], known[-1]
                lines.append(self._change_text(lang, y0, v0, y1, v1, _unit(m, lang)))
            series.append((label, tuple(values)))
        if not any(v is not None for _, vals in series for v in vals):
            have = await self._agency_years(agency.id)
            lines.append(_t(lang, f"已存储的{agency.name}年报年份：{_names((str(y) for y in have), lang) or '无'}。",
                            f"Stored years for {agency.name}: {_names((str(y) for y in have), lang) or 'none'}."))
        srcs = sorted({(s.year, s.file) for s in ans.sources})
        if srcs:
            lines.append(_t(lang, "来源：", "Sources: ") + _names((f"{y}: {f}" for y, f in srcs), lang))
        ans.text = "\n".join(lines)
        header = [_t(lang, "指标", "metric"), _t(lang, "年度", "year"), _t(lang, "数值", "value")]
        if any(m.table == "appeals" for m in metrics) and q.column in (None, "total"):
            header += [outcome_label(c, lang) for c in APPEAL_OUTCOMES]
        header.append(_t(lang, "文件", "file"))
        ans.csv = to_csv(header, csv_rows)
        ans.chart = Chart(ChartSpec("line", agency.name, tuple(str(y) for y in q.years), tuple(series)))
        return ans

    def _change_text(self, lang: str, y0: int, v0: float, y1: int, v1: float, unit: str) -> str:
        diff = v1 - v0
        rel = "" if v0 == 0 else f"{diff / v0 * 100:+.1f}%"
        if lang == "zh":
            word = "增加" if diff > 0 else "减少" if diff < 0 else "持平"
            body = f"{word}{fmt(abs(diff))}{unit}" if diff else "持平"
            return f"{y1}年与{y0}年相比{body}" + (f"（{rel}）" if rel and diff else "") + "。"
        word = "up" if diff > 0 else "down" if diff < 0 else "unchanged"
        body = f"{word} {fmt(abs(diff))}{unit}" if diff else "unchanged"
        return f"{y1} against {y0}: {body}" + (f" ({rel})" if rel and diff else "") + "."

    async def _trend_all(self, q: Query) -> Answer:
        lang = q.lang
        if not q.metrics or q.metrics[0] not in METRICS:
            return Answer(self._dont_know(lang), lang, q)
        m = METRICS[q.metrics[0]]
        label = _label(m.id, lang, q.column)
        scope_txt = self._scope_text(q, lang)
        scope = await self._aggregate_scope(q, q.years, [(m, q.column)])
        totals = await sq.totals_by_year(self.s, [component(m, q.column)], None, scope)
        in_scope = await self._in_scope(q, q.years)
        ans = Answer("", lang, q)
        lines = [_t(lang, f"{scope_txt}{label}（按年合计，仅计可靠读取的报告）：",
                    f"{scope_txt}, {label} per year (readable reports only):")]
        values: list[float | None] = []
        csv_rows = []
        for y in q.years:
            n, total, _ = totals.get(y, (0, 0.0, None))
            missing = in_scope.get(y, 0) - n
            if not n:
                values.append(None)
                lines.append(_t(lang, f"· {y}年：无数据", f"· {y}: no data"))
                continue
            values.append(total)
            ans.figures.append(Value(m.id, total, None, y, q.column, n))
            lines.append(_t(lang, f"· {y}年：{fmt(total)}{_unit(m, lang)}（{n}份报告" +
                            (f"，另{missing}份未计入" if missing else "") + "）",
                            f"· {y}: {fmt(total)}{_unit(m, lang)} ({n} reports" +
                            (f", {missing} not included" if missing else "") + ")"))
            csv_rows.append([y, fmt(total), n, missing])
        known = [(y, v) for y, v in zip(q.years, values) if v is not None]
        if len(known) >= 2:
            lines.append(self._change_text(lang, known[0][0], known[0][1], known[-1][0], known[-1][1], _unit(m, lang)))
        ans.text = "\n".join(lines)
        ans.csv = to_csv([_t(lang, "年度", "year"), label, _t(lang, "报告数", "reports"),
                          _t(lang, "未计入", "not included")], csv_rows)
        ans.chart = Chart(ChartSpec("line", label, tuple(str(y) for y in q.years), ((label, tuple(values)),)))
        return ans

    async def _compare(self, q: Query) -> Answer:
        lang = q.lang
        if q.yoy:
            if len(q.agencies) == 1:
                return await self._trend(q)
            if not q.agencies:
                return await self._trend_all(q)
        if len(q.agencies) < 2:
            if len(q.years) > 1:
                return await self._trend(q)
            return await (self._figure(q) if q.agencies else self._sum(q))
        if len(q.years) > 1:
            return await self._compare_years(q)
        metrics = [METRICS[x] for x in q.metrics if x in METRICS] or [METRICS["new"]]
        if q.metrics and q.metrics[0] in DERIVED:
            return await self._share(q)
        year = q.years[0]
        reps = await self._reports(q)
        figs = await self._figs(reps.values())
        ans = Answer("", lang, q)
        lines = []
        series = []
        csv_rows = []
        for m in metrics:
            label = _label(m.id, lang, q.column)
            lines.append(_t(lang, f"{year}年{label}对比：", f"{label}, {year}:"))
            vals = []
            for a in q.agencies:
                rep = reps.get((a.id, year))
                if rep is None:
                    lines.append(_t(lang, f"· {a.name}：未存储{year}年报告", f"· {a.name}: no {year} report stored"))
                    vals.append(None)
                    ans.figures.append(Value(m.id, None, a.name, year, q.column, 0))
                    continue
                v, status = cell_value(figs[rep.id], m, rep.template, q.column)
                vals.append(v)
                ans.figures.append(Value(m.id, v, a.name, year, q.column))
                if v is None:
                    lines.append(f"· {a.name}: " + _status_text(status, lang))
                    continue
                ans.sources.append(self._source(rep, m, q.column))
                lines.append(f"· {a.name}: {fmt(v)}{_unit(m, lang)}")
                csv_rows.append([label, a.name, year, fmt(v), rep.source_file])
            series.append((label, tuple(vals)))
        if ans.sources:
            lines.append(_t(lang, "来源：", "Sources: ")
                         + _names((f"{s.agency} {s.year}: {s.file}" for s in ans.sources), lang))
        ans.text = "\n".join(lines)
        ans.csv = to_csv([_t(lang, "指标", "metric"), _t(lang, "机关", "agency"), _t(lang, "年度", "year"),
                          _t(lang, "数值", "value"), _t(lang, "文件", "file")], csv_rows)
        ans.chart = Chart(ChartSpec("bar", str(year), tuple(a.name for a in q.agencies), tuple(series)))
        return ans

    async def _compare_years(self, q: Query) -> Answer:
        lang = q.lang
        m = METRICS.get(q.metrics[0]) if q.metrics else METRICS["new"]
        if m is None:
            return await self._share(q)
        label = _label(m.id, lang, q.column)
        ans = Answer("", lang, q)
        lines = [_t(lang, f"{label}（{q.years[0]}–{q.years[-1]}年）：", f"{label}, {q.years[0]}–{q.years[-1]}:")]
        series = []
        csv_rows = []
        for a in q.agencies:
            data = await self._series(m, q.column, a, q.years)
            vals = []
            parts = []
            for y in q.years:
                v, _status, rep, _figs = data[y]
                vals.append(v)
                ans.figures.append(Value(m.id, v, a.name, y, q.column, 0 if rep is None else 1))
                if v is not None and rep is not None:
                    ans.sources.append(self._source(rep, m, q.column))
                    csv_rows.append([a.name, y, fmt(v), rep.source_file])
                parts.append(f"{y}: {fmt(v)}")
            lines.append(f"· {a.name} — " + _names(parts, lang))
            series.append((a.name, tuple(vals)))
        ans.text = "\n".join(lines)
        ans.csv = to_csv([_t(lang, "机关", "agency"), _t(lang, "年度", "year"), label, _t(lang, "文件", "file")],
                         csv_rows)
        ans.chart = Chart(ChartSpec("line", label, tuple(str(y) for y in q.years), tuple(series)))
        return ans

    # ---- rates and shares ---------------------------------------------------------------------

    async def _share(self, q: Query) -> Answer:
        lang = q.lang
        if not q.metrics:
            return Answer(self._dont_know(lang), lang, q)
        mid = q.metrics[0]
        if mid not in DERIVED and (mid not in METRICS or METRICS[mid].table != "requests"
                                   or q.column not in APPLICANT_COLUMNS):
            if mid in METRICS and METRICS[mid].table == "requests":
                return Answer(_t(lang, "请说明要算哪类申请人的占比，例如“自然人申请占比”。",
                                 "Please say whose share you mean, e.g. “share of natural persons”."), lang, q)
            return Answer(self._dont_know(lang), lang, q)
        if mid in DERIVED:
            label = metric_label(mid, lang)
        else:
            base, who = metric_label(mid, lang), applicant_label(q.column or "", lang)
            label = _t(lang, f"{who}在{base}中的占比", f"share of {who} in {base}")
        q.intent = "share"
        nums, den = self._ratio_parts(q)
        if den is None:         # _ratio_parts always gives a share its denominator
            return Answer(self._dont_know(lang), lang, q)
        ans = Answer("", lang, q)
        lines: list[str] = []
        if q.agencies:
            reps = await self._reports(q)
            figs = await self._figs(reps.values())
            for y in q.years:
                for a in q.agencies:
                    rep = reps.get((a.id, y))
                    if rep is None:
                        lines.append(self._no_report(lang, a, y, await self._agency_years(a.id)))
                        ans.figures.append(Value(mid, None, a.name, y, q.column, 0))
                        continue
                    parts = [cell_value(figs[rep.id], m, rep.template, c)[0] for m, c in nums]
                    total = cell_value(figs[rep.id], den[0], rep.template, den[1])[0]
                    if total is None or any(v is None for v in parts):
                        lines.append(_t(lang, f"{a.name}{y}年报告中计算{label}所需的数字未能全部可靠读取，不给出比率。",
                                        f"The figures needed for the {label} could not all be read reliably in "
                                        f"{a.name}'s {y} report, so I give no rate."))
                        ans.figures.append(Value(mid, None, a.name, y, q.column))
                        continue
                    lines += self._rate_lines(ans, lang, mid, label, rep.agency, y, sum(parts), total, 1,  # type: ignore[arg-type]
                                              q.column)
                    rows = [r for m, _ in nums for r in m.rows_for(rep.template)] + list(den[0].rows_for(rep.template))
                    ans.sources.append(Source(rep.agency, y, "requests", "+".join(dict.fromkeys(rows)),
                                              rep.source_file, "total" if mid in DERIVED else (q.column or "")))
                    lines.append(_t(lang, "来源：", "Source: ") + ans.sources[-1].describe(lang, rep.template))
        else:
            scope = await self._aggregate_scope(q, q.years, nums + [den])
            totals = await sq.totals_by_year(self.s, [component(m, c) for m, c in nums], component(*den), scope)
            in_scope = await self._in_scope(q, q.years)
            for y in q.years:
                n, num, total = totals.get(y, (0, 0.0, None))
                if not n:
                    lines.append(_t(lang, f"{y}年没有可计算{label}的报告。", f"No report allows computing the {label} for {y}."))
                    continue
                lines += self._rate_lines(ans, lang, mid, label, self._scope_text(q, lang), y, num, total or 0.0, n,
                                          q.column)
                lines.append(_t(lang, f"（按{n}份报告合计。）", f"(Summed over {n} report{'s' if n != 1 else ''}.)"))
                missing = in_scope.get(y, 0) - n
                if missing:
                    lines.append(_t(lang, f"另有{missing}份报告数字不全，未计入。",
                                    f"{missing} report{'s' if missing != 1 else ''} with incomplete figures are not "
                                    "included."))
        ans.text = "\n".join(lines)
        return ans

    def _rate_lines(self, ans: Answer, lang: str, mid: str, label: str, who: str, year: int, num: float, den: float,
                    reports: int, column: str | None) -> list[str]:
        if den == 0:
            ans.figures.append(Value(mid, None, who, year, column, reports))
            return [_t(lang, f"{who}{year}年分母为0，{label}无法计算。",
                       f"{who}, {year}: the denominator is 0, so the {label} cannot be computed.")]
        rate = num / den * 100
        ans.figures.append(Value(mid, round(rate, 1), who, year, column, reports))
        if mid in DERIVED:
            return [_t(lang, f"{who}{year}年公开率：{rate:.1f}%（予以公开+部分公开 {fmt(num)} ÷ 办结总计 {fmt(den)}）。",
                       f"{who}, {year}: disclosure rate {rate:.1f}% (granted in full or in part {fmt(num)} ÷ "
                       f"handled {fmt(den)}).")]
        return [_t(lang, f"{who}{year}年{label}：{rate:.1f}%（{fmt(num)} ÷ {fmt(den)}）。",
                   f"{who}, {year}: {label}: {rate:.1f}% ({fmt(num)} ÷ {fmt(den)}).")]

    # ---- findings and coverage ----------------------------------------------------------------

    async def _findings(self, q: Query) -> Answer:
        lang = q.lang
        ids = [a.id for a in q.agencies] or None
        years = q.years if q.year_source != "none" else None
        kw = dict(codes=q.finding_codes, severities=("error",), years=years, agency_ids=ids, level=q.level,
                  region=q.region)
        found = await sq.findings(self.s, limit=200, **kw)
        total, nreports = await sq.count_findings(self.s, **kw)
        ans = Answer("", lang, q)
        what = (_t(lang, "勾稽关系（算术）", "arithmetic") if "BALANCE" in q.finding_codes else
                _t(lang, "逾期发布", "late publication") if q.finding_codes == ["LATE"] else
                _t(lang, "格式", "format") if q.finding_codes == ["OUTDATED_FORMAT"] else
                _t(lang, "错误", "error"))
        scope = ""
        if years:
            scope = _t(lang, f"{_names((str(y) for y in years), lang)}年", f" for {_names((str(y) for y in years), lang)}")
        if not found:
            ans.text = _t(lang, f"{scope}已存储的现行报告中没有发现{what}问题。",
                          f"No {what} findings in the stored current reports{scope}.")
            return ans
        by_report: dict[int, list[sq.FindingInfo]] = {}
        for f in found:
            by_report.setdefault(f.report.id, []).append(f)
        lines = [_t(lang, f"{scope}有{nreports}份报告存在{what}问题（共{total}条）：",
                    f"{nreports} report{'s' if nreports != 1 else ''}{scope} with {what} findings ({total} in all):")]
        for rid, items in list(by_report.items())[:MAX_LISTED]:
            rep = items[0].report
            lines.append(f"· {rep.agency} {rep.year}{_t(lang, '年', '')}（{rep.source_file}）" if lang == "zh"
                         else f"· {rep.agency} {rep.year} ({rep.source_file})")
            for f in items[:3]:
                msg = f.message if lang == "zh" else (f.message_en or f.message)
                lines.append(f"  - {f.code} {f.where}: {msg}")
            if len(items) > 3:
                lines.append(_t(lang, f"  …另有{len(items) - 3}条", f"  … {len(items) - 3} more"))
            ans.sources.append(Source(rep.agency, rep.year, "", "", rep.source_file))
        if len(by_report) > MAX_LISTED:
            lines.append(_t(lang, f"……其余{nreports - MAX_LISTED}份报告见CSV。",
                            f"… {nreports - MAX_LISTED} more reports in the CSV."))
        ans.text = "\n".join(lines)
        ans.csv = to_csv([_t(lang, "机关", "agency"), _t(lang, "年度", "year"), _t(lang, "文件", "file"), "code",
                          _t(lang, "位置", "where"), _t(lang, "说明", "message")],
                         [[f.report.agency, f.report.year, f.report.source_file, f.code, f.where,
                           f.message if lang == "zh" else (f.message_en or f.message)] for f in found])
        return ans

    async def _coverage(self, q: Query) -> Answer:
        lang = q.lang
        year = q.years[-1]
        missing, known = await sq.missing_reports(self.s, year=year, level=q.level, region=q.region)
        ans = Answer("", lang, q)
        scope = self._scope_text(q, lang)
        if not missing:
            ans.text = _t(lang, f"库中已知的{known}个机关（{scope}）都已提交{year}年的年度报告。",
                          f"All {known} known agencies ({scope}) have filed their {year} annual report.")
            return ans
        lines = [_t(lang, f"库中已知的{known}个机关（{scope}）中，有{len(missing)}个尚未提交{year}年年度报告：",
                    f"Of the {known} known agencies ({scope}), {len(missing)} have not filed a {year} annual report:")]
        for rec, latest in missing[:MAX_LISTED * 5]:
            last = (_t(lang, f"（最近一份：{latest}年）", f" (latest stored: {latest})") if latest else "")
            lines.append(f"· {rec.name}{last}")
            ans.figures.append(Value("coverage", None, rec.name, year))
        if len(missing) > MAX_LISTED * 5:
            lines.append(_t(lang, f"……其余{len(missing) - MAX_LISTED * 5}个见CSV。",
                            f"… {len(missing) - MAX_LISTED * 5} more in the CSV."))
        lines.append(_t(lang, "（“已知机关”指库中存有其任一年度报告的机关。）",
                        "(“Known” means at least one report of the agency is stored.)"))
        ans.text = "\n".join(lines)
        ans.csv = to_csv([_t(lang, "机关", "agency"), _t(lang, "最近一份年报", "latest report year")],
                         [[rec.name, latest] for rec, latest in missing])
        return ans
