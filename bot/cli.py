"""``python -m bot …`` / ``govreport …``: one argparse tree; each command lives in its own module.

Every command module exposes ``add_arguments(parser)`` and ``run(args) -> int`` (exit status per
the contract: 0 ran, 1 unreadable input, 2 usage error).
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("bot.cli_run", "run the Telegram bot (default)"),
    "check": ("bot.cli_check", "parse and validate report files without storing them"),
    "import": ("bot.cli_import", "parse, validate and store files, folders and zips"),
    "export": ("bot.cli_export", "export every current report's figures as CSV or XLSX"),
    "reparse": ("bot.cli_reparse", "re-run today's parser over every stored original"),
    "ask": ("bot.cli_ask", "answer a question from the store, as the bot would"),
    "agency": ("bot.cli_agency", "manage agencies: list, alias, merge"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govreport", description="政府信息公开工作年度报告 bot and tools")
    sub = parser.add_subparsers(dest="command")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        importlib.import_module(module).add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "run")
    parser = build_parser()
    args = parser.parse_args(argv)
    return importlib.import_module(args._module).run(args)
