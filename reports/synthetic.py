"""Deterministic synthetic annual reports and renderings of a ``Report`` as real files would show it.

``generate(rng, …)`` builds a report of either template whose every rule holds, with prose that
agrees with its tables. The renderers print a report the way published reports look: one cell per
line (a flattened web page), collapsed text (every cell glued, as on some portals), HTML with the
official rowspan/colspan header, .docx and .xlsx. Tests, benchmarks and end-to-end checks use them
to feed the whole pipeline with known figures.
"""

from __future__ import annotations

import hashlib
import html
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .deadlines import annual_report_deadline
from .document import Source
from .model import Cell, CellStatus, Grid, Number, Report
from .templates import (APPEALS_SUITS, DISCLOSURE_CONTENT, REQUESTS_APPLICANTS, REQUESTS_BALANCE_NOTE,
                        REQUESTS_ORGANISATIONS, SECTIONS, TEMPLATES, TableSpec, expected_template)

__all__ = ["generate", "render_collapsed", "render_docx", "render_html", "render_text_lines", "render_xlsx",
           "report_title"]

# ---------------------------------------------------------------------------------------------
# Names

_PROVINCES = ("江苏", "浙江", "福建", "湖南", "江西", "四川", "河南", "山东", "安徽", "广东")
_CITIES = ("淮安", "南平", "株洲", "赣州", "绵阳", "洛阳", "临沂", "芜湖", "韶关", "湖州", "益阳", "宜宾")
_COUNTIES = ("桃江", "会昌", "秀山", "平和", "浦城", "宁乡", "安福", "泸县", "新安", "沂水", "泾县", "仁化")
_TOWNS = ("松木塘", "中村", "乌杨", "清溪", "石门", "白沙", "龙泉", "花桥", "新塘", "高坪", "黄土", "长乐")
_DEPARTMENTS = ("教育局", "财政局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "卫生健康委员会",
                "市场监督管理局", "统计局", "人力资源和社会保障局", "民政局", "司法局")


def _agency(rng: random.Random, level: str) -> str:
    if level == "town":
        county, town = rng.choice(_COUNTIES), rng.choice(_TOWNS)
        return rng.choice((f"{county}县{town}镇人民政府", f"{county}县{town}街道办事处", f"{county}县{town}乡人民政府"))
    if level == "department":
        return f"{rng.choice(_CITIES)}市{rng.choice(_DEPARTMENTS)}"
    return rng.choice((f"{rng.choice(_CITIES)}市人民政府", f"{rng.choice(_PROVINCES)}省人民政府"))


def report_title(report: Report) -> str:
    return f"{report.agency or ''}{report.year or ''}年政府信息公开工作年度报告"


# ---------------------------------------------------------------------------------------------
# Figures


def _count(rng: random.Random, scale: int, p_zero: float) -> int:
    return 0 if rng.random() < p_zero else rng.randint(1, max(1, scale))


