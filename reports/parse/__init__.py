"""Document → Report: metadata, sections and the three tables, read through the template description.

``parse`` knows the templates (``reports.templates``) and nothing about file formats: it reads the
Document flattened to normalised text (tables as pipe rows), finds the section headings, the tables
and their rows by label, and turns each printed cell into a ``Cell`` with its provenance. It never
adds findings; ``reports.checks`` does.
"""

from __future__ import annotations

import re

from reports.document import Document
from reports.model import Report
from reports.templates import TEMPLATES

from .detect import detect_template
from .locate import table_spans
from .meta import read_meta
from .sections import find_headings, section_texts
from .tables import read_appeals, read_disclosure, read_requests
from .text import Flat, flatten

__all__ = ["parse"]

# Page numbers and form-feed debris of PDF text ("-4-", "第 3 页 共 6 页") are not figures.
_PAGE_NUMBER = re.compile(r"^[ \t]*(?:-[ \t]*\d{1,3}[ \t]*-|第[ \t]*\d{1,3}[ \t]*页(?:[ \t]*共[ \t]*\d{1,3}[ \t]*页)?"
                          r"|\d{1,3}[ \t]*/[ \t]*\d{1,3})[ \t]*$", re.M)


def _blank_page_numbers(flat: Flat) -> Flat:
    if not any(mark in flat.text for mark in "-页/"):
        return flat         # every page number has one of them: nothing to look for line by line
    text = _PAGE_NUMBER.sub(lambda m: " " * len(m.group(0)), flat.text)
    return Flat(text, flat.line_starts, flat.line_blocks)


def parse(doc: Document) -> Report:
    flat = _blank_page_numbers(flatten(doc))
    text = flat.text
    meta = read_meta(text)
    report = Report(source=doc.source, title=meta.title, agency=meta.agency, level=meta.level, year=meta.year,
                    published_on=meta.published_on, published_on_source=meta.published_on_source, text=text)
    headings = find_headings(text)
    report.sections = section_texts(text, headings)
    report.template = detect_template(text, meta.year)
    spec = TEMPLATES.get(report.template or "")
    if spec is None:
        return report
    spans = table_spans(text, headings)
    reads = {
        "disclosure": read_disclosure(flat, spec.table("disclosure"), spans["disclosure"]),
        "requests": read_requests(flat, spec.table("requests"), spans["requests"]),
        "appeals": read_appeals(flat, spec.table("appeals"), spans["appeals"]),
    }
    report.disclosure = reads["disclosure"].grid
    report.requests = reads["requests"].grid
    report.appeals = reads["appeals"].grid
    report.tables_found = {name for name, r in reads.items() if r.found}
    report.truncated = {name for name, r in reads.items() if r.found and r.truncated}
    return report
