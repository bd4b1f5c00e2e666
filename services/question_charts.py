"""Charts and CSV files that accompany rankings, trends and comparisons.

Rendering happens last and only when asked for: a chart is described by a ``ChartSpec`` and drawn
(matplotlib, Agg backend) the first time its PNG is read, so answering stays fast and a reply that
does not send the picture never pays for it. Chinese labels need a CJK font: WenQuanYi Zen Hei is
looked up through matplotlib's font manager; without one the chart falls back to the default font
(labels may then show boxes, but the chart is still produced).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal


@dataclass(frozen=True, slots=True)
class ChartSpec:
    kind: Literal["bar", "line"]
    title: str
    labels: tuple[str, ...]                      # x-axis categories (agencies or years)
    series: tuple[tuple[str, tuple[float | None, ...]], ...]   # (legend, values per label)
    ylabel: str = ""


@lru_cache(maxsize=1)
def _cjk_font_path() -> str | None:
    from matplotlib import font_manager

    preferred = ("wqy-zenhei", "wqy-microhei", "notosanscjk", "noto sans cjk", "droidsansfallback", "simhei")
    fonts = font_manager.findSystemFonts()
    for want in preferred:
        for path in fonts:
            if want in path.lower():
                return path
    for f in font_manager.fontManager.ttflist:
        if any(w in f.name.lower() for w in ("wenquanyi", "noto sans cjk", "simhei")):
            return f.fname
    return None


def render_png(spec: ChartSpec) -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    path = _cjk_font_path()
    font = font_manager.FontProperties(fname=path) if path else font_manager.FontProperties()
    fig = Figure(figsize=(8, 4.5), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    x = list(range(len(spec.labels)))
    n = max(1, len(spec.series))
    width = 0.8 / n
    for k, (legend, values) in enumerate(spec.series):
        ys = [v if v is not None else float("nan") for v in values]
        if spec.kind == "line":
            ax.plot(x, ys, marker="o", label=legend)
        else:
            ax.bar([i + (k - (n - 1) / 2) * width for i in x], ys, width=width, label=legend)
    ax.set_xticks(x)
    ax.set_xticklabels([_short(label) for label in spec.labels], fontproperties=font,
                       rotation=30 if len(spec.labels) > 4 else 0, ha="right" if len(spec.labels) > 4 else "center")
    ax.set_title(spec.title, fontproperties=font)
    if spec.ylabel:
        ax.set_ylabel(spec.ylabel, fontproperties=font)
    if len(spec.series) > 1:
        ax.legend(prop=font)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _short(label: str, limit: int = 14) -> str:
    return label if len(label) <= limit else "…" + label[-(limit - 1):]


@dataclass(slots=True)
class Chart:
    """A chart spec with its PNG drawn on first access."""

    spec: ChartSpec
    _png: bytes | None = field(default=None, repr=False)

    @property
    def png(self) -> bytes:
        if self._png is None:
            self._png = render_png(self.spec)
        return self._png


def to_csv(header: list[str], rows: list[list[object]]) -> bytes:
    """UTF-8 with BOM so that Excel opens Chinese text correctly."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode("utf-8-sig")
