"""Bulk import benchmark: N generated reports (mixed shapes) into SQLite and into PostgreSQL.

    python -m bench.import_reports [--count 10000] [--backend sqlite|postgresql|both] [--jobs N]

The corpus is generated once and cached (``--corpus``, default under the system temp folder):
agencies at three levels, five years each (2019–2023, so history and carry-over checks happen),
shapes mixed as txt (one cell per line) 30 %, html 30 %, xlsx 20 %, docx 20 %, plus 1 % exact
duplicates and 1 % corrected re-issues (which supersede). Text and HTML reports are generated and
rendered one by one; Word and Excel files are rendered once per (year, level) and then re-issued
under each agency's name (the office tools' renderers are slow, and the parsing cost does not
depend on the figures).

Each backend is imported by a fresh child process running ``python -m bot import``'s code path;
it prints wall-clock seconds, reports per second, the time spent in the store, and peak memory
(resident set of the importing process and of the largest analysis worker). Targets on the
2-core machine: ≤ 60 s for SQLite, peak memory ≤ 300 MB. PostgreSQL needs TEST_POSTGRES_URL
(a fresh database ``govreport_bench_<pid>`` is created and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

YEARS = (2019, 2020, 2021, 2022, 2023)
LEVELS = ("department", "town", "government")
SHAPES = (("txt", 0.3), ("html", 0.3), ("xlsx", 0.2), ("docx", 0.2))
_PLACE = "东西南北安平宁康新和兴隆福寿金山川河湖清江阳春秋云泉石桥林溪峰岭塘沙田花柳桂梅松竹永昌盛德明华"
_DEPARTMENTS = ("教育局", "财政局", "统计局", "民政局", "司法局", "交通运输局", "生态环境局", "市场监督管理局",
                "住房和城乡建设局", "卫生健康委员会")


def _place(rng: random.Random) -> str:
    return "".join(rng.sample(_PLACE, 2))


def agencies(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """``n`` distinct (name, level) pairs that no alias rule folds together."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    while len(out) < n:
        level = rng.choice(LEVELS)
        if level == "department":
            name = f"{_place(rng)}市{rng.choice(_DEPARTMENTS)}"
        elif level == "town":
            name = f"{_place(rng)}县{_place(rng)}镇人民政府"
        else:
            name = f"{_place(rng)}{rng.choice('市县')}人民政府"
        if name not in seen:
            seen.add(name)
            out.append((name, level))
    return out


def _refs(text: str) -> bytes:
    return "".join(f"&#{ord(c)};" for c in text).encode()


