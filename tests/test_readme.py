"""The README's tables are the user's reference: they must name every check code and every command."""

import re

from bot.cli import COMMANDS
from reports.checks import CODES
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_finding_code_is_in_the_table_of_checks():
    table = set(re.findall(r"^\| `([A-Z_]+)` \| (error|warning|info)", README, flags=re.M))
    assert {code for code, _ in table} == set(CODES)
    for code, severity in table:
        assert severity == CODES[code][0].value, code


def test_every_cli_command_is_documented():
    for name in COMMANDS:
        assert re.search(rf"^\| `{name}[ `(]", README, flags=re.M), name


def test_two_commands_are_given():
    assert "make run" in README and "make test" in README
