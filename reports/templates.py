"""The two national templates, described once, as data.

The parser, the checks, the JSON, the store, the questions engine and the replies all read row and
column ids, Chinese labels (with the variants real files use) and English labels from here; no other
module keeps its own list of labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

TableId = Literal["disclosure", "requests", "appeals"]
TemplateId = Literal["2019", "2021"]


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    label: str                      # official Chinese label
    en: str                         # English label for replies
    aliases: tuple[str, ...] = ()   # other spellings seen in real files
    text: bool = False              # value kept as printed text (procurement amount), not a count
    signed: bool = False            # may be negative (2019 本年增/减)
    decimal: bool = False           # may carry decimals (2021 收费金额 in 万元)

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    label: str                      # official Chinese label without its marker
    en: str
    marker: str = ""                # printed ordinal: "一", "（一）", "1" …
    group: str | None = None        # id of the group the row belongs to (denied, unavailable, …)
    aliases: tuple[str, ...] = ()
    leaf: bool = False              # table 三: one of the result rows summed into （七）总计
    columns: tuple[str, ...] = ()   # table 二: the ids of this row's block columns

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    label: str
    en: str
    marker: str


@dataclass(frozen=True, slots=True)
class Block:
    """A block of table 二: one article of 第二十条 with its own header of value columns."""

    article: str                    # "第二十条第（一）项"
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class TableSpec:
    id: TableId
    number: str                     # "二", "三", "四"
    title: str
    en: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]     # for table 二 the union of all blocks' columns
    groups: tuple[Group, ...] = ()
    blocks: tuple[Block, ...] = ()

    def row(self, row_id: str) -> Row:
        for r in self.rows:
            if r.id == row_id:
                return r
        raise KeyError(row_id)

    def column(self, col_id: str) -> Column:
        for c in self.columns:
            if c.id == col_id:
                return c
        raise KeyError(col_id)

    def columns_of(self, row: Row) -> tuple[Column, ...]:
        if row.columns:
            return tuple(self.column(c) for c in row.columns)
        return self.columns

    @property
    def leaves(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.leaf)

    def group_rows(self, group_id: str) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.group == group_id)


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    number: str
    label: str
    en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    id: TemplateId
    document: str                   # the circular that issued it
    years: tuple[int, int]          # report years it applies to (inclusive; 9999 = open-ended)
    tables: tuple[TableSpec, ...]
    markers: tuple[str, ...]        # labels only this template prints (to tell the templates apart)
    sections: tuple[Section, ...] = field(default=())

    def table(self, table_id: TableId) -> TableSpec:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)


# ---------------------------------------------------------------------------------------------
# Sections (both templates)

SECTIONS: tuple[Section, ...] = (
    Section("overview", "一", "总体情况", "Overview", ("总体工作情况", "基本情况", "概述")),
    Section("disclosure", "二", "主动公开政府信息情况", "Proactive disclosure",
            ("主动公开情况", "主动公开政府信息", "主动公开")),
    Section("requests", "三", "收到和处理政府信息公开申请情况", "Disclosure requests",
            ("收到和处理政府信息公开申请", "依申请公开政府信息情况", "依申请公开情况", "政府信息公开申请情况")),
    Section("appeals", "四", "政府信息公开行政复议、行政诉讼情况", "Administrative reviews and lawsuits",
            ("因政府信息公开工作被申请行政复议和提起行政诉讼情况", "因政府信息公开被申请行政复议、提起行政诉讼的情况",
             "政府信息公开行政复议、行政诉讼情况", "行政复议、行政诉讼情况", "行政复议和行政诉讼情况", "行政复议", "行政诉讼")),
    Section("problems", "五", "存在的主要问题及改进情况", "Main problems and improvements",
            ("政府信息公开工作存在的主要问题及改进情况", "存在的主要问题和改进情况", "存在的问题及改进情况",
             "主要问题及改进情况", "存在问题及改进措施", "存在的主要问题及改进措施", "存在的主要问题")),
    Section("other", "六", "其他需要报告的事项", "Other matters",
            ("其他需要报告事项", "其他需要说明的事项", "其他事项")),
)

# ---------------------------------------------------------------------------------------------
# Table 三 — requests (shared by both templates except the （六） rows)

REQUEST_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人", "natural persons"),
    Column("commercial", "商业企业", "businesses"),
    Column("research", "科研机构", "research institutions"),
    Column("social_welfare", "社会公益组织", "public-interest organisations"),
    Column("legal_service", "法律服务机构", "legal-service organisations"),
    Column("other_org", "其他", "other organisations"),
    Column("total", "总计", "total", ("合计",)),
)

REQUEST_GROUPS: tuple[Group, ...] = (
    Group("results", "本年度办理结果", "outcomes this year", "三"),
    Group("denied", "不予公开", "withheld", "（三）"),
    Group("unavailable", "无法提供", "cannot be provided", "（四）"),
    Group("not_processed", "不予处理", "not processed", "（五）"),
    Group("other", "其他处理", "handled otherwise", "（六）"),
)

_REQ_HEAD: tuple[Row, ...] = (
    Row("new", "本年新收政府信息公开申请数量", "new requests this year", "一", None,
        ("本年新收政府信息公开申请", "本年新收")),
    Row("carried_over", "上年结转政府信息公开申请数量", "requests carried over from last year", "二", None,
        ("上年结转政府信息公开申请", "上年结转")),
    Row("granted", "予以公开", "granted in full", "（一）", "results", (), True),
    Row("partial", "部分公开（区分处理的，只计这一情形，不计其他情形）", "granted in part", "（二）", "results",
        ("部分公开区分处理的，只计这一情形，不计其他情形", "部分公开"), True),
    Row("denied.state_secret", "属于国家秘密", "state secret", "1", "denied", (), True),
    Row("denied.law_forbidden", "其他法律行政法规禁止公开", "forbidden by other laws", "2", "denied",
        ("其他法律、行政法规禁止公开",), True),
    Row("denied.security_stability", "危及“三安全一稳定”", "endangers security or stability", "3", "denied",
        ("危及三安全一稳定", "危及\"三安全一稳定\"", "危及‘三安全一稳定’"), True),
    Row("denied.third_party", "保护第三方合法权益", "protects third-party rights", "4", "denied", (), True),
    Row("denied.internal_affairs", "属于三类内部事务信息", "internal affairs", "5", "denied",
        ("属于三类内部事务",), True),
    Row("denied.process_info", "属于四类过程性信息", "process information", "6", "denied",
        ("属于四类过程性",), True),
    Row("denied.enforcement_file", "属于行政执法案卷", "law-enforcement case file", "7", "denied", (), True),
    Row("denied.query_matter", "属于行政查询事项", "administrative query matter", "8", "denied", (), True),
    Row("unavailable.not_held", "本机关不掌握相关政府信息", "not held by this body", "1", "unavailable",
        ("本机关不掌握相关的政府信息",), True),
    Row("unavailable.needs_creation", "没有现成信息需要另行制作", "would need to be created", "2", "unavailable",
        ("没有现成信息需要另行制作的",), True),
    Row("unavailable.unclear", "补正后申请内容仍不明确", "still unclear after correction", "3", "unavailable", (), True),
    Row("not_processed.petition", "信访举报投诉类申请", "petitions and complaints", "1", "not_processed", (), True),
    Row("not_processed.duplicate", "重复申请", "repeated requests", "2", "not_processed", (), True),
    Row("not_processed.publication", "要求提供公开出版物", "asks for published material", "3", "not_processed", (), True),
    Row("not_processed.mass_repeat", "无正当理由大量反复申请", "mass repeated requests", "4", "not_processed", (), True),
    Row("not_processed.confirm", "要求行政机关确认或重新出具已获取信息", "asks to confirm or reissue information", "5",
        "not_processed", ("要求行政机关确认或重新出具已获取的信息",), True),
)

_REQ_TAIL: tuple[Row, ...] = (
    Row("total", "总计", "total handled", "（七）", "results", ("合计",)),
    Row("carried_forward", "结转下年度继续办理", "carried forward to next year", "四", None,
        ("结转下年度继续办理的", "结转下年度")),
)

_REQ_OTHER_2019: tuple[Row, ...] = (
    Row("other", "其他处理", "handled otherwise", "（六）", "results", (), True),
)

_REQ_OTHER_2021: tuple[Row, ...] = (
    Row("other.no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "applicant did not correct in time", "1", "other",
        ("申请人无正当理由逾期不补正", "逾期不补正"), True),
    Row("other.no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "applicant did not pay the fee", "2", "other",
        ("申请人逾期未按收费通知要求缴纳费用", "逾期未按收费通知要求缴纳费用"), True),
    Row("other.other", "其他", "other", "3", "other", (), True),
)


def _requests(other_rows: tuple[Row, ...]) -> TableSpec:
    return TableSpec(
        id="requests", number="三", title="收到和处理政府信息公开申请情况", en="Disclosure requests",
        rows=_REQ_HEAD + other_rows + _REQ_TAIL, columns=REQUEST_COLUMNS, groups=REQUEST_GROUPS,
    )


# ---------------------------------------------------------------------------------------------
# Table 四 — administrative reviews and lawsuits (same in both templates)

APPEAL_COLUMNS: tuple[Column, ...] = (
    Column("upheld", "结果维持", "upheld"),
    Column("corrected", "结果纠正", "corrected"),
    Column("other", "其他结果", "other outcome"),
    Column("pending", "尚未审结", "pending"),
    Column("total", "总计", "total", ("合计",)),
)

APPEALS = TableSpec(
    id="appeals", number="四", title="政府信息公开行政复议、行政诉讼情况", en="Administrative reviews and lawsuits",
    rows=(
        Row("review", "行政复议", "administrative reviews"),
        Row("suit_direct", "未经复议直接起诉", "lawsuits filed directly", aliases=("行政诉讼未经复议直接起诉",)),
        Row("suit_after_review", "复议后起诉", "lawsuits after review", aliases=("行政诉讼复议后起诉",)),
    ),
    columns=APPEAL_COLUMNS,
)

# ---------------------------------------------------------------------------------------------
# Table 二 — proactive disclosure

_C = Column
_MADE = _C("made", "本年新制作数量", "made this year", ("本年新制作",))
_PUBLISHED = _C("published", "本年新公开数量", "published this year", ("本年新公开",))
_TOTAL_PUBLIC = _C("total_public", "对外公开总数量", "total public", ("对外公开总数",))
_PREVIOUS = _C("previous", "上一年项目数量", "items last year", ("上一年项目",))
_CHANGE = _C("change", "本年增/减", "change this year", ("本年增减", "本年增/减数量", "本年增"), signed=True)
_DECISIONS_2019 = _C("decisions", "处理决定数量", "decisions", ("本年处理决定数量",))
_PROJECTS = _C("projects", "采购项目数量", "procurement projects")
_AMOUNT = _C("amount", "采购总金额", "procurement amount", text=True)

_ISSUED = _C("issued", "本年制发件数", "issued this year")
_REPEALED = _C("repealed", "本年废止件数", "repealed this year")
_IN_FORCE = _C("in_force", "现行有效件数", "in force")
_DECISIONS_2021 = _C("decisions", "本年处理决定数量", "decisions this year", ("处理决定数量",))
_FEES_2021 = _C("amount_wan_yuan", "本年收费金额（单位：万元）", "fees collected (10,000 yuan)",
                ("本年收费金额(单位:万元)", "本年收费金额"), decimal=True)

_A1, _A5, _A6, _A8, _A9 = (f"第二十条第（{n}）项" for n in "一五六八九")


def _block(article: str, columns: tuple[Column, ...], rows: tuple[tuple[str, str, str, tuple[str, ...]], ...]) -> Block:
    ids = tuple(c.id for c in columns)
    return Block(article, columns, tuple(Row(i, label, en, aliases=al, columns=ids) for i, label, en, al in rows))


def _disclosure(blocks: tuple[Block, ...]) -> TableSpec:
    columns: list[Column] = []
    for b in blocks:
        for c in b.columns:
            if all(c.id != seen.id for seen in columns):
                columns.append(c)
    return TableSpec(
        id="disclosure", number="二", title="主动公开政府信息情况", en="Proactive disclosure",
        rows=tuple(r for b in blocks for r in b.rows), columns=tuple(columns), blocks=blocks,
    )


DISCLOSURE_2019 = _disclosure((
    _block(_A1, (_MADE, _PUBLISHED, _TOTAL_PUBLIC), (
        ("regulations", "规章", "regulations", ()),
        ("normative_docs", "规范性文件", "normative documents", ("行政规范性文件",)),
    )),
    _block(_A5, (_PREVIOUS, _CHANGE, _DECISIONS_2019), (
        ("licensing", "行政许可", "administrative licensing", ()),
        ("other_services", "其他对外管理服务事项", "other public services", ("其他对外管理服务",)),
    )),
    _block(_A6, (_PREVIOUS, _CHANGE, _DECISIONS_2019), (
        ("penalties", "行政处罚", "administrative penalties", ()),
        ("enforcement", "行政强制", "administrative enforcement", ()),
    )),
    _block(_A8, (_PREVIOUS, _CHANGE), (
        ("fees", "行政事业性收费", "administrative fees", ()),
    )),
    _block(_A9, (_PROJECTS, _AMOUNT), (
        ("procurement", "政府集中采购", "government procurement", ()),
    )),
))

DISCLOSURE_2021 = _disclosure((
    _block(_A1, (_ISSUED, _REPEALED, _IN_FORCE), (
        ("regulations", "规章", "regulations", ()),
        ("normative_docs", "行政规范性文件", "normative documents", ("规范性文件",)),
    )),
    _block(_A5, (_DECISIONS_2021,), (
        ("licensing", "行政许可", "administrative licensing", ()),
    )),
    _block(_A6, (_DECISIONS_2021,), (
        ("penalties", "行政处罚", "administrative penalties", ()),
        ("enforcement", "行政强制", "administrative enforcement", ()),
    )),
    _block(_A8, (_FEES_2021,), (
        ("fees", "行政事业性收费", "administrative fees", ()),
    )),
))

# ---------------------------------------------------------------------------------------------

TEMPLATE_2019 = TemplateSpec(
    id="2019", document="国办公开办函〔2019〕60号", years=(2019, 2020),
    tables=(DISCLOSURE_2019, _requests(_REQ_OTHER_2019), APPEALS),
    markers=("本年新制作数量", "对外公开总数量", "其他对外管理服务事项", "上一年项目数量", "第二十条第（九）项",
             "第二十条第(九)项", "政府集中采购", "采购项目数量"),
    sections=SECTIONS,
)

TEMPLATE_2021 = TemplateSpec(
    id="2021", document="国办公开办函〔2021〕30号", years=(2021, 9999),
    tables=(DISCLOSURE_2021, _requests(_REQ_OTHER_2021), APPEALS),
    markers=("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "逾期不补正", "逾期未按收费通知"),
    sections=SECTIONS,
)

TEMPLATES: dict[str, TemplateSpec] = {"2019": TEMPLATE_2019, "2021": TEMPLATE_2021}

# Pre-2019 reports used a free layout ("政府信息公开情况统计表 … 指标名称 计量单位"): recognised, not parsed.
PRE2019_MARKERS: tuple[str, ...] = ("政府信息公开情况统计表", "指标名称", "计量单位")


def expected_template(year: int | None) -> str | None:
    """The template a report for ``year`` should use."""
    if year is None:
        return None
    if year <= 2018:
        return "pre2019"
    for t in TEMPLATES.values():
        if t.years[0] <= year <= t.years[1]:
            return t.id
    return None

# Header texts the official tables print above their value columns (they label no row or column id).
REQUESTS_BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
REQUESTS_APPLICANTS = "申请人情况"
REQUESTS_ORGANISATIONS = "法人或其他组织"      # spans 商业企业 … 其他
DISCLOSURE_CONTENT = "信息内容"                 # first header cell of every table-二 block
APPEALS_SUITS = ("行政诉讼", "lawsuits")         # spans 未经复议直接起诉 and 复议后起诉
