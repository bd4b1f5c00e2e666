"""Question latency over a large store: ``python -m bench.questions [--reports 100000] [--backend …]``.

Builds a store of N generated reports (default 100,000: ~16,700 agencies × 6 years, every cell of
tables 二/三/四 as a ``figures`` row, about 200 rows per report, plus a few findings), inserted in
bulk with the database driver because the point is query latency, not ingestion. Then it asks a
mix of questions through ``services.questions.answer`` — figures, breakdowns, sums, rankings,
trends, comparisons, rates, findings, coverage, ambiguous and unknown agencies, in Chinese and
English — and prints p50 / p95 / max per backend. The target is p95 ≤ 50 ms.

PostgreSQL: ``--postgres-url`` or ``TEST_POSTGRES_URL`` (a database ``govreport_bench_questions`` is
created next to it and dropped afterwards unless ``--keep``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy.engine import make_url

from reports.templates import TEMPLATES
from services.questions import answer
from storage.db import Database, execute_autocommit
from storage.encoding import DERIVED, subtotal_groups, subtotal_row_id

TODAY = date(2025, 6, 1)
YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
_CHARS = "安平和兴华新城东西南北山河江湖阳泉石清白龙凤金玉长宁永丰福寿康乐明德文武春秋云海松竹梅兰桃李"
_DEPTS = ("教育局", "财政局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "卫生健康委员会",
          "市场监督管理局", "统计局", "人力资源和社会保障局", "民政局", "司法局")
_STAMP = "2025-01-01 00:00:00.000000"


# ---- data -------------------------------------------------------------------------------------

def agency_names(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """n distinct (name, level): about 40% city departments, 5% city governments, 55% towns and street offices."""
    places = [a + b for a in _CHARS for b in _CHARS if a != b]
    n_gov = min(len(places), max(1, n // 20))
    n_dept = min(len(places) * len(_DEPTS), n * 2 // 5)
    n_town = n - n_gov - n_dept
    govs = [(f"{c}市人民政府", "government") for c in rng.sample(places, n_gov)]
    depts = [(f"{places[k // len(_DEPTS)]}市{_DEPTS[k % len(_DEPTS)]}", "department")
             for k in rng.sample(range(len(places) * len(_DEPTS)), n_dept)]
    towns = []
    for k in rng.sample(range(len(places) * len(places)), n_town):
        county, town = places[k // len(places)], places[k % len(places)]
        towns.append((f"{county}县{town}镇人民政府", "town") if k % 2 else (f"{county}县{town}街道办事处", "town"))
    out = govs + depts + towns
    rng.shuffle(out)
    return out


def _requests(rng: random.Random, template: str) -> dict[str, dict[str, int]]:
    spec = TEMPLATES[template].table("requests")
    cols = [c.id for c in spec.columns if c.id != "total"]
    scale = rng.choice((0, 3, 20, 100, 800))
    data: dict[str, dict[str, int]] = {}
    for r in spec.leaves:
        data[r.id] = {c: (rng.randint(0, scale) if rng.random() < 0.3 else 0) for c in cols}
    data["total"] = {c: sum(data[r.id][c] for r in spec.leaves) for c in cols}
    data["carried_forward"] = {c: rng.randint(0, max(0, data["total"][c] // 10)) for c in cols}
    data["carried_over"] = {c: rng.randint(0, max(0, data["total"][c] // 10)) for c in cols}
    data["new"] = {c: data["total"][c] + data["carried_forward"][c] - data["carried_over"][c] for c in cols}
    for row in data.values():
        row["total"] = sum(row[c] for c in cols)
    return data


def figure_rows(rng: random.Random, template: str) -> Iterator[tuple[str, str, str, float]]:
    requests = _requests(rng, template)
    for row, cols in requests.items():
        for col, v in cols.items():
            yield "requests", row, col, float(v)
    # The group subtotals the store writes next to the leaves (storage.encoding.stored_figure_values).
    spec = TEMPLATES[template].table("requests")
    for group, leaves in subtotal_groups(spec).items():
        for col in spec.columns:
            if all(col.id in requests.get(r, {}) for r in leaves):
                yield DERIVED, subtotal_row_id(group), col.id, float(sum(requests[r][col.id] for r in leaves))
    for row in ("review", "suit_direct", "suit_after_review"):
        parts = [rng.randint(0, 3) if rng.random() < 0.2 else 0 for _ in range(4)]
        for col, v in zip(("upheld", "corrected", "other", "pending", "total"), (*parts, sum(parts))):
            yield "appeals", row, col, float(v)
    spec = TEMPLATES[template].table("disclosure")
    for r in spec.rows:
        for c in spec.columns_of(r):
            if not c.text:
                yield "disclosure", r.id, c.id, float(rng.randint(0, 500))


def build(n_reports: int, seed: int = 1):
    """(agencies, reports, figures iterator factory, findings) as plain tuples."""
    rng = random.Random(seed)
    n_agencies = -(-n_reports * 50 // (len(YEARS) * 50 - 1))    # one agency in 50 skips 2024
    names = agency_names(n_agencies, rng)
    agencies = [(i + 1, name, level) for i, (name, level) in enumerate(names)]
    reports = []
    rid = 0
    for aid, name, level in agencies:
        for year in YEARS:
            if rid >= n_reports:
                break
            # About 2% of agencies have not filed their 2024 report yet (the coverage question).
            if year == 2024 and aid % 50 == 0:
                continue
            rid += 1
            reports.append((rid, aid, name, level, year, "2019" if year <= 2020 else "2021"))
    findings = [(i + 1, r[0]) for i, r in enumerate(reports) if r[0] % 97 == 0]
    return agencies, reports, findings


# ---- bulk loading --------------------------------------------------------------------------------

def _report_tuple(r) -> tuple:
    rid, aid, name, level, year, template = r
    return (rid, aid, name, year, template, level, f"{year + 1}-01-20", f"{name}{year}年政府信息公开工作年度报告",
            f"{name}{year}.txt", "text", None, f"{rid:064x}", b"", "{}", "bench", _STAMP, None, None, True, 0, 0)


_REPORT_COLS = ("id, agency_id, agency_name, year, template, level, published_on, title, source_file, source_shape, "
                "source_url, sha256, original, parsed, parser_version, received_at, uploaded_by, superseded_by, "
                "is_current, error_count, warning_count")



def load_sqlite(path: str, agencies, reports, findings, seed: int) -> int:
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    # Indexes are dropped for the load and rebuilt from their own definitions (faster than updating them).
    indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='figures' "
                          "AND sql IS NOT NULL").fetchall()
    for name, _sql in indexes:
        con.execute(f"DROP INDEX {name}")
    con.executemany("INSERT INTO agencies (id, name, level, region, created_at) VALUES (?,?,?,NULL,?)",
                    [(a, n, lvl, _STAMP) for a, n, lvl in agencies])
    con.executemany("INSERT INTO agency_aliases (id, agency_id, alias, key) VALUES (?,?,?,?)",
                    [(a, a, n, n) for a, n, _ in agencies])
    con.executemany(f"INSERT INTO reports ({_REPORT_COLS}) VALUES ({','.join('?' * 21)})",
                    [_report_tuple(r) for r in reports])
    rng = random.Random(seed)
    n = 0
    batch: list[tuple] = []
    for rid, aid, _name, _level, year, template in reports:
        for t, r, c, v in figure_rows(rng, template):
            n += 1
            batch.append((n, rid, aid, year, 1, t, r, c, v))
        if len(batch) >= 200_000:
            con.executemany("INSERT INTO figures (id, report_id, agency_id, year, is_current, table_id, row_id, "
                            "column_id, value) VALUES (?,?,?,?,?,?,?,?,?)", batch)
            batch.clear()
    if batch:
        con.executemany("INSERT INTO figures (id, report_id, agency_id, year, is_current, table_id, row_id, "
                        "column_id, value) VALUES (?,?,?,?,?,?,?,?,?)", batch)
    con.executemany("INSERT INTO findings (id, report_id, code, severity, \"where\", message, message_en, table_id, "
                    "row_id, column_id, data) VALUES (?,?,'BALANCE','error','表三 · 总计','一 + 二 ≠ （七） + 四',"
                    "'1 + 2 ≠ (7) + 4','requests',NULL,'total','{}')", findings)
    for _name, sql in indexes:
        con.execute(sql)
    con.execute("ANALYZE")
    con.commit()
    con.close()
    return n


async def load_postgres(url: str, agencies, reports, findings, seed: int) -> int:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    con = await asyncpg.connect(dsn)
    try:
        indexes = await con.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'figures' "
                                  "AND indexname <> 'pk_figures'")
        for row in indexes:
            await con.execute(f'DROP INDEX "{row["indexname"]}"')
        stamp = datetime(2025, 1, 1, tzinfo=timezone.utc)
        await con.copy_records_to_table("agencies", records=[(a, n, lvl, None, stamp) for a, n, lvl in agencies],
                                        columns=["id", "name", "level", "region", "created_at"])
        await con.copy_records_to_table("agency_aliases", records=[(a, a, n, n) for a, n, _ in agencies],
                                        columns=["id", "agency_id", "alias", "key"])
        recs = []
        for r in reports:
            t = list(_report_tuple(r))
            t[6] = date(r[4] + 1, 1, 20)
            t[15] = stamp
            recs.append(tuple(t))
        await con.copy_records_to_table("reports", records=recs, columns=[c.strip() for c in _REPORT_COLS.split(",")])
        rng = random.Random(seed)
        n = 0
        batch: list[tuple] = []
        cols = ["id", "report_id", "agency_id", "year", "is_current", "table_id", "row_id", "column_id", "value"]
        for rid, aid, _name, _level, year, template in reports:
            for t, r, c, v in figure_rows(rng, template):
                n += 1
                batch.append((n, rid, aid, year, True, t, r, c, v))
            if len(batch) >= 200_000:
                await con.copy_records_to_table("figures", records=batch, columns=cols)
                batch.clear()
        if batch:
            await con.copy_records_to_table("figures", records=batch, columns=cols)
        await con.copy_records_to_table(
            "findings", columns=["id", "report_id", "code", "severity", "where", "message", "message_en", "table_id",
                                 "column_id", "data"],
            records=[(i, rid, "BALANCE", "error", "表三 · 总计", "一 + 二 ≠ （七） + 四", "1 + 2 ≠ (7) + 4", "requests",
                      "total", "{}") for i, rid in findings])
        for row in indexes:
            await con.execute(row["indexdef"])
        for table in ("agencies", "agency_aliases", "reports", "figures", "findings"):
            await con.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                              f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
        # VACUUM sets the visibility map, as autovacuum would, so that index-only scans are possible.
        await con.execute("VACUUM ANALYZE")
    finally:
        await con.close()
    return n


# ---- the questions -------------------------------------------------------------------------------

def questions(agencies, rng: random.Random, n: int) -> list[str]:
    """A mix in both languages; agency names are picked from the store."""
    towns = [name for _, name, level in agencies if level == "town"]
    depts = [name for _, name, level in agencies if level == "department"]
    govs = [name for _, name, level in agencies if level == "government"]
    forms = [
        lambda: f"{rng.choice(towns).split('县')[1].replace('人民政府', '')}{rng.choice(YEARS)}年收到多少政府信息公开申请？",
        lambda: f"{rng.choice(depts)}{rng.choice(YEARS)}年予以公开多少件",
        lambda: f"{rng.choice(depts)}{rng.choice(YEARS[2:])}年不予公开多少",
        lambda: f"{rng.choice(govs)}{rng.choice(YEARS)}年行政复议情况",
        lambda: f"{rng.choice(govs).replace('人民政府', '政府')}近三年收到申请",
        lambda: f"{rng.choice(depts)}2019到2024年办结多少",
        lambda: f"{rng.choice(YEARS)}年哪个部门收到的申请最多",
        lambda: f"{rng.choice(YEARS)}年哪个街道乡镇申请最少",
        lambda: f"{rng.choice(YEARS)}年申请量排名前10",
        lambda: f"{rng.choice(YEARS)}年申请总数",
        lambda: f"{rng.choice(govs)}{rng.choice(YEARS)}年公开率",
        lambda: f"{rng.choice(depts)}{rng.choice(YEARS)}年自然人申请占比",
        lambda: f"{rng.choice(depts)}和{rng.choice(depts)}{rng.choice(YEARS)}年申请对比",
        lambda: f"{rng.choice(govs)}2024年申请比去年增长多少",
        lambda: "哪些报告勾稽关系不对",
        lambda: "还有谁没交2024年的年报",
        lambda: "who hasn't filed 2024",
        lambda: f"{rng.choice(depts)}{rng.choice(YEARS)}年申请情况",
        lambda: f"统计局{rng.choice(YEARS)}年收到多少申请",
        lambda: "北京市朝阳区2023年收到多少申请",
        lambda: f"how many requests were denied in {rng.choice(YEARS)} in total",
        lambda: f"which department received the most requests in {rng.choice(YEARS)}",
    ]
    return [rng.choice(forms)() for _ in range(n)]


async def measure(url: str, qs: list[str]):
    """Wall-clock latency and this process's CPU time per question, also by intent (on SQLite the CPU time
    includes the database work; on PostgreSQL the server's share is not in it)."""
    db = Database(url)
    try:
        t0 = time.perf_counter()
        await answer(db, "帮助", today=TODAY)          # builds the agency index once (names, pinyin)
        warm = time.perf_counter() - t0
        times: list[float] = []
        cpus: list[float] = []
        by_intent: dict[str, list[tuple[float, float]]] = {}
        for q in qs:
            t, c = time.perf_counter(), time.process_time()
            a = await answer(db, q, today=TODAY)
            dt, dc = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
            times.append(dt)
            cpus.append(dc)
            by_intent.setdefault(a.query.intent, []).append((dt, dc))
        return times, warm, by_intent, cpus
    finally:
        await db.dispose()


