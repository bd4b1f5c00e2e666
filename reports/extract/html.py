"""HTML pages: paragraphs in document order, tables as span-expanded grids.

lxml does not expand rowspan/colspan, so the grid is built here. A table that holds another table
is a layout table (old government sites wrap whole pages in them): its cells are read as flowing
content, not as a grid. Cell text split by markup ("本年新<br>制作数量") is joined; ``&nbsp;`` and
blanks become ''. Navigation, headers, footers, scripts and styles are ignored.
"""

from __future__ import annotations

import email
import email.policy
import re

from lxml import etree

from reports.document import Block, Document, Paragraph, Source, Table

from .safety import ExtractError
from .text import decode_text

_SKIP = {"script", "style", "nav", "header", "footer", "noscript", "template", "head", "iframe", "object",
         "embed", "svg", "select", "button", "title", "meta", "link"}
_BLOCK = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
          "main", "aside", "blockquote", "pre", "address", "center", "form", "fieldset", "figure", "figcaption",
          "hr", "body", "html", "caption"}
# Elements whose emptiness is itself information (an empty cell in a page flattened to one cell per <p>).
_LINE = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd"}
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
# Spaces next to CJK characters are layout, never content ("本年新 制作数量" is one label).
_CJK_SPACE = re.compile(r"(?<=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]) | (?=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f])")
_MAX_SPAN = 1000
_MAX_CELLS = 200_000
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def _decode(data: bytes) -> str:
    head = data[:4096]
    m = _CHARSET.search(head)
    if m and not data.startswith(b"\xef\xbb\xbf"):
        name = m.group(1).decode("ascii", "replace").lower()
        if name in {"gb2312", "gbk", "gb18030", "x-gbk"}:
            name = "gb18030"  # GB2312-labelled pages routinely use GBK/GB18030 characters
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _clean_line(text: str) -> str:
    # Every character _WS matches (and every one strip() removes) is unprintable, the plain space
    # aside: text without either, as most labels, figures and sentences are, is already clean.
    if text.isprintable() and " " not in text:
        return text
    return _WS.sub(" ", text).strip()


def clean_cell(text: str) -> str:
    text = _clean_line(text)
    # _CJK_SPACE only ever removes a plain space: without one there is nothing to scan for.
    return _CJK_SPACE.sub("", text) if " " in text else text


_HIDING_ATTRS = frozenset({"hidden", "aria-hidden", "role", "style"})


def _hidden(el: etree._Element) -> bool:
    keys = el.keys()
    if not keys or _HIDING_ATTRS.isdisjoint(keys):
        return False  # one call answers for the many elements with none of these attributes
    get = el.get
    if get("hidden") is not None or get("aria-hidden") == "true" or get("role") == "navigation":
        return True
    style = get("style")
    if not style:
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _tag(el: etree._Element) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _own_rows(table: etree._Element) -> list[etree._Element]:
    rows: list[etree._Element] = []
    for child in table:
        t = _tag(child)
        if t == "tr":
            rows.append(child)
        elif t in {"thead", "tbody", "tfoot"}:
            rows.extend(c for c in child if _tag(c) == "tr")
    return rows


_CELL_TAGS = frozenset({"td", "th"})


def _cells(tr: etree._Element) -> list[etree._Element]:
    out: list[etree._Element] = []
    for c in tr:
        tag = c.tag  # _tag inlined: this runs once per cell
        if isinstance(tag, str) and tag.lower() in _CELL_TAGS and not _hidden(c):
            out.append(c)
    return out


def _span(el: etree._Element, name: str) -> int:
    value = el.get(name)
    if value is None:  # the usual cell: no span attribute at all
        return 1
    try:
        return max(1, min(int(float(value.strip() or 1)), _MAX_SPAN))
    except ValueError:
        return 1


def _cell_text(cell: etree._Element) -> str:
    if not len(cell):
        # No child elements (most cells): the text is the cell's own, no tree walk needed.
        return clean_cell(cell.text or "")
    return clean_cell("".join(_visible_text(cell)))


def _visible_text(el: etree._Element):
    if el.text and _tag(el) not in _SKIP:
        yield el.text
    for child in el:
        t = _tag(child)
        if t and t not in _SKIP and not _hidden(child):
            yield from _visible_text(child)
        if child.tail:
            yield child.tail


