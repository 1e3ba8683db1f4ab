"""The deck's drawing primitives (python-pptx): sizes, colours, and a canvas that adds a titled
slide, rules, styled text, the footer, pictures and tables. `ntm.exports.pptx` lays the
slides out with them."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from pptx.dml.color import RGBColor
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.presentation import Presentation as PresentationFile
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from ntm import charts
from ntm.exports.images import untitled
from ntm.exports.report import PartLine, Report

FONT = "Arial"
SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
MARGIN = 0.5
CONTENT_TOP = 1.35
CONTENT_BOTTOM = 6.85
PX_PER_INCH = 120  # CSS pixels of a chart per inch of slide
GRID_PX_PER_INCH = 135  # the grid has 19 columns: a little more room per cell
IMAGE_SCALE = 2

INK = RGBColor(0x1F, 0x23, 0x28)
MUTED = RGBColor(0x57, 0x60, 0x6A)
BLUE = RGBColor.from_string(charts.COLOURS["met"].lstrip("#"))
ORANGE = RGBColor.from_string(charts.COLOURS["unmet"].lstrip("#"))
ORANGE_TEXT = RGBColor(0xA3, 0x5A, 0x00)  # darker orange: readable as text on white
GREY = RGBColor(0xD4, 0xD4, 0xD4)
HEADER_FILL = RGBColor(0xE8, 0xEE, 0xF5)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)

TITLE_PT = 32
BODY_PT = 22
TABLE_PT = 16
TABLE_PT_WIDE = 20  # a table alone on its slide
BLOCKER_PT = 17
FOOTER_PT = 11
TABLE_W_WITH_CHART = 6.7
BLOCKERS_SHOWN = 5
CHANGE_PT = 19
CHANGES_SHOWN = 9
SUMMARY_TOP = 5.55

Render = Callable[[go.Figure, int, int], bytes]


@dataclass
class Canvas:
    report: Report
    prs: PresentationFile
    render: Render
    language: MSO_LANGUAGE_ID

    # --- primitives ---------------------------------------------------------------------
    def slide(self, title: str) -> Slide:
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])  # "Title Only"
        shape = slide.shapes.title
        shape.left, shape.top = Inches(MARGIN), Inches(0.3)
        shape.width, shape.height = Inches(SLIDE_W - 2 * MARGIN), Inches(0.95)
        tf = shape.text_frame
        tf.word_wrap = True
        tf.vertical_anchor = MSO_ANCHOR.MIDDLE
        tf.text = title
        p = tf.paragraphs[0]
        p.alignment = PP_ALIGN.LEFT
        self.style(p.runs[0], title_size(title, SLIDE_W - 2 * MARGIN), bold=True, color=INK)
        self.rule(1.22)
        self.footer(slide)
        return slide

    def rule(self, top: float, *, thin: bool = False) -> None:
        slide = self.prs.slides[-1]
        line = slide.shapes.add_shape(
            1,
            Inches(MARGIN),
            Inches(top),
            Inches(SLIDE_W - 2 * MARGIN),
            Emu(9525 if thin else 19050),
        )
        line.fill.solid()
        line.fill.fore_color.rgb = GREY if thin else BLUE
        line.line.fill.background()

    def style(self, run: object, size: float, *, bold: bool = False, color: RGBColor = INK) -> None:
        font = run.font  # type: ignore[attr-defined]
        font.name = FONT
        font.size = Pt(size)
        font.bold = bold
        font.color.rgb = color
        font.language_id = self.language

    def text(
        self,
        slide: Slide,
        left: float,
        top: float,
        width: float,
        height: float,
        lines: Sequence[tuple[str, float, bool, RGBColor]],
        *,
        anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
        align: PP_ALIGN = PP_ALIGN.LEFT,
        space: float = 6,
    ) -> None:
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        tf = box.text_frame
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.NONE
        tf.vertical_anchor = anchor
        tf.margin_left = tf.margin_right = Inches(0.05)
        for i, (content, size, bold, color) in enumerate(lines):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.alignment = align
            p.space_after = Pt(space)
            run = p.add_run()
            run.text = content
            self.style(run, size, bold=bold, color=color)

    def footer(self, slide: Slide) -> None:
        r = self.report
        note = r.tr("export.footnote.short") if r.unverified else ""
        text = " · ".join(x for x in (r.footer(), note) if x)
        self.text(
            slide,
            MARGIN,
            7.0,
            SLIDE_W - 2 * MARGIN - 0.8,
            0.4,
            [(text, FOOTER_PT, False, MUTED)],
            anchor=MSO_ANCHOR.MIDDLE,
        )
        number = len(self.prs.slides)
        self.text(
            slide,
            SLIDE_W - MARGIN - 0.7,
            7.0,
            0.7,
            0.4,
            [(str(number), FOOTER_PT, False, MUTED)],
            anchor=MSO_ANCHOR.MIDDLE,
            align=PP_ALIGN.RIGHT,
        )

    def picture(
        self,
        slide: Slide,
        fig: go.Figure,
        left: float,
        top: float,
        width: float,
        height: float,
        px_per_inch: float = PX_PER_INCH,
    ) -> None:
        png = self.render(untitled(fig), round(width * px_per_inch), round(height * px_per_inch))
        slide.shapes.add_picture(
            io.BytesIO(png), Inches(left), Inches(top), Inches(width), Inches(height)
        )

    def table(
        self,
        slide: Slide,
        left: float,
        top: float,
        widths: Sequence[float],
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        row_colours: Sequence[RGBColor | None] = (),
        size: float = TABLE_PT,
    ) -> float:
        """A table; returns its estimated height in inches."""
        heights = [_row_height(header, widths, size)] + [
            _row_height(row, widths, size) for row in rows
        ]
        shape = slide.shapes.add_table(
            len(rows) + 1,
            len(widths),
            Inches(left),
            Inches(top),
            Inches(sum(widths)),
            Inches(sum(heights)),
        )
        table = shape.table
        # Plain style: no banding; the header row tinted.
        tbl = shape._element.graphic.graphicData.tbl
        if tbl is not None and tbl.tblPr is not None:
            tbl.tblPr.set("bandRow", "0")
        for i, w in enumerate(widths):
            table.columns[i].width = Inches(w)
        for r, h in enumerate(heights):
            table.rows[r].height = Inches(h)
        for r, row in enumerate([header, *rows]):
            for c, content in enumerate(row):
                cell = table.cell(r, c)
                cell.margin_left = cell.margin_right = Inches(0.08)
                cell.margin_top = cell.margin_bottom = Inches(0.04)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE
                cell.fill.solid()
                cell.fill.fore_color.rgb = HEADER_FILL if r == 0 else WHITE
                tf = cell.text_frame
                tf.word_wrap = True
                tf.text = content
                p = tf.paragraphs[0]
                p.alignment = PP_ALIGN.LEFT if c == 0 else PP_ALIGN.CENTER
                colour = INK
                if r > 0 and c == len(row) - 1 and row_colours:
                    colour = row_colours[r - 1] or INK
                for run in p.runs:
                    self.style(run, size, bold=(r == 0), color=colour)
        return sum(heights)

    # --- slides -------------------------------------------------------------------------


def title_size(title: str, width: float, largest: float = TITLE_PT, smallest: float = 22) -> float:
    """The largest size (pt) at which `title` fits on one line of `width` inches."""
    fits = width * 72 / (max(1, len(title)) * 0.55)
    return float(max(smallest, min(largest, int(fits))))


def _row(p: PartLine) -> list[str]:
    """Indicator, value, threshold, and the gap (or the status when there is no number)."""
    return [
        f"{p.code}  {p.short_name}",
        p.value_text,
        p.threshold_text,
        p.gap_text or p.status_text,
    ]


def _table_widths(total: float) -> list[float]:
    """Indicator, value, threshold, gap: the numbers keep their room, the name takes the rest."""
    rest = [1.2, 1.3, 1.6] if total < 10 else [2.0, 2.1, 2.3]
    return [total - sum(rest), *rest]


def _lines_needed(text: str, width_in: float, size_pt: float) -> int:
    chars_per_line = max(8, int(width_in * 72 / (size_pt * 0.52)))
    words = text.split()
    lines, current = 1, 0
    for word in words:
        if current and current + 1 + len(word) > chars_per_line:
            lines += 1
            current = len(word)
        else:
            current += (1 if current else 0) + len(word)
    return lines


def _row_height(row: Sequence[str], widths: Sequence[float], size: float) -> float:
    lines = max(_lines_needed(c, w - 0.16, size) for c, w in zip(row, widths, strict=True))
    return lines * size * 1.2 / 72 + 0.12


def _text_height(text: str, width: float, size: float, space: float = 4) -> float:
    return _lines_needed(text, width - 0.1, size) * size * 1.2 / 72 + space / 72
