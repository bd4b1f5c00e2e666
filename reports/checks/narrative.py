"""NARRATIVE_MISMATCH and NARRATIVE_POINTS: what the prose says against the tables and against itself.

The prose is read conservatively: a count is taken only when a number with a counting unit (件/宗/起)
stands in the same clause as a keyword that names a figure of table 三 or 四 ("办结69件",
"1件结转下年度", "行政复议7件"), and only in a sentence that is about disclosure requests or appeals.
A figure the table does not give for certain is never compared.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter

from ..model import Finding, Number, Report, Severity
from ..templates import APPEALS_SUITS, SECTIONS, TEMPLATES, TableSpec
from .values import Values, row_figure
from .where import SEP, fmt, section_name, section_name_en, short_label

W = Severity.WARNING

# ---- text normalisation -------------------------------------------------------------------

_FULLWIDTH_DIGIT = re.compile("[０-９]")
_PAGE_NUMBER = re.compile(r"\n[ \t\u3000]*[-－—][ \t\u3000]*\d{1,3}[ \t\u3000]*[-－—][ \t\u3000]*(?=\n)")
_BOOK_TITLE = re.compile(r"《[^《》]{0,80}》")


_SPACE_BETWEEN_DIGITS = re.compile(r"(?<=\d)[ \t\r\n\u3000\xa0]+(?=\d)")
_SPACE = re.compile(r"\s+")
_DIGIT_GAP = re.compile(r"\d\s+\d")
# Whitespace that does not join two digits into "1 2": every character ``\s`` matches but those of
# _SPACE_BETWEEN_DIGITS, listed (a plain character class is scanned much faster than [^\S …]).
_OTHER_SPACE = re.compile("[\x0b\x0c\x1c-\x1f\x85\u1680\u2000-\u200a\u2028\u2029\u202f\u205f]")


def normalise(text: str) -> str:
    """Join lines wrapped by PDF text, drop page numbers and titles of documents (《…》) whose words
    ("答复", "受理") are not statements about this report. Spaces between two digits stay (one)."""
    text = _FULLWIDTH_DIGIT.sub(lambda m: chr(ord(m.group()) - 0xFEE0), text)
    if "-" in text or "－" in text or "—" in text:     # a page number has its dashes
        text = _PAGE_NUMBER.sub("", text)
    text = _BOOK_TITLE.sub("《》", text)
    if _OTHER_SPACE.search(text):
        text = _SPACE_BETWEEN_DIGITS.sub("\x00", text)
        return _SPACE.sub("", text).replace("\x00", " ")
    # The same result without two regex passes that stop at every line of a table: every run of
    # whitespace (``str.split`` and ``\s`` agree on what that is) goes, and a run between two digits
    # becomes one space. A NUL already in the text becomes a space, as above.
    words = text.split()
    if not words:
        return ""
    if _DIGIT_GAP.search(text) is None:         # no two digits apart (prose, tables in pipe rows)
        return "".join(words).replace("\x00", " ")
    out = [words[0]]
    digit_before = words[0][-1].isdecimal()      # isdecimal is exactly what \d matches
    for word in islice(words, 1, None):
        if digit_before and word[0].isdecimal():
            out.append(" ")
        out.append(word)
        digit_before = word[-1].isdecimal()
    return "".join(out).replace("\x00", " ")


# ---- numbers --------------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_number(s: str) -> int | None:
    """Arabic digits or a plain Chinese numeral below 10000 ("十二", "二百零五"); None otherwise."""
    if s.isdigit():
        return int(s)
    if s in ("零", "〇"):
        return 0
    total, digit = 0, None
    for ch in s:
        if ch in ("零", "〇"):      # a placeholder between places: 一百零五
            if digit is not None:
                return None
            continue
        if ch in _CN_DIGITS:
            if digit is not None and _CN_DIGITS[ch] != 0:
                return None
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


_UNITS = ("件", "宗", "起")
_DIGITS = frozenset("0123456789")
_CN_NUMERALS = frozenset("零〇一二两三四五六七八九十百千")
_NOT_A_COUNT = frozenset("每逐这那某哪任第")   # "每一件申请", "第3件": an ordinal or a manner, not a total


@dataclass(slots=True)         # not frozen: cheaper to make, and a narrative has many
class Count:
    """A number followed by a counting unit ("69件", "三起"): its text and its span before the unit."""

    text: str
    start: int
    end: int


def _counts(text: str) -> list[Count]:
    """Every count in ``text``, in order; never the tail of a decimal or of a longer number.

    Scans for the units with ``str.find`` and reads the number backwards: a regex tried at every
    position costs far more on long narratives."""
    found: list[Count] = []
    for unit in _UNITS:
        i = text.find(unit)
        while i >= 0:
            j = i
            while j > 0 and text[j - 1] in _DIGITS:
                j -= 1
            if j == i and unit != "起":              # "一起" is mostly "together": 起 only after digits
                while j > 0 and i - j < 6 and text[j - 1] in _CN_NUMERALS:
                    j -= 1
            elif j > 0 and text[j - 1] == ".":
                j = i                                   # "1.5件": not a count of cases
            if j < i and (j == 0 or text[j - 1] not in _NOT_A_COUNT):
                found.append(Count(text[j:i], j, i))
            i = text.find(unit, i + 1)
    found.sort(key=_START)
    return found


_START, _END = attrgetter("start"), attrgetter("end")

_COMPARISON = re.compile(r"同比|较上年|较去年|比上年|比去年|增加|减少|增长|下降|上升|回落|环比")

# ---- keywords, most specific first (the regex alternation prefers the earlier one at a position) --
# Labels of the tables come from the templates; the rest is the vocabulary narratives use around them.

def _label(text: str) -> str:
    return re.escape(text)


_REQ = TEMPLATES["2021"].table("requests")
_APP = TEMPLATES["2021"].table("appeals")
_GROUP = {g.id: g.label for g in _REQ.groups}
_GRANTED, _PARTIAL = _label(_REQ.row("granted").label), _label(short_label(_REQ.row("partial")))
_COL = {c.id: _label(c.label) for c in _APP.columns}

_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("granted_partial", rf"(?:{_GRANTED}|全部公开)(?:和|及|与|、|或){_PARTIAL}"),
    ("partial", _PARTIAL),
    ("denied", _label(_GROUP["denied"])),
    ("granted", rf"{_GRANTED}|同意公开|全部公开"),
    ("unavailable", _label(_GROUP["unavailable"])),
    ("not_processed", _label(_GROUP["not_processed"])),
    ("other_handling", _label(_GROUP["other"])),
    ("carried_over", r"上一?年度?结转|结转上一?年度?|上年度?遗留"),
    ("carried_forward", r"结转(?:至|到|入)?下一?年度?|顺延(?:至|到)?下一?年度?|转入下一?年度?|下一?年度?继续办理|结转"),
    ("new", r"新收"),
    ("received", r"收到|受理|接收|接到"),
    ("handled", r"办结|答复|办理完毕|处理完毕|予以回复"),
    ("review", rf"{_label(_APP.row('review').label)}|复议(?!后)"),
    ("suit", r"行政诉讼|诉讼|起诉"),
    ("upheld", rf"{_COL['upheld']}|维持"),
    ("corrected", rf"{_COL['corrected']}|纠正"),
    ("other_outcome", _COL["other"]),
    ("pending", rf"{_COL['pending']}|未审结|正在审理|审理中"),
)
_KEYWORD = re.compile("|".join(f"(?P<{m}>{p})" for m, p in _KEYWORDS))
_OUTCOMES = ("upheld", "corrected", "other_outcome", "pending")
_APPEAL_METRICS = ("review", "suit", *_OUTCOMES)

_ALL_UPHELD = re.compile(r"(?:均|全部|都)(?:获|被|予以|为)?(?:结果)?维持")
_NO_APPEALS = re.compile(r"(?:未发生|没有发生|未出现|没有出现|未收到|没有收到|未有|无)[^。；，,]{0,20}?(?:行政复议|行政诉讼)"
                         r"[^。；，,]*")
_NO_REQUESTS = re.compile(r"(?:未|没有)(?:收到|接到|受理)[^。；，,]{0,12}?申请")

_SENTENCE_ENDS = "。；;！!？?\n"
_SENTENCE_END = re.compile("[" + re.escape(_SENTENCE_ENDS) + "]")
_CLAUSE = re.compile(r"[^，,()（）【】]+")
_CONTEXT = 200


@dataclass(frozen=True, slots=True)
class Statement:
    metric: str
    stated: int
    quote: str
    section: str


# ---- what the tables say ---------------------------------------------------------------------

def _rows_value(v: Values, spec: TableSpec, rows: Sequence[str]) -> Number | None:
    vals = [row_figure(v, spec, r) for r in rows]
    return None if None in vals else sum(vals)  # type: ignore[arg-type]


def _group(spec: TableSpec, group: str) -> list[str]:
    rows = [r.id for r in spec.group_rows(group)]
    if group == "other" and not rows:     # 2019: （六）其他处理 is a single row
        rows = ["other"]
    return rows


_WHO = {"review": (_APP.row("review").label, "reviews"), "suit": APPEALS_SUITS}
_OUTCOME_COLUMN = {"upheld": "upheld", "corrected": "corrected", "other_outcome": "other", "pending": "pending"}
_SUIT_ROWS = ("suit_direct", "suit_after_review")


_GROUP_OF_METRIC = {"denied": "denied", "unavailable": "unavailable", "not_processed": "not_processed",
                    "other_handling": "other"}


_METRIC_ROWS: dict[tuple[int, str], tuple[TableSpec, tuple[tuple[str, ...], str, str] | None]] = {}


def _metric_rows(req: TableSpec, metric: str) -> tuple[tuple[str, ...], str, str] | None:
    """The table-三 rows a request metric adds up, with Chinese and English names.

    They depend on the template only: worked out once per table and metric (the table cached by
    identity, like ``values.layout``)."""
    hit = _METRIC_ROWS.get((id(req), metric))
    if hit is None or hit[0] is not req:
        found = _find_metric_rows(req, metric)
        rows = None if found is None else (tuple(found[0]), found[1], found[2])
        hit = _METRIC_ROWS[(id(req), metric)] = (req, rows)
    return hit[1]


def _find_metric_rows(req: TableSpec, metric: str) -> tuple[list[str], str, str] | None:
    if metric == "handled":
        total = req.row("total")
        return ["total"], f"办结（{total.marker}{total.label}）", f"handled ({total.en})"
    if metric in ("carried_over", "carried_forward", "granted", "partial"):
        row = req.row(metric)
        return [metric], short_label(row), row.en
    if metric == "granted_partial":
        granted, partial = req.row("granted"), req.row("partial")
        return ["granted", "partial"], f"{short_label(granted)}与{short_label(partial)}合计", "granted in full or in part"
    if metric in _GROUP_OF_METRIC:
        group = next(g for g in req.groups if g.id == _GROUP_OF_METRIC[metric])
        return _group(req, group.id), f"{group.label}合计", group.en
    return None


def table_figure(v: Values, metric: str) -> tuple[set[Number], str, str] | None:
    """The values the table allows for ``metric``, with a Chinese and an English description."""
    spec = v.report.spec
    if spec is None:
        return None
    req, app = spec.table("requests"), spec.table("appeals")
    if metric in ("received", "new"):
        new, over = _rows_value(v, req, ("new",)), _rows_value(v, req, ("carried_over",))
        if new is None:
            return None
        if metric == "new" or over is None or over == 0:
            return {new}, f"表三本年新收为{fmt(new)}件", f"table 3 gives {fmt(new)} new requests"
        return ({new, new + over}, f"表三本年新收为{fmt(new)}件（加上年结转为{fmt(new + over)}件）",
                f"table 3 gives {fmt(new)} new requests ({fmt(new + over)} with those carried over)")
    rows = _metric_rows(req, metric)
    if rows is not None:
        ids, zh, en = rows
        n = _rows_value(v, req, ids)
        return None if n is None else ({n}, f"表三{zh}为{fmt(n)}件", f"table 3 gives {fmt(n)} ({en})")
    subject, _, outcome = metric.partition(".")
    rows = ["review"] if subject == "review" else list(_SUIT_ROWS)
    col = _OUTCOME_COLUMN.get(outcome, "total")
    nums = v.all("appeals", [(r, col) for r in rows])
    if nums is None:
        return None
    n = sum(nums)
    who = _WHO[subject][0]
    label = app.column(col).label
    en_who = "administrative reviews" if subject == "review" else "lawsuits"
    return {n}, f"表四{who}{label}为{fmt(n)}件", f"table 4 gives {fmt(n)} {en_who} ({app.column(col).en})"


# ---- what the prose says ---------------------------------------------------------------------

# Verbs that also describe other work (受理 a hotline call, 办结 a petition) count only in a sentence
# that speaks of 申请; the names of outcomes (予以公开, 不予处理 …) are specific enough on their own.
_GENERIC = frozenset({"received", "new", "handled", "carried_over", "carried_forward"})


def _about_requests(metric: str, sentence: str, window: str) -> bool:
    if metric in _GENERIC and "申请" not in sentence:
        return False
    return "申请" in window and "公开" in window


def _about_appeals(window: str, section: str) -> bool:
    return section == "appeals" or "信息公开" in window or "政府信息" in window


_OTHER_PERIOD = re.compile(r"去年|前年|上一?年度?(?!度?结转)|(?<!\d)(\d{4})年")


def _other_period(clause: str, year: int | None) -> bool:
    """True when the clause speaks of another year ("2020年收到…", "去年…") than the report's."""
    if "年" not in clause:          # every way of naming a year has 年
        return False
    for m in _OTHER_PERIOD.finditer(clause):
        if m.group(1) is None or (year is not None and int(m.group(1)) != year):
            return True
    return False


