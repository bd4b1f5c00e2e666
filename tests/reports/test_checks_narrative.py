"""NARRATIVE_MISMATCH and NARRATIVE_POINTS on the real samples' prose against their hand-checked tables."""

from __future__ import annotations

import html
import re

import pytest

from reports.checks import check
from reports.checks.narrative import cn_number, normalise, statements
from reports.document import Source
from reports.model import Cell, Report, Severity
from tests.conftest import sample_bytes

REQ_COLS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total"]
APP_COLS = ["upheld", "corrected", "other", "pending", "total"]


def report(template: str, sections: dict[str, str], requests: dict[str, list], appeals: dict[str, list] | None = None,
           **kw) -> Report:
    """A report with only the given figures known (everything else absent, hence never compared)."""
    req = {row: {c: (Cell.blank() if v is None else Cell.of(v)) for c, v in zip(REQ_COLS, vals) if v != "-"}
           for row, vals in requests.items()}
    app = {row: {c: Cell.of(v) for c, v in zip(APP_COLS, vals)} for row, vals in (appeals or {}).items()}
    return Report(source=Source("t.txt", "0", "text"), template=template, sections=sections, requests=req,
                  appeals=app, tables_found={"disclosure", "requests", "appeals"}, **kw)


def narrative(findings):
    return [f for f in findings if f.code.startswith("NARRATIVE")]


def total_only(**rows: int) -> dict[str, list]:
    return {row: ["-"] * 6 + [n] for row, n in rows.items()}


def _shanghai_sections() -> dict[str, str]:
    t = sample_bytes("shanghai_2019.html").decode("utf-8")
    t = html.unescape(re.sub(r"<[^>]+>", "\n", re.sub(r"<(script|style)[^>]*>.*?</\1>", "", t, flags=re.S)))
    i, j = t.index("一、总体情况"), t.index("二、主动公开政府信息情况")
    k, m = t.index("五、政府信息公开工作存在"), t.index("六、其他需要报告的事项")
    return {"overview": t[i + 6:j], "disclosure": "", "requests": "", "appeals": "", "problems": t[k:m], "other": "无。"}


def shanghai() -> Report:
    z = None
    req = {
        "new": [821, 35, z, z, 2, 1, 859], "carried_over": [18, z, z, z, z, z, 18],
        "granted": [258, 12, z, z, 1, 1, z], "partial": [3, z, z, z, z, z, z],
        "denied.state_secret": [14, z, z, z, z, z, z], "denied.law_forbidden": [z] * 7,
        "denied.security_stability": [z] * 7, "denied.third_party": [z] * 7,
        "denied.internal_affairs": [5, z, z, z, z, z, z], "denied.process_info": [3, 1, z, z, z, z, z],
        "denied.enforcement_file": [z] * 7, "denied.query_matter": [10, 2, z, z, z, z, z],
        "unavailable.not_held": [252, 12, z, z, 1, z, z], "unavailable.needs_creation": [44, 3, z, z, z, z, z],
        "unavailable.unclear": [25, z, z, z, z, z, z], "not_processed.petition": [148, 1, z, z, z, z, z],
        "not_processed.duplicate": [5, 4, z, z, z, z, z], "not_processed.publication": [z] * 7,
        "not_processed.mass_repeat": [z] * 7, "not_processed.confirm": [z] * 7, "other": [z] * 7,
        "total": [767, 35, z, z, 2, 1, 805], "carried_forward": [72, z, z, z, z, z, 72],
    }
    app = {"review": [5, 0, 0, 2, 7], "suit_direct": [8, 0, 0, 1, 9], "suit_after_review": [0] * 5}
    return report("2019", _shanghai_sections(), req, app, agency="上海市人民政府办公厅", level="government", year=2019)


def test_shanghai_three_mismatches_and_missing_totals():
    f = check(shanghai())
    assert {x.code for x in f if x.severity is Severity.ERROR} == {"MISSING_TOTAL"}
    assert "ROW_TOTAL" not in {x.code for x in f}
    n = narrative(f)
    assert len(n) == 3, [x.message for x in n]
    by_metric = {x.data["metric"]: x for x in n}
    assert by_metric["granted_partial"].data["stated"] == 258 and by_metric["granted_partial"].data["table"] == [275]
    assert by_metric["unavailable"].data["stated"] == 265 and by_metric["unavailable"].data["table"] == [337]
    upheld = by_metric["all_upheld"]
    assert "均获维持" in upheld.message and "尚未审结2件" in upheld.message and "尚未审结1件" in upheld.message
    assert all(x.where == "一、总体情况 · 正文" for x in n)


def test_wuyang_announces_four_points_but_lists_three():
    text = sample_bytes("wuyang_2020.txt").decode("utf-8")
    problems = text[text.index("五、存在的主要问题及改进情况"):text.index("六、其他需要报告的事项")]
    r = report("2019", {"problems": problems}, {})
    [f] = narrative(check(r))
    assert f.code == "NARRATIVE_POINTS" and f.severity is Severity.WARNING
    assert f.data == {"announced": 4, "listed": 3, "section": "problems"}
    assert "以下四个方面" in f.message and f.where == "五、存在的主要问题及改进情况 · 正文"


def _text(name: str) -> str:
    return sample_bytes(name).decode("utf-8")