def _reissue(base: bytes, old: str, new: str) -> bytes:
    """An Office file (a zip of XML parts) with one agency name replaced by another."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".xml"):
                # openpyxl writes CJK text as character references, python-docx as UTF-8.
                for a, b in ((old.encode(), new.encode()), (_refs(old), _refs(new))):
                    data = data.replace(a, b)
            dst.writestr(info, data)
    return out.getvalue()


def generate_corpus(folder: Path, count: int, seed: int) -> None:
    from reports import synthetic as syn

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_agencies = max(1, count // len(YEARS))
    names = agencies(rng, n_agencies)
    bases: dict[tuple[str, int, str], tuple[bytes, str]] = {}
    written: list[Path] = []
    shapes, weights = zip(*SHAPES)
    i = 0

    def write(name: str, data: bytes) -> None:
        nonlocal i
        path = folder / f"{i:05d}_{name}"
        path.write_bytes(data)
        written.append(path)
        i += 1

    plan = [(agency, level, year) for agency, level in names for year in YEARS]
    rng.shuffle(plan)
    extras = 2 * (count // 100)          # 1 % duplicates + 1 % corrected re-issues
    for agency, level, year in plan[: count - extras]:
        shape = rng.choices(shapes, weights)[0]
        if shape in ("txt", "html"):
            report = syn.generate(rng, year=year, agency=agency, level=level)
            text = syn.render_text_lines(report) if shape == "txt" else syn.render_html(report)
            write(f"{year}.{shape}", text.encode())
        else:
            key = (shape, year, level)
            if key not in bases:
                report = syn.generate(rng, year=year, level=level)
                data = syn.render_docx(report) if shape == "docx" else syn.render_xlsx(report)
                bases[key] = (data, report.agency or "")
            data, old = bases[key]
            write(f"{year}.{shape}", _reissue(data, old, agency))
    done = len(written)
    # Exact duplicates (already stored) and corrected re-issues (supersede the stored one).
    for n in range(count - done):
        if n % 2:
            write("dup.txt", rng.choice(written[:done]).read_bytes())
        else:
            agency, level, year = rng.choice(plan)
            report = syn.generate(rng, year=year, agency=agency, level=level)
            write(f"{year}.v2.txt", syn.render_text_lines(report).encode())
    (folder / "manifest.json").write_text(json.dumps({"count": len(written), "seed": seed,
                                                      "shapes": Counter(p.suffix for p in written)}))


# ---- child: one import, measured -------------------------------------------------------------



async def _import(url: str, files: list[Path], jobs: int) -> dict[str, object]:
    from sqlalchemy import func, select

    import bot.cli_import as cli_import
    from reports.extract import Limits
    from storage.db import Database
    from storage.models import Figure, ReportRow

    db = Database(url)
    await db.upgrade()
    store_seconds = 0.0
    real_store = cli_import.store_prepared_many

    async def timed_store(*args, **kwargs):     # how much of the wall clock is the database's
        nonlocal store_seconds
        t = time.perf_counter()
        try:
            return await real_store(*args, **kwargs)
        finally:
            store_seconds += time.perf_counter() - t

    cli_import.store_prepared_many = timed_store
    start = time.perf_counter()
    results = await cli_import.import_files(db, files, limits=Limits(), town_deadline=(1, 31), jobs=jobs,
                                            progress=False)
    seconds = time.perf_counter() - start
    # Read before the counts below: a count of every figure fills the reading connection's page
    # cache, which is this benchmark's checking, not the import's memory.
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    totals: Counter[str] = Counter()
    for r in results:
        totals.update(o.status for o in r.outcomes)
        totals["unreadable"] += len(r.unreadable)
    async with db.transaction(write=False) as s:
        reports = await s.scalar(select(func.count(ReportRow.id)))
        figures = await s.scalar(select(func.count(Figure.id)))
    await db.dispose()
    return {"seconds": round(seconds, 1), "store_seconds": round(store_seconds, 1),
            "peak_rss_mb": round(peak_rss / 1024, 1),
            "reports_per_second": round(len(files) / seconds, 1), "outcomes": dict(totals),
            "reports_rows": reports, "figure_rows": figures}


def child(backend: str, corpus: Path, jobs: int) -> None:
    files = sorted(p for p in corpus.iterdir() if p.name != "manifest.json")
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            out = asyncio.run(_import(f"sqlite+aiosqlite:///{tmp}/bench.db", files, jobs))
            out["database_mb"] = round(sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20, 1)
    else:
        from sqlalchemy.engine import make_url

        from storage.db import execute_autocommit

        base = os.environ["TEST_POSTGRES_URL"]
        name = f"govreport_bench_{os.getpid()}"
        asyncio.run(execute_autocommit(base, f'CREATE DATABASE "{name}"'))
        try:
            out = asyncio.run(_import(make_url(base).set(database=name).render_as_string(hide_password=False),
                                      files, jobs))
        finally:
            asyncio.run(execute_autocommit(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds: the importing process (event loop, store, SQLite) and the analysis workers together.
    out["cpu_seconds_importer"] = round(own.ru_utime + own.ru_stime, 1)
    out["cpu_seconds_workers"] = round(workers.ru_utime + workers.ru_stime, 1)
    out["load_average"] = [round(x, 1) for x in os.getloadavg()]
    out["peak_worker_rss_mb"] = round(workers.ru_maxrss / 1024, 1)
    print(json.dumps({"backend": backend, "files": len(files), "jobs": jobs, **out}, ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.import_reports", description=__doc__.split("\n")[0])
    p.add_argument("--count", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--corpus", type=Path)
    p.add_argument("--child", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    corpus = args.corpus or Path(tempfile.gettempdir()) / "govreport-bench" / f"corpus-{args.count}-{args.seed}"
    if args.child:
        child(args.child, corpus, args.jobs)
        return 0
    if not (corpus / "manifest.json").exists():
        t = time.perf_counter()
        generate_corpus(corpus, args.count, args.seed)
        print(f"generated {args.count} files in {time.perf_counter() - t:.0f} s → {corpus}", file=sys.stderr)
    print(f"corpus: {(corpus / 'manifest.json').read_text()}")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    status = 0
    for backend in backends:
        if backend == "postgresql" and not os.environ.get("TEST_POSTGRES_URL"):
            print("postgresql: skipped (TEST_POSTGRES_URL not set)")
            continue
        run = subprocess.run([sys.executable, "-m", "bench.import_reports", "--child", backend, "--corpus",
                              str(corpus), "--jobs", str(args.jobs)], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{backend}: failed\n{run.stderr[-3000:]}")
            status = 1
            continue
        print(run.stdout.strip())
    return status


if __name__ == "__main__":
    raise SystemExit(main())
