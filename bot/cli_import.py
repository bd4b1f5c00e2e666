"""``python -m bot import PATH…``: parse, check and store files, folders (recursively) and zips.

A progress bar goes to stderr; the final table (one line per report, plus unreadable files and
skipped archive members) and the totals go to stdout. Exit status 1 when any input could not be
read or stored, else 0 (findings are not failures).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from tqdm import tqdm

from bot.cli_common import town_deadline, unavailable, with_database
from bot.cli_table import clip_start, render
from bot.settings import get_settings
from reports.extract import Limits
from services.ingest import (
    IngestResult,
    Prepared,
    Unreadable,
    analysis_failed,
    prepare_paths,
    store_prepared_many,
)
from storage import indexes
from storage.db import Database, StorageUnavailable

LABELS = {
    "stored": "已保存 stored",
    "superseded": "已保存并替换旧版 superseded an older report",
    "duplicate": "已存储 already stored",
    "failed": "保存失败 not saved",
    "unreadable": "无法读取 unreadable",
    "skipped": "已跳过 skipped",
}
# Reports stored per transaction: large enough that per-statement costs vanish, small enough that a
# batch retried report by report (after a failure) stays quick and the files held in memory stay few.
BATCH_REPORTS = 200
# Files per task handed to a worker: each task is a round trip between processes and a wake-up of
# the event loop (file by file, the pool's threads took about 0.8 ms of the importer's CPU per file).
GROUP_FILES = 8
# Editors' lock files and system metadata found in folders people zip up.
_IGNORED_PREFIXES = (".", "~$", "__MACOSX")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders (searched recursively) and zips")
    p.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="files analysed in parallel (worker processes; default: one per CPU)")


def collect(paths: list[str]) -> tuple[list[Path], list[Unreadable]]:
    """The files to import, in a stable order, and the paths that do not exist."""
    files: list[Path] = []
    missing: list[Unreadable] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()
                                and not any(part.startswith(_IGNORED_PREFIXES) for part in p.relative_to(path).parts)))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(Unreadable(raw, "missing", "文件或文件夹不存在", "no such file or folder"))
    return files, missing


async def import_files(db: Database, files: list[Path], *, limits: Limits, town_deadline: tuple[int, int],
                       jobs: int = 1, progress: bool = True, batch: int = BATCH_REPORTS) -> list[IngestResult]:
    """Import ``files`` in order. Analysis (CPU-bound) runs in ``jobs`` worker processes while the
    event loop stores what is ready, about ``batch`` reports per transaction
    (``services.ingest.store_prepared_many``: the outcomes are those of storing one by one, and a
    failed batch is retried one report per transaction). An import at least as large as the store
    builds the question indexes once at the end (``storage.indexes``)."""
    loop = asyncio.get_running_loop()
    # "spawn": forking a process that runs an event loop and database threads is not safe.
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) if jobs > 1 else None
    # Files handed to the workers and not yet stored. The workers must not run dry while a batch is
    # written (about as long as they take to analyse one more), and the bound keeps memory flat.
    window = 3 * batch + 2 * jobs * GROUP_FILES
    results: list[IngestResult] = []

    def submit(group: list[Path]) -> asyncio.Future[list[Prepared]]:
        work = partial(prepare_paths, [(str(p), p.name) for p in group], limits=limits, town_deadline=town_deadline)
        return loop.run_in_executor(pool, work)

    async def analysed(group: list[Path], future: asyncio.Future[list[Prepared]]) -> list[Prepared]:
        try:
            return await future
        except Exception as error:  # noqa: BLE001 - e.g. a worker process died: these files fail, the rest go on
            return [analysis_failed(str(path), error) for path in group]

    # Chunks of analysed files on their way to the store. While one is written, more are gathered and
    # more files handed to the workers (up to ``window`` files not yet stored), so analysis and storing overlap.
    chunks: asyncio.Queue[list[tuple[Path, Prepared]] | None] = asyncio.Queue()
    stored_files = 0
    store_progressed = asyncio.Event()

    async def gather() -> None:
        groups = iter([files[i:i + GROUP_FILES] for i in range(0, len(files), GROUP_FILES)])
        pending: deque[tuple[list[Path], asyncio.Future[list[Prepared]]]] = deque()
        submitted = 0
        chunk: list[tuple[Path, Prepared]] = []
        reports = 0
        while True:
            while submitted - stored_files < window and (group := next(groups, None)) is not None:
                pending.append((group, submit(group)))
                submitted += len(group)
            if not pending:
                if submitted == len(files):
                    break
                store_progressed.clear()      # the window is full of analysed files: wait for the store
                await store_progressed.wait()
                continue
            group, future = pending.popleft()
            for path, prepared in zip(group, await analysed(group, future), strict=True):
                chunk.append((path, prepared))
                reports += len(prepared.reports)
            if reports >= batch or not pending:     # nothing more to gather before the store moves on
                chunks.put_nowait(chunk)
                chunk, reports = [], 0
        if chunk:
            chunks.put_nowait(chunk)
        chunks.put_nowait(None)

    async def store(bar: tqdm) -> None:
        nonlocal stored_files
        while (chunk := await chunks.get()) is not None:
            stored = await store_prepared_many(db, [p for _, p in chunk])
            for (path, _), result in zip(chunk, stored, strict=True):
                result.file = str(path)
                results.append(result)
            stored_files += len(chunk)
            store_progressed.set()
            bar.set_postfix_str(chunk[-1][0].name[-30:], refresh=False)
            bar.update(len(chunk))

    bulk = await indexes.worth_suspending(db, len(files))
    if bulk:
        await indexes.suspend(db)
    try:
        with tqdm(total=len(files), unit="file", file=sys.stderr, disable=not progress) as bar:
            producer = asyncio.create_task(gather())
            try:
                await store(bar)
            finally:
                producer.cancel()
                await asyncio.gather(producer, return_exceptions=True)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if bulk:
            if progress:
                print("正在重建查询索引 rebuilding the question indexes…", file=sys.stderr)
            await indexes.restore(db)
    return results


def _codes(findings) -> str:
    counts = Counter(f.code for f in findings)
    return ", ".join(f"{c}×{n}" if n > 1 else c for c, n in sorted(counts.items()))


def _name(result: IngestResult, file: str) -> str:
    """The file, or "archive › member" for a report found inside an archive."""
    base = Path(result.file).name
    if file in (base, result.file):
        return clip_start(result.file, 60)
    # The extractor names members "archive.zip/folder/member".
    return clip_start(f"{result.file} › {file.removeprefix(base + '/')}", 60)


def table(results: list[IngestResult], missing: list[Unreadable]) -> tuple[str, Counter[str]]:
    rows: list[list[object]] = []
    totals: Counter[str] = Counter()
    for result in results:
        for o in result.outcomes:
            totals[o.status] += 1
            rows.append([_name(result, o.file),
                         o.agency or o.agency_printed or "?", o.year or "?", LABELS[o.status],
                         o.errors, o.warnings, _codes(o.findings) if o.status != "failed" else o.message_en])
        for u in result.unreadable:
            totals["unreadable"] += 1
            rows.append([_name(result, u.file), "", "", LABELS["unreadable"], "", "", f"{u.message} / {u.message_en}"])
        for s in result.skipped:
            totals["skipped"] += 1
            rows.append([_name(result, s.name), "", "", LABELS["skipped"], "", "", f"{s.reason} / {s.reason_en}"])
    for u in missing:
        totals["unreadable"] += 1
        rows.append([clip_start(u.file, 60), "", "", LABELS["unreadable"], "", "", f"{u.message} / {u.message_en}"])
    header = ["文件 file", "机关 agency", "年度 year", "结果 outcome", "错误 errors", "警告 warnings", "问题 findings"]
    return render(header, rows, max_width=70), totals


def summary(totals: Counter[str]) -> str:
    parts = [("stored", "已保存 stored"), ("superseded", "替换旧版 superseded"), ("duplicate", "已存储 duplicate"),
             ("unreadable", "无法读取 unreadable"), ("skipped", "已跳过 skipped"), ("failed", "保存失败 failed")]
    return " · ".join(f"{label}: {totals.get(key, 0)}" for key, label in parts)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    files, missing = collect(args.paths)
    limits = Limits.for_upload_mb(settings.max_upload_mb)

    async def work(db: Database) -> list[IngestResult]:
        return await import_files(db, files, limits=limits, town_deadline=town_deadline(settings),
                                  jobs=max(1, min(args.jobs, len(files))), progress=not args.no_progress)

    try:
        results = asyncio.run(with_database(work, settings))
    except StorageUnavailable as error:
        return unavailable(error)
    text, totals = table(results, missing)
    print(text)
    print(summary(totals))
    return 1 if totals["unreadable"] or totals["failed"] else 0
