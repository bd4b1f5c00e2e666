"""Title, agency, year, level and publication date of a report."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from reports.model import Level

from .text import cn_number

HEAD_LINES = 40         # the title and the page's own fields are near the top
TAIL_LINES = 25         # the signature is near the end
HEAD_CHARS = 3000

_FIELD = re.compile(r"^[ \t]*(标题|题目|发布机构|发文机关|来源单位)[ \t]*:[ \t]*(\S.*?)[ \t]*$", re.M)
# 统计日期 and 成文日期 are not the page's date: ``_page_dates`` skips a match right after them (a
# lookbehind at the start of the pattern would make the regex engine try every position in turn).
_PAGE_DATE = re.compile(
    r"(发布时间|发布日期|公开日期|日期|时间)\s*:\s*((?:19|20)\d{2})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")
_NOT_PAGE_DATE = ("统计", "成文")
_PAGE_DATE_RANK = {"发布时间": 0, "发布日期": 0, "公开日期": 1, "日期": 2, "时间": 3}

_TITLE = re.compile(
    r"(?P<pre>[\w()·]*?)\s*(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?P<mid>[\w()·]*?)\s*"
    r"(?:政府信息公开|政务公开|信息公开)[\w]{0,4}?(?:年度)?(?:报告|年报)")
_LEAD_VERBS = re.compile(r"^.*?(?:现予公布|现公布|现将|予以公布|公布|发布|印发|编制|关于)")
_NAME = re.compile(r"^[\w()（）·]{2,40}$")

_PERIOD = re.compile(r"统计(?:期限|时限|期间|时间)?\s*(?:为|是|自|从|:)?\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_PERIOD2 = re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|-|—)\s*(?:(?:19|20)\d{2}\s*年\s*)?12\s*月\s*31\s*日")
_YEAR_MENTION = re.compile(r"((?:19|20)\d{2})\s*年")

_SIG_FULL = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_SIG_CN = re.compile(r"([二〇零一三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
_SIG_DASH = re.compile(r"^\s*((?:19|20)\d{2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\s*$")
_SIG_STRIPPED = re.compile(r"^\s*((?:19|20)\d{2})(\d{2,4})\s*$")
_SIG_LINE_MAX = 40

# Name endings, most specific first: a town's government is a town, a city's government a government.
_TOWN = re.compile(r"(?:乡|镇|街道|街道办事处|苏木|民族乡)(?:人民政府|政府|党委|党政办公室|办公室)?$")
_GOVERNMENT = re.compile(
    r"(?:(?:省|市|县|区|州|盟|旗|自治区|自治州|自治县|特区)(?:人民政府|政府)"
    r"|综合实验区|新区|(?:开发区|实验区|示范区|高新区|园区|区)(?:管理委员会|管委会))$")
_GENERAL_OFFICE = re.compile(r"(?:人民政府|政府)办公(?:厅|室)$")
_DEPARTMENT = re.compile(
    r"(?:局|委|委员会|办|办公室|办公厅|厅|中心|院|署|所|队|站|部|处|馆|社|会|公司|集团|管理处|分局|支队|大队|检察院|法院)$")
_ACTING_FOR_GOVERNMENT = re.compile(r"代表(?:省|市|区|县|州|旗)?(?:人民)?政府")
# How a report speaks of its own body when its name is not printed ("我镇", "本局", "我市政府").
_SELF_REFERENCE = (
    ("town", re.compile(r"[我本](?:镇|乡|街道|街)")),
    ("department", re.compile(r"[我本](?:局|委|办|厅|中心|院|署)")),
    ("government", re.compile(r"[我本](?:省|市|县|区|州|旗)(?:人民)?政府|本级政府")),
)
_CN_YEAR = re.compile(r"([二〇零一三四五六七八九]{4})(\s*年)")


@dataclass(slots=True)
class Meta:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    level: Level = "unknown"
    published_on: date | None = None
    published_on_source: str | None = None


def read_meta(text: str) -> Meta:
    lines = text.split("\n")
    # Titles may write the year in Chinese numerals ("二〇二一年"); the signature is read as printed.
    top = [_CN_YEAR.sub(_arabic_year, line) if "年" in line else line for line in lines[:HEAD_LINES]]
    head = "\n".join(top)[:HEAD_CHARS]
    fields = {m.group(1): m.group(2) for m in _FIELD.finditer(head)}
    meta = Meta()
    title_line, idx = _title_line(top, fields)
    meta.title = title_line
    agency = fields.get("发布机构") or fields.get("发文机关") or fields.get("来源单位")
    if title_line:
        m = _TITLE.search(title_line)
        if m:
            meta.year = int(m.group("year"))
            pre = _clean_name(m.group("pre"))
            name = pre or _clean_name(m.group("mid"))
            if name:
                agency = agency or name
            if pre and idx is not None:
                # Words before the name in running text ("现公布区统计局2023年…") are not the title.
                meta.title = title_line[m.end("pre") - len(pre):m.end()].strip()
    if not agency and idx is not None:
        agency = _adjacent_name(top, idx)
        if agency and meta.title and agency not in meta.title:
            meta.title = f"{agency} {meta.title.strip()}"
    meta.agency = agency
    if meta.year is None:
        meta.year = _year_from_text(text)
    meta.level = level_of(agency, text)
    if meta.level == "unknown":
        meta.level = _level_from_text(text)
    page = _page_date(head)
    if page:
        meta.published_on, meta.published_on_source = page, "page"
    else:
        sig = signature_date(lines, meta.year)
        if sig:
            meta.published_on, meta.published_on_source = sig, "signature"
    return meta


def _title_line(lines: list[str], fields: dict[str, str]) -> tuple[str | None, int | None]:
    if fields.get("标题") or fields.get("题目"):
        return (fields.get("标题") or fields.get("题目")), None
    for i, line in enumerate(lines[:HEAD_LINES]):
        line = line[:HEAD_CHARS]      # collapsed text puts a whole report on one line
        m = _TITLE.search(line)
        if m:
            start = m.start()
            return line[start:m.end()].strip(), i
    return None, None


def _clean_name(raw: str | None) -> str | None:
    if not raw:
        return None
    name = _LEAD_VERBS.sub("", raw).strip("()·的")
    if len(name) < 2 or name.isdigit():
        return None
    return name


def _adjacent_name(lines: list[str], idx: int) -> str | None:
    """An agency printed on its own line just above or below a title that does not name it."""
    def candidates():
        for j in range(idx - 1, max(idx - 4, -1), -1):
            yield lines[j]
        for j in range(idx + 1, min(idx + 4, len(lines))):
            yield lines[j]

    for line in candidates():
        name = "".join(line.split())
        if name and _NAME.match(name) and level_of(name, "") != "unknown":
            return name
    return None


def level_of(agency: str | None, text: str) -> Level:
    """The kind of body, from its name: a town, a level of government, or a department."""
    if not agency:
        return "unknown"
    name = "".join(agency.split())
    if _GENERAL_OFFICE.search(name):
        # The general office of a government often publishes the government's own report.
        return "government" if _ACTING_FOR_GOVERNMENT.search(text) else "department"
    if _TOWN.search(name):
        return "town"
    if _GOVERNMENT.search(name):
        return "government"
    if _DEPARTMENT.search(name):
        return "department"
    return "unknown"


def _arabic_year(m: re.Match[str]) -> str:
    return "".join(str(cn_number(ch)) for ch in m.group(1)) + m.group(2)


def _level_from_text(text: str) -> Level:
    """The kind of body from how the report speaks of itself, when its name says nothing."""
    head = text[:HEAD_CHARS * 2]
    counts = {level: len(p.findall(head)) for level, p in _SELF_REFERENCE}
    best = max(counts.values())
    leaders = [level for level, n in counts.items() if n == best]
    return leaders[0] if best > 0 and len(leaders) == 1 else "unknown"  # type: ignore[return-value]


def _year_from_text(text: str) -> int | None:
    for pattern in (_PERIOD, _PERIOD2):
        m = pattern.search(text)
        if m:
            return int(m.group(1))
    years = Counter(int(y) for y in _YEAR_MENTION.findall(text[:HEAD_CHARS]))
    if not years:
        return None
    return years.most_common(1)[0][0]


def _page_date(head: str) -> date | None:
    best: tuple[int, int, date] | None = None
    for m in _page_dates(head):
        d = _date(int(m.group(2)), int(m.group(3)), int(m.group(4)))
        if d is None:
            continue
        key = (_PAGE_DATE_RANK[m.group(1)], m.start(), d)
        if best is None or key[:2] < best[:2]:
            best = key
    return best[2] if best else None


def _page_dates(head: str) -> Iterator[re.Match[str]]:
    """The matches of _PAGE_DATE in order, as ``finditer`` would give them, but none that follows
    统计 or 成文: there the search goes on at the next character, as a lookbehind would have it."""
    m = _PAGE_DATE.search(head)
    while m:
        start = m.start()
        if head[max(0, start - 2):start] in _NOT_PAGE_DATE:
            m = _PAGE_DATE.search(head, start + 1)
            continue
        yield m
        m = _PAGE_DATE.search(head, m.end())


def _date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def signature_date(lines: list[str], year: int | None) -> date | None:
    """The date under the signature, including forms with 年月日 stripped ("2021114")."""
    tail = [ln for ln in lines[-TAIL_LINES:] if ln.strip()]
    for line in reversed(tail):
        s = line.strip()
        if len(s) > _SIG_LINE_MAX:
            continue
        m = _SIG_FULL.search(s)
        if m:
            d = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d:
                return d
        m = _SIG_CN.search(s)
        if m:
            y = int("".join(str(cn_number(ch)) for ch in m.group(1)))
            mo, dd = cn_number(m.group(2)), cn_number(m.group(3))
            d = _date(y, mo or 0, dd or 0)
            if d:
                return d
        m = _SIG_DASH.match(s)
        if m:
            d = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d:
                return d
        m = _SIG_STRIPPED.match(s)
        if m:
            d = stripped_date(int(m.group(1)), m.group(2), year)
            if d:
                return d
    return None


def stripped_date(y: int, rest: str, year: int | None) -> date | None:
    """Read month and day run together ("114" → 1-14 or 11-4): the earliest date after the report year.

    Reports come out in the first months after their year (the deadlines are 1月31日 and 3月31日).
    """
    options: list[date] = []
    for cut in range(1, len(rest)):
        mo, dd = rest[:cut], rest[cut:]
        if len(mo) > 2 or len(dd) > 2:
            continue
        d = _date(y, int(mo), int(dd))
        if d is None:
            continue
        if year is not None and d.year <= year:
            continue
        options.append(d)
    return min(options) if options else None
