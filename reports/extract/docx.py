"""Word 2007+ (.docx): paragraphs and tables in document order, merged cells expanded.

The parts it needs are read through the zip caps (``safety.OfficeZip``) and the main document is
parsed once with lxml, without entity expansion or network access. Reading the WordprocessingML
directly (rather than via python-docx objects) keeps the spans explicit: a horizontal span (``gridSpan``) and a vertical
one (``vMerge``) both become copies whose ``origin`` points at the merged cell, so sums never
count them twice. A table that holds another table is a layout table and is read as flowing
content.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from lxml import etree

from reports.document import Block, Document, Paragraph, Source, Table

from .html import clean_cell
from .safety import ExtractError, Limits, OfficeZip, ZipBudget, corrupt

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


def main_part(package: OfficeZip, default: str) -> str:
    """The package's main document part named by ``_rels/.rels`` (usually word/document.xml)."""
    rels = package.read("_rels/.rels")
    if rels:
        root = parse_xml(rels, "_rels/.rels")
        for rel in root.iter(f"{_REL_NS}Relationship"):
            if rel.get("Type") in (_OFFICE_DOC, _STRICT_DOC):
                target = posixpath.normpath((rel.get("Target") or "").lstrip("/"))
                if target in package.infos and target.endswith(".xml"):
                    return target
    return default


# Clark names built once rather than formatted on every call.
_T, _TAB, _BR, _CR, _NBH, _R = (f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen", f"{W}r")
_P, _TBL, _TR, _TC = f"{W}p", f"{W}tbl", f"{W}tr", f"{W}tc"
_SDT, _SDT_CONTENT, _CUSTOM_XML = f"{W}sdt", f"{W}sdtContent", f"{W}customXml"
_TRPR, _GRID_BEFORE, _TCPR, _GRID_SPAN, _VMERGE = (f"{W}trPr", f"{W}gridBefore", f"{W}tcPr", f"{W}gridSpan",
                                                   f"{W}vMerge")
_VAL = f"{W}val"


def _text_of(el: etree._Element) -> str:
    """Visible text: w:t runs, tabs and line breaks (deleted text is w:delText and stays out)."""
    out: list[str] = []
    for node in el.iter(_T, _TAB, _BR, _CR, _NBH):
        tag = node.tag
        if tag == _T:
            out.append(node.text or "")
        elif tag == _TAB:
            # w:tab also appears inside w:tabs (tab stop definitions in pPr), which is not text.
            parent = node.getparent()
            if parent is not None and parent.tag == _R:
                out.append("\t")
        elif tag == _NBH:
            out.append("-")
        else:
            out.append("\n")
    return "".join(out)


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, min(int(el.get(_VAL, default)), 1000))
    except ValueError:
        return default


def _children(el: etree._Element, tag: str) -> list[etree._Element]:
    """Direct children with ``tag``, looking through content controls and custom XML wrappers."""
    out: list[etree._Element] = []
    for child in el:
        if child.tag == tag:
            out.append(child)
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                out.extend(_children(content, tag))
        elif child.tag == _CUSTOM_XML:
            out.extend(_children(child, tag))
    return out


def _cell_text(tc: etree._Element) -> str:
    return clean_cell("".join([_text_of(p) for p in tc.iter(_P)]))


# A table whose cells hold nothing but runs of w:t inside (non-nested) paragraphs: its cells' text is
# just their w:t texts in order, which lxml yields without building an element object per node.
# (A grid table holds no other table, and outside its cells only properties, which hold none of these.)
_PLAIN_CELLS = etree.XPath(
    "not(.//w:tab | .//w:br | .//w:cr | .//w:noBreakHyphen | .//w:p//w:p)"
    " and count(.//w:t) = count(.//w:p/descendant::w:t)",
    namespaces={"w": W[1:-1]})


def _plain_cell_text(tc: etree._Element) -> str:
    return clean_cell("".join(tc.itertext(_T, with_tail=False)))


