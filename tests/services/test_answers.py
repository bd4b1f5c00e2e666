"""Table-driven answers over a store of the shared samples plus synthetic reports.

Every expected number comes from the samples README or from the generator's ``Report`` objects,
never from the code under test. Questions that must not get a number (ambiguous or unknown
agencies, unreadable cells, figures the template lacks) are checked to carry none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest
import pytest_asyncio

from services.questions import Answer, answer, answer_choice
from storage.db import Database
from tests.services.answers_store import (SYNTHETIC, TODAY, drop_postgres_database, fill, own_postgres_database,
                                          postgres_url)

pytestmark = pytest.mark.asyncio(loop_scope="module")

# ---- names as stored --------------------------------------------------------------------------

W = "重庆市秀山土家族苗族自治县乌杨街道办事处"
PT = "平潭综合实验区"
HA = "淮安市人民政府"
SH = "上海市人民政府"
SMT = "桃江县松木塘镇人民政府"
ZC = "中村乡"
DS = "区统计局"
SAMPLE_YEARS = {W: {2020}, PT: {2019, 2021}, HA: {2024}, SH: {2019}, SMT: {2022}, ZC: {2020}, DS: {2023}}
SAMPLE_LEVELS = {W: "town", PT: "government", HA: "government", SH: "government", SMT: "town", ZC: "town",
                 DS: "department"}
N = {key: name for key, (name, *_rest) in SYNTHETIC.items()}

DENIED = ["denied.state_secret", "denied.law_forbidden", "denied.security_stability", "denied.third_party",
          "denied.internal_affairs", "denied.process_info", "denied.enforcement_file", "denied.query_matter"]
UNAVAILABLE = ["unavailable.not_held", "unavailable.needs_creation", "unavailable.unclear"]
NOT_PROCESSED = ["not_processed.petition", "not_processed.duplicate", "not_processed.publication",
                 "not_processed.mass_repeat", "not_processed.confirm"]
OTHER_2021 = ["other.no_correction", "other.no_fee", "other.other"]
APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org"]

Reports = dict


def cell(reps: Reports, key: str, year: int, table: str, row: str, col: str = "total") -> float:
    return reps[(key, year)].grid(table)[row][col].number


def rows_sum(reps: Reports, key: str, year: int, rows: list[str], table: str = "requests", col: str = "total") -> float:
    return sum(reps[(key, year)].grid(table)[r][col].number for r in rows)


def req(key: str, year: int, row: str, col: str = "total") -> Callable[[Reports], float]:
    return lambda reps: cell(reps, key, year, "requests", row, col)


def grp(key: str, year: int, rows: list[str], table: str = "requests", col: str = "total") -> Callable[[Reports], float]:
    return lambda reps: rows_sum(reps, key, year, rows, table, col)


def app(key: str, year: int, row: str, col: str = "total") -> Callable[[Reports], float]:
    return lambda reps: cell(reps, key, year, "appeals", row, col)


def disc(key: str, year: int, row: str, col: str) -> Callable[[Reports], float]:
    return lambda reps: cell(reps, key, year, "disclosure", row, col)


def shown(v: float) -> str:
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.6f}".rstrip("0").rstrip(".")


def _value(spec, reps: Reports) -> float:
    return spec(reps) if callable(spec) else spec


# ---- expectations -------------------------------------------------------------------------------

class Expect:
    def verify(self, a: Answer, reps: Reports) -> None:
        raise AssertionError("abstract")


def _no_numbers(a: Answer) -> None:
    assert all(f.value is None for f in a.figures), a.figures


@dataclass
class Num(Expect):
    metric: str
    agency: str | None
    year: int | None
    value: object
    column: str | None = None
    file: str | None = None

    def verify(self, a: Answer, reps: Reports) -> None:
        want = _value(self.value, reps)
        hits = [f for f in a.figures if f.metric == self.metric and f.column == self.column
                and (self.agency is None or f.agency == self.agency) and (self.year is None or f.year == self.year)]
        assert hits, (a.text, a.figures)
        assert hits[0].value == pytest.approx(want), (a.text, hits[0])
        assert shown(want) in a.text, a.text
        assert a.clarification is None
        if self.agency:
            assert self.agency in a.text
            assert any(s.agency == self.agency for s in a.sources), a.sources
        if self.file:
            assert self.file in a.text


@dataclass
class Sum(Expect):
    metric: str
    year: int
    value: object
    reports: int
    excluded: int = 0

    def verify(self, a: Answer, reps: Reports) -> None:
        want = _value(self.value, reps)
        hits = [f for f in a.figures if f.metric == self.metric and f.agency is None and f.year == self.year]
        assert hits, (a.text, a.figures)
        assert hits[0].value == pytest.approx(want), a.text
        assert hits[0].reports == self.reports, a.text
        assert shown(want) in a.text
        if self.excluded:
            assert str(self.excluded) in a.text and ("未计入" in a.text or "not included" in a.text), a.text


@dataclass
class Rate(Expect):
    metric: str
    agency: str | None
    year: int
    num: object
    den: object

    def verify(self, a: Answer, reps: Reports) -> None:
        num, den = _value(self.num, reps), _value(self.den, reps)
        want = round(num / den * 100, 1)
        hits = [f for f in a.figures if f.metric == self.metric and f.year == self.year
                and (self.agency is None or f.agency == self.agency)]
        assert hits, (a.text, a.figures)
        assert hits[0].value == pytest.approx(want)
        assert f"{num / den * 100:.1f}%" in a.text, a.text


@dataclass
class Leader(Expect):
    metric: str
    candidates: tuple[tuple[str, object], ...]      # (agency name, value) of every agency ranked
    lowest: bool = False

    def verify(self, a: Answer, reps: Reports) -> None:
        values = [(name, _value(v, reps)) for name, v in self.candidates]
        best = (min if self.lowest else max)(v for _, v in values)
        leaders = {name for name, v in values if v == best}
        got = [f for f in a.figures if f.metric == self.metric]
        assert got, a.text
        assert got[0].agency in leaders and got[0].value == pytest.approx(best), (a.text, values)
        assert shown(best) in a.text
        assert (f"{len(values)}个机关" in a.text) or (f"Ranked: {len(values)} agencies" in a.text), a.text


@dataclass
class Series(Expect):
    metric: str
    agency: str
    values: dict[int, object]            # None = no number for that year

    def verify(self, a: Answer, reps: Reports) -> None:
        for year, spec in self.values.items():
            hits = [f for f in a.figures if f.metric == self.metric and f.agency == self.agency and f.year == year]
            assert hits, (year, a.text)
            want = None if spec is None else _value(spec, reps)
            if want is None:
                assert hits[0].value is None, (year, a.text)
            else:
                assert hits[0].value == pytest.approx(want), (year, a.text)
                assert shown(want) in a.text


@dataclass
class Clarify(Expect):
    names: tuple[str, ...]

    def verify(self, a: Answer, reps: Reports) -> None:
        _no_numbers(a)
        assert a.clarification, a.text
        labels = [c.label for c in a.clarification]
        assert set(self.names) <= set(labels), labels
        assert all(len(c.payload.encode()) <= 64 for c in a.clarification)


@dataclass
class NoNumber(Expect):
    phrases: tuple[str, ...] = ()

    def verify(self, a: Answer, reps: Reports) -> None:
        _no_numbers(a)
        for p in self.phrases:
            assert p in a.text, (p, a.text)


@dataclass
class Missing(Expect):
    names: frozenset[str]

    def verify(self, a: Answer, reps: Reports) -> None:
        got = {f.agency for f in a.figures if f.metric == "coverage"}
        assert got == set(self.names), (got ^ set(self.names), a.text)
        for name in self.names:
            assert name in a.text


@dataclass
class Flagged(Expect):
    present: tuple[tuple[str, int], ...]
    absent: tuple[tuple[str, int], ...] = ()

    def verify(self, a: Answer, reps: Reports) -> None:
        got = {(s.agency, s.year) for s in a.sources}
        for item in self.present:
            assert item in got, (item, a.text)
        for item in self.absent:
            assert item not in got, (item, a.text)
        _no_numbers(a)


def missing_in(year: int, level: str | None = None) -> frozenset[str]:
    out = set()
    for name, years in SAMPLE_YEARS.items():
        if year not in years and (level is None or SAMPLE_LEVELS[name] == level):
            out.add(name)
    for key, (name, lvl, years, _scale) in SYNTHETIC.items():
        if year not in years and (level is None or lvl == level):
            out.add(name)
    return frozenset(out)


def synthetic_sum(year: int, fn: Callable[[Reports, str], float], skip: tuple[str, ...] = ()) -> Callable[[Reports], float]:
    def total(reps: Reports) -> float:
        return sum(fn(reps, key) for key, (_n, _l, years, _s) in SYNTHETIC.items() if year in years and key not in skip)
    return total


def synthetic_count(year: int, skip: tuple[str, ...] = ()) -> int:
    return sum(1 for key, (_n, _l, years, _s) in SYNTHETIC.items() if year in years and key not in skip)


def ranked(year: int, level: str, row: str, extra: tuple[tuple[str, object], ...] = (),
           skip: tuple[str, ...] = ()) -> tuple[tuple[str, object], ...]:
    out = [(name, req(key, year, row)) for key, (name, lvl, years, _s) in SYNTHETIC.items()
           if lvl == level and year in years and key not in skip]
    return tuple(out) + extra


# ---- the table --------------------------------------------------------------------------------

CASES: list[tuple[str, Expect]] = [
    # The brief's own examples.
    ("乌杨街道2020年收到多少政府信息公开申请？", Num("new", W, 2020, 0, file="wuyang_2020.txt")),
    ("how many requests did Pingtan get in 2021", Num("new", PT, 2021, 70, file="pingtan_2021.txt")),
    ("2023年哪个部门收到的申请最多", Leader("new", ranked(2023, "department", "new", ((DS, 0),)))),
    ("平潭2019到2021年行政复议情况", Series("review", PT, {2019: 0, 2020: None, 2021: 3})),
    ("平潭近三年行政复议情况", NoNumber(("2019", "2021"))),
    ("哪些报告勾稽关系不对", Flagged(((N["shaoguan"], 2024), (SH, 2019)), ((PT, 2021), (HA, 2024)))),
    ("还有谁没交2024年的年报", Missing(missing_in(2024))),

    # Samples: table 三 (README figures).
    ("平潭2021年收到多少申请", Num("new", PT, 2021, 70)),
    ("平潭综合实验区2021年新收申请多少件", Num("new", PT, 2021, 70)),
    ("平潭2021年自然人申请多少", Num("new", PT, 2021, 64, column="natural_person")),
    ("平潭2021年上年结转多少", Num("carried_over", PT, 2021, 0)),
    ("平潭2021年办结多少件", Num("total", PT, 2021, 69)),
    ("平潭2021年予以公开多少", Num("granted", PT, 2021, 30)),
    ("平潭2021年部分公开几件", Num("partial", PT, 2021, 5)),
    ("平潭2021年不予公开多少", Num("denied", PT, 2021, 8)),
    ("平潭2021年属于行政执法案卷的有几件", Num("denied.enforcement_file", PT, 2021, 6)),
    ("平潭2021年无法提供多少", Num("unavailable", PT, 2021, 25)),
    ("平潭2021年本机关不掌握的有多少", Num("unavailable.not_held", PT, 2021, 25)),
    ("平潭2021年不予处理多少", Num("not_processed", PT, 2021, 0)),
    ("平潭2021年其他处理多少", Num("other", PT, 2021, 1)),
    ("平潭2021年结转下年度多少", Num("carried_forward", PT, 2021, 1)),
    ("平潭2021年行政复议多少件", Num("review", PT, 2021, 3)),
    ("平潭2021年复议维持几件", Num("review", PT, 2021, 1, column="upheld")),
    ("平潭2021年行政诉讼多少", Num("suits", PT, 2021, 12)),
    ("平潭2021年直接起诉多少", Num("suit_direct", PT, 2021, 12)),
    ("平潭2021年行政许可多少", Num("licensing", PT, 2021, 2293)),
    ("平潭2021年行政处罚多少", Num("penalties", PT, 2021, 1282)),
    ("平潭2021年行政强制多少", Num("enforcement", PT, 2021, 42)),
    ("平潭2021年规章多少", Num("regulations", PT, 2021, 0)),
    ("平潭2021年规范性文件制发多少件", Num("normative_docs", PT, 2021, 69)),
    ("平潭2021年现行有效规范性文件多少", Num("normative_docs_in_force", PT, 2021, 665)),
    ("平潭2021年收费金额多少", Num("fees", PT, 2021, 24252.311082)),
    ("Pingtan 2021 fees", Num("fees", PT, 2021, 24252.311082)),
    ("Pingtan 2021 granted in full", Num("granted", PT, 2021, 30)),
    ("Pingtan 2021 partially granted", Num("partial", PT, 2021, 5)),
    ("How many requests were denied by Pingtan in 2021?", Num("denied", PT, 2021, 8)),
    ("Pingtan 2021 administrative reviews", Num("review", PT, 2021, 3)),
    ("Pingtan 2021 lawsuits", Num("suits", PT, 2021, 12)),
    ("Pingtan 2021 requests carried forward", Num("carried_forward", PT, 2021, 1)),
    ("Pingtan 2021 penalties", Num("penalties", PT, 2021, 1282)),
    ("Pingtan 2021 licensing decisions", Num("licensing", PT, 2021, 2293)),
    ("How many requests did Pingtan handle in 2021?", Num("total", PT, 2021, 69)),
    ("平潭2019年收到多少申请", Num("new", PT, 2019, 23, file="pingtan_2019.txt")),
    ("平潭2019年予以公开多少", Num("granted", PT, 2019, 7)),
    ("平潭2019年重复申请多少", Num("not_processed.duplicate", PT, 2019, 3)),
    ("平潭2019年无法提供多少", Num("unavailable", PT, 2019, 12)),
    ("平潭2019年其他处理多少", Num("other", PT, 2019, 0)),
    ("淮安市政府2024年收到多少申请", Num("new", HA, 2024, 3119, file="huaian_2024_pdftext.txt")),
    ("淮安2024年收到多少申请", Num("new", HA, 2024, 3119)),
    ("淮安市人民政府2024年受理多少申请", Num("new", HA, 2024, 3119)),
    ("How many applications did Huai'an receive in 2024?", Num("new", HA, 2024, 3119)),
    ("huaian 2024 new requests", Num("new", HA, 2024, 3119)),
    ("Huai'an city government 2024 requests", Num("new", HA, 2024, 3119)),
    ("淮安2024年上年结转多少", Num("carried_over", HA, 2024, 34)),
    ("淮安2024年予以公开多少", Num("granted", HA, 2024, 1362)),
    ("淮安2024年企业申请多少", Num("new", HA, 2024, 53, column="commercial")),
    ("淮安2024年法律服务机构申请多少", Num("new", HA, 2024, 61, column="legal_service")),
    ("淮安2024年部分公开多少", Num("partial", HA, 2024, 454)),
    ("淮安2024年不予公开多少", Num("denied", HA, 2024, 178)),
    ("淮安2024年国家秘密不予公开多少", Num("denied.state_secret", HA, 2024, 2)),
    ("淮安2024年过程性信息多少", Num("denied.process_info", HA, 2024, 12)),
    ("淮安2024年行政查询事项多少", Num("denied.query_matter", HA, 2024, 105)),
    ("淮安2024年第三方合法权益多少", Num("denied.third_party", HA, 2024, 6)),
    ("淮安2024年无法提供多少", Num("unavailable", HA, 2024, 781)),
    ("淮安2024年不予处理多少", Num("not_processed", HA, 2024, 88)),
    ("淮安2024年信访举报投诉类申请多少", Num("not_processed.petition", HA, 2024, 62)),
    ("淮安2024年其他处理多少", Num("other", HA, 2024, 187)),
    ("淮安2024年逾期不补正多少", Num("other.no_correction", HA, 2024, 71)),
    ("淮安2024年办结多少", Num("total", HA, 2024, 3050)),
    ("淮安2024年答复多少件", Num("total", HA, 2024, 3050)),
    ("淮安2024年结转下年度继续办理多少", Num("carried_forward", HA, 2024, 103)),
    ("淮安2024年行政复议多少", Num("review", HA, 2024, 351)),
    ("淮安2024年复议纠正多少", Num("review", HA, 2024, 64, column="corrected")),
    ("淮安2024年复议尚未审结多少", Num("review", HA, 2024, 37, column="pending")),
    ("淮安2024年行政诉讼多少件", Num("suits", HA, 2024, 46)),
    ("淮安2024年诉讼维持多少", Num("suits", HA, 2024, 25, column="upheld")),
    ("淮安2024年复议后起诉多少", Num("suit_after_review", HA, 2024, 20)),
    ("淮安2024年规章制发多少", Num("regulations", HA, 2024, 1)),
    ("淮安2024年现行有效规章多少件", Num("regulations_in_force", HA, 2024, 11)),
    ("淮安2024年行政规范性文件多少", Num("normative_docs", HA, 2024, 8)),
    ("淮安2024年行政许可决定多少", Num("licensing", HA, 2024, 447228)),
    ("淮安2024年行政处罚多少", Num("penalties", HA, 2024, 3985758)),
    ("淮安2024年行政强制多少", Num("enforcement", HA, 2024, 88283)),
    ("淮安2024年行政事业性收费多少", Num("fees", HA, 2024, 96171.6)),
    ("Huai'an 2024 withheld", Num("denied", HA, 2024, 178)),
    ("Huai'an 2024 cannot be provided", Num("unavailable", HA, 2024, 781)),
    ("Huai'an 2024 not processed", Num("not_processed", HA, 2024, 88)),
    ("Huai'an 2024 handled otherwise", Num("other", HA, 2024, 187)),
    ("Huai'an 2024 carried over from last year", Num("carried_over", HA, 2024, 34)),
    ("Huai'an 2024 reviews corrected", Num("review", HA, 2024, 64, column="corrected")),
    ("Huai'an 2024 lawsuits upheld", Num("suits", HA, 2024, 25, column="upheld")),
    ("Huai'an 2024 requests from businesses", Num("new", HA, 2024, 53, column="commercial")),
    ("Huai'an 2024 regulations", Num("regulations", HA, 2024, 1)),
    ("Huai'an 2024 enforcement", Num("enforcement", HA, 2024, 88283)),
    ("上海2019年收到多少申请", Num("new", SH, 2019, 859, file="shanghai_2019.html")),
    ("上海市政府2019年办结多少", Num("total", SH, 2019, 805)),
    ("上海2019年结转下年多少", Num("carried_forward", SH, 2019, 72)),
    ("上海2019年行政复议多少", Num("review", SH, 2019, 7)),
    ("上海2019年规章多少", Num("regulations", SH, 2019, 13)),
    ("上海2019年政府集中采购多少项", Num("procurement", SH, 2019, 6)),
    ("中村乡2020年规范性文件多少", Num("normative_docs", ZC, 2020, 5)),
    ("松木塘镇2022年规章多少", Num("regulations", SMT, 2022, 2)),

    # A blank 总计 (stored as 0) must not be read as 0.
    ("上海2019年予以公开多少", NoNumber(("MISSING_TOTAL",))),
    ("Shanghai 2019 granted in full", NoNumber(("MISSING_TOTAL",))),
    ("上海2019年自然人予以公开多少", Num("granted", SH, 2019, 258, column="natural_person")),
    # Figures the template lacks, and glued digits nobody can split.
    ("平潭2021年政府集中采购多少项", NoNumber(("2021",))),
    ("平潭2019年收费金额多少", NoNumber(("2019",))),
    ("平潭2019年政府集中采购多少项", NoNumber(("未能可靠读取",))),
    ("芜湖市民政局2024年收到多少申请", NoNumber(("未能可靠读取",))),
    ("How many requests did the Wuhu civil affairs bureau 芜湖市民政局 get in 2024?", NoNumber(("未能可靠读取",))),

    # Synthetic agencies: every metric family, agency forms, year forms.
    ("南平市教育局2022年收到多少申请", Num("new", N["edu"], 2022, req("edu", 2022, "new"))),
    ("南平教育局2021年收到多少申请", Num("new", N["edu"], 2021, req("edu", 2021, "new"))),
    ("教育局2019年收到多少申请", Num("new", N["edu"], 2019, req("edu", 2019, "new"))),
    ("南平市教育局2020年办结多少", Num("total", N["edu"], 2020, req("edu", 2020, "total"))),
    ("南平市教育局2020年其他处理多少", Num("other", N["edu"], 2020, req("edu", 2020, "other"))),
    ("南平市教育局2020年上一年项目数量行政许可", Num("licensing", N["edu"], 2020,
                                              disc("edu", 2020, "licensing", "decisions"))),
    ("南平市财政局2023年不予公开多少", Num("denied", N["fin"], 2023, grp("fin", 2023, DENIED))),
    ("南平市财政局2023年无法提供多少", Num("unavailable", N["fin"], 2023, grp("fin", 2023, UNAVAILABLE))),
    ("南平市财政局2023年不予处理多少", Num("not_processed", N["fin"], 2023, grp("fin", 2023, NOT_PROCESSED))),
    ("南平市财政局2023年其他处理多少", Num("other", N["fin"], 2023, grp("fin", 2023, OTHER_2021))),
    ("南平市财政局2023年部分公开多少", Num("partial", N["fin"], 2023, req("fin", 2023, "partial"))),
    ("南平市财政局2023年予以公开多少", Num("granted", N["fin"], 2023, req("fin", 2023, "granted"))),
    ("南平市财政局2023年上年结转多少", Num("carried_over", N["fin"], 2023, req("fin", 2023, "carried_over"))),
    ("南平市财政局2023年结转下年度多少", Num("carried_forward", N["fin"], 2023,
                                        req("fin", 2023, "carried_forward"))),
    ("南平市财政局2023年自然人申请多少", Num("new", N["fin"], 2023, req("fin", 2023, "new", "natural_person"),
                                        column="natural_person")),
    ("南平市财政局2023年行政复议多少", Num("review", N["fin"], 2023, app("fin", 2023, "review"))),
    ("南平市财政局2023年行政诉讼多少", Num("suits", N["fin"], 2023,
                                      lambda r: cell(r, "fin", 2023, "appeals", "suit_direct")
                                      + cell(r, "fin", 2023, "appeals", "suit_after_review"))),
    ("南平市财政局2023年收费多少", Num("fees", N["fin"], 2023, disc("fin", 2023, "fees", "amount_wan_yuan"))),
    ("益阳市政府2024年收到多少申请", Num("new", N["yiyang"], 2024, req("yiyang", 2024, "new"))),
    ("益阳2023年收到多少申请", Num("new", N["yiyang"], 2023, req("yiyang", 2023, "new"))),
    ("Yiyang 2022 requests", Num("new", N["yiyang"], 2022, req("yiyang", 2022, "new"))),
    ("益阳去年收到多少申请", Num("new", N["yiyang"], 2024, req("yiyang", 2024, "new"))),
    ("益阳前年办结多少", Num("total", N["yiyang"], 2023, req("yiyang", 2023, "total"))),
    ("益阳二〇二二年收到多少申请", Num("new", N["yiyang"], 2022, req("yiyang", 2022, "new"))),
    ("益阳22年收到多少申请", Num("new", N["yiyang"], 2022, req("yiyang", 2022, "new"))),
    ("益阳2023年度予以公开多少", Num("granted", N["yiyang"], 2023, req("yiyang", 2023, "granted"))),
    ("How many requests did Yiyang receive last year?", Num("new", N["yiyang"], 2024, req("yiyang", 2024, "new"))),
    ("Yiyang lawsuits in 2023", Num("suits", N["yiyang"], 2023,
                                    lambda r: cell(r, "yiyang", 2023, "appeals", "suit_direct")
                                    + cell(r, "yiyang", 2023, "appeals", "suit_after_review"))),
    ("益阳收到多少申请", Num("new", N["yiyang"], 2024, req("yiyang", 2024, "new"))),
    ("清溪镇2023年收到多少申请", Num("new", N["qingxi"], 2023, req("qingxi", 2023, "new"))),
    ("清溪2024年办结多少", Num("total", N["qingxi"], 2024, req("qingxi", 2024, "total"))),
    ("桃江县清溪镇人民政府2022年予以公开多少", Num("granted", N["qingxi"], 2022, req("qingxi", 2022, "granted"))),
    ("Qingxi town 2024 requests", Num("new", N["qingxi"], 2024, req("qingxi", 2024, "new"))),
    ("白沙街道2024年收到多少申请", Num("new", N["baisha"], 2024, req("baisha", 2024, "new"))),
    ("Baisha subdistrict 2023 requests", Num("new", N["baisha"], 2023, req("baisha", 2023, "new"))),
    ("宜宾市政府2023年收到多少申请", Num("new", N["yibin"], 2023, req("yibin", 2023, "new"))),
    ("株洲市统计局2024年收到多少申请", Num("new", N["zz_stats"], 2024, req("zz_stats", 2024, "new"))),
    ("湖州统计局2023年办结多少", Num("total", N["hz_stats"], 2023, req("hz_stats", 2023, "total"))),
    ("芜湖市民政局2024年予以公开多少", Num("granted", N["wuhu"], 2024, req("wuhu", 2024, "granted"))),
    ("韶关市司法局2024年收到多少申请", Num("new", N["shaoguan"], 2024, req("shaoguan", 2024, "new"))),
    # The re-uploaded 2022 report replaced the first one.
    ("南平市教育局2022年办结多少", Num("total", N["edu"], 2022, req("edu", 2022, "total"))),
    ("南平市教育局2022年行政复议多少", Num("review", N["edu"], 2022, app("edu", 2022, "review"))),
    ("南平市教育局2022年复议维持多少", Num("review", N["edu"], 2022, app("edu", 2022, "review", "upheld"),
                                      column="upheld")),

    # Rates and shares.
    ("淮安2024年公开率是多少", Rate("disclosure_rate", HA, 2024, 1362 + 454, 3050)),
    ("Huai'an 2024 disclosure rate", Rate("disclosure_rate", HA, 2024, 1362 + 454, 3050)),
    ("平潭2021年公开率", Rate("disclosure_rate", PT, 2021, 35, 69)),
    ("淮安2024年自然人申请占比", Rate("new", HA, 2024, 3001, 3119)),
    ("share of natural persons in Huai'an requests 2024", Rate("new", HA, 2024, 3001, 3119)),
    ("What share of Huai'an's 2024 requests came from natural persons?", Rate("new", HA, 2024, 3001, 3119)),
    ("Did Huai'an have any lawsuits in 2024?", Num("suits", HA, 2024, 46)),
    ("How many applications were partially granted by Pingtan in 2021?", Num("partial", PT, 2021, 5)),
    ("益阳2023年公开率", Rate("disclosure_rate", N["yiyang"], 2023,
                           lambda r: cell(r, "yiyang", 2023, "requests", "granted")
                           + cell(r, "yiyang", 2023, "requests", "partial"), req("yiyang", 2023, "total"))),

    ("2024年公开率最高的是哪个机关", Leader("disclosure_rate", tuple(
        (name, (lambda k: lambda r: round((cell(r, k, 2024, "requests", "granted") + cell(r, k, 2024, "requests", "partial"))
                                          / cell(r, k, 2024, "requests", "total") * 100, 1))(key))
        for key, (name, _l, years, _s) in SYNTHETIC.items() if 2024 in years) + ((HA, 59.5),))),
    ("2024年全部机关公开率", Rate("disclosure_rate", None, 2024,
                            lambda r: 1362 + 454 + synthetic_sum(2024, lambda rr, k: cell(rr, k, 2024, "requests", "granted")
                                                                 + cell(rr, k, 2024, "requests", "partial"))(r),
                            lambda r: 3050 + synthetic_sum(2024, lambda rr, k: cell(rr, k, 2024, "requests", "total"))(r))),

    # Sums over agencies.
    ("2024年申请总数", Sum("new", 2024,
                       lambda r: 3119 + synthetic_sum(2024, lambda rr, k: cell(rr, k, 2024, "requests", "new"),
                                                      skip=("wuhu",))(r),
                       reports=1 + synthetic_count(2024, skip=("wuhu",)), excluded=1)),
    ("how many requests in total in 2024", Sum("new", 2024,
                                              lambda r: 3119 + synthetic_sum(
                                                  2024, lambda rr, k: cell(rr, k, 2024, "requests", "new"),
                                                  skip=("wuhu",))(r),
                                              reports=1 + synthetic_count(2024, skip=("wuhu",)), excluded=1)),
    # The district-stats excerpt ends inside table 三: its （七）总计 is absent, so it is left out and counted.
    ("2023年全部机关办结多少", Sum("total", 2023,
                             synthetic_sum(2023, lambda rr, k: cell(rr, k, 2023, "requests", "total")),
                             reports=synthetic_count(2023), excluded=1)),
    ("2019年予以公开总数", Sum("granted", 2019,
                          lambda r: 7 + cell(r, "edu", 2019, "requests", "granted"), reports=2, excluded=1)),
    ("2023年各乡镇街道申请总数", Sum("new", 2023,
                                lambda r: cell(r, "qingxi", 2023, "requests", "new")
                                + cell(r, "baisha", 2023, "requests", "new"), reports=2)),
    ("南平市教育局和南平市财政局2024年申请合计", Sum("new", 2024,
                                             lambda r: cell(r, "edu", 2024, "requests", "new")
                                             + cell(r, "fin", 2024, "requests", "new"), reports=2)),

    # Rankings.
    ("2024年哪个部门收到的申请最多", Leader("new", ranked(2024, "department", "new", skip=("wuhu",)))),
    ("Which department received the most requests in 2024?",
     Leader("new", ranked(2024, "department", "new", skip=("wuhu",)))),
    ("2024年哪个部门收到的申请最少", Leader("new", ranked(2024, "department", "new", skip=("wuhu",)), lowest=True)),
    ("2023年哪个街道乡镇申请最多", Leader("new", ranked(2023, "town", "new"))),
    ("2024年申请量排名前3", Leader("new", ranked(2024, "department", "new", skip=("wuhu",))
                                 + ranked(2024, "town", "new") + ranked(2024, "government", "new", ((HA, 3119),))
                                 )),
    ("top 5 agencies by requests in 2024", Leader("new", ranked(2024, "department", "new", skip=("wuhu",))
                                                 + ranked(2024, "town", "new")
                                                 + ranked(2024, "government", "new", ((HA, 3119),)))),
    ("2024年哪个机关行政复议最多", Leader("review", tuple(
        (name, app(key, 2024, "review")) for key, (name, _l, years, _s) in SYNTHETIC.items() if 2024 in years)
        + ((HA, 351),))),

    # Trends, comparisons, year-over-year.
    ("南平市教育局2019到2024年收到申请", Series("new", N["edu"], {y: req("edu", y, "new") for y in range(2019, 2025)})),
    ("南平市教育局2019-2021年办结", Series("total", N["edu"], {y: req("edu", y, "total") for y in (2019, 2020, 2021)})),
    ("益阳近三年收到申请", Series("new", N["yiyang"], {y: req("yiyang", y, "new") for y in (2022, 2023, 2024)})),
    ("Yiyang requests over the last 3 years", Series("new", N["yiyang"],
                                                      {y: req("yiyang", y, "new") for y in (2022, 2023, 2024)})),
    ("Yiyang requests from 2021 to 2023", Series("new", N["yiyang"],
                                                 {y: req("yiyang", y, "new") for y in (2021, 2022, 2023)})),
    ("南平市财政局历年行政复议", Series("review", N["fin"],
                                  {2019: None, 2020: None, **{y: app("fin", y, "review") for y in range(2021, 2025)}})),
    ("益阳2021年以来收到申请", Series("new", N["yiyang"], {y: req("yiyang", y, "new") for y in range(2021, 2025)})),
    ("益阳2024年申请比去年增长多少", Series("new", N["yiyang"], {2023: req("yiyang", 2023, "new"),
                                                          2024: req("yiyang", 2024, "new")})),
    ("How did Yiyang's requests change year over year in 2024?",
     Series("new", N["yiyang"], {2023: req("yiyang", 2023, "new"), 2024: req("yiyang", 2024, "new")})),
    ("南平市教育局和南平市财政局2023年收到申请对比", Series("new", N["fin"], {2023: req("fin", 2023, "new")})),
    ("compare Pingtan and Huai'an requests in 2021", Series("new", PT, {2021: 70})),
    ("平潭和淮安2024年申请对比", Series("new", HA, {2024: 3119})),
    ("平潭2019年和2021年收到申请", Series("new", PT, {2019: 23, 2021: 70})),

    # Breakdowns.
    ("平潭2021年申请情况", Series("granted", PT, {2021: 30})),
    ("淮安2024年不予公开情况", Series("denied.query_matter", HA, {2024: 105})),
    ("Huai'an 2024 breakdown of denials", Series("denied.state_secret", HA, {2024: 2})),
    ("平潭2021年行政复议情况", Series("review", PT, {2021: 3})),

    # Findings and coverage.
    ("Which reports don't add up?", Flagged(((N["shaoguan"], 2024), (SH, 2019)), ((PT, 2021),))),
    ("2024年哪些报告勾稽关系不对", Flagged(((N["shaoguan"], 2024),), ((SH, 2019), (PT, 2021)))),
    ("who hasn't filed 2024", Missing(missing_in(2024))),
    ("还有谁没交2023年的年报", Missing(missing_in(2023))),
    ("哪些乡镇街道还没提交2024年年报", Missing(missing_in(2024, "town"))),
    ("which departments haven't filed their 2022 report", Missing(missing_in(2022, "department"))),

    # Clarifications: never a number for an ambiguous or misspelt agency.
    ("统计局2023年收到多少申请", Clarify((N["zz_stats"], N["hz_stats"]))),
    ("南平2023年收到多少申请", Clarify((N["edu"], N["fin"]))),
    ("乌阳街道2020年收到多少申请", Clarify((W,))),
    ("Pingtang 2021 lawsuits", Num("suits", PT, 2021, 12)),

    # I don't know: unknown agencies, unknown questions, years without a report.
    ("北京市朝阳区2023年收到多少申请", NoNumber(("北京市朝阳区",))),
    ("How many requests did Beijing receive in 2023?", NoNumber(("Beijing",))),
    ("益阳今年收到多少申请", NoNumber(("2025",))),
    ("平潭2023年收到多少申请", NoNumber(("2019", "2021"))),
    ("今天天气怎么样", NoNumber(("没有看懂",))),
    ("what is the weather like", NoNumber(("did not understand",))),
    ("帮助", NoNumber(("乌杨街道",))),
    ("help", NoNumber(("Pingtan",))),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('answers')}/store.db"
        return
    base = postgres_url()
    if not base:
        import os
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("TEST_POSTGRES_URL is not set: PostgreSQL tests cannot be skipped in CI")
        pytest.skip("TEST_POSTGRES_URL not set")
    url = own_postgres_database(base)
    yield url
    drop_postgres_database(base, url)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def store(store_url):
    db = Database(store_url)
    await db.upgrade()
    reports = await fill(db)
    yield db, reports
    await db.dispose()


async def test_table_is_large_enough():
    assert len(CASES) >= 150
    assert len({q for q, _ in CASES}) == len(CASES), "duplicate questions"


@pytest.mark.parametrize("question,expect", CASES, ids=[q for q, _ in CASES])
async def test_answer(store, question, expect):
    db, reports = store
    a = await answer(db, question, today=TODAY)
    expect.verify(a, reports)
    assert a.lang == ("zh" if any("\u4e00" <= ch <= "\u9fff" for ch in question) else "en")


async def test_forced_language(store):
    db, _ = store
    a = await answer(db, "平潭2021年收到多少申请", today=TODAY, lang="en")
    assert a.lang == "en" and "70" in a.text and "new requests" in a.text


async def test_clarification_button_answers_the_chosen_agency(store):
    db, reports = store
    a = await answer(db, "统计局2023年收到多少申请", today=TODAY)
    choice = next(c for c in a.clarification if c.label == N["hz_stats"])
    b = await answer_choice(db, choice.payload, today=TODAY)
    Num("new", N["hz_stats"], 2023, req("hz_stats", 2023, "new")).verify(b, reports)


async def test_typo_suggestion_button(store):
    db, _ = store
    a = await answer(db, "乌阳街道2020年收到多少申请", today=TODAY)
    b = await answer_choice(db, a.clarification[0].payload, today=TODAY)
    Num("new", W, 2020, 0).verify(b, {})


async def test_expired_payload(store):
    db, _ = store
    a = await answer_choice(db, "garbage", today=TODAY)
    _no_numbers(a)
    assert "失效" in a.text


async def test_ranking_carries_chart_and_csv(store):
    db, reports = store
    a = await answer(db, "2024年申请量排名前3", today=TODAY)
    assert a.chart_png is not None and a.chart_png.startswith(b"\x89PNG")
    lines = a.csv.decode("utf-8-sig").strip().splitlines()
    every = ranked(2024, "department", "new", skip=("wuhu",)) + ranked(2024, "town", "new") \
        + ranked(2024, "government", "new", ((HA, 3119),))
    assert len(lines) == 1 + len(every)
    best = max(_value(v, reports) for _, v in every)
    assert lines[1].split(",")[2] == shown(best)


async def test_trend_carries_chart_and_csv(store):
    db, reports = store
    a = await answer(db, "南平市教育局2019到2024年收到申请", today=TODAY)
    assert a.chart_png.startswith(b"\x89PNG")
    rows = a.csv.decode("utf-8-sig").strip().splitlines()[1:]
    assert [r.split(",")[2] for r in rows] == [shown(req("edu", y, "new")(reports)) for y in range(2019, 2025)]


async def test_store_change_is_seen(store, tmp_path):
    """The agency cache follows the store: a new report's agency is known at once."""
    import random

    from reports.synthetic import generate
    from services.ingest import store_report

    db, _ = store
    before = await answer(db, "绵阳市生态环境局2024年收到多少申请", today=TODAY)
    _no_numbers(before)
    rep = generate(random.Random(7), year=2024, agency="绵阳市生态环境局", level="department", scale=20)
    await store_report(db, rep, b"mianyang-2024")
    after = await answer(db, "绵阳市生态环境局2024年收到多少申请", today=TODAY)
    assert after.figures[0].value == rep.requests["new"]["total"].number


async def test_a_plausible_split_is_flagged_not_passed_off(store):
    """Glued table-二 digits read by plausibility (INFERRED_SPLIT) come with the warning and the other readings."""
    db, _ = store
    a = await answer(db, "平潭2021年规范性文件制发多少件", today=TODAY)
    assert "INFERRED_SPLIT" in a.text and "693665" in a.text
    b = await answer(db, "Pingtan 2021 normative documents", today=TODAY, lang="en")
    assert "Caution" in b.text and "INFERRED_SPLIT" in b.text