def _sentences_at(text: str, starts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (start, end) of every sentence holding one of the spans ``starts``, in order, each once."""
    spans: list[tuple[int, int]] = []
    if not starts:
        return spans
    # Where every sentence ends, found once: looking for each end mark around each span rescans
    # the text (a table section is one long "sentence") again and again.
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]
    for a, b in starts:
        if spans and a < spans[-1][1]:
            continue
        k = bisect_left(ends, a)                 # ends[k - 1]: the last end mark before a
        start = ends[k - 1] + 1 if k else 0
        k = bisect_left(ends, b, k)              # ends[k]: the first end mark at or after b
        spans.append((start, ends[k] if k < len(ends) else len(text)))
    return spans


def statements(text: str, section: str, year: int | None = None) -> list[Statement]:
    out: list[Statement] = []
    counts = _counts(text)
    for start, end in _sentences_at(text, [(c.start, c.end) for c in counts]):
        sentence = text[start:end]
        window = text[max(0, start - _CONTEXT):end]
        subject: str | None = None           # the last 复议 / 诉讼 named so far in the sentence
        for cm in _CLAUSE.finditer(sentence):
            clause = cm.group()
            numbers = _clause_counts(counts, start + cm.start(), start + cm.end())
            if not numbers and not ("复议" in clause or "诉讼" in clause or "起诉" in clause):
                continue
            keys = [(m.start(), m.end(), m.lastgroup) for m in _KEYWORD.finditer(clause)]
            for nm in numbers:
                st = _statement(clause, nm, keys, subject, sentence, window, section, year)
                if st is not None:
                    out.append(st)
            for k in reversed(keys):
                if k[2] in ("review", "suit"):
                    subject = k[2]
                    break
    return out


def _clause_counts(counts: list[Count], start: int, end: int) -> list[Count]:
    """``_counts(text[start:end])`` for a clause, from the counts of the whole text.

    A clause is bounded by a separator or a sentence end (or the text's ends), none of which is a
    digit, a numeral or a character that ``_counts`` looks at before a number: a count reads the
    same in the clause as in the text. So the clause's counts are those whose unit lies inside it,
    with offsets made relative to the clause."""
    out: list[Count] = []
    # Counts do not overlap, so they are in the order of their units too.
    for k in range(bisect_left(counts, start, key=_END), len(counts)):
        c = counts[k]
        if c.end >= end:
            break
        out.append(Count(c.text, c.start - start, c.end - start))
    return out


def _statement(clause: str, nm: Count, keys: list, subject: str | None, sentence: str, window: str,
               section: str, year: int | None) -> Statement | None:
    """The figure a number of a clause states, when a keyword of the same clause names it."""
    n = cn_number(nm.text)
    if n is None:
        return None
    before = [k for k in keys if k[1] <= nm.start]
    after = [k for k in keys if k[0] >= nm.end]
    key = before[-1] if before else (after[0] if after else None)
    if key is None:
        return None
    between = clause[key[1]:nm.start] if before else clause[nm.end:key[0]]
    if _COMPARISON.search(between):
        return None
    metric: str = key[2]
    if metric != "carried_over" and _other_period(clause, year):
        return None
    if metric in _OUTCOMES:
        own_subject = _subject_before(keys, key, subject)
        if own_subject is None:
            return None
        metric = f"{own_subject}.{metric}"
    if metric.split(".")[0] in _APPEAL_METRICS:
        if not _about_appeals(window, section):
            return None
    elif not _about_requests(metric, sentence, window):
        return None
    return Statement(metric, n, clause.strip(), section)


def _subject_before(keys: list, key: tuple, sentence_subject: str | None) -> str | None:
    own = [k[2] for k in keys if k[1] <= key[0] and k[2] in ("review", "suit")]
    return own[-1] if own else sentence_subject


# ---- findings ----------------------------------------------------------------------------------

def _finding(st: Statement, allowed: set[Number], zh: str, en: str, metric: str) -> Finding:
    where = f"{section_name(st.section)}{SEP}正文" if st.section in _SECTION_IDS else "正文"
    table = "appeals" if metric.split(".")[0] in _APPEAL_METRICS else "requests"
    msg = f"正文称“{st.quote}”，但{zh}"
    msg_en = f"the text says \"{st.quote}\" ({st.stated}), but {en}"
    return Finding("NARRATIVE_MISMATCH", W, where, msg, msg_en, table, None, None,
                   {"metric": metric, "stated": st.stated, "table": sorted(allowed), "section": st.section})


_SECTION_IDS = {s.id for s in SECTIONS}


def _texts(report: Report) -> list[tuple[str, str]]:
    if report.sections:
        return [(sid, normalise(t)) for sid, t in report.sections.items() if t]
    return [("", normalise(report.text))] if report.text else []


def mismatches(report: Report, v: Values, texts: list[tuple[str, str]]) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple[str, int]] = set()
    figures: dict[str, tuple[set[Number], str, str] | None] = {}     # table_figure by metric
    for section, text in texts:
        for st in statements(text, section, report.year):
            if (st.metric, st.stated) in seen:
                continue
            if st.metric not in figures:
                figures[st.metric] = table_figure(v, st.metric)
            figure = figures[st.metric]
            if figure is None:
                continue
            allowed, zh, en = figure
            seen.add((st.metric, st.stated))
            if st.stated not in allowed:
                out.append(_finding(st, allowed, zh, en, st.metric))
        out += _all_upheld(v, text, section)
        out += _zero_claims(v, text, section)
    return out


def _outcomes(v: Values, subject: str) -> dict[str, Number] | None:
    rows = ["review"] if subject == "review" else list(_SUIT_ROWS)
    out: dict[str, Number] = {}
    for col in ("upheld", "corrected", "other", "pending", "total"):
        nums = v.all("appeals", [(r, col) for r in rows])
        if nums is None:
            return None
        out[col] = sum(nums)
    return out


def _subjects(text: str) -> list[str]:
    out = []
    if re.search(r"复议", text):
        out.append("review")
    if re.search(r"诉讼|起诉", text):
        out.append("suit")
    return out




def _all_upheld(v: Values, text: str, section: str) -> list[Finding]:
    """ "均获维持": every review or lawsuit named in the sentence ended with the decision upheld."""
    spec = v.report.spec
    if spec is None or "维持" not in text:
        return []
    out: list[Finding] = []
    for start, end in _sentences_at(text, [m.span() for m in _ALL_UPHELD.finditer(text)]):
        sentence = text[start:end]
        m = _ALL_UPHELD.search(sentence)
        if m is None or not _about_appeals(text[max(0, start - _CONTEXT):end], section):
            continue
        bad: dict[str, dict[str, Number]] = {}
        for subject in _subjects(sentence[:m.start()]):
            o = _outcomes(v, subject)
            if o is not None and o["total"] and o["upheld"] != o["total"]:
                bad[subject] = o
        if not bad:
            continue
        app = spec.table("appeals")
        parts = []
        for subject, o in bad.items():
            others = "、".join(f"{app.column(c).label}{fmt(o[c])}件" for c in ("corrected", "other", "pending") if o[c])
            parts.append(f"{_WHO[subject][0]}共{fmt(o['total'])}件，其中结果维持{fmt(o['upheld'])}件、{others}")
        quote = sentence[:m.end()].strip()
        where = f"{section_name(section)}{SEP}正文" if section in _SECTION_IDS else "正文"
        out.append(Finding(
            "NARRATIVE_MISMATCH", W, where,
            f"正文称“{quote}”，但表四显示" + "；".join(parts),
            f"the text says all {' and '.join(_WHO[s][1] for s in bad)} were upheld (\"{quote}\"), but table 4 shows "
            + "; ".join(f"{_WHO[s][1]}: {fmt(o['upheld'])} of {fmt(o['total'])} upheld" for s, o in bad.items()),
            "appeals", None, None, {"metric": "all_upheld", "section": section, "table": bad}))
    return out


def _zero_claims(v: Values, text: str, section: str) -> list[Finding]:
    """ "未发生行政复议、行政诉讼" / "未收到政府信息公开申请": the table must show 0."""
    out: list[Finding] = []
    where = f"{section_name(section)}{SEP}正文" if section in _SECTION_IDS else "正文"
    appeals = ("复议" in text or "诉讼" in text) and _NO_APPEALS.finditer(text)
    for m in appeals or ():
        for subject in _subjects(m.group()):
            o = _outcomes(v, subject)
            if o is not None and o["total"]:
                out.append(Finding(
                    "NARRATIVE_MISMATCH", W, where,
                    f"正文称“{m.group()}”，但表四{_WHO[subject][0]}总计为{fmt(o['total'])}件",
                    f"the text says there were no {_WHO[subject][1]} (\"{m.group()}\"), but table 4 gives "
                    f"{fmt(o['total'])}", "appeals", None, "total",
                    {"metric": subject, "stated": 0, "table": [o["total"]], "section": section}))
    for m in ("申请" in text and _NO_REQUESTS.finditer(text)) or ():
        figure = table_figure(v, "new")
        if figure is None or 0 in figure[0]:
            continue
        out.append(Finding(
            "NARRATIVE_MISMATCH", W, where, f"正文称“{m.group()}”，但{figure[1]}",
            f"the text says no requests were received (\"{m.group()}\"), but {figure[2]}",
            "requests", "new", "total",
            {"metric": "new", "stated": 0, "table": sorted(figure[0]), "section": section}))
    return out


# ---- announced points ----------------------------------------------------------------------------

_ANNOUNCE = re.compile(r"(?:以下|如下|下列|主要有|主要为|主要是|主要表现为|表现为|存在|有)"
                       r"([两二三四五六七八九十]|[2-9])(?:个)?(?:方面|点|个问题|大问题|项|条|个不足)")
_ORDINALS = "一二三四五六七八九十"
# Enumeration styles: 一是…二是…, （一）（二）, 第一、第二, 1. 2., （1）（2）.
_STYLES: tuple[str, ...] = (
    r"(?:(?<=[，,。；;：:、）)）])|^)([一二三四五六七八九十])是",
    r"[（(]([一二三四五六七八九十])[）)]",
    r"第([一二三四五六七八九十])(?:[，,、]|个?方面|点|条)",
    r"(?<![\d.])([1-9])[.、．](?!\d)",
    r"[（(]([1-9])[）)]",
)
_FIRST_WITHIN = 40


def _ordinal(s: str) -> int:
    return int(s) if s.isdigit() else _ORDINALS.index(s) + 1


def points(texts: list[tuple[str, str]]) -> list[Finding]:
    out: list[Finding] = []
    for section, text in texts:
        for am in _ANNOUNCE.finditer(text):
            announced = _ordinal(am.group(1)) if am.group(1) != "两" else 2
            rest = text[am.end():]
            nxt = _ANNOUNCE.search(rest)
            region = rest[:nxt.start()] if nxt else rest
            listed = _count_listed(region)
            if listed is None or listed == announced:
                continue
            head = text[max(0, am.start() - 20):am.start()]
            cut = max(head.rfind(p) for p in "，,。；;\n")
            quote = head[cut + 1:] + am.group()
            where = f"{section_name(section)}{SEP}正文" if section in _SECTION_IDS else "正文"
            en_where = section_name_en(section) if section in _SECTION_IDS else "the text"
            out.append(Finding(
                "NARRATIVE_POINTS", W, where,
                f"“{quote}”称有{am.group(1)}点，但随后只列出了{listed}点" if listed < announced else
                f"“{quote}”称有{am.group(1)}点，但随后列出了{listed}点",
                f"{en_where} announces {announced} points (\"{quote}\") but lists {listed}",
                data={"announced": announced, "listed": listed, "section": section}))
    return out


def _count_listed(region: str) -> int | None:
    """Length of the enumeration that starts right after an announcement, or None when none does."""
    best: tuple[int, str] | None = None
    for pattern in _STYLES:
        m = re.search(pattern, region[:_FIRST_WITHIN])
        if m and _ordinal(m.group(1)) == 1 and (best is None or m.start() < best[0]):
            best = (m.start(), pattern)
    if best is None:
        return None
    count = 0
    for m in re.finditer(best[1], region[best[0]:]):
        if _ordinal(m.group(1)) != count + 1:
            break
        count += 1
    return count


def check_narrative(report: Report, v: Values) -> list[Finding]:
    texts = _texts(report)
    return [*mismatches(report, v, texts), *points(texts)]
