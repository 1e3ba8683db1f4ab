"""The province's charts (issue 17) draw the view's numbers, one series per criteria set, and
mark where the set changes (plotly figures are opaque to AppTest: the builders are tested
here)."""

from __future__ import annotations

import pandas as pd

from ntm.charts import distribution_chart, trend_chart
from ntm.views.province import DISTRIBUTION_COLUMNS, TREND_COLUMNS

FRAME = {"title": "Tỉnh", "source": "báo cáo của các xã", "date": "05/01/2026", "lang": "vi"}
OLD, NEW = "318/QĐ-TTg · 19 tiêu chí", "51/2025 · 18 tiêu chí"
TREND = pd.DataFrame(
    [
        (2024, "vn-ntm-xa-2021-2025", OLD, 19, 12, 3),
        (2025, "vn-ntm-xa-2021-2025", OLD, 19, 14, 5),
        (2026, "vn-ntm-xa-2026-2030", NEW, 18, 14, 0),
    ],
    columns=TREND_COLUMNS,
)


def test_the_trend_draws_each_set_apart_with_the_break_marked() -> None:
    fig = trend_chart(TREND, **FRAME)  # type: ignore[arg-type]
    at_standard = {tr.name: list(tr.y) for tr in fig.data if not tr.name.startswith("Số xã có")}
    assert at_standard == {OLD: [3, 5], NEW: [0]}
    judged = {tr.name: list(tr.y) for tr in fig.data if tr.name.startswith("Số xã có")}
    assert judged == {f"Số xã có số liệu ({OLD})": [12, 14], f"Số xã có số liệu ({NEW})": [14]}
    texts = [list(tr.text) for tr in fig.data if tr.text is not None]
    assert texts == [["3/12 xã", "5/14 xã"], ["0/14 xã"]]
    breaks = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert [b.x0 for b in breaks] == [1.5]  # between 2025 and 2026
    assert "không so sánh trực tiếp" in fig.layout.annotations[0].text


def test_one_set_draws_no_break() -> None:
    fig = trend_chart(TREND[TREND["period"] < 2026], **FRAME)  # type: ignore[arg-type]
    assert not fig.layout.shapes


def test_the_distribution_counts_communes_by_criteria_met() -> None:
    rows = [("s", "1/TEST · 3 tiêu chí", 3, k, n) for k, n in enumerate([0, 2, 5, 1])]
    fig = distribution_chart(pd.DataFrame(rows, columns=DISTRIBUTION_COLUMNS), **FRAME)  # type: ignore[arg-type]
    (bars,) = fig.data
    assert (list(bars.x), list(bars.y)) == ([0, 1, 2, 3], [0, 2, 5, 1])
    assert list(bars.text) == ["", "2", "5", "1"]
    assert fig.layout.yaxis.dtick == 1  # whole communes