def _requests(rng: random.Random, spec: TableSpec, scale: int) -> dict[str, dict[str, int]]:
    parts = [c.id for c in spec.columns if c.id != "total"]
    p_zero = {"natural_person": 0.45, "commercial": 0.8, "other_org": 0.85}
    col_scale = {"natural_person": scale}
    leaves = [r.id for r in spec.leaves]
    data: dict[str, dict[str, int]] = {}
    busy = scale > 0
    for r in leaves:
        data[r] = {c: _count(rng, col_scale.get(c, max(1, scale // 8)), p_zero.get(c, 0.93)) if busy else 0
                   for c in parts}
    data["total"] = {c: sum(data[r][c] for r in leaves) for c in parts}
    data["carried_forward"] = {c: _count(rng, max(1, scale // 6), 0.7) if busy else 0 for c in parts}
    data["carried_over"] = {}
    for c in parts:
        ceiling = data["total"][c] + data["carried_forward"][c]
        data["carried_over"][c] = 0 if not busy or rng.random() < 0.6 else rng.randint(0, min(ceiling, scale))
    data["new"] = {c: data["total"][c] + data["carried_forward"][c] - data["carried_over"][c] for c in parts}
    for row in data.values():
        row["total"] = sum(row[c] for c in parts)
    return data


def _appeals(rng: random.Random, scale: int) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for row in ("review", "suit_direct", "suit_after_review"):
        vals = {c: (_count(rng, max(1, scale // 10), 0.6) if scale else 0)
                for c in ("upheld", "corrected", "other", "pending")}
        vals["total"] = sum(vals.values())
        out[row] = vals
    return out


def _decimal_text(rng: random.Random, scale: int) -> str:
    if rng.random() < 0.3:
        return "0"
    places = rng.choice((0, 1, 2, 4, 6))
    whole = rng.randint(0, max(1, scale) * 50)
    if places == 0:
        return str(whole)
    frac = str(rng.randint(1, 10 ** places - 1)).rjust(places, "0").rstrip("0") or "0"
    return f"{whole}.{frac}" if frac != "0" else str(whole)


def _disclosure(rng: random.Random, spec: TableSpec, scale: int, regulations: bool) -> Grid:
    grid: Grid = {}
    for row in spec.rows:
        cells: dict[str, Cell] = {}
        for col in spec.columns_of(row):
            if row.id == "regulations" and not regulations:
                cells[col.id] = Cell.of(0)
            elif col.text:
                n = _count(rng, 40, 0.4)
                raw = rng.choice((f"{n * rng.randint(1000, 90000)}元",
                                  f"{n * rng.randint(1, 900)}.{rng.randint(1, 9)}万元",
                                  str(n * rng.randint(1000, 50000)))) if n else "0"
                cells[col.id] = Cell(CellStatus.VALUE, raw, None, text=raw)
            elif col.decimal:
                raw = _decimal_text(rng, scale)
                cells[col.id] = Cell.of(float(Decimal(raw)) if "." in raw else int(raw), raw)
            elif col.signed:
                # 本年增/减 against 上一年项目数量 (already drawn): never below zero items
                n = _count(rng, max(1, scale // 4), 0.5)
                previous = cells["previous"].number or 0
                cells[col.id] = Cell.of(-min(n, previous) if rng.random() < 0.4 and previous else n)
            else:
                cells[col.id] = Cell.of(_count(rng, max(1, scale * 4), 0.4))
        register = row.columns[:3] in (("made", "published", "total_public"), ("issued", "repealed", "in_force"))
        if register and (row.id != "regulations" or regulations):
            # 第二十条第（一）项 reads like a register: what is public (in force) includes this year's documents.
            first = cells[row.columns[0]].number or 0
            if row.columns[0] == "made":
                cells["published"] = Cell.of(first)
            last = row.columns[2]
            cells[last] = Cell.of(first + (cells[last].number or 0))
        grid[row.id] = cells
    return grid


# ---------------------------------------------------------------------------------------------
# Prose that agrees with the tables

_PROBLEMS = ("政府信息公开工作人员业务水平有待提高", "政策解读形式不够丰富", "公开内容的及时性和完整性仍需加强",
             "依申请公开办理规范化程度有待提升", "政务新媒体更新不够及时", "公开平台栏目设置有待优化")
_MEASURES = ("加强业务培训，提升工作人员能力", "丰富政策解读形式，提高解读质量", "健全公开工作机制，压实工作责任",
             "规范依申请公开办理流程", "强化平台建设和日常监测")
_COUNT_WORDS = "一二三四五六"


def _sum(data: dict[str, dict[str, int]], rows: list[str]) -> int:
    return sum(data[r]["total"] for r in rows)


def _overview(rng: random.Random, agency: str, year: int, spec: TableSpec, req: dict[str, dict[str, int]],
              app: dict[str, dict[str, int]]) -> str:
    new, over = req["new"]["total"], req["carried_over"]["total"]
    received = new + over if over and rng.random() < 0.5 else new

    def group(g: str) -> list[str]:
        return [r.id for r in spec.group_rows(g)] or ["other"]   # 2019: （六）其他处理 is one row

    lines = [
        f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
        f"不断提高政府工作透明度。",
        f"（一）主动公开情况。全年通过政府网站主动公开政府信息{rng.randint(10, 3000)}条。",
    ]
    if new == 0 and over == 0:
        lines.append("（二）依申请公开情况。本年度未收到政府信息公开申请。")
    else:
        carried = f"（含上年结转申请{over}件）" if received != new else ""
        lines.append(
            f"（二）依申请公开情况。全年共收到政府信息公开申请{received}件{carried}，办结{req['total']['total']}件，"
            f"{req['carried_forward']['total']}件结转下年度继续办理。其中予以公开{req['granted']['total']}件，"
            f"部分公开{req['partial']['total']}件，不予公开{_sum(req, group('denied'))}件，"
            f"无法提供{_sum(req, group('unavailable'))}件，不予处理{_sum(req, group('not_processed'))}件，"
            f"其他处理{_sum(req, group('other'))}件。")
    review = app["review"]["total"]
    suits = app["suit_direct"]["total"] + app["suit_after_review"]["total"]
    if review == 0 and suits == 0:
        lines.append("本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。")
    else:
        lines.append(f"因政府信息公开工作被申请行政复议{review}件，提起行政诉讼{suits}件。")
    lines.append("（三）政府信息管理情况。严格落实公开前保密审查制度，规范信息发布流程。")
    return "\n".join(lines)


def _problems(rng: random.Random) -> str:
    k = rng.randint(2, 4)
    items = rng.sample(_PROBLEMS, k)
    measures = rng.sample(_MEASURES, rng.randint(2, 4))
    listed = "；".join(f"{_COUNT_WORDS[i]}是{t}" for i, t in enumerate(items))
    fixes = "。".join(f"{_COUNT_WORDS[i]}是{t}" for i, t in enumerate(measures))
    return (f"（一）存在的主要问题。主要有以下{_COUNT_WORDS[k - 1]}个方面：{listed}。\n"
            f"（二）改进措施。{fixes}。")


def _other(rng: random.Random, template: str) -> str:
    if template == "2021":
        fee = rng.choice((0, 0, rng.randint(1, 5000)))
        return f"本年度收取政府信息公开信息处理费{fee}元。" if fee else "本年度未收取政府信息公开信息处理费。"
    return "无。"


# ---------------------------------------------------------------------------------------------


def _grid(data: dict[str, dict[str, int]]) -> Grid:
    return {r: {c: Cell.of(n) for c, n in cols.items()} for r, cols in data.items()}


def generate(rng: random.Random, *, template: str | None = None, year: int | None = None, agency: str | None = None,
             level: str | None = None, scale: int | None = None) -> Report:
    """A report whose every rule of report-format §6 holds and whose prose agrees with its tables.

    ``template`` defaults to the one ``year`` calls for (2021 when neither is given); ``year`` to a
    year of that template; ``level`` to a random one; ``scale`` (the typical size of a busy count;
    0 gives an all-zero report like a quiet 街道) to a random profile.
    """
    if template is None:
        template = expected_template(year) if year is not None and year >= 2019 else "2021"
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}")
    spec = TEMPLATES[template]
    if year is None:
        year = rng.randint(spec.years[0], min(spec.years[1], 2025))
    level = level or rng.choice(("department", "town", "government"))
    agency = agency or _agency(rng, level)
    if scale is None:
        scale = rng.choice((0, 5, 20, 60, 400))
    may_regulate = level == "government" and not any(k in agency for k in ("县", "区", "旗"))

    req = _requests(rng, spec.table("requests"), scale)
    app = _appeals(rng, scale)
    deadline = annual_report_deadline(level, year)
    earliest = date(year + 1, 1, 5)
    published = deadline - timedelta(days=rng.randint(0, max(0, (deadline - earliest).days)))
    sections = {
        "overview": _overview(rng, agency, year, spec.table("requests"), req, app),
        "disclosure": "",
        "requests": "",
        "appeals": "",
        "problems": _problems(rng),
        "other": _other(rng, template),
    }
    report = Report(
        source=Source(file=f"{agency}{year}年政府信息公开工作年度报告.txt",
                      sha256=hashlib.sha256(f"{agency}|{year}|{template}|{rng.random()}".encode()).hexdigest(),
                      shape="text"),
        agency=agency, level=level, year=year, template=template, published_on=published,  # type: ignore[arg-type]
        published_on_source="page", sections=sections,
        disclosure=_disclosure(rng, spec.table("disclosure"), scale, may_regulate),
        requests=_grid(req), appeals=_grid(app),
        tables_found={"disclosure", "requests", "appeals"},
    )
    report.title = report_title(report)
    return report


# ---------------------------------------------------------------------------------------------
# Layout: the official tables as rows of (text, rowspan, colspan), values already printed.

@dataclass(frozen=True, slots=True)
class _C:
    text: str
    rowspan: int = 1
    colspan: int = 1
    value: bool = False
    header: bool = False        # a column header (pages flattened to text often lose them)


Layout = list[list[_C]]

_DISCLOSURE_WIDTH = 4


def _printed(cell: Cell | None, blank_zeros: bool = False) -> str:
    if cell is None or cell.status in (CellStatus.BLANK, CellStatus.ABSENT):
        return ""
    if blank_zeros and cell.known and cell.number == 0 and cell.text is None:
        return ""
    if cell.raw is not None:
        return cell.raw
    return "" if cell.number is None else str(cell.number)


def _marker(marker: str, label: str) -> str:
    if marker.isdigit():
        return f"{marker}.{label}"
    if marker.startswith("（"):
        return f"{marker}{label}"
    return f"{marker}、{label}" if marker else label


def _layout_disclosure(report: Report, spec: TableSpec, blank_zeros: bool) -> Layout:
    rows: Layout = []
    grid = report.disclosure
    for block in spec.blocks:
        rows.append([_C(block.article, colspan=_DISCLOSURE_WIDTH)])
        head = [_C(DISCLOSURE_CONTENT, header=True)] + [_C(c.label, header=True) for c in block.columns]
        if len(block.columns) < _DISCLOSURE_WIDTH - 1:
            last = head[-1]
            head[-1] = _C(last.text, colspan=_DISCLOSURE_WIDTH - len(block.columns), header=True)
        rows.append(head)
        for row in block.rows:
            cells = [_C(row.label)] + [_C(_printed(grid.get(row.id, {}).get(c.id), blank_zeros), value=True)
                                      for c in block.columns]
            if len(block.columns) < _DISCLOSURE_WIDTH - 1:
                last = cells[-1]
                cells[-1] = _C(last.text, colspan=_DISCLOSURE_WIDTH - len(block.columns), value=True)
            rows.append(cells)
    return rows


def _layout_requests(report: Report, spec: TableSpec, blank_zeros: bool) -> Layout:
    grid = report.requests
    parts = [c for c in spec.columns if c.id not in ("natural_person", "total")]
    rows: Layout = [
        [_C(REQUESTS_BALANCE_NOTE, rowspan=3, colspan=3, header=True), _C(REQUESTS_APPLICANTS, colspan=7, header=True)],
        [_C(spec.column("natural_person").label, rowspan=2, header=True),
         _C(REQUESTS_ORGANISATIONS, colspan=len(parts), header=True),
         _C(spec.column("total").label, rowspan=2, header=True)],
        [_C(c.label, header=True) for c in parts],
    ]

    def values(row_id: str) -> list[_C]:
        return [_C(_printed(grid.get(row_id, {}).get(c.id), blank_zeros), value=True) for c in spec.columns]

    results = [r for r in spec.rows if r.group in ("results", *[g.id for g in spec.groups])]
    results_group = next(g for g in spec.groups if g.id == "results")
    first_result = True
    for row in spec.rows:
        if row.group is None:
            rows.append([_C(_marker(row.marker, row.label), colspan=3), *values(row.id)])
            continue
        lead: list[_C] = []
        if first_result:
            lead.append(_C(_marker(results_group.marker, results_group.label), rowspan=len(results)))
            first_result = False
        if row.group == "results":
            rows.append([*lead, _C(_marker(row.marker, row.label), colspan=2), *values(row.id)])
            continue
        members = spec.group_rows(row.group)
        if row is members[0]:
            group = next(g for g in spec.groups if g.id == row.group)
            lead.append(_C(_marker(group.marker, group.label), rowspan=len(members)))
        rows.append([*lead, _C(_marker(row.marker, row.label)), *values(row.id)])
    return rows


def _layout_appeals(report: Report, spec: TableSpec, blank_zeros: bool) -> Layout:
    review, direct, after = spec.rows
    n = len(spec.columns)
    return [
        [_C(review.label, colspan=n, header=True), _C(APPEALS_SUITS[0], colspan=2 * n, header=True)],
        [*[_C(c.label, rowspan=2, header=True) for c in spec.columns], _C(direct.label, colspan=n, header=True),
         _C(after.label, colspan=n, header=True)],
        [_C(c.label, header=True) for _ in (direct, after) for c in spec.columns],
        [_C(_printed(report.appeals.get(r.id, {}).get(c.id), blank_zeros), value=True)
         for r in spec.rows for c in spec.columns],
    ]


def _layouts(report: Report, blank_zeros: bool = False) -> dict[str, Layout]:
    spec = TEMPLATES[report.template or "2021"]
    return {"disclosure": _layout_disclosure(report, spec.table("disclosure"), blank_zeros),
            "requests": _layout_requests(report, spec.table("requests"), blank_zeros),
            "appeals": _layout_appeals(report, spec.table("appeals"), blank_zeros)}


# A rendered report is a sequence of blocks: ("title"|"date"|"heading"|"p"|"sign", text) or ("table", id).
def _blocks(report: Report) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = [("title", report_title(report))]
    if report.published_on:
        out.append(("date", f"日期：{report.published_on.isoformat()}"))
    out.append(("p", f"本报告根据《中华人民共和国政府信息公开条例》编制，所列数据的统计期限自{report.year}年1月1日起至"
                     f"{report.year}年12月31日止。"))
    for s in SECTIONS:
        out.append(("heading", f"{s.number}、{s.label}"))
        for para in (report.sections.get(s.id) or "").split("\n"):
            if para.strip():
                out.append(("p", para))
        if s.id in ("disclosure", "requests", "appeals"):
            out.append(("table", s.id))
    signed = report.published_on - timedelta(days=3) if report.published_on else None
    out.append(("sign", report.agency or ""))
    if signed:
        out.append(("sign", f"{signed.year}年{signed.month}月{signed.day}日"))
    return out


# ---------------------------------------------------------------------------------------------
# Renderers


_ASCII = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";"})


def render_text_lines(report: Report, *, headers: bool = True, ascii_punctuation: bool = False) -> str:
    """A web page flattened to text: every paragraph and every table cell on its own line.

    ``headers=False`` drops the tables' column headers and ``ascii_punctuation`` prints "(一)" and
    "日期:" for "（一）" and "日期：", as flattened pages often do (wuyang_2020.txt shows both).
    """
    layouts = _layouts(report)
    lines: list[str] = []
    for kind, text in _blocks(report):
        if kind == "table":
            for row in layouts[text]:
                lines.extend(c.text for c in row if c.text and (headers or not c.header))
        else:
            lines.append(text)
        lines.append("")
    out = "\n".join(lines)
    return out.translate(_ASCII) if ascii_punctuation else out


def render_collapsed(report: Report, *, headers: bool = True) -> str:
    """Everything on one line, table cells glued with no separator (as some portals serve it)."""
    layouts = _layouts(report)
    out: list[str] = []
    for kind, text in _blocks(report):
        if kind == "table":
            out.extend(c.text for row in layouts[text] for c in row if headers or not c.header)
        else:
            out.append(text)
    return "".join(out)


def _html_table(layout: Layout) -> str:
    rows = []
    for row in layout:
        cells = []
        for c in row:
            attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + \
                (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            cells.append(f"<td{attrs}>{html.escape(c.text) if c.text else '&nbsp;'}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table border="1" cellspacing="0" cellpadding="0">\n' + "\n".join(rows) + "\n</table>"


def render_html(report: Report, *, blank_zeros: bool = False) -> str:
    """An HTML page with real tables; ``blank_zeros`` prints 0 as an empty (&nbsp;) cell."""
    layouts = _layouts(report, blank_zeros)
    body: list[str] = []
    for kind, text in _blocks(report):
        if kind == "title":
            body.append(f"<h1>{html.escape(text)}</h1>")
        elif kind == "date":
            body.append(f'<div class="date">{html.escape(text)}</div>')
        elif kind == "heading":
            body.append(f"<p><strong>{html.escape(text)}</strong></p>")
        elif kind == "table":
            body.append(_html_table(layouts[text]))
        elif kind == "sign":
            body.append(f'<p style="text-align:right">{html.escape(text)}</p>')
        else:
            body.append(f"<p>{html.escape(text)}</p>")
    title = html.escape(report_title(report))
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title + "</title></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _grid_positions(layout: Layout) -> tuple[int, list[tuple[int, int, _C]]]:
    """Place spanning cells on a grid: (width, [(row, col, cell)])."""
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[int, int, _C]] = []
    width = 0
    for r, row in enumerate(layout):
        col = 0
        for c in row:
            while (r, col) in taken:
                col += 1
            placed.append((r, col, c))
            for dr in range(c.rowspan):
                for dc in range(c.colspan):
                    taken.add((r + dr, col + dc))
            col += c.colspan
            width = max(width, col)
    return width, placed


def render_docx(report: Report) -> bytes:
    """A Word document with the tables as real, merged-cell tables."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Docx()
    layouts = _layouts(report)
    for kind, text in _blocks(report):
        if kind == "title":
            doc.add_heading(text, level=1)
        elif kind == "table":
            layout = layouts[text]
            width, placed = _grid_positions(layout)
            table = doc.add_table(rows=len(layout), cols=width)
            table.style = "Table Grid"
            # ``table.cell(r, c)`` rebuilds the whole grid on every call; take the grid once. Merged
            # areas never overlap, so a merge leaves every other area's cells in place.
            grid = [row.cells for row in table.rows]
            for r, c, cell in placed:
                target = grid[r][c]
                if cell.rowspan > 1 or cell.colspan > 1:
                    target = target.merge(grid[r + cell.rowspan - 1][c + cell.colspan - 1])
                target.text = cell.text
        else:
            p = doc.add_paragraph(text)
            if kind == "sign":
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_xlsx(report: Report) -> bytes:
    """A workbook with the whole report on one sheet: prose in column A, tables with merged headers.

    Counts are written as numbers (as offices' spreadsheets hold them); printed text stays text.
    """
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "年度报告"
    layouts = _layouts(report)
    r0 = 1
    for kind, text in _blocks(report):
        if kind != "table":
            ws.cell(row=r0, column=1, value=text)
            r0 += 1
            continue
        layout = layouts[text]
        _, placed = _grid_positions(layout)
        for r, c, cell in placed:
            ws.cell(row=r0 + r, column=c + 1, value=_xlsx_value(cell))
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.merge_cells(start_row=r0 + r, start_column=c + 1, end_row=r0 + r + cell.rowspan - 1,
                               end_column=c + cell.colspan)
        r0 += len(layout) + 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_value(cell: _C) -> str | Number | None:
    if not cell.text:
        return None
    if cell.value:
        t = cell.text
        if t.lstrip("-").isdigit():
            return int(t)
        try:
            return float(Decimal(t)) if "." in t and t.replace(".", "", 1).lstrip("-").isdigit() else t
        except ArithmeticError:
            return t
    return cell.text
