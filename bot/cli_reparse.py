"""``python -m bot reparse``: re-run today's parser over every stored original and report what changed."""

from __future__ import annotations

import argparse
import asyncio
import sys

from tqdm import tqdm

from bot.cli_common import town_deadline, unavailable, with_database
from bot.settings import get_settings
from services.reparse import ReparseResult, ReportChange, reparse
from storage.db import Database, StorageUnavailable

_FIELDS_ZH = {"agency": "机关", "year": "年度", "template": "模板", "level": "层级", "published_on": "公开日期",
              "title": "标题"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-progress", action="store_true", help="do not show the progress bar")


def _fmt(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "—" if v is None else str(v)


def describe(change: ReportChange) -> list[str]:
    head = f"#{change.report_id} {change.agency or '?'} {change.year or '?'} ({change.file})"
    lines = [head]
    for name, (a, b) in change.fields.items():
        lines.append(f"  {_FIELDS_ZH.get(name, name)} {name}: {_fmt(a)} → {_fmt(b)}")
    for key, (a, b) in change.figures.items():
        lines.append(f"  {key}: {_fmt(a)} → {_fmt(b)}")
    if change.findings_added:
        lines.append(f"  新增问题 findings added: {', '.join(change.findings_added)}")
    if change.findings_removed:
        lines.append(f"  消除问题 findings removed: {', '.join(change.findings_removed)}")
    if len(lines) == 1:
        lines.append("  其他细节（单元格来源、章节文字等）有变化 / other details changed (cell provenance, section text)")
    return lines


def run(args: argparse.Namespace) -> int:
    settings = get_settings()

    async def work(db: Database) -> ReparseResult:
        with tqdm(unit="report", file=sys.stderr, disable=args.no_progress) as bar:
            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)
            return await reparse(db, town_deadline=town_deadline(settings), progress=progress)

    try:
        result = asyncio.run(with_database(work, settings))
    except StorageUnavailable as error:
        return unavailable(error)
    for change in result.changed:
        print("\n".join(describe(change)))
    for f in result.failed:
        print(f"#{f.report_id} ({f.file}) 重新解析失败 failed: {f.message} / {f.message_en}")
    print(f"共 {result.total} 份 reports · 有变化 changed: {len(result.changed)} · 无变化 unchanged: {result.unchanged}"
          f" · 失败 failed: {len(result.failed)}")
    return 0
