"""file bytes → Documents → Reports → findings: the one flow every entry point calls."""

from __future__ import annotations

from dataclasses import dataclass, field

from .checks import check
from .extract import Limits, Skipped, extract
from .model import Report
from .parse import parse


@dataclass(slots=True)
class Analysis:
    reports: list[Report] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def analyse(data: bytes, filename: str, *, limits: Limits | None = None,
            town_deadline: tuple[int, int] = (1, 31)) -> Analysis:
    """Extract, parse and check every report in ``data``.

    Raises ``reports.extract.ExtractError`` when the file as a whole cannot be read (corrupt,
    encrypted, too large, a scan without text); a zip's unreadable members land in ``skipped``.
    """
    result = extract(data, filename, limits=limits or Limits())
    out = Analysis(skipped=list(result.skipped))
    for doc in result.documents:
        report = parse(doc)
        report.findings = check(report, town_deadline=town_deadline)
        out.reports.append(report)
    return out