def p(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def report(name: str, n_figures: int, load_s: float, warm_s: float, times: list[float],
           by_intent: dict[str, list[tuple[float, float]]], cpus: list[float]) -> None:
    print(f"\n[{name}] {n_figures:,} figure rows, loaded in {load_s:.0f} s; agency index built in {warm_s:.2f} s")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work on the machine inflates "
          "wall-clock times; CPU time is this process's own)")
    print(f"  {len(times)} questions, wall: p50 {p(times, .5):.1f} ms · p95 {p(times, .95):.1f} ms · "
          f"max {max(times):.1f} ms · mean {statistics.mean(times):.1f} ms  → "
          f"{'OK' if p(times, .95) <= 50 else 'ABOVE'} the 50 ms p95 target")
    print(f"  {len(cpus)} questions, CPU:  p50 {p(cpus, .5):.1f} ms · p95 {p(cpus, .95):.1f} ms · "
          f"max {max(cpus):.1f} ms")
    for intent, pairs in sorted(by_intent.items()):
        ts, cs = [x for x, _ in pairs], [y for _, y in pairs]
        print(f"    {intent:10s} n={len(ts):4d}  wall p50 {p(ts, .5):6.1f} p95 {p(ts, .95):6.1f}  "
              f"cpu p50 {p(cs, .5):6.1f} p95 {p(cs, .95):6.1f} ms")




