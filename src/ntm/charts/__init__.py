"""Plotly figure builders: pure functions of frames, used by the app and by exports.

Rules every figure follows (issue 3):
- It prints its own title, data source and "Số liệu đến ngày …" (title and subtitle), so a
  screenshot or an exported image still says what it shows and where it comes from.
- Statuses are shown by colour *and* by something that survives greyscale printing and
  colour-blind viewers: the status written in words or a symbol (✓ Đạt, ✗ Chưa đạt, ? Thiếu dữ
  liệu) and a fill pattern on bars. Colours: blue = met, orange = not met, light grey = unknown
  (blue/orange is the safe pair for red-green colour blindness; their greyscale values differ).
- An explicit template (`TEMPLATE`), never plotly's or streamlit's default: `import streamlit`
  swaps plotly's default template, which would change exported images.
- Numbers follow the language: decimal comma and dot thousands in Vietnamese.
- `large=True` is the presentation mode: large type and a 16:9 figure for a projector.

The builders never decide a status: they draw what `ntm.attainment` decided.

One module per family: `style` (colours, patterns, symbols, template, sizes, the frame every
figure gets), `progress` (criteria met per year, commune or village), `history` (a merged
commune: its predecessors' panels beside its own, issue 16), `crosswalk` (the break between two
criteria sets), `grid` (villages × criteria), `indicator` (one indicator across
villages, and over the years), `province` (Tỉnh: communes by criteria met, at standard by
year). This package re-exports them: `from ntm import charts` and
`charts.progress_chart(...)`.

Across a change of criteria set (2025 → 2026) the progress chart can show the break
(`crosswalk_columns` prepares its optional columns): a dashed line between the years judged on
different sets, each side named by its decision and number of criteria, and, where a crosswalk
(criteria/crosswalks/*.yaml) maps criteria across the break, the share of those *comparable*
criteria met; the criteria without a mapping are listed as "không so sánh được" (and the
whole break is labelled so when there is no crosswalk at all).
"""

from ntm.charts.crosswalk import crosswalk_columns
from ntm.charts.grid import status_grid
from ntm.charts.history import history_chart
from ntm.charts.indicator import indicator_chart, indicator_trend
from ntm.charts.progress import (
    NO_THRESHOLD,
    NO_THRESHOLD_COLUMN,
    progress_chart,
    village_history,
)
from ntm.charts.province import distribution_chart, trend_chart
from ntm.charts.style import (
    AS_CRITERION_STATUS,
    COLOURS,
    FONT,
    GRID_ORDER,
    INK,
    MUTED,
    PATTERNS,
    SYMBOLS,
    TEMPLATE,
    plain,
    status_text,
)

__all__ = [
    "AS_CRITERION_STATUS",
    "COLOURS",
    "FONT",
    "GRID_ORDER",
    "INK",
    "MUTED",
    "NO_THRESHOLD",
    "NO_THRESHOLD_COLUMN",
    "PATTERNS",
    "SYMBOLS",
    "TEMPLATE",
    "crosswalk_columns",
    "distribution_chart",
    "history_chart",
    "indicator_chart",
    "indicator_trend",
    "plain",
    "progress_chart",
    "status_grid",
    "status_text",
    "trend_chart",
    "village_history",
]
