"""``python -m bot export [--format csv|xlsx] [-o FILE]``: every current report, one row each."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli_common import unavailable, with_database
from bot.settings import get_settings
from services.export import FORMATS, export
from storage.db import Database, StorageUnavailable


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="csv", help="file format (default csv)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")


def run(args: argparse.Namespace) -> int:
    if args.output is None and args.format == "xlsx" and sys.stdout.isatty():
        print("XLSX 是二进制文件，请用 -o 指定输出文件 / XLSX is binary: give an output file with -o", file=sys.stderr)
        return 2

    async def work(db: Database) -> int:
        return await export(db, args.format, args.output or sys.stdout.buffer)

    try:
        n = asyncio.run(with_database(work, get_settings()))
    except StorageUnavailable as error:
        return unavailable(error)
    except OSError as error:
        print(f"无法写入输出文件 / cannot write the output file: {error}", file=sys.stderr)
        return 1
    if args.output:
        print(f"已导出 {n} 份报告 / exported {n} reports → {args.output}", file=sys.stderr)
    return 0
