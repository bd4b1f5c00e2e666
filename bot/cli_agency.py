"""``python -m bot agency list | alias AGENCY NAME | merge KEEP DROP``: agency identity by hand.

AGENCY, KEEP and DROP are an agency id or any of its names.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli_common import unavailable, with_database
from bot.cli_table import render
from bot.settings import get_settings
from services.agencies import AgencyNotFound, SameAgency, add_alias, list_agencies, merge
from storage.db import Database, StorageUnavailable
from storage.repository import AliasConflict


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="every agency with its aliases and number of current reports")
    alias = sub.add_parser("alias", help="record another name of an agency")
    alias.add_argument("agency", help="agency id or name")
    alias.add_argument("name", help="the other name")
    m = sub.add_parser("merge", help="merge DROP into KEEP (reports and aliases move; DROP is removed)")
    m.add_argument("keep", help="agency id or name to keep")
    m.add_argument("drop", help="agency id or name to merge into it")


async def _run(db: Database, args: argparse.Namespace) -> None:
    if args.action == "list":
        agencies = await list_agencies(db)
        rows = [[a.id, a.name, a.level, a.region or "", a.current_reports,
                 "、".join(x for x in a.aliases if x != a.name)] for a in agencies]
        print(render(["编号 id", "机关 agency", "层级 level", "地区 region", "报告 reports", "别名 aliases"], rows,
                     max_width=60))
    elif args.action == "alias":
        a = await add_alias(db, args.agency, args.name)
        print(f"已记录：“{args.name}”→ {a.name}（#{a.id}）/ alias recorded")
    else:
        r = await merge(db, args.keep, args.drop)
        print(f"已将“{r.removed}”并入“{r.kept.name}”（#{r.kept.id}）：移动报告 {r.reports_moved} 份，"
              f"{len(r.superseded)} 份转为历史版本 / merged “{r.removed}” into “{r.kept.name}”: "
              f"{r.reports_moved} reports moved, {len(r.superseded)} became history")


def run(args: argparse.Namespace) -> int:
    try:
        asyncio.run(with_database(lambda db: _run(db, args), get_settings()))
    except StorageUnavailable as error:
        return unavailable(error)
    except (AgencyNotFound, SameAgency, AliasConflict) as error:
        print(f"{error.message_zh} / {error.message_en}", file=sys.stderr)
        return 2
    return 0