def _simple_rows(tbl: etree._Element) -> list[list[tuple[str, int, bool]]] | None:
    """Each row's cells as (text, span, continues the cell above), in one pass; None if the table is not simple.

    Reading a table cell by cell cost more than the rest of a .docx together: ``itertext`` with a
    tag takes microseconds per call to set up, and so does looking at every child's tag for the
    merge. One ``iter`` over the table's rows, cells, paragraphs, texts and merge marks reads them
    all at once. A simple table has each w:t in a run of a paragraph of a cell of a row of the
    table, each merge mark in the properties that open its cell, and no tab, break, nested
    paragraph, content control or gridBefore: then each element found belongs to the row or cell
    last seen (the parent checks make sure of it), the texts are ``_plain_cell_text``'s and the
    merges ``_cell_merge``'s. Any other table is read cell by cell (``_rows``).
    """
    rows: list[list[tuple[str, int, bool]]] = []
    row: list[tuple[str, int, bool]] = []
    n_cells = 0
    tr = tc = p = grid_span = vmerge = None
    parts: list[str] = []
    for el in tbl.iter(_TR, _TC, _GRID_SPAN, _VMERGE, _P, _T, _TAB, _BR, _CR, _NBH, _GRID_BEFORE):
        tag = el.tag
        if tag == _T:
            run = el.getparent()
            if p is None or run is None or run.getparent() is not p:
                return None
            parts.append(el.text or "")
        elif tag == _P:
            if tc is None or el.getparent() is not tc:
                return None
            p = el
        elif tag == _TC:
            if tr is None or el.getparent() is not tr or n_cells >= _MAX_CELLS:
                return None  # (an oversized table is left to the cell-by-cell reading, which refuses it)
            if tc is not None:
                row.append(_simple_cell(parts, grid_span, vmerge))
            n_cells += 1
            tc, p, grid_span, vmerge, parts = el, None, None, None, []
        elif tag == _TR:
            if el.getparent() is not tbl:
                return None
            if tc is not None:
                row.append(_simple_cell(parts, grid_span, vmerge))
            row = []
            rows.append(row)
            tr, tc, p = el, None, None
        elif tag == _GRID_SPAN or tag == _VMERGE:
            # Must sit in a w:tcPr that is the cell's first child (so certainly its first w:tcPr).
            props = el.getparent()
            if tc is None or props is None or props.getparent() is not tc or props.getprevious() is not None \
                    or props.tag != _TCPR:
                return None
            if tag == _GRID_SPAN:
                if grid_span is None:
                    grid_span = el
            elif vmerge is None:
                vmerge = el
        else:
            return None
    if tc is not None:
        row.append(_simple_cell(parts, grid_span, vmerge))
    return rows


def _simple_cell(parts: list[str], grid_span: etree._Element | None,
                 vmerge: etree._Element | None) -> tuple[str, int, bool]:
    text = clean_cell(parts[0] if len(parts) == 1 else "".join(parts))
    if grid_span is None and vmerge is None:
        return text, 1, False
    return (text, *_merge(grid_span, vmerge))


def _rows(tbl: etree._Element) -> Iterator[tuple[int, list[tuple[str, int, bool]]]]:
    """Each row's gridBefore and cells as (text, span, continues the cell above), cell by cell."""
    cell_text = _plain_cell_text if _PLAIN_CELLS(tbl) else _cell_text
    for tr in _children(tbl, _TR):
        before = _int_attr(first_child(first_child(tr, _TRPR), _GRID_BEFORE), 0)
        cells = []
        for tc in _children(tr, _TC):
            span, continued = _cell_merge(tc)
            cells.append((cell_text(tc), span, continued))
        yield before, cells


def first_child(el: etree._Element | None, tag: str) -> etree._Element | None:
    """The first direct child with ``tag`` (what ``el.find(tag)`` returns, without ElementPath's overhead)."""
    if el is not None and len(el):
        # The child sought is usually the first, and indexing costs far less than starting an iteration.
        first = el[0]
        if first.tag == tag:
            return first
        for child in el:
            if child.tag == tag:
                return child
    return None


def _cell_merge(tc: etree._Element) -> tuple[int, bool]:
    """The cell's horizontal span (``gridSpan``) and whether it continues a vertical merge (``vMerge``)."""
    tcpr = first_child(tc, _TCPR)
    grid_span = vmerge = None
    if tcpr is not None:
        for prop in tcpr:
            tag = prop.tag
            if tag == _GRID_SPAN:
                if grid_span is None:
                    grid_span = prop
            elif tag == _VMERGE and vmerge is None:
                vmerge = prop
    return _merge(grid_span, vmerge)


