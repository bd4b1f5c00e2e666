"""services.ingest over the real samples: what is stored, deduplicated, superseded and refused."""

from __future__ import annotations

import hashlib
import io
import zipfile

from sqlalchemy import func, select

from services.ingest import ingest
from storage.models import Figure, ReportRow
from storage.repository import ReportRepository
from tests.conftest import sample_bytes


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


async def test_sample_is_stored_with_figures_findings_and_original(db):
    data = sample_bytes("pingtan_2021.txt")
    result = await ingest(db, data, "pingtan_2021.txt", uploaded_by=42)
    [o] = result.outcomes
    assert (o.status, o.agency, o.year, o.template) == ("stored", "平潭综合实验区", 2021, "2021")
    async with db.transaction(write=False) as s:
        repo = ReportRepository(s)
        row = await repo.get(o.report_id)
        assert row.uploaded_by == 42 and row.sha256 == hashlib.sha256(data).hexdigest()
        assert await repo.original(row.id) == data
        figures = await repo.figures(row.id)
        # The hand-checked expectations of samples/README.md, through the store.
        assert figures[("requests", "new", "total")] == 70
        assert figures[("requests", "carried_forward", "total")] == 1
        assert figures[("appeals", "suit_direct", "upheld")] == 12
        assert figures[("disclosure", "fees", "amount_wan_yuan")] == 24252.311082
        loaded = await repo.load(row.id)
        assert loaded.agency == "平潭综合实验区" and loaded.number("requests", "total", "total") == 69


async def test_same_file_twice_is_already_stored(db):
    data = sample_bytes("wuyang_2020.txt")
    first = await ingest(db, data, "wuyang_2020.txt")
    second = await ingest(db, data, "renamed.txt")
    assert first.outcomes[0].status == "stored"
    assert second.outcomes[0].status == "duplicate"
    assert second.outcomes[0].message == "已存储（相同文件此前已保存，未重复保存）"
    assert second.outcomes[0].report_id == first.outcomes[0].report_id
    async with db.transaction(write=False) as s:
        assert await s.scalar(select(func.count(ReportRow.id))) == 1


async def test_zip_members_are_stored_with_their_own_bytes(db):
    members = {"平潭/pingtan_2019.txt": sample_bytes("pingtan_2019.txt"),
               "shanghai_2019.html": sample_bytes("shanghai_2019.html")}
    result = await ingest(db, _zip(members), "county.zip")
    assert sorted(o.status for o in result.outcomes) == ["stored", "stored"]
    async with db.transaction(write=False) as s:
        repo = ReportRepository(s)
        originals = {await repo.original(o.report_id) for o in result.outcomes}
    assert originals == set(members.values())
    again = await ingest(db, _zip(dict(reversed(members.items()))), "county-again.zip")
    assert [o.status for o in again.outcomes] == ["duplicate", "duplicate"]


async def test_a_report_already_stored_alone_is_a_duplicate_inside_a_zip(db):
    await ingest(db, sample_bytes("huaian_2024_pdftext.txt"), "huaian.txt")
    result = await ingest(db, _zip({"a/huaian.txt": sample_bytes("huaian_2024_pdftext.txt"),
                                    "wuyang.txt": sample_bytes("wuyang_2020.txt")}), "batch.zip")
    assert sorted(o.status for o in result.outcomes) == ["duplicate", "stored"]


async def test_unreadable_files_and_non_reports_are_refused_with_reasons(db):
    empty = await ingest(db, b"", "empty.txt")
    assert not empty.outcomes and empty.unreadable[0].code == "empty"
    assert empty.unreadable[0].message and empty.unreadable[0].message_en
    junk = await ingest(db, b"\x00\x01\x02binary" * 50, "junk.bin")
    assert junk.unreadable[0].code == "unsupported"
    prose = await ingest(db, "今天天气很好，没有任何报告内容。".encode(), "note.txt")
    assert prose.unreadable[0].code == "not_a_report"
    assert "年度报告" in prose.unreadable[0].message
    async with db.transaction(write=False) as s:
        assert await s.scalar(select(func.count(ReportRow.id))) == 0


async def test_second_report_for_same_year_supersedes(db):
    first = await ingest(db, sample_bytes("pingtan_2021.txt"), "pingtan_2021.txt")
    edited = sample_bytes("pingtan_2021.txt").replace("平潭综合实验区".encode(), "平潭综合实验区管委会".encode(), 1)
    second = await ingest(db, edited, "pingtan_2021_v2.txt")
    [o] = second.outcomes
    assert o.status == "superseded" and o.superseded == [first.outcomes[0].report_id]
    async with db.transaction(write=False) as s:
        current = await s.scalar(select(func.count(func.distinct(Figure.report_id))).where(Figure.is_current))
        assert current == 1


async def test_an_import_worker_ships_a_lean_report_and_the_store_gets_everything(db, tmp_path):
    """``prepare_path`` (what import workers run) sends the cells only as ``encoded``; what is stored must
    equal what an upload of the same bytes stores."""
    from services.ingest import prepare_path, store_prepared
    from tests.storage.support import fresh_url, open_db

    path = tmp_path / "pingtan_2021.txt"
    path.write_bytes(sample_bytes("pingtan_2021.txt"))
    prepared = prepare_path(str(path), path.name)
    [item] = prepared.reports
    assert item.report.requests == {} and item.report.text == "" and item.report.findings
    [o] = (await store_prepared(db, prepared)).outcomes
    async for other in open_db(await fresh_url("sqlite", tmp_path / "upload")):
        [u] = (await ingest(other, path.read_bytes(), path.name)).outcomes
        async with other.transaction(write=False) as s:
            repo = ReportRepository(s)
            want = (await repo.figures(u.report_id), await repo.parsed(u.report_id))
    async with db.transaction(write=False) as s:
        repo = ReportRepository(s)
        got = (await repo.figures(o.report_id), await repo.parsed(o.report_id))
    assert got == want and got[0][("requests", "new", "total")] == 70
    assert [f.code for f in o.findings] == [f.code for f in u.findings]
