"""Chinese and English names of the places a finding points at ("表三 · （七）总计 · 自然人").

Every label comes from ``reports.templates``; this module only decides how to print them.
"""

from __future__ import annotations

from ..templates import APPEALS_SUITS, SECTIONS, Column, Row, TableSpec

SEP = " · "
_EN_NUMBERS = {"二": "2", "三": "3", "四": "4"}


def table_name(spec: TableSpec) -> str:
    return f"表{spec.number}"


def table_name_en(spec: TableSpec) -> str:
    return f"Table {_EN_NUMBERS.get(spec.number, spec.number)}"


def short_label(row: Row | Column) -> str:
    """The row's label, shortened when the official one is a long sentence."""
    label = row.label.split("（")[0]
    if len(label) <= 12:
        return label
    short = [a for a in row.aliases if 4 <= len(a) < len(label)]
    return min(short, key=len) if short else label


def _marked(marker: str, label: str) -> str:
    if not marker:
        return label
    if marker.isdigit():
        return f"{marker}.{label}"
    if marker.startswith("（"):
        return f"{marker}{label}"
    return f"{marker}、{label}"


def row_name(spec: TableSpec, row_id: str) -> str:
    """A row as printed in the template, with its group: "（三）不予公开 · 1.属于国家秘密"."""
    row = spec.row(row_id)
    own = _marked(row.marker, short_label(row))
    if spec.id == "appeals" and row_id.startswith("suit"):
        return f"{APPEALS_SUITS[0]}{SEP}{row.label}"
    if row.group and row.marker.isdigit():
        group = next(g for g in spec.groups if g.id == row.group)
        return f"{_marked(group.marker, group.label)}{SEP}{own}"
    return own


def compact(name: str) -> str:
    """A location for use inside a sentence: "行政诉讼·复议后起诉" rather than "行政诉讼 · 复议后起诉"."""
    return name.replace(SEP, "·")


def row_name_en(spec: TableSpec, row_id: str) -> str:
    row = spec.row(row_id)
    if row.group and row.marker.isdigit():
        group = next(g for g in spec.groups if g.id == row.group)
        return f"{group.en}: {row.en}"
    return row.en


def column_name(spec: TableSpec, column_id: str) -> str:
    return spec.column(column_id).label


def column_name_en(spec: TableSpec, column_id: str) -> str:
    return spec.column(column_id).en


def cell_where(spec: TableSpec, row_id: str | None = None, column_id: str | None = None) -> str:
    parts = [table_name(spec)]
    if row_id is not None:
        parts.append(row_name(spec, row_id))
    if column_id is not None:
        parts.append(column_name(spec, column_id))
    return SEP.join(parts)


def cell_where_en(spec: TableSpec, row_id: str | None = None, column_id: str | None = None) -> str:
    parts = [table_name_en(spec)]
    if row_id is not None:
        parts.append(row_name_en(spec, row_id))
    if column_id is not None:
        parts.append(column_name_en(spec, column_id))
    return ", ".join(parts)


_SECTION_NAMES = {s.id: (f"{s.number}、{s.label}", f"section {s.number} ({s.en})") for s in SECTIONS}


def section_name(section_id: str) -> str:
    return _SECTION_NAMES[section_id][0]


def section_name_en(section_id: str) -> str:
    return _SECTION_NAMES[section_id][1]


def fmt(n: int | float | None) -> str:
    """A number as a report prints it (no trailing .0)."""
    if n is None:
        return "?"
    if isinstance(n, float):
        if n.is_integer():
            return str(int(n))
        return f"{n:.6f}".rstrip("0").rstrip(".")
    return str(n)
