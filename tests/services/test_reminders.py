"""Reminder service against a real database: every test on SQLite and on PostgreSQL (the ``db`` fixture of
this folder's conftest; PostgreSQL needs TEST_POSTGRES_URL), plus two instances racing on PostgreSQL.

Every test runs on an injected clock: nothing depends on today's date.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from reports.deadlines import Channel, PauseKind
from storage import reminders as repo
from storage.db import Database
from storage.models import ReportRow
from storage.repository import AgencyRepository
from storage.reminders import Reminder, Subscription
from services.reminders import (DeliveryFailed, Notice, RecipientBlocked, ReminderError, ReminderService)

TZ = ZoneInfo("Asia/Shanghai")
CHAT = 4242


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def local(self, y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> None:
        self.at = datetime(y, m, d, hh, mm, tzinfo=TZ).astimezone(timezone.utc)


class Outbox:
    """A ``deliver`` that records notices and can be told to fail."""

    def __init__(self) -> None:
        self.sent: list[Notice] = []
        self.fail_next: list[Exception] = []

    async def __call__(self, notice: Notice) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.sent.append(notice)


def service(db: Database, clock: Clock, **kw) -> ReminderService:
    return ReminderService(db, tz=TZ, clock=clock, **kw)


async def add_agency(db: Database, name: str, level: str) -> int:
    async with db.transaction() as s:
        return (await AgencyRepository(s).resolve(name, level)).id


async def add_report(db: Database, agency_id: int | None, name: str, year: int) -> None:
    async with db.transaction() as s:
        s.add(ReportRow(agency_id=agency_id, agency_name=name, year=year, template="2021", level="department",
                        source_file=f"{name}.txt", source_shape="text", sha256=uuid.uuid4().hex + uuid.uuid4().hex,
                        original=b"x", parsed={}, parser_version="test", is_current=True))


async def pending(db: Database, chat_id: int = CHAT) -> list[Reminder]:
    async with db.transaction(write=False) as s:
        return [r for r in await repo.reminders_for(s, chat_id=chat_id) if r.outcome is None]


# ---- annual reminders ---------------------------------------------------------------------------


async def test_subscribe_schedules_each_annual_reminder_once(db):
    clock = Clock(datetime(2026, 11, 27, 8, tzinfo=timezone.utc))
    svc = service(db, clock)
    result = await svc.subscribe(CHAT, "zh")
    assert result.report_year == 2026
    assert result.deadlines == [date(2027, 1, 31), date(2027, 3, 31)]
    first = await pending(db)
    # Two deadlines × (30, 14, 7, 3, 1 days before, on the day, overdue the day after).
    assert len(first) == 14
    assert min(r.due_at for r in first) == datetime(2027, 1, 1, 1, 0, tzinfo=timezone.utc)  # 09:00 Beijing
    await svc.subscribe(CHAT, "zh")
    await svc.ensure_schedules(force=True)
    assert len(await pending(db)) == 14


async def test_restart_catch_up_sends_what_fell_due_once_and_only_the_latest(db):
    clock = Clock(datetime(2026, 11, 27, 8, tzinfo=timezone.utc))
    svc = service(db, clock)
    published = await add_agency(db, "甲市财政局", "department")
    await add_agency(db, "甲市教育局", "department")
    await svc.roster_add(CHAT, "zh", ["甲市财政局", "甲市教育局", "乙县人民政府"])
    await svc.subscribe(CHAT, "zh")
    await add_report(db, published, "甲市财政局", 2026)

    # The bot was down from before 1 January until 20 January: the 30-day and 14-day reminders of
    # the 31 January deadline fell due meanwhile. A fresh process (new service) catches up.
    clock.local(2027, 1, 20, 10)
    outbox = Outbox()
    stats = await service(db, clock).run_due(outbox)
    assert len(outbox.sent) == 1
    notice = outbox.sent[0]
    assert notice.kind == "annual" and notice.chat_id == CHAT
    assert notice.data["deadline"] == "2027-01-31"
    assert notice.data["days_left"] == 11
    assert notice.data["missing"] == ["甲市教育局"]          # the published one is off the list
    assert notice.data["total"] == 2                         # 乙县人民政府 is due on 31 March
    assert stats.superseded == 1
    again = await service(db, clock).run_due(outbox)
    assert again.claimed == 0 and len(outbox.sent) == 1


async def test_report_that_arrives_takes_its_body_off_the_list_and_silences_reminders(db):
    clock = Clock(datetime(2026, 11, 27, 8, tzinfo=timezone.utc))
    svc = service(db, clock)
    a = await add_agency(db, "丙区司法局", "department")
    await svc.roster_add(CHAT, "en", ["丙区司法局"])
    await svc.subscribe(CHAT, "en")
    clock.local(2027, 1, 1, 9, 1)
    outbox = Outbox()
    await svc.run_due(outbox)
    assert outbox.sent[0].data["missing"] == ["丙区司法局"] and outbox.sent[0].lang == "en"
    await add_report(db, a, "丙区司法局", 2026)
    clock.local(2027, 1, 17, 9, 1)
    stats = await svc.run_due(outbox)
    assert len(outbox.sent) == 1 and stats.skipped == 1
    # The overdue summary still reports that everything is in.
    clock.local(2027, 2, 1, 9, 1)
    await svc.run_due(outbox)
    assert outbox.sent[-1].data["overdue"] is True and outbox.sent[-1].data["missing"] == []


async def test_roster_all_covers_agencies_stored_later(db):
    clock = Clock(datetime(2026, 11, 27, 8, tzinfo=timezone.utc))
    svc = service(db, clock)
    await svc.roster_all(CHAT, "zh", True)
    await svc.subscribe(CHAT, "zh")
    await add_agency(db, "丁镇人民政府", "town")
    view = await svc.roster_view(CHAT)
    assert view.all_agencies and [line.name for line in view.lines] == ["丁镇人民政府"]
    assert view.lines[0].deadline == date(2027, 1, 31) and not view.lines[0].reported


async def test_failed_send_is_retried_later(db):
    clock = Clock(datetime(2026, 11, 27, 8, tzinfo=timezone.utc))
    svc = service(db, clock)
    await svc.roster_add(CHAT, "zh", ["戊市统计局"])
    await svc.subscribe(CHAT, "zh")
    clock.local(2027, 1, 1, 9, 0)
    outbox = Outbox()
    outbox.fail_next.append(DeliveryFailed("502 Bad Gateway"))
    stats = await svc.run_due(outbox)
    assert stats.retried == 1 and outbox.sent == []
    (row,) = [r for r in await pending(db) if r.due_at <= clock.at]
    assert row.attempts == 1 and "502" in (row.last_error or "") and row.next_try_at > clock.at
    assert (await svc.run_due(outbox)).claimed == 0          # not before its retry time
    clock.at += timedelta(minutes=5)
    stats = await svc.run_due(outbox)
    assert stats.sent == 1 and len(outbox.sent) == 1


async def test_send_gives_up_after_max_attempts(db):
    clock = Clock(datetime(2026, 11, 27, 8, tzinfo=timezone.utc))
    svc = service(db, clock, max_attempts=2)
    await svc.roster_add(CHAT, "zh", ["己市审计局"])
    await svc.subscribe(CHAT, "zh")
    clock.local(2027, 1, 1, 9, 0)
    outbox = Outbox()
    outbox.fail_next.extend([DeliveryFailed("timeout"), RuntimeError("boom")])
    await svc.run_due(outbox)
    clock.at += timedelta(hours=2)
    stats = await svc.run_due(outbox)
    assert stats.failed == 1
    async with db.transaction(write=False) as s:
        failed = [r for r in await repo.reminders_for(s, chat_id=CHAT) if r.outcome == repo.FAILED]
    assert len(failed) == 1 and "boom" in failed[0].last_error


async def test_blocked_chat_is_unsubscribed(db):
    clock = Clock(datetime(2026, 11, 27, 8, tzinfo=timezone.utc))
    svc = service(db, clock)
    await svc.roster_add(CHAT, "zh", ["庚市民政局"])
    await svc.subscribe(CHAT, "zh")
    await svc.track(CHAT, "zh", date(2026, 11, 20), Channel.ONLINE, "依申请2026-1")
    clock.local(2027, 1, 1, 9, 0)
    outbox = Outbox()
    outbox.fail_next.append(RecipientBlocked("Forbidden: bot was blocked by the user"))
    stats = await svc.run_due(outbox)
    assert stats.blocked == 1
    async with db.transaction(write=False) as s:
        sub = await s.get(Subscription, CHAT)
    assert sub is not None and sub.active is False
    assert await pending(db) == []
    clock.local(2027, 2, 1, 9, 0)
    assert (await svc.run_due(outbox)).claimed == 0


# ---- tracked applications -----------------------------------------------------------------------


async def test_track_extend_pause_resume_done_reschedule(db):
    clock = Clock(datetime(2026, 9, 28, 4, tzinfo=timezone.utc))
    svc = service(db, clock)
    view = await svc.track(CHAT, "zh", date(2026, 9, 28), Channel.MAIL, "〔2026〕第15号")
    assert view.due_on == date(2026, 10, 30) and not view.approximate
    assert view.correction_notice_by == date(2026, 10, 13)   # 7 working days, 10月10日 (Sat) worked
    keys = sorted(r.dedup_key for r in await pending(db))
    assert len(keys) == 4 and all(k.startswith(f"app:{view.id}:") for k in keys)
    with pytest.raises(ReminderError) as err:
        await svc.track(CHAT, "zh", date(2026, 9, 28), Channel.MAIL, "〔2026〕第15号")
    assert err.value.code == "already_tracked"

    extended = await svc.extend(CHAT, "〔2026〕第15号")
    assert extended.due_on == date(2026, 11, 27)
    assert {r.payload["on"] for r in await pending(db) if r.payload["reminder"] == "due_today"} == {"2026-11-27"}
    with pytest.raises(ReminderError) as err:
        await svc.extend(CHAT, f"#{view.id}")
    assert err.value.code == "already_extended"

    clock.local(2026, 10, 12, 10)
    paused = await svc.pause(CHAT, str(view.id), PauseKind.CONSULTATION)
    assert paused.due_on is None and paused.opinion_due == date(2026, 11, 2)
    assert [r.payload["reminder"] for r in await pending(db)] == ["opinion_due"]
    clock.local(2026, 10, 19, 10)
    resumed = await svc.resume(CHAT, str(view.id))
    assert resumed.excluded_workdays == 5 and resumed.due_on == date(2026, 12, 4)

    closed = await svc.done(CHAT, str(view.id))
    assert closed.closed and await pending(db) == []
    assert await svc.tracked(CHAT) == []
    with pytest.raises(ReminderError) as err:
        await svc.done(CHAT, str(view.id))
    assert err.value.code == "not_found"


async def test_application_reminder_composed_at_send_time(db):
    clock = Clock(datetime(2026, 9, 28, 4, tzinfo=timezone.utc))
    svc = service(db, clock)
    view = await svc.track(CHAT, "en", date(2026, 9, 28), Channel.IN_PERSON, "road noise")
    clock.local(2026, 10, 23, 9, 0)
    outbox = Outbox()
    await svc.run_due(outbox)
    (notice,) = outbox.sent
    assert notice.kind == "application" and notice.lang == "en"
    assert notice.data["reminder"] == "due_soon" and notice.data["remaining_workdays"] == 5
    assert notice.data["due_on"] == "2026-10-30" and notice.data["id"] == view.id


async def test_future_receipt_date_refused(db):
    svc = service(db, Clock(datetime(2026, 9, 28, 4, tzinfo=timezone.utc)))
    with pytest.raises(ReminderError) as err:
        await svc.track(CHAT, "zh", date(2026, 10, 1), Channel.FAX, "x")
    assert err.value.code == "future_date"


# ---- holiday calendar ---------------------------------------------------------------------------


async def test_admins_reminded_once_when_next_years_holidays_are_missing(db):
    clock = Clock(datetime(2026, 11, 30, 12, tzinfo=timezone.utc))
    svc = service(db, clock, admin_ids=[7, 8])
    outbox = Outbox()
    await svc.run_due(outbox)
    assert outbox.sent == []                                   # November: not yet
    clock.local(2026, 12, 1, 8, 0)
    await svc.run_due(outbox)
    assert sorted(n.chat_id for n in outbox.sent) == [7, 8]
    assert {n.kind for n in outbox.sent} == {"holidays_missing"} and outbox.sent[0].data == {"year": 2027}
    clock.local(2026, 12, 2, 8, 0)
    await svc.run_due(outbox)
    assert len(outbox.sent) == 2                               # one-time


async def test_no_holiday_reminder_when_next_year_is_covered(db):
    clock = Clock(datetime(2025, 12, 3, 2, tzinfo=timezone.utc))   # 2026 is in chinesecalendar
    outbox = Outbox()
    await service(db, clock, admin_ids=[7]).run_due(outbox)
    assert outbox.sent == []


# ---- two instances racing on PostgreSQL ---------------------------------------------------------

PG_URL = os.environ.get("TEST_POSTGRES_URL")


@pytest.fixture
async def pg_db():
    if not PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("TEST_POSTGRES_URL is required on CI")
        pytest.skip("TEST_POSTGRES_URL not set")
    url = make_url(PG_URL)
    name = f"govreport_test_deadlines_{uuid.uuid4().hex[:8]}"
    admin = Database(url.set(database="postgres").render_as_string(hide_password=False),
                     isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    target = url.set(database=name).render_as_string(hide_password=False)
    database = Database(target)
    await database.upgrade()
    try:
        yield database, target
    finally:
        await database.dispose()
        async with admin.engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


async def test_two_instances_racing_on_postgres_send_each_reminder_once(pg_db):
    database, url = pg_db
    clock = Clock(datetime(2027, 1, 1, 2, tzinfo=timezone.utc))
    due = clock.at - timedelta(minutes=1)
    async with database.transaction() as s:
        for i in range(40):
            await repo.schedule(s, chat_id=1000 + i, kind="holidays_missing", due_at=due,
                                dedup_key=f"race:{i}", series=f"race:{i}", payload={"year": 2099})
    other = Database(url)
    outbox = Outbox()

    async def slow_deliver(notice: Notice) -> None:
        await asyncio.sleep(0.005)
        await outbox(notice)

    try:
        a = service(database, clock, worker="A")
        b = service(other, clock, worker="B")
        rounds = [x.run_due(slow_deliver, limit=7) for _ in range(4) for x in (a, b)]
        await asyncio.gather(*rounds)
        await a.run_due(slow_deliver)
    finally:
        await other.dispose()
    chats = sorted(n.chat_id for n in outbox.sent)
    assert chats == [1000 + i for i in range(40)]
    async with database.transaction(write=False) as s:
        outcomes = (await s.scalars(select(Reminder.outcome))).all()
    assert set(outcomes) == {repo.SENT}


async def test_deadline_that_moves_back_revives_its_cancelled_reminders(db):
    clock = Clock(datetime(2026, 9, 28, 4, tzinfo=timezone.utc))
    svc = service(db, clock)
    view = await svc.track(CHAT, "zh", date(2026, 9, 28), Channel.ONLINE, "A-1")
    before = sorted(r.dedup_key for r in await pending(db))
    clock.local(2026, 10, 12, 10)
    await svc.pause(CHAT, "A-1", PauseKind.CONSULTATION)
    assert sorted(r.dedup_key for r in await pending(db)) != before
    resumed = await svc.resume(CHAT, "A-1")                 # same day: no working day excluded
    assert resumed.due_on == view.due_on == date(2026, 10, 30)
    assert sorted(r.dedup_key for r in await pending(db)) == before
    async with db.transaction(write=False) as s:
        rows = await repo.reminders_for(s, application_id=view.id)
    assert len({r.dedup_key for r in rows}) == len(rows)     # revived in place, never duplicated
