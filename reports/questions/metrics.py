"""The figures a question can ask for, built from the template description.

A metric is a set of cells of one table: the sum of some rows (a group such as 不予公开 sums its
eight leaves) in one column per template. Row ids, column ids and official labels come from
``reports.templates``; this module only adds the words people use when they ask (synonyms), in
Chinese and English, and the derived figures (公开率, shares, year-over-year change).
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.templates import APPEALS, REQUEST_COLUMNS, REQUEST_GROUPS, TEMPLATES, TableId

APPLICANT_COLUMNS: tuple[str, ...] = tuple(c.id for c in REQUEST_COLUMNS if c.id != "total")
APPEAL_OUTCOMES: tuple[str, ...] = tuple(c.id for c in APPEALS.columns if c.id != "total")


@dataclass(frozen=True, slots=True)
class Metric:
    id: str
    table: TableId
    rows: tuple[str, ...]                 # row ids summed; union over templates
    columns: tuple[tuple[str, str], ...]  # (template id, column id): the column read in each template
    zh: str
    en: str
    synonyms_zh: tuple[str, ...] = ()
    synonyms_en: tuple[str, ...] = ()
    unit_zh: str = "件"
    unit_en: str = ""
    parts: tuple[str, ...] = ()           # metric ids that make up this one (for a breakdown)

    def column(self, template: str | None) -> str | None:
        for t, c in self.columns:
            if t == template:
                return c
        return None

    def rows_for(self, template: str | None) -> tuple[str, ...]:
        """The rows of this metric that exist in ``template`` (a 2019 report has no （六）1–3)."""
        spec = TEMPLATES.get(template or "")
        if spec is None:
            return ()
        ids = {r.id for r in spec.table(self.table).rows}
        return tuple(r for r in self.rows if r in ids)

    @property
    def templates(self) -> tuple[str, ...]:
        return tuple(t for t, _ in self.columns)

    @property
    def by_applicant(self) -> bool:
        return self.table == "requests"

    @property
    def by_outcome(self) -> bool:
        return self.table == "appeals"


@dataclass(frozen=True, slots=True)
class Derived:
    """A figure computed from metrics: numerator ÷ denominator (a rate) or a share of a column."""

    id: str
    numerator: tuple[str, ...]
    denominator: str
    zh: str
    en: str
    synonyms_zh: tuple[str, ...] = ()
    synonyms_en: tuple[str, ...] = ()


BOTH = (("2019", "total"), ("2021", "total"))


def _requests_table(template: str):
    return TEMPLATES[template].table("requests")


def _request_row(row_id: str):
    for t in ("2021", "2019"):
        for r in _requests_table(t).rows:
            if r.id == row_id:
                return r
    raise KeyError(row_id)


def _group_rows(group_id: str) -> tuple[str, ...]:
    """Every row of a group across both templates: 2019 prints （六） as one row ``other``."""
    out: list[str] = []
    for t in ("2019", "2021"):
        for r in _requests_table(t).rows:
            if (r.id == group_id or r.id.startswith(group_id + ".")) and r.id not in out:
                out.append(r.id)
    return tuple(out)


def _group(group_id: str):
    for g in REQUEST_GROUPS:
        if g.id == group_id:
            return g
    raise KeyError(group_id)


def _req(row_id: str, zh_syn: tuple[str, ...], en_syn: tuple[str, ...], *, zh: str | None = None,
         en: str | None = None) -> Metric:
    row = _request_row(row_id)
    return Metric(row_id, "requests", (row_id,), BOTH, zh or row.label.split("（")[0], en or row.en,
                  zh_syn, en_syn)


def _req_group(group_id: str, zh_syn: tuple[str, ...], en_syn: tuple[str, ...]) -> Metric:
    g = _group(group_id)
    rows = _group_rows(group_id)
    parts = tuple(r for r in rows if "." in r)
    return Metric(group_id, "requests", rows, BOTH, g.label, g.en, zh_syn, en_syn, parts=parts)


def _leaf(row_id: str, zh_syn: tuple[str, ...] = (), en_syn: tuple[str, ...] = ()) -> Metric:
    row = _request_row(row_id)
    columns = tuple((t, "total") for t in ("2019", "2021") if any(r.id == row_id for r in _requests_table(t).rows))
    synonyms = tuple(dict.fromkeys((row.label, *row.aliases, *zh_syn)))
    return Metric(row_id, "requests", (row_id,), columns, row.label, row.en, synonyms, en_syn)


def _appeal(metric_id: str, rows: tuple[str, ...], zh: str, en: str, zh_syn: tuple[str, ...],
            en_syn: tuple[str, ...], parts: tuple[str, ...] = ()) -> Metric:
    return Metric(metric_id, "appeals", rows, BOTH, zh, en, zh_syn, en_syn, parts=parts)


def _disc(metric_id: str, row_id: str, columns: tuple[tuple[str, str], ...], zh_syn: tuple[str, ...],
          en_syn: tuple[str, ...], *, unit_zh: str = "件", unit_en: str = "", suffix_zh: str = "",
          suffix_en: str = "") -> Metric:
    spec = TEMPLATES[columns[-1][0]].table("disclosure")
    row = spec.row(row_id)
    return Metric(metric_id, "disclosure", (row_id,), columns, row.label + suffix_zh, row.en + suffix_en,
                  zh_syn, en_syn, unit_zh=unit_zh, unit_en=unit_en)


_REQUESTS: tuple[Metric, ...] = (
    _req("new", ("本年新收", "新收", "收到", "受理", "申请量", "申请数", "申请件数", "依申请", "申请"),
         ("new requests", "requests", "request", "applications", "application", "received", "receive", "filed"),
         zh="本年新收政府信息公开申请"),
    _req("carried_over", ("上年结转", "上一年结转", "去年结转"),
         ("carried over from last year", "carried over", "carried-over", "brought forward"),
         zh="上年结转政府信息公开申请"),
    _req("total", ("办结", "答复", "办理", "处理完", "总计"),
         ("handled", "handle", "answered", "processed", "completed", "decided", "closed"), zh="办理结果总计"),
    _req("granted", ("予以公开", "全部公开", "同意公开"), ("granted in full", "granted", "fully granted", "disclosed"),
         zh="予以公开"),
    _req("partial", ("部分公开",), ("partially granted", "partly granted", "granted in part", "partial"), zh="部分公开"),
    _req_group("denied", ("不予公开", "拒绝公开"), ("denied", "withheld", "refused", "rejected", "denials")),
    _req_group("unavailable", ("无法提供",), ("cannot be provided", "unavailable", "could not be provided",
                                             "not available")),
    _req_group("not_processed", ("不予处理",), ("not processed", "not handled", "declined to process")),
    _req_group("other", ("其他处理",), ("handled otherwise", "other handling", "otherwise handled")),
    _req("carried_forward", ("结转下年度继续办理", "结转下年度", "结转下年", "结转到下年", "结转"),
         ("carried forward", "pending requests", "still pending", "pending", "unfinished"), zh="结转下年度继续办理"),
)

_LEAVES: tuple[Metric, ...] = (
    _leaf("denied.state_secret", ("国家秘密",), ("state secret", "state secrets")),
    _leaf("denied.law_forbidden", ("法律行政法规禁止",), ("forbidden by law",)),
    _leaf("denied.security_stability", ("三安全一稳定",), ("security or stability",)),
    _leaf("denied.third_party", ("第三方合法权益", "第三方"), ("third-party", "third party")),
    _leaf("denied.internal_affairs", ("内部事务",), ("internal affairs",)),
    _leaf("denied.process_info", ("过程性信息",), ("process information",)),
    _leaf("denied.enforcement_file", ("行政执法案卷", "执法案卷"), ("case file", "case files")),
    _leaf("denied.query_matter", ("行政查询事项", "查询事项"), ("query matter", "query matters")),
    _leaf("unavailable.not_held", ("不掌握",), ("not held",)),
    _leaf("unavailable.needs_creation", ("另行制作",), ("would need to be created", "needs creation")),
    _leaf("unavailable.unclear", ("仍不明确",), ("still unclear",)),
    _leaf("not_processed.petition", ("信访举报投诉", "信访"), ("petition", "petitions", "complaints")),
    _leaf("not_processed.duplicate", ("重复申请",), ("repeated requests", "duplicate requests", "duplicates")),
    _leaf("not_processed.publication", ("公开出版物",), ("published material", "publications")),
    _leaf("not_processed.mass_repeat", ("大量反复申请", "大量反复"), ("mass repeated",)),
    _leaf("not_processed.confirm", ("确认或重新出具",), ("confirm or reissue",)),
    _leaf("other.no_correction", ("逾期不补正",), ("did not correct",)),
    _leaf("other.no_fee", ("逾期未按收费通知要求缴纳费用", "未缴纳费用", "未缴费"), ("did not pay",)),
)

_SUITS = ("suit_direct", "suit_after_review")

_APPEALS: tuple[Metric, ...] = (
    _appeal("review", ("review",), APPEALS.row("review").label, APPEALS.row("review").en,
            ("行政复议", "复议"), ("administrative reviews", "administrative review", "reviews", "review", "appeals",
                                 "appeal")),
    _appeal("suits", _SUITS, "行政诉讼", "lawsuits", ("行政诉讼", "诉讼", "起诉", "官司"),
            ("lawsuits", "lawsuit", "litigation", "suits", "sued", "court cases"), parts=_SUITS),
    _appeal("suit_direct", ("suit_direct",), APPEALS.row("suit_direct").label, APPEALS.row("suit_direct").en,
            ("未经复议直接起诉", "直接起诉"), ("filed directly", "direct lawsuits")),
    _appeal("suit_after_review", ("suit_after_review",), APPEALS.row("suit_after_review").label,
            APPEALS.row("suit_after_review").en, ("复议后起诉",), ("after review",)),
)

_DISCLOSURE: tuple[Metric, ...] = (
    _disc("regulations", "regulations", (("2019", "made"), ("2021", "issued")),
          ("规章",), ("regulations", "regulation", "rules"), suffix_zh="（本年制发）", suffix_en=" issued this year"),
    _disc("regulations_in_force", "regulations", (("2021", "in_force"),),
          ("现行有效规章", "有效规章"), ("regulations in force",), suffix_zh="（现行有效）", suffix_en=" in force"),
    _disc("normative_docs", "normative_docs", (("2019", "made"), ("2021", "issued")),
          ("行政规范性文件", "规范性文件"), ("normative documents", "normative document", "normative docs"),
          suffix_zh="（本年制发）", suffix_en=" issued this year"),
    _disc("normative_docs_in_force", "normative_docs", (("2021", "in_force"),),
          ("现行有效规范性文件", "现行有效行政规范性文件", "有效规范性文件"), ("normative documents in force",),
          suffix_zh="（现行有效）", suffix_en=" in force"),
    _disc("licensing", "licensing", (("2019", "decisions"), ("2021", "decisions")),
          ("行政许可", "许可"), ("licensing", "licences", "licenses", "permits", "licence decisions"),
          suffix_zh="处理决定", suffix_en=" decisions"),
    _disc("penalties", "penalties", (("2019", "decisions"), ("2021", "decisions")),
          ("行政处罚", "处罚"), ("penalties", "penalty", "fines", "sanctions"),
          suffix_zh="处理决定", suffix_en=" decisions"),
    _disc("enforcement", "enforcement", (("2019", "decisions"), ("2021", "decisions")),
          ("行政强制", "强制措施"), ("enforcement", "coercive measures"),
          suffix_zh="处理决定", suffix_en=" decisions"),
    _disc("fees", "fees", (("2021", "amount_wan_yuan"),),
          ("行政事业性收费", "收费金额", "收费"), ("fees", "fee", "charges"),
          unit_zh="万元", unit_en="× 10,000 yuan", suffix_zh="金额", suffix_en=" collected"),
    _disc("fee_items", "fees", (("2019", "previous"),),
          ("收费项目",), ("fee items",), unit_zh="项", unit_en="items", suffix_zh="项目数（上一年）",
          suffix_en=" items (previous year)"),
    _disc("procurement", "procurement", (("2019", "projects"),),
          ("政府集中采购", "集中采购", "采购"), ("procurement",), unit_zh="项", unit_en="projects",
          suffix_zh="项目数量", suffix_en=" projects"),
)

METRICS: dict[str, Metric] = {m.id: m for m in (*_REQUESTS, *_LEAVES, *_APPEALS, *_DISCLOSURE)}

DERIVED: dict[str, Derived] = {
    d.id: d for d in (
        Derived("disclosure_rate", ("granted", "partial"), "total", "公开率（予以公开+部分公开）÷ 办结",
                "disclosure rate (granted in full or in part ÷ handled)",
                ("公开率", "公开比例", "公开比率"), ("disclosure rate", "grant rate", "approval rate")),
    )
}

# Applicant types (table 三 columns) and appeal outcomes (table 四 columns) as people say them.
APPLICANT_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "natural_person": (("自然人", "个人", "公民", "群众"), ("natural persons", "natural person", "individuals",
                                                     "individual", "citizens", "people")),
    "commercial": (("商业企业", "企业", "公司"), ("businesses", "business", "companies", "company", "firms")),
    "research": (("科研机构",), ("research institutions", "research")),
    "social_welfare": (("社会公益组织", "公益组织"), ("public-interest", "ngos", "charities")),
    "legal_service": (("法律服务机构", "律师事务所", "律所", "律师"), ("legal-service", "law firms", "lawyers")),
    "other_org": (("其他组织",), ("other organisations", "other organizations")),
}

OUTCOME_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "upheld": (("结果维持", "维持"), ("upheld", "maintained", "sustained")),
    "corrected": (("结果纠正", "纠正", "撤销"), ("corrected", "overturned", "reversed")),
    "other": (("其他结果",), ("other outcome", "other outcomes")),
    "pending": (("尚未审结", "未审结", "未结"), ("pending", "undecided", "not yet decided")),
}

# The figures a "情况 / breakdown" question without a metric lists, per table.
OVERVIEW: dict[str, tuple[str, ...]] = {
    "requests": ("new", "carried_over", "granted", "partial", "denied", "unavailable", "not_processed", "other",
                 "total", "carried_forward"),
    "appeals": ("review", "suits"),
}


def applicant_label(column: str, lang: str) -> str:
    for c in REQUEST_COLUMNS:
        if c.id == column:
            return c.label if lang == "zh" else c.en
    raise KeyError(column)


def outcome_label(column: str, lang: str) -> str:
    c = APPEALS.column(column)
    return c.label if lang == "zh" else c.en


def metric_label(metric_id: str, lang: str) -> str:
    if metric_id in METRICS:
        m = METRICS[metric_id]
        return m.zh if lang == "zh" else m.en
    d = DERIVED[metric_id]
    return d.zh if lang == "zh" else d.en


@dataclass(frozen=True, slots=True)
class Phrase:
    """One way of saying something: the text and what it stands for."""

    text: str
    kind: str          # "metric" | "derived" | "applicant" | "outcome"
    target: str
    lang: str


def phrases() -> tuple[Phrase, ...]:
    """Every synonym, longest first so that "部分公开" wins over "公开" and "行政复议" over "复议"."""
    out: list[Phrase] = []
    for m in METRICS.values():
        out += [Phrase(s, "metric", m.id, "zh") for s in m.synonyms_zh]
        out += [Phrase(s, "metric", m.id, "en") for s in m.synonyms_en]
    for d in DERIVED.values():
        out += [Phrase(s, "derived", d.id, "zh") for s in d.synonyms_zh]
        out += [Phrase(s, "derived", d.id, "en") for s in d.synonyms_en]
    for col, (zh, en) in APPLICANT_WORDS.items():
        out += [Phrase(s, "applicant", col, "zh") for s in zh]
        out += [Phrase(s, "applicant", col, "en") for s in en]
    for col, (zh, en) in OUTCOME_WORDS.items():
        out += [Phrase(s, "outcome", col, "zh") for s in zh]
        out += [Phrase(s, "outcome", col, "en") for s in en]
    return tuple(sorted(out, key=lambda p: -len(p.text)))

