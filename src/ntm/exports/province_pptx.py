"""The province's deck (python-pptx), 16:9, from one `ProvinceView`.

Slides: the title (province, year, data date, filters); the headline (communes at standard of
how many and the share, close to standard, communes without data, merged communes); per
criteria set, the communes by criteria met (a native column chart: it opens and prints without
a chart browser, and the numbers stay editable in PowerPoint); the communes at standard per
year (a native chart, one series per set, as the page draws them); the communes close to
standard with what blocks them; the communes × criteria grid, the status written in every cell
(✓ Đạt, ✗ Chưa đạt, ? Thiếu dữ liệu, – Chưa có ngưỡng) and shaded; the closing (sources).
Type: Arial (Vietnamese letters on Windows; Liberation Sans in LibreOffice), tagged vi/en.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, cast

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.text import PP_ALIGN
from pptx.slide import Slide
from pptx.util import Inches, Pt

from ntm import charts
from ntm.exports.province import ProvinceReport

FONT = "Arial"
W, H, MARGIN = 13.333, 7.5, 0.5
INK = RGBColor(0x1F, 0x23, 0x28)
MUTED = RGBColor(0x57, 0x60, 0x6A)
ORANGE_TEXT = RGBColor(0xA3, 0x5A, 0x00)
HEADER = RGBColor(0xE8, 0xEE, 0xF5)
FILLS = {
    "met": RGBColor(0xDC, 0xE9, 0xF7),
    "unmet": RGBColor(0xFC, 0xE4, 0xBF),
    "unknown": RGBColor(0xED, 0xED, 0xED),
    "no_threshold": RGBColor(0xF7, 0xF7, 0xF7),
}
GRID_ROWS = 14  # communes per grid slide
TABLE_ROWS = 9  # rows of the close-to-standard table per slide
COMMUNES_SHOWN = 12


class _Deck:
    def __init__(self, r: ProvinceReport) -> None:
        self.r = r
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Inches(W), Inches(H)
        self.lang = MSO_LANGUAGE_ID.VIETNAMESE if r.lang == "vi" else MSO_LANGUAGE_ID.ENGLISH_US

    def _run(self, run: object, size: float, bold: bool = False, color: RGBColor = INK) -> None:
        font = run.font  # type: ignore[attr-defined]
        font.name, font.size, font.bold = FONT, Pt(size), bold
        font.color.rgb = color
        font.language_id = self.lang

    def text(
        self,
        slide: Slide,
        box: tuple[float, float, float, float],
        lines: Sequence[tuple[str, float, bool, RGBColor]],
    ) -> None:
        left, top, width, height = box
        frame = slide.shapes.add_textbox(
            Inches(left), Inches(top), Inches(width), Inches(height)
        ).text_frame
        frame.word_wrap = True
        for i, (content, size, bold, color) in enumerate(lines):
            p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            p.space_after = Pt(6)
            self._run(p.add_run(), size, bold, color)
            p.runs[0].text = content

    def slide(self, title: str) -> Slide:
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])  # blank
        self.text(slide, (MARGIN, 0.3, W - 2 * MARGIN, 0.9), [(title, 28, True, INK)])
        footer = self.r.footer()
        if self.r.demo:
            footer += " · " + self.r.tr("export.demo_banner")
        self.text(slide, (MARGIN, 6.95, W - 2 * MARGIN, 0.4), [(footer, 11, False, MUTED)])
        return slide

    def table(
        self,
        slide: Slide,
        top: float,
        widths: Sequence[float],
        rows: Sequence[Sequence[str]],
        fills: Sequence[Sequence[RGBColor | None]] = (),
        size: float = 14,
    ) -> None:
        shape = slide.shapes.add_table(
            len(rows), len(widths), Inches(MARGIN), Inches(top), Inches(sum(widths)), Inches(0.4)
        )
        table = shape.table
        for i, w in enumerate(widths):
            table.columns[i].width = Inches(w)
        for i, row in enumerate(rows):
            for j, content in enumerate(row):
                cell = table.cell(i, j)
                cell.fill.solid()
                fill = fills[i - 1][j] if i and fills and fills[i - 1][j] is not None else None
                cell.fill.fore_color.rgb = HEADER if i == 0 else (fill or RGBColor(255, 255, 255))
                cell.text = content
                p = cell.text_frame.paragraphs[0]
                p.alignment = PP_ALIGN.LEFT if j == 0 or len(widths) < 8 else PP_ALIGN.CENTER
                for run in p.runs:
                    self._run(run, size, bold=i == 0)

    def column_chart(
        self,
        slide: Slide,
        categories: Sequence[str],
        series: Sequence[tuple[str, Sequence[float | None]]],
        box: tuple[float, float, float, float],
    ) -> None:
        data = CategoryChartData()
        data.categories = list(categories)
        for name, values in series:
            data.add_series(name, list(values))
        left, top, width, height = box
        frame: Any = slide.shapes.add_chart(
            XL_CHART_TYPE.COLUMN_CLUSTERED,
            Inches(left),
            Inches(top),
            Inches(width),
            Inches(height),
            cast(Any, data),
        )
        chart = frame.chart
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.font.size, chart.font.name = Pt(14), FONT
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.font.size = Pt(14)
        for i, s in enumerate(plot.series):
            s.format.fill.solid()
            colour = charts.province.SET_COLOURS[i % len(charts.province.SET_COLOURS)]
            s.format.fill.fore_color.rgb = RGBColor.from_string(colour.lstrip("#"))

    # --- slides ---------------------------------------------------------------------------
    def title_slide(self) -> None:
        r = self.r
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])
        lines = [
            (r.tr("export.province.title"), 36, True, INK),
            (r.subtitle, 30, False, INK),
            (r.tr("chart.as_of", date=r.as_of_text), 20, False, MUTED),
        ]
        if r.filters_text:
            lines.append((r.tr("export.province.filters", filters=r.filters_text), 20, False, INK))
        if r.demo:
            lines.append((r.tr("export.demo_banner"), 20, True, ORANGE_TEXT))
        self.text(slide, (1.0, 2.2, W - 2.0, 3.5), lines)

    def headline_slide(self) -> None:
        r, v = self.r, self.r.view
        slide = self.slide(r.subtitle)
        lines = [
            (r.headline_text, 32, True, INK),
            (r.tr("export.province.close_count", n=len(v.close)), 24, False, INK),
        ]
        if v.no_data:
            text = r.tr("ui.province.no_data_communes", year=v.year, communes=r.no_data_text())
            lines.append((text, 18, False, MUTED))
        if v.merged:
            lines.append((r.tr("ui.province.merged", communes=r.merged_text()), 18, False, MUTED))
        if v.before_merger:
            text = r.tr("ui.province.before_merger", year=v.year, communes=r.before_merger_text())
            lines.append((text, 18, False, MUTED))
        if len(v.sets) > 1:
            lines.append(
                (r.tr("ui.province.sets_note", year=v.year, n=len(v.sets)), 18, False, INK)
            )
        self.text(slide, (MARGIN, 1.4, W - 2 * MARGIN, 5.4), lines)

    def distribution_slides(self) -> None:
        r, d = self.r, self.r.view.distribution
        for _, rows in d.groupby("criteria_set", sort=False):
            label = str(rows["set_label"].iloc[0])
            slide = self.slide(
                r.tr("chart.title.province_distribution", year=r.view.year, province=r.name)
            )
            self.column_chart(
                slide,
                [str(int(k)) for k in rows["criteria_met"]],
                [(label, [int(n) for n in rows["communes"]])],
                (MARGIN, 1.3, W - 2 * MARGIN, 5.5),
            )

    def trend_slide(self) -> None:
        r, trend = self.r, self.r.view.trend
        if trend.empty:
            return
        slide = self.slide(r.tr("chart.title.province_trend", province=r.name))
        years = [int(p) for p in dict.fromkeys(trend["period"])]
        series = []
        for _, rows in trend.groupby("criteria_set", sort=False):
            at = dict(zip(rows["period"].astype(int), rows["at_standard"].astype(int), strict=True))
            series.append((str(rows["set_label"].iloc[0]), [at.get(y) for y in years]))
        self.column_chart(
            slide, [str(y) for y in years], series, (MARGIN, 1.3, W - 2 * MARGIN, 5.5)
        )

    def close_slides(self) -> None:
        r = self.r
        header = [
            r.tr("ui.province.col.commune"),
            r.tr("export.province.col.criterion"),
            r.tr("export.province.col.indicator"),
            r.tr("export.province.col.gap"),
            r.tr("export.province.col.villages"),
        ]
        rows = []
        for item in r.view.close:
            name = f"{item.commune} ({item.met}/{item.total})"
            for line in r.close_rows(item):
                value = " ".join(x for x in (line[2], line[3]) if x)
                rows.append([name, line[0], f"{line[1]} {value}".strip(), line[4], line[5]])
        title = r.tr("ui.province.close")
        if not rows:
            slide = self.slide(title)
            self.text(
                slide,
                (MARGIN, 1.5, W - 2 * MARGIN, 1),
                [(r.tr("ui.province.close_none"), 22, False, INK)],
            )
            return
        for start in range(0, len(rows), TABLE_ROWS):
            slide = self.slide(title)
            chunk = rows[start : start + TABLE_ROWS]
            self.table(slide, 1.35, [2.6, 2.4, 3.4, 1.4, 2.53], [header, *chunk], size=12)

    def grid_slides(self) -> None:
        r = self.r
        for grid in r.view.grids:
            lookup = {
                (str(a), str(b)): str(s)
                for a, b, s in grid.cells[["row", "column", "status"]].itertuples(index=False)
            }
            cols = list(grid.columns)
            first = 2.6
            width = (W - 2 * MARGIN - first) / max(1, len(cols))
            header = [r.tr("ui.province.col.commune")] + [
                r.tr("chart.criterion_short", number=c) for c in cols
            ]
            for start in range(0, len(grid.rows), GRID_ROWS):
                slide = self.slide(
                    r.tr("chart.title.province_grid", year=r.view.year, province=r.name)
                    + f" · {r.set_label(grid.criteria_set)}"
                )
                communes = grid.rows[start : start + GRID_ROWS]
                statuses = [[lookup.get((c, col)) for col in cols] for c in communes]
                rows = [
                    [c] + [charts.SYMBOLS.get(s, "") if s else "" for s in line]
                    for c, line in zip(communes, statuses, strict=True)
                ]
                fills: list[list[RGBColor | None]] = [
                    [None, *(FILLS.get(s or "") for s in line)] for line in statuses
                ]
                self.table(slide, 1.35, [first] + [width] * len(cols), [header, *rows], fills, 12)

    def closing_slide(self) -> None:
        r = self.r
        slide = self.slide(r.subtitle)
        lines = [
            (r.tr("chart.source", source=r.source_text), 20, False, INK),
            (r.tr("chart.as_of", date=r.as_of_text), 20, False, INK),
            (
                r.tr("export.province.label.generated")
                + ": "
                + r.generated.strftime("%d/%m/%Y %H:%M UTC"),
                14,
                False,
                MUTED,
            ),
        ]
        self.text(slide, (MARGIN, 1.5, W - 2 * MARGIN, 4), lines)


def build(r: ProvinceReport) -> bytes:
    """The deck as .pptx bytes."""
    deck = _Deck(r)
    deck.title_slide()
    deck.headline_slide()
    deck.distribution_slides()
    deck.trend_slide()
    deck.close_slides()
    deck.grid_slides()
    deck.closing_slide()
    props = deck.prs.core_properties
    props.title, props.author = r.subtitle, "ntm"
    props.language = "vi-VN" if r.lang == "vi" else "en-US"
    out = io.BytesIO()
    deck.prs.save(out)
    return out.getvalue()
