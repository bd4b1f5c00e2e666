"""Generated reports rendered as real files show them, parsed back figure for figure."""

from __future__ import annotations

import random

import pytest

from reports import synthetic
from reports.extract import Limits, extract
from reports.model import Cell, CellStatus, Report
from reports.parse import parse

SEEDS = range(12)


def parse_rendered(report: Report, kind: str) -> Report:
    if kind == "lines":
        data, name = synthetic.render_text_lines(report).encode(), "r.txt"
    elif kind == "collapsed":
        data, name = synthetic.render_collapsed(report).encode(), "r.txt"
    elif kind == "html":
        data, name = synthetic.render_html(report).encode(), "r.html"
    elif kind == "html_blank_zeros":
        data, name = synthetic.render_html(report, blank_zeros=True).encode(), "r.html"
    elif kind == "docx":
        data, name = synthetic.render_docx(report), "r.docx"
    else:
        data, name = synthetic.render_xlsx(report), "r.xlsx"
    docs = extract(data, name, limits=Limits()).documents
    assert len(docs) == 1
    return parse(docs[0])


def same(got: Cell, want: Cell) -> bool:
    if want.text is not None:
        return got.value == want.text
    return got.known and got.number == want.number


def readable_or_honest(got: Cell, want: Cell) -> bool:
    """Right, or openly uncertain with the right reading among the candidates."""
    if got.candidates:
        truth = want.number if want.text is None else want.text
        return any(truth in c or (want.text is not None and want.number in c) for c in got.candidates) or same(got, want)
    return same(got, want)


def check_all(got: Report, want: Report, *, exact: tuple[str, ...]) -> None:
    assert (got.agency, got.year, got.template, got.level) == (want.agency, want.year, want.template, want.level)
    assert got.published_on == want.published_on
    assert got.tables_found == {"disclosure", "requests", "appeals"} and got.truncated == set()
    for table in ("disclosure", "requests", "appeals"):
        for row_id, cols in want.grid(table).items():  # type: ignore[arg-type]
            for col_id, cell in cols.items():
                g = got.cell(table, row_id, col_id)  # type: ignore[arg-type]
                ok = same(g, cell) if table in exact else readable_or_honest(g, cell)
                assert ok, (table, row_id, col_id, g, cell)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["lines", "html", "html_blank_zeros"])
def test_structured_renderings_are_read_exactly(seed: int, kind: str) -> None:
    report = synthetic.generate(random.Random(seed))
    check_all(parse_rendered(report, kind), report, exact=("disclosure", "requests", "appeals"))


@pytest.mark.parametrize("seed", SEEDS)
def test_collapsed_text_is_read_or_flagged(seed: int) -> None:
    """Table 三 always comes back exactly (row and column arithmetic settle the cuts); table 二 and
    table 四 may be uncertain, but then they say so and carry the true reading among the candidates."""
    report = synthetic.generate(random.Random(seed))
    check_all(parse_rendered(report, "collapsed"), report, exact=("requests",))


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_office_renderings(kind: str) -> None:
    report = synthetic.generate(random.Random(100))
    check_all(parse_rendered(report, kind), report, exact=("disclosure", "requests", "appeals"))


def test_two_glued_rows_that_only_swap_stay_ambiguous() -> None:
    """Two rows printed "10100011" each: (10,1,0,0,0,0,11) and (1,0,10,0,0,0,11) both add up, and
    the columns hold whichever row takes which reading, so nothing may be chosen."""
    report = synthetic.generate(random.Random(7), template="2021", scale=0)
    x, y = (10, 1, 0, 0, 0, 0, 11), (1, 0, 10, 0, 0, 0, 11)
    cols = list(report.requests["new"])
    report.requests["denied.state_secret"] = {c: Cell.of(v) for c, v in zip(cols, x)}
    report.requests["denied.law_forbidden"] = {c: Cell.of(v) for c, v in zip(cols, y)}
    both = [a + b for a, b in zip(x, y)]
    for row_id in ("total", "new"):
        report.requests[row_id] = {c: Cell.of(v) for c, v in zip(cols, both)}
    got = parse_rendered(report, "collapsed")
    for row_id in ("denied.state_secret", "denied.law_forbidden"):
        first = got.cell("requests", row_id, "natural_person")
        assert first.status is CellStatus.AMBIGUOUS and first.number is None
        assert set(first.candidates) == {x, y}
        # Columns on which both readings agree are still read.
        assert got.number("requests", row_id, "total") == 11
        assert got.number("requests", row_id, "legal_service") == 0
    assert got.number("requests", "total", "total") == 22


def _variants(text: str) -> str:
    """The same page as another site prints it: ASCII brackets, "1、" ordinals, full-width digits,
    spaces inside labels, GB-style full-width colons."""
    import re

    text = text.replace("（", "(").replace("）", ")")
    text = re.sub(r"^(\d)\.(?=\D)", r"\1、", text, flags=re.M)
    text = text.replace("予以公开", "予以 公开").replace("结转下年度继续办理", "结转下年度 继续办理")
    text = text.replace("日期：", "日期:")
    return text.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})


@pytest.mark.parametrize("seed", range(6))
def test_punctuation_and_spacing_variants(seed: int) -> None:
    report = synthetic.generate(random.Random(200 + seed))
    data = _variants(synthetic.render_text_lines(report)).encode("gb18030")
    got = parse(extract(data, "r.txt", limits=Limits()).documents[0])
    check_all(got, report, exact=("disclosure", "requests", "appeals"))
