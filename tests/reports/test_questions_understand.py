"""Reading questions into queries: years, agency mentions, metrics, intents (pure, no store)."""

from __future__ import annotations

from datetime import date

import pytest

from reports.questions.agencies import AgencyIndex, KnownAgency, short_forms, split_places
from reports.questions.metrics import DERIVED, METRICS, phrases
from reports.questions.query import AgencyRef, Query
from reports.questions.understand import understand
from reports.questions.years import parse_years
from reports.templates import TEMPLATES

TODAY = date(2025, 6, 1)
AGENCIES = [
    KnownAgency(1, "重庆市秀山土家族苗族自治县乌杨街道办事处", "town"),
    KnownAgency(2, "平潭综合实验区", "government"),
    KnownAgency(3, "淮安市人民政府", "government"),
    KnownAgency(4, "上海市人民政府", "government", aliases=("上海市人民政府办公厅",)),
    KnownAgency(5, "桃江县松木塘镇人民政府", "town"),
    KnownAgency(6, "淮安市统计局", "department"),
    KnownAgency(7, "南京市鼓楼区统计局", "department"),
    KnownAgency(8, "南平市教育局", "department"),
    KnownAgency(9, "南平市财政局", "department"),
    KnownAgency(10, "沛县人民政府", "government"),
]
INDEX = AgencyIndex(AGENCIES)
YEARS = [2019, 2020, 2021, 2022, 2023, 2024]


def ask(question: str, **kw) -> Query:
    return understand(question, agencies=INDEX, years_available=YEARS, today=TODAY, **kw)


# ---- years -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,years,source", [
    ("乌杨街道2020年收到多少", [2020], "explicit"),
    ("2020", [2020], "explicit"),
    ("二〇二〇年", [2020], "explicit"),
    ("21年", [2021], "explicit"),
    ("2019年和2021年", [2019, 2021], "explicit"),
    ("2019到2021", [2019, 2020, 2021], "range"),
    ("2019-2021年", [2019, 2020, 2021], "range"),
    ("2019至2021年度", [2019, 2020, 2021], "range"),
    ("from 2019 to 2021", [2019, 2020, 2021], "range"),
    ("between 2020 and 2022", [2020, 2021, 2022], "range"),
    ("2021年以来", [2021, 2022, 2023, 2024], "range"),
    ("since 2022", [2022, 2023, 2024], "range"),
    ("去年", [2024], "relative"),
    ("前年", [2023], "relative"),
    ("大前年", [2022], "relative"),
    ("今年", [2025], "relative"),
    ("last year", [2024], "relative"),
    ("近三年", [2022, 2023, 2024], "recent"),
    ("最近3年", [2022, 2023, 2024], "recent"),
    ("近两年", [2023, 2024], "recent"),
    ("last 3 years", [2022, 2023, 2024], "recent"),
    ("past five years", [2020, 2021, 2022, 2023, 2024], "recent"),
    ("历年", YEARS, "all"),
    ("over the years", YEARS, "all"),
    ("上年结转多少", [], "none"),
    ("收到多少申请", [], "none"),
])
def test_years(text, years, source):
    spec = parse_years(text, today=TODAY, available=YEARS)
    assert spec.years == years
    assert spec.source == source


def test_recent_years_stop_at_the_latest_stored_year():
    spec = parse_years("近三年", today=date(2026, 11, 27), available=[2019, 2021, 2024])
    assert spec.years == [2022, 2023, 2024]


# ---- agency names ------------------------------------------------------------------------------

@pytest.mark.parametrize("name,places,body", [
    ("重庆市秀山土家族苗族自治县乌杨街道办事处", ["重庆", "秀山", "乌杨"], ""),
    ("平潭综合实验区", ["平潭"], ""),
    ("淮安市人民政府", ["淮安"], "人民政府"),
    ("湖州市统计局", ["湖州"], "统计局"),
    ("南京市鼓楼区城市管理局", ["南京", "鼓楼"], "城市管理局"),
    ("某县市场监督管理局", ["某"], "市场监督管理局"),
    ("沛县人民政府", ["沛"], "人民政府"),
    ("国家统计局", [], "国家统计局"),
])
def test_split_places(name, places, body):
    got, rest = split_places(name)
    assert [p.core for p in got] == places
    assert rest == body