def test_pingtan_2021_narrative_agrees():
    req = {"new": [64, 0, 0, 2, 0, 4, 70], "carried_over": [0] * 7, "total": [63, 0, 0, 2, 0, 4, 69],
           "carried_forward": [1, 0, 0, 0, 0, 0, 1]}
    r = report("2021", {"overview": _text("pingtan_2021.txt")}, req)
    assert narrative(check(r)) == []
    assert {s.metric for s in statements(normalise(_text("pingtan_2021.txt")), "overview")} == {
        "received", "handled", "carried_forward"}
    req["total"][6] = 68
    [f] = narrative(check(report("2021", {"overview": _text("pingtan_2021.txt")}, req)))
    assert f.data["metric"] == "handled" and f.data["stated"] == 69 and "办结69件" in f.message


def test_huaian_narrative_agrees_figure_by_figure():
    req = total_only(new=3119, carried_over=34, total=3050, carried_forward=103)
    app = {"review": [72, 64, 178, 37, 351], "suit_direct": [13, 4, 8, 1, 26], "suit_after_review": [12, 1, 1, 6, 20]}
    text = _text("huaian_2024_pdftext.txt")
    assert narrative(check(report("2021", {"overview": text}, req, app))) == []
    found = {s.metric: s.stated for s in statements(normalise(text), "overview")}
    assert found["suit.upheld"] == 25 and found["review.pending"] == 37 and found["carried_forward"] == 103
    app["suit_direct"] = [12, 4, 8, 2, 26]
    f = narrative(check(report("2021", {"overview": text}, req, app)))
    assert {x.data["metric"]: x.data["table"] for x in f} == {"suit.upheld": [24], "suit.pending": [8]}


@pytest.mark.parametrize("sentence,stated_ok", [
    ("全年共收到政府信息公开申请12件，办结12件。", True),        # 新收 + 上年结转 = 10 + 2
    ("全年共收到政府信息公开申请10件，办结12件。", True),        # 新收 only
    ("全年共收到政府信息公开申请11件，办结12件。", False),
    ("全年共受理政府信息公开申请十二件，办结十二件。", True),
    ("政府信息公开申请数量较上年增加3件，办结12件。", True),   # a comparison, not a count
    ("政务服务中心全年受理办件12000件。", True),              # not about disclosure requests
    ("依申请公开工作规范有序。12345热线全年受理群众诉求1200件。", True),
    ("认真答复每一件政府信息公开申请，办结12件。", True),        # "每一件" is not a count
    ("与申请人一起核实政府信息公开申请内容，办结12件。", True),   # "一起" is "together"
    ("全年共收到政府信息公开申请2起，办结12件。", False),
    ("2020年收到政府信息公开申请7件，2021年收到政府信息公开申请10件。", True),   # another year's figure
    ("去年收到政府信息公开申请7件，今年收到政府信息公开申请10件。", True),
    ("2021年收到政府信息公开申请7件。", False),
])
def test_received_may_include_carried_over(sentence, stated_ok):
    req = total_only(new=10, carried_over=2, total=12, carried_forward=0)
    found = narrative(check(report("2021", {"overview": sentence}, req, year=2021)))
    assert (found == []) is stated_ok, [f.message for f in found]


def test_no_appeals_claim_against_table():
    app = {"review": [1, 0, 0, 1, 2], "suit_direct": [0] * 5, "suit_after_review": [0] * 5}
    text = "本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"
    [f] = narrative(check(report("2021", {"overview": text}, {}, app)))
    assert f.data["metric"] == "review" and f.data["table"] == [2]
    app["review"] = [0] * 5
    assert narrative(check(report("2021", {"overview": text}, {}, app))) == []


def test_no_requests_claim_against_table():
    text = "本年度未收到政府信息公开申请。"
    assert narrative(check(report("2021", {"overview": text}, total_only(new=0, carried_over=1)))) == []
    [f] = narrative(check(report("2021", {"overview": text}, total_only(new=3))))
    assert f.row == "new" and f.data["table"] == [3]


@pytest.mark.parametrize("text,finding", [
    ("存在以下三个方面的问题：一是培训不足；二是解读不够；三是平台陈旧。", None),
    ("主要有两点不足：（一）培训不足。（二）解读不够。（三）平台陈旧。", (2, 3)),
    ("存在以下三个问题：1.培训不足；2.解读不够。下一步，一是加强培训，二是丰富解读，三是升级平台，四是强化考核。", (3, 2)),
    ("围绕三个方面开展工作，取得了明显成效。（一）主动公开情况。", None),   # announced but no list follows
    ("存在以下两个问题：一是标准统一是难点，尚未解决；二是解读不足。", None),  # "统一是" is not a point
    ("（一）存在的主要问题\n主要有以下两个方面：\n一是培训不足；\n二是解读不够。", None),
])
def test_announced_points(text, finding):
    found = narrative(check(report("2021", {"problems": text}, {})))
    if finding is None:
        assert found == []
    else:
        [f] = found
        assert (f.data["announced"], f.data["listed"]) == finding


@pytest.mark.parametrize("s,n", [("12", 12), ("十二", 12), ("二十", 20), ("两", 2), ("一百零五", 105), ("三千", 3000),
                                 ("零", 0)])
def test_cn_number(s, n):
    assert cn_number(s) == n


def test_normalise_joins_pdf_lines_but_not_numbers():
    assert normalise("答复 3050 件（含上\n年度结转申请 34 件\n  -2-\n另有") == "答复3050件（含上年度结转申请34件另有"
    assert normalise("5 2 7") == "5 2 7"


@pytest.mark.parametrize("text,counts", [
    ("收到申请12件，办结十二件", ["12", "十二"]),
    ("费用1.5件", []),
    ("第3件", []),
    ("行政复议2起，一起研究", ["2"]),
    ("共120余件", []),
    ("受理1200件和3宗", ["1200", "3"]),
])
def test_counts(text, counts):
    from reports.checks.narrative import _counts

    assert [c.text for c in _counts(text)] == counts
