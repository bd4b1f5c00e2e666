"""A reading chosen by plausibility (table 二, glued digits, no totals) is never passed off silently."""

from reports.pipeline import analyse
from tests.conftest import sample_bytes


def test_plausible_split_is_kept_and_flagged_with_the_other_readings():
    report = analyse(sample_bytes("pingtan_2021.txt"), "pingtan_2021.txt").reports[0]
    cells = report.disclosure["normative_docs"]
    assert [cells[c].number for c in ("issued", "repealed", "in_force")] == [69, 3, 665]
    notes = [f for f in report.findings if f.code == "INFERRED_SPLIT" and f.row == "normative_docs"]
    assert len(notes) == 1
    note = notes[0]
    assert note.severity == "info"
    assert note.data["candidates"][0] == [69, 3, 665]
    assert [6, 93, 665] in note.data["candidates"]
    assert "693665" in note.message and "69 | 3 | 665" in note.message


def test_split_decided_by_totals_is_not_flagged():
    report = analyse(sample_bytes("pingtan_2021.txt"), "pingtan_2021.txt").reports[0]
    assert not [f for f in report.findings if f.code == "INFERRED_SPLIT" and f.table in ("requests", "appeals")]
    assert report.requests["new"]["total"].number == 70
