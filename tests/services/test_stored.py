"""services.stored: what the bot shows and deletes — on SQLite and PostgreSQL (the ``db`` fixture)."""

from __future__ import annotations

from services import stored
from services.ingest import ingest
from tests.conftest import sample_bytes

WUYANG = "重庆市秀山土家族苗族自治县乌杨街道办事处"


async def test_deleting_the_current_report_brings_back_the_previous_version(db):
    first = (await ingest(db, sample_bytes("wuyang_2020.txt"), "wuyang_2020.txt")).outcomes[0]
    # The same report published again with a trailing note: new bytes, same agency and year.
    second = (await ingest(db, sample_bytes("wuyang_2020.txt") + "\n（更正版）\n".encode(),
                           "wuyang_2020_v2.txt")).outcomes[0]
    assert second.status == "superseded"
    agency_id = second.agency_id
    assert (await stored.current(db, agency_id, 2020)).report_id == second.report_id

    gone = await stored.delete_report(db, second.report_id)
    assert (gone.agency, gone.year) == (WUYANG, 2020)
    assert await stored.load(db, second.report_id) is None
    back = await stored.current(db, agency_id, 2020)
    assert back.report_id == first.report_id and back.is_current
    assert await stored.delete_report(db, second.report_id) is None


async def test_agency_matching_years_and_findings(db):
    for name in ("pingtan_2019.txt", "pingtan_2021.txt", "shanghai_2019.html"):
        await ingest(db, sample_bytes(name), name)
    years = {a.name: a.years for a in await stored.agency_years(db)}
    assert years["平潭综合实验区"] == [2019, 2021]
    assert [a.name for a in (await stored.match_agency(db, "平潭")).found] == ["平潭综合实验区"]
    assert [a.name for a in (await stored.match_agency(db, "Pingtan")).found] == ["平潭综合实验区"]
    nothing = await stored.match_agency(db, "平谭综合实验区")
    assert not nothing.found and "平潭综合实验区" in [a.name for a in nothing.suggestions]
    pingtan = (await stored.match_agency(db, "平潭综合实验区")).found[0]
    flagged, total = await stored.findings(db, pingtan.id)
    assert total == 1 and {f.code for f in flagged[0].findings} >= {"AMBIGUOUS_CELL"}
    flagged, total = await stored.findings(db)
    assert total == 2 and {"AMBIGUOUS_CELL", "MISSING_TOTAL"} <= {f.code for r in flagged for f in r.findings}
    worst, total = await stored.findings(db, limit=1)
    assert total == 2 and [r.agency for r in worst] == ["上海市人民政府"]   # errors first
