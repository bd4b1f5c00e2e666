"""Group subtotals (table ``derived``): written with a report's figures when every leaf of a group is known,
backfilled by migration 0006 exactly as the store writes them, never shown as a report's own figures, and
read by whole-group sums with the same answers as the leaves — on both databases."""

from __future__ import annotations

from sqlalchemy import text

from reports.model import Cell, CellStatus
from reports.questions.metrics import METRICS
from reports.templates import TEMPLATES
from services.questions import component
from services.store import store_report
from storage import queries as sq
from storage.db import downgrade
from storage.encoding import DERIVED, stored_figure_values, subtotal_row_id
from storage.repository import ReportRepository
from tests.storage.support import fresh_url, make_report, open_db, original_of

COLUMNS = [c.id for c in TEMPLATES["2021"].table("requests").columns]


def with_outcomes(agency: str, year: int, base: int, *, unknown: tuple[str, str] | None = None):
    """A report whose outcome groups are filled (leaf value base + position); ``unknown`` (row, column) unreadable."""
    report = make_report(agency, year, tag=str(base))
    spec = TEMPLATES[report.template].table("requests")
    for i, row in enumerate(r for r in spec.rows if r.leaf and r.id not in ("granted", "partial")):
        report.requests[row.id] = {c: Cell.of(base + i) for c in COLUMNS}
    if unknown:
        row, column = unknown
        report.requests[row][column] = Cell(CellStatus.UNREADABLE, raw="八?")
    return report


def derived(report) -> dict[tuple[str, str], float]:
    return {(r, c): v for t, r, c, v in stored_figure_values(report) if t == DERIVED}


def test_subtotals_only_where_every_leaf_is_known():
    report = with_outcomes("甲局", 2022, 1, unknown=("denied.third_party", "commercial"))
    values = derived(report)
    assert values[(subtotal_row_id("denied"), "natural_person")] == sum(range(1, 9))  # leaves hold 1..8
    assert (subtotal_row_id("denied"), "commercial") not in values
    assert values[(subtotal_row_id("unavailable"), "commercial")] == 9 + 10 + 11
    assert values[(subtotal_row_id("other"), "total")] == 17 + 18 + 19           # 2021: three rows
    assert {r for r, _ in values} == {subtotal_row_id(g) for g in ("denied", "unavailable", "not_processed", "other")}


def test_2019_single_other_row_gets_the_same_subtotal():
    report = with_outcomes("甲局", 2020, 5)
    assert report.template == "2019"
    assert derived(report)[(subtotal_row_id("other"), "total")] == report.requests["other"]["total"].number
    # make_report alone has no outcome groups: no subtotal is guessed.
    assert derived(make_report("乙局", 2020)) == {}


async def stored_derived(db) -> list[tuple]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT report_id, agency_id, year, is_current, row_id, column_id, value "
                                       "FROM figures WHERE table_id = 'derived' ORDER BY report_id, row_id, column_id"))
        return [tuple(r) for r in rows.all()]


async def test_migration_backfills_what_the_store_writes(backend, tmp_path):
    url = await fresh_url(backend, tmp_path)
    reports = [with_outcomes("甲局", 2020, 1), with_outcomes("乙局", 2021, 3, unknown=("other.no_fee", "total")),
               with_outcomes("甲局", 2020, 2), make_report("丙局", 2022)]
    async for db in open_db(url):
        for r in reports:
            await store_report(db, r, original_of(r))
        written = await stored_derived(db)
        assert len(written) == 3 * 4 * len(COLUMNS) - 1            # 丙局 has no groups; one cell unknown
        await downgrade(url, "0005")                                # 0006's downgrade deletes the subtotals
        assert await stored_derived(db) == []
        await db.upgrade()
        assert await stored_derived(db) == written
        async with db.transaction(write=False) as s:
            own = await ReportRepository(s).figures(written[0][0])
        assert not any(t == DERIVED for t, _, _ in own)


async def test_group_sums_match_the_leaves(db):
    for i, r in enumerate([with_outcomes("甲局", 2021, 1), with_outcomes("乙局", 2021, 4),
                           with_outcomes("丙局", 2020, 2), with_outcomes("丙局", 2021, 7)]):
        await store_report(db, r, original_of(r))
    scope = sq.Scope((2020, 2021))
    async with db.transaction(write=False) as s:
        for group in ("denied", "unavailable", "not_processed", "other"):
            c = component(METRICS[group], "total")
            assert sq._subtotal_shape(c) == ((subtotal_row_id(group),), "total")
            fast = await sq.totals_by_year(s, [c], None, scope)
            leaves = (await s.execute(sq._totals_stmt((c,), None, scope))).all()
            exact = {y: (int(n), float(a or 0), d) for y, n, a, d in leaves}
            assert fast == exact and fast[2021][0] == 3
    # A report with an unreadable leaf has no subtotal: the exact per-report path leaves it out.
    await store_report(db, r := with_outcomes("丁局", 2021, 9, unknown=("denied.state_secret", "total")), original_of(r))
    async with db.transaction(write=False) as s:
        c = component(METRICS["denied"], "total")
        assert (await sq.totals_by_year(s, [c], None, scope))[2021][0] == 3
        assert (await sq.totals_by_year(s, [component(METRICS["unavailable"], "total")], None, scope))[2021][0] == 4
