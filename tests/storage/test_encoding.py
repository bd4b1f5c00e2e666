"""``storage.encoding``: the texts the store writes are the report's JSON and its known figures, whatever
the report holds — on both databases for the round trip."""

from __future__ import annotations

import json
import random

from reports.model import Cell, CellStatus
from reports.synthetic import generate
from services.store import store_report
from storage.encoding import DERIVED, encode, figure_values, stored_figure_values
from storage.repository import ReportRepository
from tests.storage.support import make_report, original_of

HUGE = 2**70        # glued digits read as one number can exceed 64 bits


def test_parsed_text_is_the_reports_json():
    for seed in range(20):
        report = generate(random.Random(seed))
        encoded = encode(report)
        assert json.loads(encoded.parsed) == json.loads(json.dumps(report.to_json()))
        nested = json.loads(encoded.figures)
        flat = sorted((t, r, c, float(v)) for t, rows in nested.items() for r, cols in rows.items()
                      for c, v in cols.items())
        assert flat == sorted(stored_figure_values(report))
        assert {t for t, *_ in flat} - {DERIVED} == {t for t, *_ in figure_values(report)}


def test_unknown_cells_are_no_figures():
    report = make_report("某局", 2021)
    report.requests["new"]["commercial"] = Cell(CellStatus.UNREADABLE, raw="十?")
    report.requests["new"]["research"] = Cell(CellStatus.AMBIGUOUS, raw="12", candidates=((1, 2), (12, 0)))
    report.requests["new"]["other_org"] = Cell.blank()
    figures = json.loads(encode(report).figures)["requests"]["new"]
    assert "commercial" not in figures and "research" not in figures and figures["other_org"] == 0


def test_numbers_beyond_64_bits_are_written_exactly():
    report = make_report("某局", 2021)
    report.requests["new"]["total"] = Cell.of(HUGE)
    encoded = encode(report)
    assert json.loads(encoded.parsed)["requests"]["new"]["total"] == HUGE
    assert json.loads(encoded.figures)["requests"]["new"]["total"] == HUGE


async def test_huge_number_round_trip(db):
    report = make_report("某局", 2021)
    report.requests["new"]["total"] = Cell.of(HUGE)
    outcome = await store_report(db, report, original_of(report))
    async with db.transaction(write=False) as s:
        repo = ReportRepository(s)
        assert (await repo.figures(outcome.report_id))[("requests", "new", "total")] == float(HUGE)
        assert (await repo.load(outcome.report_id)).requests["new"]["total"].number == HUGE