def test_short_forms_name_the_place_not_the_suffix():
    strong, weak = short_forms("重庆市秀山土家族苗族自治县乌杨街道办事处")
    assert {"乌杨街道", "乌杨", "秀山县乌杨街道", "乌杨街道办事处"} <= strong
    assert "街道办事处" not in strong and not weak
    strong, weak = short_forms("淮安市统计局")
    assert {"淮安市统计局", "淮安统计局"} <= strong
    assert "淮安" not in strong and weak == {"统计局"}


@pytest.mark.parametrize("question,ids", [
    ("乌杨街道2020年", [1]),
    ("秀山县乌杨街道", [1]),
    ("平潭", [2]),
    ("淮安市政府", [3]),
    ("淮安", [3]),
    ("淮安市统计局", [6]),
    ("上海市人民政府办公厅", [4]),
    ("松木塘镇", [5]),
    ("沛县", [10]),
])
def test_exact_mentions(question, ids):
    found = INDEX.find_exact(question)
    assert [a.id for m in found for a in m.agencies] == ids


@pytest.mark.parametrize("words,ids", [
    (["wuyang"], [1]),
    (["pingtan"], [2]),
    (["huai'an"], [3]),
    (["huai", "an"], [3]),
    (["songmutang", "town"], [5]),
])
def test_pinyin_mentions(words, ids):
    found, _ = INDEX.find_latin(words)
    assert [a.id for m in found for a in m.agencies] == ids


def test_fuzzy_ranks_the_distinctive_part():
    close = INDEX.fuzzy("乌阳街道", limit=3, cutoff=40)
    assert close and close[0][0].id == 1
    assert [a.id for a, _ in INDEX.fuzzy_latin("pingtang")] == [2]


# ---- metrics -------------------------------------------------------------------------------------

def test_every_result_row_has_a_metric():
    covered = {r for m in METRICS.values() for r in m.rows}
    for template in TEMPLATES.values():
        for row in template.table("requests").rows:
            assert row.id in covered or row.id == "other.other", row.id
        for row in template.table("appeals").rows:
            assert row.id in covered


def test_metric_rows_and_columns_exist_in_their_templates():
    for m in METRICS.values():
        for template, column in m.columns:
            spec = TEMPLATES[template].table(m.table)
            assert m.rows_for(template), (m.id, template)
            for r in m.rows_for(template):
                assert column in spec.columns_of(spec.row(r)) or column in [c.id for c in spec.columns], (m.id, r)
    for d in DERIVED.values():
        assert all(x in METRICS for x in (*d.numerator, d.denominator))


def test_a_phrase_means_one_metric():
    seen: dict[tuple[str, str], str] = {}
    for p in phrases():
        key = (p.kind, p.text.lower())
        assert seen.setdefault(key, p.target) == p.target, key


# ---- whole questions ----------------------------------------------------------------------------

@pytest.mark.parametrize("question,intent,metrics,ids,years", [
    ("乌杨街道2020年收到多少政府信息公开申请？", "figure", ["new"], [1], [2020]),
    ("how many requests did Pingtan get in 2021", "figure", ["new"], [2], [2021]),
    ("2023年哪个部门收到的申请最多", "ranking", ["new"], [], [2023]),
    ("平潭近三年行政复议情况", "trend", ["review"], [2], [2022, 2023, 2024]),
    ("哪些报告勾稽关系不对", "findings", [], [], []),
    ("还有谁没交2024年的年报", "coverage", [], [], [2024]),
    ("who hasn't filed 2024", "coverage", ["new"], [], [2024]),
    ("淮安2024年公开率", "share", ["disclosure_rate"], [3], [2024]),
    ("2024年公开率最高的是哪个机关", "ranking", ["disclosure_rate"], [], [2024]),
    ("淮安2024年自然人申请占比", "share", ["new"], [3], [2024]),
    ("平潭2021年比去年申请增长多少", "compare", ["new"], [2], [2020, 2021]),
    ("平潭和淮安2024年申请对比", "compare", ["new"], [2, 3], [2024]),
    ("2024年申请总数", "sum", ["new"], [], [2024]),
    ("平潭2021年申请情况", "breakdown", [], [2], [2021]),
    ("淮安收到多少申请", "figure", ["new"], [3], [2024]),
    ("Pingtan 2021 pending reviews", "figure", ["review"], [2], [2021]),
    ("Pingtan requests over the years", "trend", ["new"], [2], YEARS),
    ("帮助", "help", [], [], []),
    ("今天天气怎么样", "unknown", [], [], []),
])
def test_understand(question, intent, metrics, ids, years):
    q = ask(question)
    assert q.intent == intent
    assert q.metrics == metrics
    assert [a.id for a in q.agencies] == ids
    assert q.years == years
    assert q.lang == ("zh" if any("\u4e00" <= c <= "\u9fff" for c in question) else "en")