def table_grid(table: etree._Element) -> Table | None:
    """Expand rowspan/colspan into a rectangular grid; ``origin`` marks the copies of a merged cell."""
    rows = _own_rows(table)
    if not rows:
        return None
    n_rows = len(rows)
    # grid[r] maps a column to (text, origin) for the positions of row r filled so far (a rowspan
    # fills rows below before they are read); the first cell to claim a position keeps it.
    grid: list[dict[int, tuple[str, tuple[int, int]]]] = [{} for _ in range(n_rows)]
    filled = 0
    width = 0
    for r, tr in enumerate(rows):
        line = grid[r]
        c = 0
        for cell in _cells(tr):
            while c in line:
                c += 1
            text = _cell_text(cell)
            rs = min(_span(cell, "rowspan"), n_rows - r)
            cs = _span(cell, "colspan")
            if filled + rs * cs > _MAX_CELLS:
                raise ExtractError("unsupported", "网页中的表格过大，无法读取", "a table in the page is too large to read")
            entry = (text, (r, c))
            if rs == 1 and cs == 1:
                line[c] = entry  # free: the scan above stopped on an unclaimed column
                filled += 1
            else:
                for dr in range(rs):
                    below = grid[r + dr]
                    for dc in range(cs):
                        if c + dc not in below:
                            below[c + dc] = entry
                            filled += 1
            c += cs
            if c > width:
                width = c
    if width == 0:
        return None
    out_rows: list[tuple[str, ...]] = []
    origin: list[tuple[tuple[int, int], ...]] = []
    for r, line in enumerate(grid):
        cells = [line.get(c) or ("", (r, c)) for c in range(width)]
        out_rows.append(tuple([t for t, _ in cells]))
        origin.append(tuple([o for _, o in cells]))
    return Table(tuple(out_rows), tuple(origin))


class _Flow:
    """Collects paragraphs and tables in document order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.line: list[str] = []

    def flush(self, keep_empty: bool = False) -> None:
        text = _clean_line("".join(self.line))
        if text or keep_empty:
            self.blocks.append(Paragraph(text))
        self.line = []

    def walk(self, el: etree._Element) -> None:
        tag = _tag(el)
        if not tag or tag in _SKIP or _hidden(el):
            return
        if tag == "br":
            self.flush(keep_empty=True)
            return
        if tag == "table":
            self.flush()
            self.table(el)
            return
        block = tag in _BLOCK or tag in {"tr", "td", "th"}
        if block:
            self.flush()
        before = len(self.blocks)
        if el.text:
            self.line.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.line.append(child.tail)
        if block:
            empty_line = tag in _LINE and len(self.blocks) == before and not _clean_line("".join(self.line))
            self.flush(keep_empty=empty_line)

    def table(self, el: etree._Element) -> None:
        if el.find(".//table") is not None:
            # A layout table: read its cells as flowing content.
            for tr in _own_rows(el):
                for cell in _cells(tr):
                    self.walk(cell)
            return
        grid = table_grid(el)
        if grid is not None:
            self.blocks.append(grid)


def read_mhtml(data: bytes, filename: str) -> Document:
    """A MIME web archive (.mht): the first HTML part is the page."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            text = None
            charset = (part.get_content_charset() or "").lower()
            if charset:
                try:
                    text = payload.decode("gb18030" if charset in {"gb2312", "gbk", "x-gbk"} else charset)
                except (LookupError, UnicodeDecodeError):
                    pass  # a wrong label: left to the page's own declaration and the usual fallbacks
            return Document(Source.of(filename, data, "html"), _blocks(text if text is not None else _decode(payload)))
    raise ExtractError("corrupt", "网页存档（.mht）中没有网页内容", "the web archive (.mht) holds no HTML page")


def read_html(data: bytes, filename: str) -> Document:
    return Document(Source.of(filename, data, "html"), _blocks(_decode(data)))


_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)


def _blocks(text: str) -> list[Block]:
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        # lxml.html.document_fromstring minus its element classes: lxml.html looks up a Python
        # class for every element touched, and nothing here uses their extra methods.
        root = etree.fromstring(text, parser=_PARSER)
        if root is None:
            raise etree.ParserError("Document is empty")
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError("corrupt", "网页无法解析", f"the HTML page cannot be parsed ({exc})") from exc
    flow = _Flow()
    body = root.find("body")
    title = root.findtext(".//title")
    if title and _clean_line(title):
        # The page title usually names the report (agency and year) even when the body does not.
        flow.blocks.append(Paragraph(_clean_line(title)))
    flow.walk(body if body is not None else root)
    flow.flush()
    return flow.blocks