_UNMERGED = (1, False)


def _merge(grid_span: etree._Element | None, vmerge: etree._Element | None) -> tuple[int, bool]:
    """The span a ``gridSpan`` gives and whether a ``vMerge`` continues the cell above."""
    if grid_span is None and vmerge is None:
        return _UNMERGED
    return max(1, _int_attr(grid_span, 1)), vmerge is not None and vmerge.get(_VAL, "continue") != "restart"


def table_grid(tbl: etree._Element) -> Table:
    rows: list[list[str]] = []
    origin: list[list[tuple[int, int]]] = []
    cells = 0
    simple = _simple_rows(tbl)
    # A simple table has no gridBefore: every row starts at column 0.
    table_rows = _rows(tbl) if simple is None else ((0, row) for row in simple)
    for r, (col, row_cells) in enumerate(table_rows):
        texts = [""] * col
        orig = [(r, c) for c in range(col)]
        above = rows[r - 1] if r > 0 else None
        above_origin = origin[r - 1] if r > 0 else None
        for text, span, continued in row_cells:
            if span == 1 and not continued:  # the usual cell, spelled out
                texts.append(text)
                orig.append((r, col))
                col += 1
                continue
            for dc in range(span):
                c = col + dc
                if continued and above is not None and c < len(above):
                    texts.append(above[c])
                    orig.append(above_origin[c])
                elif dc == 0:
                    texts.append(text)
                    orig.append((r, c))
                else:
                    texts.append(texts[-1])
                    orig.append(orig[-1])
            col += span
        rows.append(texts)
        origin.append(orig)
        cells += len(texts)
        if cells > _MAX_CELLS:
            raise ExtractError("unsupported", "Word 文件中的表格过大，无法读取", "a table in the Word file is too large to read")
    width = max((len(x) for x in rows), default=0)
    for r, (texts, orig) in enumerate(zip(rows, origin)):
        for c in range(len(texts), width):
            texts.append("")
            orig.append((r, c))
    return Table(tuple(tuple(x) for x in rows), tuple(tuple(x) for x in origin))


def _holds_table(tbl: etree._Element) -> bool:
    """Whether a table has another table inside one of its cells (ElementPath's ``.//w:tc//w:tbl``)."""
    for inner in tbl.iter(_TBL):
        if inner is tbl:
            continue
        node = inner.getparent()
        while node is not None and node is not tbl:
            if node.tag == _TC:
                return True
            node = node.getparent()
    return False


class _Flow:
    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def container(self, el: etree._Element) -> None:
        for child in el:
            tag = child.tag
            if tag == _P:
                for line in _text_of(child).split("\n"):
                    self.blocks.append(Paragraph(line.strip()))
            elif tag == _TBL:
                self.table(child)
            elif tag == _SDT or tag == _CUSTOM_XML:
                content = child.find(_SDT_CONTENT) if tag == _SDT else child
                if content is not None:
                    self.container(content)

    def table(self, tbl: etree._Element) -> None:
        if _holds_table(tbl):
            # A layout table wrapping other tables: read its cells as flowing content.
            for tr in _children(tbl, _TR):
                for tc in _children(tr, _TC):
                    self.container(tc)
            return
        grid = table_grid(tbl)
        if grid.rows:
            self.blocks.append(grid)


def read_docx(data: bytes, filename: str, limits: Limits, budget: ZipBudget | None = None) -> Document:
    with OfficeZip(data, limits, kind_zh="Word", kind_en="Word", budget=budget) as package:
        name = main_part(package, "word/document.xml")
        content = package.read(name)
    if content is None:
        raise corrupt("Word", "Word", "no main document part")
    root = parse_xml(content, name)
    body = root.find(f"{W}body")
    if body is None:
        raise corrupt("Word", "Word", "no document body")
    flow = _Flow()
    flow.container(body)
    return Document(Source.of(filename, data, "docx"), flow.blocks)
