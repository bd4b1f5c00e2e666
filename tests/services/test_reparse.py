"""services.reparse: today's parser over every stored original, with what changed."""

from __future__ import annotations

from sqlalchemy import delete, update

from reports import PARSER_VERSION
from services.ingest import ingest
from services.reparse import reparse
from storage.models import Figure, FindingRow, ReportRow
from storage.repository import ReportRepository
from tests.conftest import sample_bytes


async def _age(db, report_id: int) -> None:
    """Make a stored report look as an older, buggier parser left it."""
    async with db.transaction() as s:
        repo = ReportRepository(s)
        parsed = await repo.parsed(report_id)
        parsed = {**parsed, "requests": {**parsed["requests"], "new": {**parsed["requests"]["new"], "total": 999}},
                  "findings": [f for f in parsed["findings"] if f["code"] != "MISSING_TOTAL"]}
        parsed.pop("cells")
        await s.execute(update(ReportRow).where(ReportRow.id == report_id)
                        .values(parsed=parsed, parser_version="0.0.0", error_count=0))
        await s.execute(update(Figure).where(Figure.report_id == report_id, Figure.row_id == "new",
                                             Figure.column_id == "total").values(value=999))
        await s.execute(delete(FindingRow).where(FindingRow.report_id == report_id,
                                                 FindingRow.code == "MISSING_TOTAL"))


async def test_reparse_restores_and_reports_what_changed(db):
    shanghai = (await ingest(db, sample_bytes("shanghai_2019.html"), "shanghai_2019.html")).outcomes[0]
    wuyang = (await ingest(db, sample_bytes("wuyang_2020.txt"), "wuyang_2020.txt")).outcomes[0]
    await _age(db, shanghai.report_id)
    progress: list[tuple[int, int]] = []
    result = await reparse(db, progress=lambda done, total: progress.append((done, total)))
    assert (result.total, result.unchanged, len(result.failed)) == (2, 1, 0)
    assert progress[-1] == (2, 2)
    [change] = result.changed
    assert change.report_id == shanghai.report_id
    assert change.figures == {"requests.new.total": (999, 859)}
    assert change.findings_added == ["MISSING_TOTAL"]
    assert change.findings_removed == []
    async with db.transaction(write=False) as s:
        repo = ReportRepository(s)
        row = await repo.get(shanghai.report_id)
        assert row.parser_version == PARSER_VERSION and row.error_count == shanghai.errors
        assert (await repo.figures(shanghai.report_id))[("requests", "new", "total")] == 859
        codes = [f.code for f in await repo.findings(shanghai.report_id)]
        assert codes.count("MISSING_TOTAL") == 1
        assert (await repo.get(wuyang.report_id)).is_current
    again = await reparse(db)
    assert (again.unchanged, again.changed) == (2, [])
