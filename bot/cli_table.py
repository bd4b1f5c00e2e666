"""Plain-text tables for the command line, aligned for Chinese (double-width) characters."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, limit: int) -> str:
    if width(text) <= limit:
        return text
    out, w = "", 0
    for ch in text:
        cw = width(ch)
        if w + cw > limit - 1:
            break
        out, w = out + ch, w + cw
    return out + "…"


def clip_start(text: str, limit: int) -> str:
    """Keep the end of a long path (the file name), dropping its beginning."""
    if width(text) <= limit:
        return text
    return "…" + _clip(text[::-1], limit)[:-1][::-1]


def render(header: Sequence[str], rows: Sequence[Sequence[object]], *, max_width: int = 40) -> str:
    # The last column (messages, finding codes) is never cut: nothing follows it to misalign.
    last = len(header) - 1
    cells = [["" if v is None else (str(v) if i == last else _clip(str(v), max_width)) for i, v in enumerate(row)]
             for row in [header, *rows]]
    widths = [max(width(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
