"""Charts are drawn lazily, with a CJK font when one is installed and without one otherwise."""

from __future__ import annotations

from services import question_charts
from services.question_charts import Chart, ChartSpec, render_png, to_csv

SPEC = ChartSpec("bar", "2024年 本年新收政府信息公开申请", ("平潭综合实验区", "淮安市人民政府"),
                 (("本年新收", (70.0, 3119.0)),))


def test_chart_is_drawn_on_first_read_only(monkeypatch):
    calls = []
    monkeypatch.setattr(question_charts, "render_png", lambda spec: calls.append(spec) or b"\x89PNG fake")
    chart = Chart(SPEC)
    assert calls == []
    assert chart.png == b"\x89PNG fake" and chart.png == b"\x89PNG fake"
    assert calls == [SPEC]


def test_png_with_the_cjk_font():
    assert question_charts._cjk_font_path() is not None      # fonts-wqy-zenhei is installed here and on CI
    png = render_png(SPEC)
    assert png.startswith(b"\x89PNG")


def test_png_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(question_charts, "_cjk_font_path", lambda: None)
    line = ChartSpec("line", "trend", ("2019", "2020", "2021"), (("a", (1.0, None, 3.0)), ("b", (2.0, 2.0, 2.0))))
    assert render_png(line).startswith(b"\x89PNG")


def test_csv_opens_in_excel():
    data = to_csv(["机关", "数值"], [["平潭综合实验区", 70], ["淮安市人民政府", None]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["机关,数值", "平潭综合实验区,70", "淮安市人民政府,"]
