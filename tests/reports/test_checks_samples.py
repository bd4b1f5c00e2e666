"""The checks over the real samples, end to end (extract → parse → check), against README.md."""

from __future__ import annotations

from datetime import date

import pytest

from reports.model import Severity
from reports.pipeline import analyse
from tests.conftest import sample_bytes

SAMPLES = ["wuyang_2020.txt", "pingtan_2019.txt", "pingtan_2021.txt", "huaian_2024_pdftext.txt", "shanghai_2019.html",
           "songmutang_2022_excerpt.txt", "zhongcun_2020_excerpt.txt", "district-stats_2023_excerpt.txt"]


def findings(name: str, **kw):
    [report] = analyse(sample_bytes(name), name, **kw).reports
    return report, report.findings


def codes(fs, severity: Severity | None = None) -> list[str]:
    return sorted(f.code for f in fs if severity is None or f.severity is severity)


@pytest.mark.parametrize("name", SAMPLES)
def test_errors_only_where_the_readme_says(name):
    _, fs = findings(name)
    expected = ["MISSING_TOTAL"] if name == "shanghai_2019.html" else []
    assert codes(fs, Severity.ERROR) == expected, [f.message for f in fs]


def test_wuyang_points_defect_and_on_time():
    report, fs = findings("wuyang_2020.txt")
    assert report.published_on == date(2021, 1, 20)
    assert codes(fs) == ["NARRATIVE_POINTS"]
    assert fs[0].data["announced"] == 4 and fs[0].data["listed"] == 3
    _, later = findings("wuyang_2020.txt", town_deadline=(1, 15))
    assert "LATE" in codes(later)


def test_shanghai_missing_totals_and_three_narrative_mismatches():
    _, fs = findings("shanghai_2019.html")
    assert "ROW_TOTAL" not in codes(fs) and "SUBTOTAL" not in codes(fs)
    [missing] = [f for f in fs if f.code == "MISSING_TOTAL"]
    assert missing.data["rows"]["granted"] == 272 and missing.data["rows"]["unavailable.not_held"] == 265
    narrative = [f for f in fs if f.code == "NARRATIVE_MISMATCH"]
    assert sorted(f.data["metric"] for f in narrative) == ["all_upheld", "granted_partial", "unavailable"]
    assert codes(fs) == ["MISSING_TOTAL", "NARRATIVE_MISMATCH", "NARRATIVE_MISMATCH", "NARRATIVE_MISMATCH"]


def test_songmutang_town_regulation_and_truncated():
    _, fs = findings("songmutang_2022_excerpt.txt")
    assert {"TOWN_REGULATION", "TRUNCATED"} <= set(codes(fs))
    town = next(f for f in fs if f.code == "TOWN_REGULATION")
    assert town.data["values"] == {"issued": 2, "in_force": 2}
    assert codes(fs, Severity.WARNING).count("MISSING_SECTION") == 0


def test_pingtan_2019_procurement_is_ambiguous():
    _, fs = findings("pingtan_2019.txt")
    amb = [f for f in fs if f.code == "AMBIGUOUS_CELL"]
    assert [(f.table, f.row) for f in amb] == [("disclosure", "procurement")]
    assert "13575394432.52" in amb[0].message


@pytest.mark.parametrize("name", ["pingtan_2021.txt", "huaian_2024_pdftext.txt"])
def test_consistent_reports_have_no_findings(name):
    _, fs = findings(name)
    # INFERRED_SPLIT is a note about how glued table-二 digits were read, not a defect of the report.
    defects = [f for f in fs if f.code != "INFERRED_SPLIT"]
    assert defects == [], [f.message for f in defects]
