"""The same report in every shape an office publishes gives the same figures as its text form.

.docx, .xlsx and HTML are rendered by ``reports.synthetic``; .doc and .pdf are printed from the
.docx by LibreOffice, once per session and several files per soffice call (it is slow).
"""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from reports import synthetic
from reports.extract import extract
from reports.extract.doc import looks_complete
from reports.checks import check
from reports.parse import parse
from reports.pipeline import analyse

SPECS = [("2019", 60, 11), ("2021", 400, 12), ("2021", 0, 13)]
FIGURES = ("agency", "level", "year", "template", "published_on", "disclosure", "requests", "appeals")
# LibreOffice output is cached across sessions, keyed on the report and on the renderer's source.
CACHE = Path(tempfile.gettempdir()) / "govreport-test-libreoffice"


@pytest.fixture(scope="session")
def reports_():
    return [synthetic.generate(random.Random(seed), template=t, scale=scale) for t, scale, seed in SPECS]


@pytest.fixture(scope="session")
def docx_files(reports_) -> list[bytes]:
    return [synthetic.render_docx(r) for r in reports_]


def _soffice(paths: list[Path], fmt: str, outdir: Path, profile: Path) -> None:
    exe = shutil.which("soffice")
    assert exe, "LibreOffice (soffice) is required: it is installed by .ci/run"
    subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", fmt, "--outdir", str(outdir), *map(str, paths)],
                   check=True, capture_output=True, timeout=300)


def _cache_key(report) -> str:
    renderer = Path(synthetic.__file__).read_bytes()
    text = synthetic.render_text_lines(report).encode()
    return hashlib.sha256(renderer + b"\0" + text).hexdigest()[:24]


@pytest.fixture(scope="session")
def printed(reports_, docx_files, tmp_path_factory) -> dict[str, list[bytes]]:
    """.doc (the first report: reading it runs LibreOffice again) and .pdf (all), printed from the .docx."""
    root = tmp_path_factory.mktemp("lo")
    keys = [_cache_key(r) for r in reports_]
    wanted = {"pdf": keys, "doc": keys[:1]}
    for fmt, fmt_keys in wanted.items():
        missing = [k for k in fmt_keys if not (CACHE / f"{k}.{fmt}").is_file()]
        if not missing:
            continue
        sources = []
        for k in missing:
            path = root / f"{k}.docx"
            path.write_bytes(docx_files[keys.index(k)])
            sources.append(path)
        _soffice(sources, fmt, root / fmt, root / "profile")
        CACHE.mkdir(exist_ok=True)
        for k in missing:
            shutil.copy(root / fmt / f"{k}.{fmt}", CACHE / f"{k}.{fmt}")
    return {fmt: [(CACHE / f"{k}.{fmt}").read_bytes() for k in fmt_keys] for fmt, fmt_keys in wanted.items()}


def _figures_of(doc) -> dict:
    report = parse(doc)
    report.findings = check(report)
    out = {k: v for k, v in report.to_json().items() if k in FIGURES}
    out["findings"] = sorted(f.code for f in report.findings)
    return out


def _figures(data: bytes, name: str) -> dict:
    result = extract(data, name)
    assert len(result.documents) == 1 and not result.skipped
    return _figures_of(result.documents[0])


@pytest.fixture(scope="session")
def text_figures(reports_) -> list[dict]:
    return [_figures(synthetic.render_text_lines(r).encode("utf-8"), "report.txt") for r in reports_]


@pytest.fixture(scope="session")
def printed_docs(printed):
    """Each printed file extracted once (a .doc read goes through LibreOffice again)."""
    return {fmt: [extract(data, f"report.{fmt}").documents for data in files] for fmt, files in printed.items()}


@pytest.mark.parametrize("i", range(len(SPECS)))
@pytest.mark.parametrize("shape", ["html", "html_blank_zeros", "docx", "xlsx", "text_gbk"])
def test_rendered_shapes_match_text(reports_, docx_files, text_figures, shape, i):
    report = reports_[i]
    data, name = {
        "html": lambda: (synthetic.render_html(report).encode(), "report.html"),
        "html_blank_zeros": lambda: (synthetic.render_html(report, blank_zeros=True).encode(), "report.htm"),
        "docx": lambda: (docx_files[i], "report.docx"),
        "xlsx": lambda: (synthetic.render_xlsx(report), "report.xlsx"),
        "text_gbk": lambda: (synthetic.render_text_lines(report).encode("gb18030"), "report.txt"),
    }[shape]()
    figures = _figures(data, name)
    assert figures == text_figures[i]
    assert figures["requests"]  # the comparison is not between two empty readings


@pytest.mark.parametrize("i", range(len(SPECS)))
def test_pdf_printed_by_libreoffice_matches_text(printed_docs, text_figures, i):
    (doc,) = printed_docs["pdf"][i]
    assert doc.source.shape == "pdf"
    assert _figures_of(doc) == text_figures[i]


@pytest.mark.parametrize("i", range(len(SPECS)))
def test_pdf_tables_equal_docx_tables_across_page_breaks(printed_docs, docx_files, i):
    (pdf,) = printed_docs["pdf"][i]
    docx = extract(docx_files[i], "report.docx").documents[0]
    assert len(pdf.tables) == len(docx.tables) == 3
    for a, b in zip(pdf.tables, docx.tables):
        assert a.rows == b.rows
        assert a.origin == b.origin


def test_doc_printed_by_libreoffice_matches_text(printed_docs, text_figures):
    (doc,) = printed_docs["doc"][0]
    assert doc.source.shape == "doc"
    assert _figures_of(doc) == text_figures[0]


def test_antiword_reading_of_a_wide_table_is_caught_and_libreoffice_used(printed, printed_docs):
    exe = shutil.which("antiword")
    assert exe, "antiword is required: it is installed by .ci/run"
    antiword = subprocess.run([exe, "-m", "UTF-8.txt", "-w", "0", "-"], input=printed["doc"][0], capture_output=True,
                              timeout=60)
    text = antiword.stdout.decode("utf-8", "replace")
    assert "收到和处理政府信息公开申请情况" in text  # antiword read the file ...
    assert not looks_complete(text)  # ... but dropped rows of table 三
    (doc,) = printed_docs["doc"][0]
    assert len(doc.tables) == 3 and looks_complete(doc.text())


def test_zip_of_every_shape_yields_one_report_each(reports_, docx_files, printed, text_figures):
    import io
    import zipfile

    report = reports_[1]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("年报/report.docx", docx_files[1])
        z.writestr("年报/report.xlsx", synthetic.render_xlsx(report))
        z.writestr("年报/report.html", synthetic.render_html(report))
        z.writestr("年报/report.pdf", printed["pdf"][1])
        z.writestr("年报/report.txt", synthetic.render_text_lines(report).encode("gb18030"))
    analysis = analyse(buf.getvalue(), "all.zip")
    assert not analysis.skipped
    assert sorted(r.source.shape for r in analysis.reports) == ["docx", "html", "pdf", "text", "xlsx"]
    for r in analysis.reports:
        assert r.source.file.startswith("all.zip/年报/report.")
        figures = {k: v for k, v in r.to_json().items() if k in FIGURES}
        assert figures == {k: v for k, v in text_figures[1].items() if k in FIGURES}