async def run(args: argparse.Namespace) -> None:
    agencies, reports, findings = build(args.reports)
    qs = questions(agencies, random.Random(2), args.questions)
    print(f"{len(reports):,} reports · {len(agencies):,} agencies · {len(findings)} findings · "
          f"{len(qs)} questions")
    if args.backend in ("sqlite", "both"):
        folder = Path(args.sqlite_dir or tempfile.mkdtemp(prefix="bench-questions-"))
        path = folder / "bench.db"
        url = f"sqlite+aiosqlite:///{path}"
        if args.reuse and path.exists():
            db = Database(url)
            await db.upgrade()
            await db.dispose()
            n, load = sqlite3.connect(path).execute("SELECT count(*) FROM figures").fetchone()[0], 0.0
        else:
            path.unlink(missing_ok=True)
            db = Database(url)
            await db.upgrade()
            await db.dispose()
            t = time.perf_counter()
            n = load_sqlite(str(path), agencies, reports, findings, seed=3)
            load = time.perf_counter() - t
        times, warm, by_intent, cpus = await measure(url, qs)
        report("SQLite", n, load, warm, times, by_intent, cpus)
        if not args.keep:
            for f in folder.glob("bench.db*"):
                f.unlink()
    if args.backend in ("postgresql", "both"):
        base = args.postgres_url or os.environ.get("TEST_POSTGRES_URL")
        if not base:
            print("\n[PostgreSQL] skipped: give --postgres-url or set TEST_POSTGRES_URL")
            return
        name = "govreport_bench_questions"
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        if not args.reuse:
            await execute_autocommit(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await execute_autocommit(base, f'CREATE DATABASE "{name}"')
        try:
            db = Database(url)
            await db.upgrade()
            await db.dispose()
            t = time.perf_counter()
            if args.reuse:
                n, load = -1, 0.0
            else:
                n = await load_postgres(url, agencies, reports, findings, seed=3)
            load = time.perf_counter() - t
            times, warm, by_intent, cpus = await measure(url, qs)
            report("PostgreSQL", n, load, warm, times, by_intent, cpus)
        finally:
            if not args.keep:
                await execute_autocommit(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.questions", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=400)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", help="server to create the bench database on (default TEST_POSTGRES_URL)")
    parser.add_argument("--sqlite-dir", help="folder for the SQLite file (default a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    parser.add_argument("--reuse", action="store_true", help="ask the databases a previous --keep run left")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
