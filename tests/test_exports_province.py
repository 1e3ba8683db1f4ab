"""The province's exports (issue 17): the deck and the workbook say the view's numbers.

The province is the one of tests/test_views_province.py (whose tests check the view against the
engine); here the PPTX opens with python-pptx and shows the count, its charts carry the
distribution and the trend, and every sheet of the XLSX holds the view's values.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import openpyxl
import pytest
from pptx import Presentation
from test_views_province import SET_ID, TN, build_store

from ntm import views
from ntm.exports.province import ProvinceReport, province_pptx, province_xlsx
from ntm.storage import Store

GENERATED = dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProvinceReport]:
    url = build_store(tmp_path_factory.mktemp("tinh-export") / "ntm.db")
    with Store(url) as store:
        pv = views.province_view(store, TN, 2025, "vi")
    yield ProvinceReport(pv, TN, "báo cáo của các xã (Thái Nguyên)", "05/01/2026", False, GENERATED)


def _texts(slide: object) -> list[str]:
    out = []
    for shape in slide.shapes:  # type: ignore[attr-defined]
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if shape.has_table:
            out += [c.text for row in shape.table.rows for c in row.cells]
    return out


def test_the_deck_shows_the_count_the_charts_and_the_close_communes(
    report: ProvinceReport,
) -> None:
    prs = Presentation(io.BytesIO(province_pptx(report)))
    slides = [_texts(s) for s in prs.slides]
    everything = "\n".join("\n".join(s) for s in slides)
    assert "Số xã đạt chuẩn: 1/6 (16,7%)" in everything
    assert "Gần đạt chuẩn (thiếu ≤ 2 tiêu chí): 2 xã" in everything
    assert "Nà Mới" in everything and "Phú Thượng → An Bình" in everything
    assert "Bình Minh (3/4)" in everything and "Cẩm Giàng (2/4)" in everything
    assert "Đồng Tâm (1/4)" not in everything
    assert prs.core_properties.title == "Thái Nguyên — năm 2025"
    charts = [sh.chart for s in prs.slides for sh in s.shapes if sh.has_chart]
    by_series = {
        (ch.plots[0].series[0].name, tuple(ch.plots[0].categories)): [
            list(s.values) for s in ch.plots[0].series
        ]
        for ch in charts
    }
    d = report.view.distribution
    test_rows = d[d["criteria_set"] == SET_ID]
    assert by_series[("1/TEST · 4 tiêu chí", ("0", "1", "2", "3", "4"))] == [
        [float(n) for n in test_rows["communes"]]
    ]
    # The trend: one series per set, the years in order; no bar for a year without that set.
    assert by_series[("1/TEST · 4 tiêu chí", ("2024", "2025"))] == [[2.0, 1.0], [None, 0.0]]
    # The grid: one row per commune of the set, the status written as a symbol.
    (grid,) = [s for s in slides if "TC 4" in s and "An Bình" in s]
    at = grid.index("Đồng Tâm")
    assert grid[at : at + 5] == ["Đồng Tâm", "✗", "✓", "✗", "✗"]


def test_the_workbook_holds_the_views_values(report: ProvinceReport) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(province_xlsx(report)))
    assert wb.sheetnames == [
        "Tổng hợp",
        "Các xã",
        "Phân bố",
        "Xã - tiêu chí",
        "Gần đạt chuẩn",
        "Qua các năm",
    ]
    v = report.view
    summary = {
        row[0]: row[1] for row in wb["Tổng hợp"].iter_rows(min_row=4, values_only=True) if row[0]
    }
    assert summary["Số xã đạt chuẩn"] == v.at_standard == 1
    assert summary["Tổng số xã"] == v.total == 6
    assert summary["Tỷ lệ đạt chuẩn (%)"] == pytest.approx(round(100 * (v.share or 0), 1))
    assert summary["Gần đạt chuẩn (thiếu ≤ 2 tiêu chí)"] == len(v.close) == 2
    assert summary["Xã chưa có số liệu"] == "Nà Mới"

    communes = list(wb["Các xã"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[4], r[5], r[6]) for r in communes] == [
        (c.commune, c.met, c.total, c.short) for c in v.communes
    ]
    distribution = list(wb["Phân bố"].iter_rows(min_row=2, values_only=True))
    assert [tuple(r) for r in distribution] == [
        (r.set_label, r.criteria_total, r.criteria_met, r.communes)
        for r in v.distribution.itertuples(index=False)
    ]
    trend = list(wb["Qua các năm"].iter_rows(min_row=2, values_only=True))
    assert [tuple(r) for r in trend] == [
        (r.period, r.set_label, r.criteria_total, r.communes, r.at_standard)
        for r in v.trend.itertuples(index=False)
    ]
    close = list(wb["Gần đạt chuẩn"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3]) for r in close if r[0] == "Bình Minh"] == [
        ("Bình Minh", "2.2 · Đường thôn")
    ]
    assert any(r[0] == "Bình Minh" and "Thôn 2" in str(r[7]) for r in close)


def test_the_grid_sheet_has_every_commune_and_status(report: ProvinceReport) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(province_xlsx(report)))["Xã - tiêu chí"]
    rows = list(ws.iter_rows(values_only=True))
    grid = next(g for g in report.view.grids if g.criteria_set == SET_ID)
    start = next(i for i, r in enumerate(rows) if r[0] == "Xã") + 1
    shown = {r[0]: list(r[1 : 1 + len(grid.columns)]) for r in rows[start : start + len(grid.rows)]}
    assert list(shown) == list(grid.rows)
    assert shown["Đồng Tâm"] == ["Chưa đạt", "Đạt", "Chưa đạt", "Chưa đạt"]
    assert shown["An Bình"] == ["Đạt"] * 4
