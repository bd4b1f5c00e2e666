"""The domain record of one annual report: figures with provenance, sections and findings.

Pure data: no I/O, no parsing. ``Report.to_json()`` is the contract's JSON (``contract.md``);
``Report.from_json()`` reads it back (the store keeps that JSON, so a stored report round-trips).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from .document import Source
from .templates import TEMPLATES, TableId, TableSpec

Number = int | float
Level = Literal["department", "town", "government", "unknown"]


class CellStatus(StrEnum):
    VALUE = "value"            # a number (or, for text columns, text) was read
    BLANK = "blank"            # printed empty: counts as 0
    NA = "na"                  # printed "/" or similar: not applicable
    AMBIGUOUS = "ambiguous"    # glued digits with several valid splits: see candidates
    UNREADABLE = "unreadable"  # something was printed but it is not a number
    ABSENT = "absent"          # the document does not contain this cell (truncated, table missing)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(slots=True)
class Cell:
    status: CellStatus
    raw: str | None = None                 # the text as printed; None for a blank or absent cell
    number: Number | None = None           # the value as a number (None unless status is VALUE or BLANK)
    text: str | None = None                # text columns (procurement amount): the value as printed
    candidates: tuple[tuple[Number, ...], ...] = ()   # AMBIGUOUS: the possible readings
    line: int | None = None                # 1-based line (or block index) in the Document it came from

    @classmethod
    def of(cls, number: Number, raw: str | None = None, line: int | None = None) -> "Cell":
        return cls(CellStatus.VALUE, raw if raw is not None else _fmt(number), number, line=line)

    @classmethod
    def blank(cls, line: int | None = None) -> "Cell":
        return cls(CellStatus.BLANK, None, 0, line=line)

    @classmethod
    def absent(cls) -> "Cell":
        return cls(CellStatus.ABSENT)

    @property
    def value(self) -> Number | str | None:
        """What the JSON carries: the number (blank → 0), the printed text for text columns, else None."""
        if self.text is not None:
            return self.text
        return self.number

    @property
    def known(self) -> bool:
        """True when the cell holds a usable number (a blank counts as 0)."""
        return self.status in (CellStatus.VALUE, CellStatus.BLANK) and self.number is not None

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"status": self.status.value, "raw": self.raw, "value": self.value}
        if self.candidates:
            d["candidates"] = [list(c) for c in self.candidates]
        if self.line is not None:
            d["line"] = self.line
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Cell":
        value = d.get("value")
        return cls(
            status=CellStatus(d["status"]),
            raw=d.get("raw"),
            number=value if isinstance(value, (int, float)) and not isinstance(value, bool) else None,
            text=value if isinstance(value, str) else None,
            candidates=tuple(tuple(c) for c in d.get("candidates", ())),
            line=d.get("line"),
        )


def _fmt(n: Number) -> str:
    return str(int(n)) if isinstance(n, float) and n.is_integer() else str(n)


Grid = dict[str, dict[str, Cell]]   # row id -> column id -> cell


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    where: str                       # Chinese, e.g. "表三 · （七）总计 · 自然人"
    message: str                     # Chinese, with the numbers
    message_en: str = ""
    table: TableId | None = None
    row: str | None = None           # row id
    column: str | None = None        # column id
    data: dict[str, Any] = field(default_factory=dict)   # the numbers involved, machine-readable

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"code": self.code, "severity": self.severity.value, "where": self.where,
                             "message": self.message}
        if self.message_en:
            d["message_en"] = self.message_en
        for k in ("table", "row", "column"):
            if getattr(self, k) is not None:
                d[k] = getattr(self, k)
        if self.data:
            d["data"] = self.data
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Finding":
        return cls(code=d["code"], severity=Severity(d["severity"]), where=d.get("where", ""),
                   message=d.get("message", ""), message_en=d.get("message_en", ""), table=d.get("table"),
                   row=d.get("row"), column=d.get("column"), data=d.get("data") or {})


TABLE_KEYS: dict[TableId, str] = {"disclosure": "disclosure", "requests": "requests", "appeals": "appeals"}


@dataclass(slots=True)
class Report:
    source: Source
    title: str | None = None
    agency: str | None = None
    level: Level = "unknown"
    year: int | None = None
    template: str | None = None           # "2019" | "2021" | "pre2019" | None
    published_on: date | None = None
    published_on_source: str | None = None  # "page" (the page's 日期 line) | "signature" | None
    sections: dict[str, str] = field(default_factory=dict)   # section id -> text
    disclosure: Grid = field(default_factory=dict)
    requests: Grid = field(default_factory=dict)
    appeals: Grid = field(default_factory=dict)
    tables_found: set[str] = field(default_factory=set)       # table ids present in the document
    truncated: set[str] = field(default_factory=set)          # table ids that end early
    findings: list[Finding] = field(default_factory=list)
    text: str = ""                                            # the flattened text the parser read

    # ---- access ---------------------------------------------------------------------------

    def grid(self, table: TableId) -> Grid:
        return {"disclosure": self.disclosure, "requests": self.requests, "appeals": self.appeals}[table]

    def cell(self, table: TableId, row: str, column: str) -> Cell:
        return self.grid(table).get(row, {}).get(column) or Cell.absent()

    def number(self, table: TableId, row: str, column: str) -> Number | None:
        c = self.cell(table, row, column)
        return c.number if c.known else None

    @property
    def spec(self):
        return TEMPLATES.get(self.template or "")

    def table_spec(self, table: TableId) -> TableSpec | None:
        spec = self.spec
        return spec.table(table) if spec else None

    @property
    def recognised(self) -> bool:
        """Enough of an annual report was found to store it and answer from it: the year it reports on,
        and one of its tables or a title that names it a report. A page that merely mentions the
        templates' labels (a manual, a notice) has neither."""
        return self.year is not None and (bool(self.tables_found) or "报告" in (self.title or ""))

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    # ---- JSON -----------------------------------------------------------------------------

    def to_json(self, cells: bool = True) -> dict[str, Any]:
        """The contract's JSON. Figures are plain values; ``cells`` adds status/raw per cell."""
        def values(g: Grid) -> dict[str, dict[str, Any]]:
            return {r: {c: cell.value for c, cell in cols.items()} for r, cols in g.items()}

        d: dict[str, Any] = {
            "source": {"file": self.source.file, "sha256": self.source.sha256, "shape": self.source.shape},
            "title": self.title,
            "agency": self.agency,
            "level": self.level,
            "year": self.year,
            "template": self.template,
            "published_on": self.published_on.isoformat() if self.published_on else None,
            "published_on_source": self.published_on_source,
            "disclosure": values(self.disclosure),
            "requests": values(self.requests),
            "appeals": values(self.appeals),
            "sections": dict(self.sections),
            "tables_found": sorted(self.tables_found),
            "truncated": sorted(self.truncated),
            "findings": [f.to_json() for f in self.findings],
        }
        if self.source.url:
            d["source"]["url"] = self.source.url
        if cells:
            d["cells"] = {name: {r: {c: cell.to_json() for c, cell in cols.items()} for r, cols in g.items()}
                          for name, g in (("disclosure", self.disclosure), ("requests", self.requests),
                                          ("appeals", self.appeals))}
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Report":
        src = d["source"]
        cells = d.get("cells") or {}

        def grid(name: str) -> Grid:
            if name in cells:
                return {r: {c: Cell.from_json(v) for c, v in cols.items()} for r, cols in cells[name].items()}
            out: Grid = {}
            for r, cols in (d.get(name) or {}).items():
                out[r] = {}
                for c, v in cols.items():
                    if v is None:
                        out[r][c] = Cell(CellStatus.UNREADABLE)
                    elif isinstance(v, str):
                        out[r][c] = Cell(CellStatus.VALUE, v, None, text=v)
                    else:
                        out[r][c] = Cell.of(v)
            return out

        return cls(
            source=Source(file=src.get("file", ""), sha256=src.get("sha256", ""), shape=src.get("shape", "text"),
                          url=src.get("url")),
            title=d.get("title"), agency=d.get("agency"), level=d.get("level") or "unknown", year=d.get("year"),
            template=d.get("template"),
            published_on=date.fromisoformat(d["published_on"]) if d.get("published_on") else None,
            published_on_source=d.get("published_on_source"),
            sections=dict(d.get("sections") or {}),
            disclosure=grid("disclosure"), requests=grid("requests"), appeals=grid("appeals"),
            tables_found=set(d.get("tables_found") or ()), truncated=set(d.get("truncated") or ()),
            findings=[Finding.from_json(f) for f in d.get("findings") or ()],
        )
