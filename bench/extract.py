"""Extraction speed per file shape, and extraction + parsing (the figures) for the same report.

    python -m bench.extract [--repeat 15] [--zip-members 20]

One synthetic report (2021 template, busy office) is rendered as .docx and .xlsx, printed to .pdf
by LibreOffice (once; cached in the temp dir), and packed 20 times into a .zip. Each shape is
extracted ``--repeat`` times in this process, pinned to one CPU core when the OS allows it, and
the median is printed. Targets: a report of about six pages in .docx ≤ 100 ms and in .pdf ≤ 1 s
(median, extract + parse).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from reports import synthetic
from reports.extract import extract
from reports.parse import parse


# Real reports carry about a page more prose than the generator writes; it sets the page count.
_PROSE = ("全年围绕重点领域信息公开，细化公开内容和公开方式，及时发布财政预决算、重大建设项目、公共资源配置、"
          "社会公益事业建设等领域信息，回应社会关切，做好政策解读，提升公开质量和实效。")


def _pdf_of(report, docx: bytes) -> bytes:
    """The .docx printed by LibreOffice, cached by the report's text (a .docx embeds its save time)."""
    cache = Path(tempfile.gettempdir()) / "govreport-bench-extract"
    cache.mkdir(exist_ok=True)
    key = hashlib.sha256(synthetic.render_text_lines(report).encode()).hexdigest()[:16]
    out = cache / f"{key}.pdf"
    if not out.is_file():
        exe = shutil.which("soffice")
        if exe is None:
            sys.exit("LibreOffice (soffice) is needed to print the PDF")
        src = cache / f"{key}.docx"
        src.write_bytes(docx)
        profile = (cache / "profile").as_uri()
        subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
                        "--outdir", str(cache), str(src)], check=True, capture_output=True, timeout=300)
    return out.read_bytes()


def _median_ms(fn, repeat: int) -> float:
    fn()  # warm-up: imports and caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--zip-members", type=int, default=20)
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    report = synthetic.generate(random.Random(2024), template="2021", scale=400, level="government")
    report.sections["overview"] += "".join(f"\n（{i}）{_PROSE}" for i in range(4, 16))
    docx = synthetic.render_docx(report)
    pdf = _pdf_of(report, docx)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(args.zip_members):
            z.writestr(f"年报/{i:02d}.docx", docx)
    files = {
        "docx": (docx, "report.docx"),
        "pdf": (pdf, "report.pdf"),
        "xlsx": (synthetic.render_xlsx(report), "report.xlsx"),
        "html": (synthetic.render_html(report).encode(), "report.html"),
        "zip": (buf.getvalue(), "reports.zip"),
    }
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        pages = len(doc.pages)
    print(f"report: {report.agency} {report.year}, {pages} pages as PDF; zip of {args.zip_members} .docx; "
          f"median of {args.repeat} on one core")
    print(f"{'shape':6} {'size':>9} {'extract ms':>11} {'+ parse ms':>11} {'per report ms':>14}")
    for shape, (data, name) in files.items():
        extract_ms = _median_ms(lambda: extract(data, name), args.repeat)
        both_ms = _median_ms(lambda: [parse(d) for d in extract(data, name).documents], args.repeat)
        n = len(extract(data, name).documents)
        print(f"{shape:6} {len(data) / 1024:>7.0f}kB {extract_ms:>11.1f} {both_ms:>11.1f} {both_ms / n:>14.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