def test_columns_filters_and_order():
    assert ask("淮安2024年自然人申请多少").column == "natural_person"
    assert ask("淮安2024年复议纠正多少").column == "corrected"
    assert ask("Pingtan 2021 pending reviews").column == "pending"
    q = ask("2023年哪个街道收到的申请最少")
    assert (q.level, q.order, q.top) == ("town", "asc", 1)
    q = ask("2024年申请量排名前5")
    assert (q.intent, q.top) == ("ranking", 5)
    q = ask("淮安市哪个部门申请最多")
    assert (q.intent, q.region, q.level, q.agencies) == ("ranking", "淮安市", "department", [])
    assert ask("乌杨街道2020年收到多少政府信息公开申请").level is None


def test_findings_codes():
    assert "BALANCE" in ask("哪些报告勾稽关系不对").finding_codes
    assert ask("哪些报告逾期发布").finding_codes == ["LATE"]
    assert ask("淮安2024年逾期不补正多少").intent == "figure"


def test_year_defaults():
    q = ask("淮安收到多少申请")
    assert (q.years, q.year_source) == ([2024], "default")
    q = ask("还有谁没交年报")
    assert (q.years, q.year_source) == ([2024], "default")


def test_ambiguous_unknown_and_typo():
    q = ask("统计局2023年收到多少申请")
    assert set(a.id for a in q.ambiguous["统计局"]) == {6, 7}
    q = ask("南平2023年收到多少申请")
    assert set(a.id for a in q.ambiguous["南平"]) == {8, 9}
    q = ask("乌阳街道2020年收到多少申请")
    assert q.unresolved == ["乌阳街道"] and q.suggestions["乌阳街道"][0].id == 1 and not q.agencies
    q = ask("北京市朝阳区2023年收到多少申请")
    assert q.unresolved == ["北京市朝阳区"]
    q = ask("How many requests did Beijing receive in 2023?")
    assert q.unresolved == ["Beijing"]
    q = ask("Pingtang 2021 lawsuits")
    assert [a.id for a in q.agencies] == [2] and q.guessed == {"Pingtang": "平潭综合实验区"}


def test_generic_words_are_not_agencies():
    for question in ("2023年各乡镇街道申请总数", "哪些部门没交2024年年报", "2024年哪个县区政府申请最多"):
        q = ask(question)
        assert not q.unresolved and not q.ambiguous, (question, q)


def test_forced_language():
    assert ask("平潭2021年收到多少申请", lang="en").lang == "en"


def test_payload_round_trip_fits_a_button():
    q = Query(intent="trend", metrics=["review"], column="upheld", agencies=[AgencyRef(123456, "x")],
              years=[2019, 2020, 2021, 2022], level="town", top=5, order="asc", lang="en")
    payload = q.to_payload()
    assert len(payload.encode()) <= 64
    back = Query.from_payload(payload)
    assert (back.intent, back.metrics, back.column, [a.id for a in back.agencies], back.years, back.level, back.top,
            back.order, back.lang) == ("trend", ["review"], "upheld", [123456], [2019, 2020, 2021, 2022], "town", 5,
                                       "asc", "en")
    with pytest.raises(ValueError):
        Query.from_payload("not a payload")
    too_big = Query(intent="compare", metrics=list(METRICS)[:12], agencies=[AgencyRef(i, "") for i in range(9)],
                    years=[2019, 2021, 2024])
    with pytest.raises(ValueError):
        too_big.to_payload()


def test_row_ids_are_unique_across_tables():
    """storage.queries aggregates by row id without the table id: that needs each row id in one table only."""
    seen: dict[str, str] = {}
    for template in TEMPLATES.values():
        for table in template.tables:
            for row in table.rows:
                assert seen.setdefault(row.id, table.id) == table.id, row.id
