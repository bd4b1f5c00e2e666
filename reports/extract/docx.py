"""Word 2007+ (.docx): paragraphs and tables in document order, merged cells expanded.

The parts are read through the zip caps (``safety.check_office_zip``) and the main document is
parsed with lxml without entity expansion. Reading the WordprocessingML directly (rather than via
python-docx objects) keeps the spans explicit: a horizontal span (``gridSpan``) and a vertical
one (``vMerge``) both become copies whose ``origin`` points at the merged cell, so sums never
count them twice. A table that holds another table is a layout table and is read as flowing
content.
"""

from __future__ import annotations

import posixpath

from lxml import etree

from reports.document import Block, Document, Paragraph, Source, Table

from .html import clean_cell
from .safety import ExtractError, Limits, ZipBudget, check_office_zip, corrupt

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_STRICT_DOC = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
_MAX_CELLS = 200_000

XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True,
                             load_dtd=False)


def parse_xml(data: bytes, what: str) -> etree._Element:
    try:
        return etree.fromstring(data, parser=XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise corrupt("Word", "Word", f"{what}: {exc}") from exc


def main_part(parts: dict[str, bytes], default: str) -> str:
    """The package's main document part named by ``_rels/.rels`` (usually word/document.xml)."""
    rels = parts.get("_rels/.rels")
    if rels:
        root = parse_xml(rels, "_rels/.rels")
        for rel in root.iter(f"{_REL_NS}Relationship"):
            if rel.get("Type") in (_OFFICE_DOC, _STRICT_DOC):
                target = posixpath.normpath((rel.get("Target") or "").lstrip("/"))
                if target in parts:
                    return target
    return default


def _text_of(el: etree._Element) -> str:
    """Visible text: w:t runs, tabs and line breaks (deleted text is w:delText and stays out)."""
    out: list[str] = []
    for node in el.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"):
        tag = node.tag
        if tag == f"{W}t":
            out.append(node.text or "")
        elif tag == f"{W}tab":
            # w:tab also appears inside w:tabs (tab stop definitions in pPr), which is not text.
            if node.getparent() is not None and node.getparent().tag == f"{W}r":
                out.append("\t")
        elif tag == f"{W}noBreakHyphen":
            out.append("-")
        else:
            out.append("\n")
    return "".join(out)


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, min(int(el.get(f"{W}val", default)), 1000))
    except ValueError:
        return default


def _children(el: etree._Element, tag: str) -> list[etree._Element]:
    """Direct children with ``tag``, looking through content controls and custom XML wrappers."""
    out: list[etree._Element] = []
    for child in el:
        if child.tag == tag:
            out.append(child)
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                out.extend(_children(content, tag))
        elif child.tag == f"{W}customXml":
            out.extend(_children(child, tag))
    return out


def _cell_text(tc: etree._Element) -> str:
    return clean_cell("".join(_text_of(p) for p in tc.iter(f"{W}p")))


def table_grid(tbl: etree._Element) -> Table:
    rows: list[list[str]] = []
    origin: list[list[tuple[int, int]]] = []
    for r, tr in enumerate(_children(tbl, f"{W}tr")):
        trpr = tr.find(f"{W}trPr")
        col = _int_attr(trpr.find(f"{W}gridBefore") if trpr is not None else None, 0)
        texts = [""] * col
        orig = [(r, c) for c in range(col)]
        for tc in _children(tr, f"{W}tc"):
            tcpr = tc.find(f"{W}tcPr")
            span = max(1, _int_attr(tcpr.find(f"{W}gridSpan") if tcpr is not None else None, 1))
            vmerge = tcpr.find(f"{W}vMerge") if tcpr is not None else None
            continued = vmerge is not None and vmerge.get(f"{W}val", "continue") != "restart"
            for dc in range(span):
                c = col + dc
                if continued and r > 0 and c < len(rows[r - 1]):
                    texts.append(rows[r - 1][c])
                    orig.append(origin[r - 1][c])
                elif dc == 0:
                    texts.append(_cell_text(tc))
                    orig.append((r, c))
                else:
                    texts.append(texts[-1])
                    orig.append(orig[-1])
            col += span
        rows.append(texts)
        origin.append(orig)
        if sum(len(x) for x in rows) > _MAX_CELLS:
            raise ExtractError("unsupported", "Word 文件中的表格过大，无法读取", "a table in the Word file is too large to read")
    width = max((len(x) for x in rows), default=0)
    for r, (texts, orig) in enumerate(zip(rows, origin)):
        for c in range(len(texts), width):
            texts.append("")
            orig.append((r, c))
    return Table(tuple(tuple(x) for x in rows), tuple(tuple(x) for x in origin))


class _Flow:
    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def container(self, el: etree._Element) -> None:
        for child in el:
            tag = child.tag
            if tag == f"{W}p":
                for line in _text_of(child).split("\n"):
                    self.blocks.append(Paragraph(line.strip()))
            elif tag == f"{W}tbl":
                self.table(child)
            elif tag in (f"{W}sdt", f"{W}customXml"):
                content = child.find(f"{W}sdtContent") if tag == f"{W}sdt" else child
                if content is not None:
                    self.container(content)

    def table(self, tbl: etree._Element) -> None:
        if tbl.find(f".//{W}tc//{W}tbl") is not None:
            # A layout table wrapping other tables: read its cells as flowing content.
            for tr in _children(tbl, f"{W}tr"):
                for tc in _children(tr, f"{W}tc"):
                    self.container(tc)
            return
        grid = table_grid(tbl)
        if grid.rows:
            self.blocks.append(grid)


def read_docx(data: bytes, filename: str, limits: Limits, budget: ZipBudget | None = None) -> Document:
    parts = check_office_zip(data, limits, kind_zh="Word", kind_en="Word", budget=budget)
    name = main_part(parts, "word/document.xml")
    if name not in parts:
        raise corrupt("Word", "Word", "no main document part")
    root = parse_xml(parts[name], name)
    body = root.find(f"{W}body")
    if body is None:
        raise corrupt("Word", "Word", "no document body")
    flow = _Flow()
    flow.container(body)
    return Document(Source.of(filename, data, "docx"), flow.blocks)
