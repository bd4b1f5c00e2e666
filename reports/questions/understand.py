"""Question text → ``Query``. Deterministic rules over the metric catalogue, the year forms and the
known agencies; no network, no language model.

The order matters: years and agency names are found first and masked, then metric phrases (longest
first), then intent words. Whatever Chinese is left that looks like a body's name but matched no
agency is reported as unknown (with the closest names), never silently dropped: an answer about the
wrong agency is worse than none.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Sequence

from .agencies import AgencyIndex, KnownAgency, Match, looks_like_agency, normalise_latin, split_places
from .metrics import DERIVED, METRICS, Phrase, phrases
from .query import AgencyRef, Query
from .years import parse_years

_CJK = re.compile(r"[\u3400-\u9fff]")
MAX_CANDIDATES = 8          # agencies offered as buttons for one ambiguous mention
_PHRASES: tuple[Phrase, ...] = phrases()
_GENERIC_NEW = {"申请", "依申请", "申请量", "申请数", "申请件数", "requests", "request", "applications",
                "application"}

# ---- intent words -------------------------------------------------------------------------

_HELP = re.compile(r"^\s*(?:/?help|/?start|帮助|使用说明|怎么用|如何使用|你能做什么|你会什么|能问什么|what can you do|"
                   r"how do i use|usage)\s*[?？!！。.]*\s*$", re.I)
_COVERAGE = re.compile(r"没交|未交|没有交|没报|未报|没有报|未提交|没提交|没有提交|未发布|没发布|没有发布|没上传|未上传|"
                       r"缺交|漏报|漏交|尚未提交|还没交|还没有|没有年报|缺少.*年报|"
                       r"hasn'?t (?:yet )?(?:filed|submitted|published|sent|reported)|"
                       r"haven'?t (?:yet )?(?:filed|submitted|published|sent|reported)|"
                       r"(?:did not|didn'?t|not yet|yet to) (?:file|submit|publish|report)|not (?:yet )?(?:filed|submitted)|"
                       r"missing (?:reports?|annual reports?)|who is missing|still missing|outstanding reports?", re.I)
_FINDINGS = re.compile(r"勾稽|对不上|不平衡|不平|有误|错误|出错|不对|不一致|不符|有问题|问题报告|异常|逾期|迟报|迟交|"
                       r"超期|晚交|晚报|旧模板|旧格式|格式过时|检查结果|\bdon'?t add up|do not add up|doesn'?t add up|"
                       r"inconsisten|\berrors?\b|mistakes?|\bwrong\b|findings?|flagged|\bproblems?\b|\bissues?\b|"
                       r"\blate\b|overdue|outdated|does not balance|don'?t balance|not balance", re.I)
_ARITH = re.compile(r"勾稽|对不上|不平|加起来|合计|总计|算错|add up|balance|arithmetic|totals?|sum", re.I)
_LATE = re.compile(r"逾期|迟报|迟交|超期|晚交|晚报|\blate\b|overdue", re.I)
_FORMAT = re.compile(r"旧模板|旧格式|格式过时|模板不对|格式不对|outdated|old template|old format", re.I)
_RANKING = re.compile(r"哪个|哪家|哪一个|哪些|哪几个|谁|排名|排行|排序|前\s*\d+\s*名?|前[一二三四五六七八九十]+(?:名|个|位)|"
                      r"最多|最少|最高|最低|最大|最小|\bwhich\b|\bwho\b|\bmost\b|\bleast\b|\bfewest\b|\bhighest\b|"
                      r"\blowest\b|\btop\b|\brank|\bbiggest\b|\blargest\b|\bsmallest\b|\bbottom\b", re.I)
_ASC = re.compile(r"最少|最低|最小|倒数|least|fewest|lowest|smallest|bottom", re.I)
_TREND = re.compile(r"趋势|走势|历年|逐年|每年|各年|变化情况|trend|over the years|each year|per year|year by year|"
                    r"over time", re.I)
_YOY = re.compile(r"同比|比去年|比上一?年|较上一?年|较去年|增长|增加了|减少了|增减|增幅|降幅|变化|上升|下降|"
                  r"year[- ]over[- ]year|year[- ]on[- ]year|\byoy\b|growth|increase|decrease|change from|"
                  r"changed?\b|compared (?:with|to) (?:the )?(?:previous|last) year", re.I)
_COMPARE = re.compile(r"对比|比较|相比|比一比|\bvs\.?\b|versus|compare|comparison|against", re.I)
_BREAKDOWN = re.compile(r"情况|构成|分布|明细|详细|细分|分类|各类|各项|办理结果|处理结果|breakdown|break down|details?|"
                        r"overview|summary|outcomes|how were|situation|what happened", re.I)
_SUM = re.compile(r"总共|一共|合计|共计|全部|所有|总数|加起来|累计|全市|全区|全县|全省|\bin total\b|\btotal\b|altogether|"
                  r"combined|overall|all agencies|\bsum\b|\ball\b|\bevery\b", re.I)
_SHARE = re.compile(r"占比|比例|比重|百分之|百分比|占多少|share|percentage|proportion|percent|ratio|fraction", re.I)
_GROUP_WORDS = re.compile(r"哪个|哪些|哪家|各|所有|全部|谁|which|who|all|every|each", re.I)
_TOP = re.compile(r"前\s*(\d+|[一二两三四五六七八九十]+)\s*(?:名|个|位|家)?|top\s*(\d+|one|two|three|four|five|six|seven|"
                  r"eight|nine|ten)\b|最多的\s*(\d+)\s*个", re.I)

_LEVELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("town", re.compile(r"街道|乡镇|镇|乡|街办|towns?\b|townships?|subdistricts?|sub-districts?|streets?\b", re.I)),
    ("department", re.compile(r"部门|委办局|委局|局|departments?|bureaus?", re.I)),
    ("government", re.compile(r"政府|县区|区县|各区|各县|市县|governments?|count(?:y|ies)|districts?|cities", re.I)),
)

# Words that are neither an agency nor anything else we read: removed before looking for unknown names.
_FILLER_ZH = re.compile(
    r"请问|请|帮我|帮忙|查询|查一下|查查|查|看看|看一下|告诉我|我想知道|想知道|一下|多少|几个|几件|几|数量|数目|总数|"
    r"政府信息公开工作年度报告|政府信息公开年度报告|政府信息公开年报|政府信息公开申请|政府信息公开|信息公开|年度报告|年报|报告|"
    r"申请|情况|哪个|哪些|哪家|哪一个|谁|各|所有|全部|最多|最少|最高|最低|排名|排行|"
    r"前\d+名?|收到的|收到|是|的|了|吗|呢|呀|啊|和|与|及|跟|比|在|有|共|总共|一共|合计|共计|对比|比较|相比|变化|趋势|"
    r"同比|去年|今年|前年|近|年度|年|件|个|条|项|名|还|没|交|未|提交|谁还|哪|些|得|为|按|从|到|至|以来|每|历|"
    r"公开率|占比|比例|多|少|怎么样|如何|怎样|什么")
# A level word on its own ("哪个街道") names a kind of body, not one body.
_GENERIC_BODIES = {"街道", "乡镇", "镇", "乡", "县区", "区县", "政府", "部门", "单位", "机关", "委办局", "局", "街办",
                   "县", "区", "市", "省", "人民政府", "办事处", "各区", "各县", "市县", "县市"}
_STOP_EN = set("""
a an the of in on at for to from by with and or vs versus how many much what which who whom whose is are was were be been
did does do has have had get got receive received handle handled year years total in overall all every each per
please tell me show give list number count figure figures report reports annual agency agencies department departments
government governments town towns county district city than compare compared comparison between last this previous
past recent over trend change changes growth rate share percentage proportion top most least fewest highest lowest
yet not hasn't haven't didn't filed file submit submitted missing still outstanding there their its it so far
breakdown details detail overview summary outcomes outcome situation about regarding information disclosure open
government's request requests application applications new any some that those these was were been being my our
""".split())


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def _normalise(text: str) -> str:
    # Full-width digits and letters (２０２０, ｔｏｐ) become ASCII; keep Chinese punctuation meaningful.
    return unicodedata.normalize("NFKC", text).strip()


def _small_int(token: str) -> int | None:
    cn = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
    en = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
    if token.isdigit():
        return int(token)
    if token.lower() in en:
        return en[token.lower()]
    if token in cn:
        return cn[token]
    if len(token) == 2 and token[0] == "十" and token[1] in cn:
        return 10 + cn[token[1]]
    if len(token) == 2 and token[1] == "十" and token[0] in cn:
        return cn[token[0]] * 10
    return None


def _find_phrases(text: str, masked: list[bool]) -> list[tuple[Phrase, tuple[int, int]]]:
    """Metric / applicant / outcome phrases, longest first, never overlapping each other or masked spans."""
    low = text.lower()
    out: list[tuple[Phrase, tuple[int, int]]] = []
    taken = list(masked)
    for p in _PHRASES:
        needle = p.text.lower()
        start = 0
        while True:
            i = low.find(needle, start)
            if i < 0:
                break
            j = i + len(needle)
            start = i + 1
            if p.lang == "en":
                # Whole words only: "request" inside "requests" is fine, "fee" inside "feel" is not.
                if (i > 0 and low[i - 1].isalnum()) or (j < len(low) and low[j].isalnum() and low[j] != "s"):
                    continue
                if j < len(low) and low[j] == "s":
                    j += 1
            if any(taken[i:j]):
                continue
            for k in range(i, j):
                taken[k] = True
            out.append((p, (i, j)))
    return sorted(out, key=lambda t: t[1])


def _mask(n: int, spans: Sequence[tuple[int, int]]) -> list[bool]:
    m = [False] * n
    for s, e in spans:
        for k in range(max(0, s), min(n, e)):
            m[k] = True
    return m


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[A-Za-z][A-Za-z'’\-]*", text)]


def _resolve_agencies(text: str, index: AgencyIndex, masked: list[bool], query: Query) -> list[tuple[int, int]]:
    """Fill ``query.agencies`` / ``ambiguous`` / ``unresolved``; return the spans of text that named agencies."""
    spans: list[tuple[int, int]] = []
    matches: list[Match] = []
    # Chinese names (exact aliases, then shared department names such as 统计局).
    exact = [m for m in index.find_exact(text) if not any(masked[m.span[0]:m.span[1]])]
    matches += exact
    covered = _mask(len(text), [m.span for m in exact])
    for m in index.find_weak(text):
        if not any(covered[m.span[0]:m.span[1]]) and not any(masked[m.span[0]:m.span[1]]):
            matches.append(m)
    spans += [m.span for m in matches]

    # Latin names: pinyin ("Wuyang", "Huai'an"), whole words only.
    words = _words(text)
    # "Huai'an's" is Huai'an: drop the possessive before reading pinyin.
    lower = [re.sub(r"'s$", "", w.lower().replace("’", "'")) for w, _, _ in words]
    latin, used = index.find_latin(lower)
    for m in latin:
        i, j = m.span
        m.span = (words[i][1], words[j - 1][2])
        matches.append(m)
        spans.append(m.span)

    for m in matches:
        refs = [AgencyRef(a.id, a.name) for a in m.agencies]
        if len(refs) == 1:
            if refs[0] not in query.agencies:
                query.agencies.append(refs[0])
        else:
            query.ambiguous[m.mention] = refs

    # Leftover Latin words: a pinyin typo ("Pingtang") or a capitalised name we do not know.
    for k, (w, s, e) in enumerate(words):
        if k in used or any(masked[s:e]) or w.lower() in _STOP_EN or normalise_latin(w) in _STOP_EN:
            continue
        if any(p.lang == "en" and w.lower().startswith(p.text.lower()) for p in _PHRASES if " " not in p.text):
            continue
        close = index.fuzzy_latin(w)
        if close and close[0][1] >= 85 and (len(close) == 1 or close[1][1] < close[0][1]):
            a = close[0][0]
            ref = AgencyRef(a.id, a.name)
            if ref not in query.agencies:
                query.agencies.append(ref)
            query.guessed[w] = a.name
            spans.append((s, e))
        elif close:
            query.suggestions[w] = [AgencyRef(a.id, a.name) for a, _ in close]
            query.unresolved.append(w)
            spans.append((s, e))
        elif w[0].isupper() and s > 0 and len(w) >= 4 and not matches:
            query.unresolved.append(w)
            query.suggestions[w] = []
            spans.append((s, e))
    return spans


_GENERIC_RX = re.compile("|".join(sorted(_GENERIC_BODIES, key=len, reverse=True)))


def _leftover_chunks(text: str, masked: list[bool]) -> list[str]:
    """Chinese chunks outside every recognised span, with filler words removed."""
    chars = [("\x00" if masked[i] else ch) for i, ch in enumerate(text)]
    rest = _FILLER_ZH.sub("\x00", "".join(chars))
    return [c for c in re.split(r"[^\u3400-\u9fff]+", rest) if len(c) >= 2]


def _names_a_body(chunk: str) -> bool:
    """"乌阳街道" names one body; "乡镇街道" only kinds of bodies."""
    if len(_GENERIC_RX.sub("", chunk)) < 1 or not looks_like_agency(chunk):
        return False
    places, body = split_places(chunk)
    return bool(places) or len(body) >= 3


def understand(question: str, *, agencies: AgencyIndex | Sequence[KnownAgency], years_available: Sequence[int],
               today: date, lang: str | None = None) -> Query:
    """Read ``question`` into a ``Query``. ``agencies`` are the agencies the store knows."""
    index = agencies if isinstance(agencies, AgencyIndex) else AgencyIndex(agencies)
    text = _normalise(question)
    q = Query(text=question, lang=lang or ("zh" if is_chinese(text) else "en"))
    if not text or _HELP.match(text):
        q.intent = "help" if text else "unknown"
        return q

    available = sorted(set(years_available))
    ys = parse_years(text, today=today, available=available)
    top = _TOP.search(text)
    pre_spans = list(ys.spans) + ([top.span()] if top else [])
    masked = _mask(len(text), pre_spans)

    agency_spans = _resolve_agencies(text, index, masked, q)
    masked = _mask(len(text), pre_spans + agency_spans)
    found = _find_phrases(text, masked)
    masked = _mask(len(text), pre_spans + agency_spans + [s for _, s in found])

    place_mentions: list[str] = []
    if is_chinese(text):
        for chunk in _leftover_chunks(text, masked):
            if index.in_place(chunk):
                place_mentions.append(chunk)
            elif _names_a_body(chunk):
                close = index.fuzzy(chunk, limit=3, cutoff=40)
                q.unresolved.append(chunk)
                q.suggestions[chunk] = [AgencyRef(a.id, a.name) for a, _ in close]

    # ---- metrics -------------------------------------------------------------------------
    metrics: list[str] = []
    generic_new = False
    outcome: str | None = None
    applicant: str | None = None
    pending_word = False
    for p, _ in found:
        if p.kind in ("metric", "derived"):
            if p.target == "new" and p.text.lower() in _GENERIC_NEW:
                generic_new = True
                continue
            if p.target == "carried_forward" and p.text.lower() in ("pending", "still pending"):
                pending_word = True
            if p.target not in metrics:
                metrics.append(p.target)
        elif p.kind == "applicant" and applicant is None:
            applicant = p.target
        elif p.kind == "outcome" and outcome is None:
            outcome = p.target
    appeal_metrics = [m for m in metrics if m in METRICS and METRICS[m].table == "appeals"]
    if appeal_metrics and pending_word:
        metrics.remove("carried_forward")
        outcome = outcome or "pending"
    if outcome and not appeal_metrics:
        metrics = [m for m in metrics if m != "carried_forward" or not pending_word] + ["review", "suits"]
    if re.search(r"现行有效|有效的|in force", text, re.I):
        metrics = [{"regulations": "regulations_in_force", "normative_docs": "normative_docs_in_force"}.get(m, m)
                   for m in metrics]
    if not metrics and (generic_new or applicant) and not (_BREAKDOWN.search(text) and not applicant):
        # "申请情况" asks for the whole table; "收到多少申请" for the new requests.
        metrics = ["new"]
    if outcome:
        q.column = outcome
    elif applicant:
        q.column = applicant
    q.metrics = metrics

    # ---- filters ---------------------------------------------------------------------------
    if top:
        n = _small_int(next(g for g in top.groups() if g))
        q.top = n if n and n > 0 else None
    if _ASC.search(text):
        q.order = "asc"
    unmasked = "".join("\x00" if masked[i] else ch for i, ch in enumerate(text))
    # "政府信息公开" names the subject, not a level of government.
    level_text = re.sub(r"政府信息公开|信息公开|government information|information disclosure", "\x00", unmasked, flags=re.I)
    for level, rx in _LEVELS:
        if rx.search(level_text):
            q.level = level
            break

    # ---- intent ----------------------------------------------------------------------------
    multi_year = len(ys.years) > 1
    has_group_word = bool(_GROUP_WORDS.search(unmasked))
    ranking_words = bool(top or _RANKING.search(unmasked))
    if _COVERAGE.search(text):
        q.intent = "coverage"
    elif _FINDINGS.search(unmasked) and not (metrics and _RANKING.search(unmasked)):
        q.intent = "findings"
        if _LATE.search(unmasked):
            q.finding_codes.append("LATE")
        if _FORMAT.search(text):
            q.finding_codes.append("OUTDATED_FORMAT")
        if _ARITH.search(text) or not q.finding_codes and re.search(r"勾稽|关系", text):
            q.finding_codes += ["BALANCE", "SUBTOTAL", "ROW_TOTAL", "LITIGATION_TOTAL", "MISSING_TOTAL"]
    elif any(m in DERIVED for m in metrics) and ranking_words and (len(q.agencies) != 1 or has_group_word):
        q.intent = "ranking"
    elif any(m in DERIVED for m in metrics) or (_SHARE.search(text) and (applicant or metrics)):
        q.intent = "share"
        if not any(m in DERIVED for m in metrics) and not metrics:
            q.metrics = ["new"]
    elif metrics and ranking_words and (len(q.agencies) != 1 or has_group_word):
        q.intent = "ranking"
    elif len(q.agencies) >= 2 and (_COMPARE.search(text) or not _SUM.search(unmasked)):
        q.intent = "compare"
    elif _YOY.search(unmasked) and not multi_year and not _TREND.search(text):
        q.intent = "compare"
        q.yoy = True
    elif multi_year or _TREND.search(text):
        q.intent = "trend"
    elif _BREAKDOWN.search(unmasked) or (not metrics and q.agencies):
        q.intent = "breakdown"
    elif metrics and (not q.agencies or _SUM.search(unmasked)):
        q.intent = "sum"
    elif metrics:
        q.intent = "figure"
    else:
        q.intent = "unknown"

    if q.intent == "trend" and not q.metrics:
        q.metrics = ["new"]
    if q.intent == "ranking" and q.top is None:
        q.top = 1 if re.search(r"哪个|哪家|哪一个|\bwhich\b|\bwho\b", text, re.I) else 10
    if q.intent in ("ranking", "sum", "coverage", "findings") and q.agencies and has_group_word:
        # "淮安市哪个部门…": a named place scopes the ranking instead of being its subject.
        regions = []
        for ref in q.agencies:
            places, _ = split_places(ref.name)
            if places:
                regions.append("".join(p.text for p in places))
        if len(regions) == 1:
            q.region = regions[0]
            q.agencies = []

    if place_mentions and not q.agencies:
        place = place_mentions[0]
        if q.intent in ("ranking", "sum", "coverage", "findings") and (has_group_word or q.level):
            q.region = place
        else:
            # "南平2023年…": a place with several agencies but none of its own — ask which one.
            q.ambiguous[place] = [AgencyRef(a.id, a.name) for a in
                                  sorted(index.in_place(place), key=lambda a: a.name)[:MAX_CANDIDATES]]
    if q.intent not in ("ranking", "sum", "coverage", "findings"):
        q.level = None

    # ---- years -----------------------------------------------------------------------------
    q.year_source = ys.source
    q.years = list(ys.years)
    if not q.years:
        if q.intent == "coverage":
            q.years = [today.year - 1]
            q.year_source = "default"
        elif q.intent == "trend":
            q.years = available
            q.year_source = "all"
        elif available and q.intent not in ("findings", "help", "unknown"):
            q.years = [available[-1]]
            q.year_source = "default"
    if q.yoy and len(q.years) == 1:
        q.years = [q.years[0] - 1, q.years[0]]
    return q
