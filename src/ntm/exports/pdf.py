"""The meeting report as an A4-landscape PDF (fpdf2): the same content as the slide deck.

Pages: cover; headline with every criterion's status; villages × criteria grid; one page per
unmet criterion (its indicators with full names, the villages holding it back, a chart per
village indicator); progress over the years; what changed since the previous period; sources
and notes. Every page carries the source, the data date, the unverified-threshold mark and its
number.

Text is set in a TrueType font with every Vietnamese letter (`ntm.exports.fonts`: Noto Sans,
else DejaVu Sans; `NTM_FONT` overrides); ✓ ✗ ≥ ≤ come from DejaVu Sans as a fallback font, or
are written in ASCII when it is missing. Without a usable font, `FontNotFoundError` says what to
install. Charts are drawn at 6 CSS pixels per millimetre and scale 2 (≈ 300 dpi).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import plotly.graph_objects as go
from fpdf import FPDF
from fpdf.fonts import FontFace

from ntm.exports.fonts import ASCII_SYMBOLS, find_font, symbol_font
from ntm.exports.images import figure_png, untitled
from ntm.exports.report import PartLine, Report, UnmetCriterion

PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 12.0
CONTENT_W = PAGE_W - 2 * MARGIN
PX_PER_MM = 6
IMAGE_SCALE = 2

INK = (31, 35, 40)
MUTED = (87, 96, 106)
BLUE = (11, 92, 173)
ORANGE_TEXT = (163, 90, 0)
HEADER_FILL = (232, 238, 245)
RULE = (208, 215, 222)
TONES = {"normal": INK, "muted": MUTED, "warn": ORANGE_TEXT}

Render = Callable[[go.Figure, int, int], bytes]


class _Pdf(FPDF):
    def __init__(self, report: Report, render: Render) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.report = report
        self.render = render
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=16)
        fonts = find_font()
        self.add_font("body", "", str(fonts.regular))
        self.add_font("body", "B", str(fonts.bold))
        symbols = symbol_font()
        self.ascii_symbols = symbols is None
        if symbols is not None:
            self.add_font("symbols", "", str(symbols))
            self.set_fallback_fonts(["symbols"], exact_match=False)
        self.set_font("body", size=11)
        self.set_text_color(*INK)
        self.set_lang("vi" if report.lang == "vi" else "en")
        self.set_title(report.title_text)
        self.set_author("ntm")
        self.set_creator("ntm")
        self.alias_nb_pages()

    # --- text helpers ---------------------------------------------------------------------
    def s(self, text: str) -> str:
        if not self.ascii_symbols:
            return text
        for symbol, plain in ASCII_SYMBOLS.items():
            text = text.replace(symbol, plain)
        return text

    def para(
        self,
        text: str,
        size: float = 11,
        *,
        bold: bool = False,
        colour: tuple[int, int, int] = INK,
        gap: float = 1.5,
        width: float = 0,
    ) -> None:
        self.set_font("body", "B" if bold else "", size)
        self.set_text_color(*colour)
        self.multi_cell(width, size * 0.45, self.s(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)
        self.set_text_color(*INK)

    def heading(self, text: str) -> None:
        self.set_font("body", "B", 20)
        self.set_text_color(*INK)
        self.multi_cell(0, 9, self.s(text), new_x="LMARGIN", new_y="NEXT")
        y = self.get_y() + 1
        self.set_draw_color(*BLUE)
        self.set_line_width(0.6)
        self.line(MARGIN, y, PAGE_W - MARGIN, y)
        self.set_y(y + 4)

    def footer(self) -> None:
        r = self.report
        if self.page_no() == 1:
            return
        self.set_y(-11)
        self.set_font("body", "", 8)
        self.set_text_color(*MUTED)
        note = r.tr("export.footnote.short") if r.unverified else ""
        text = " · ".join(x for x in (r.footer(), note) if x)
        self.cell(CONTENT_W - 20, 5, self.s(text))
        self.cell(20, 5, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(*INK)

    def picture(self, fig: go.Figure, x: float, y: float, w: float, h: float) -> None:
        png = self.render(untitled(fig), round(w * PX_PER_MM), round(h * PX_PER_MM))
        self.image(io.BytesIO(png), x=x, y=y, w=w, h=h)

    def table_rows(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        align: Sequence[str],
        colours: Sequence[tuple[int, int, int]] = (),
        size: float = 10,
    ) -> None:
        self.set_font("body", "", size)
        style = FontFace(emphasis="BOLD", fill_color=HEADER_FILL, color=INK)
        self.set_draw_color(*RULE)
        self.set_fill_color(255, 255, 255)
        self.set_line_width(0.2)
        with self.table(
            width=sum(widths),
            col_widths=tuple(widths),
            text_align=tuple(align),
            headings_style=style,
            line_height=size * 0.5,
            borders_layout="HORIZONTAL_LINES",
            padding=1.2,
            first_row_as_headings=True,
            align="LEFT",
        ) as table:
            head = table.row()
            for cell in header:
                head.cell(self.s(cell))
            for i, row in enumerate(rows):
                line = table.row()
                for j, cell in enumerate(row):
                    colour = colours[i] if colours and j == len(row) - 1 else INK
                    line.cell(self.s(cell), style=FontFace(color=colour))
        self.ln(3)

    # --- pages -----------------------------------------------------------------------------
    def cover(self) -> None:
        r = self.report
        self.add_page()
        self.set_fill_color(*BLUE)
        self.rect(0, 0, 8, PAGE_H, style="F")
        self.set_y(55)
        self.set_left_margin(30)
        self.para(r.tr("export.deck.title"), 30, bold=True, gap=3)
        self.para(r.title_text, 24, bold=True, colour=BLUE, gap=8)
        self.para(r.tr("chart.as_of", date=r.as_of_text), 15, gap=2)
        crit = r.criteria_set
        self.para(
            r.tr(
                "export.deck.criteria_set",
                decision=crit.legal_basis.decision,
                title=crit.title.get(r.lang),
            ),
            12,
            colour=MUTED,
            gap=1,
        )
        self.para(r.tr("export.deck.key", key=r.key_name), 12, colour=MUTED, gap=6)
        if r.demo:
            self.para(r.tr("export.demo_banner"), 14, bold=True, colour=ORANGE_TEXT)
        self.set_y(PAGE_H - 25)
        self.para(r.tr("export.deck.generated", date=r.generated_text), 9, colour=MUTED)
        self.set_left_margin(MARGIN)

    def headline(self) -> None:
        r = self.report
        h = r.headline
        self.add_page()
        self.heading(r.tr("export.deck.headline_title", period=r.period))
        top = self.get_y()
        self.set_font("body", "B", 54)
        self.set_text_color(*BLUE)
        self.cell(90, 24, f"{h.met}/{h.total}", new_x="LMARGIN", new_y="NEXT")
        self.para(r.tr("export.headline.criteria_met"), 15, gap=2, width=95)
        if h.delta is not None and h.previous is not None:
            key = (
                "export.headline.delta_up"
                if h.delta > 0
                else "export.headline.delta_down"
                if h.delta < 0
                else "export.headline.delta_same"
            )
            text = r.tr(
                key,
                n=abs(h.delta),
                previous=h.previous,
                before=f"{h.previous_met}/{h.previous_total}",
            )
            colour = BLUE if h.delta > 0 else ORANGE_TEXT if h.delta < 0 else INK
            self.para(text, 14, bold=True, colour=colour, width=95)
        else:
            self.para(r.tr("export.headline.no_previous"), 13, colour=MUTED, width=95)
        if h.villages_total:
            self.para(
                r.tr("export.headline.villages", n=h.villages_at_standard, total=h.villages_total),
                14,
                width=95,
            )
        left_bottom = self.get_y()
        # Right: every criterion and its status.
        self.set_xy(MARGIN + 100, top)
        self.set_left_margin(MARGIN + 100)
        rows = []
        colours = []
        for c in r.criteria:
            villages = (
                f"{c.villages_met}/{c.villages_total}" if c.villages_total is not None else "—"
            )
            status = c.status_text + (f" ({c.reason})" if c.reason else "")
            rows.append([c.number, c.name, villages, status])
            colours.append(
                BLUE if c.status == "met" else ORANGE_TEXT if c.status == "unmet" else MUTED
            )
        self.table_rows(
            [
                r.tr("export.col.criterion"),
                r.tr("export.col.name"),
                r.tr("export.col.villages_met"),
                r.tr("export.col.status"),
            ],
            rows,
            [14, 76, 24, 59],
            align=("CENTER", "LEFT", "CENTER", "LEFT"),
            colours=colours,
            size=9,
        )
        self.set_left_margin(MARGIN)
        self.set_y(max(self.get_y(), left_bottom))

    def grid(self) -> None:
        r = self.report
        if not r.grid_rows:
            return
        self.add_page()
        self.heading(r.tr("export.deck.grid_title", period=r.period))
        y = self.get_y()
        self.picture(r.grid_figure(large=True).figure, MARGIN, y, CONTENT_W, PAGE_H - 16 - y)

    def unmet(self, item: UnmetCriterion) -> None:
        r = self.report
        self.add_page()
        self.heading(r.tr("export.deck.unmet_title", number=item.number, name=item.name))
        self.table_rows(
            [
                r.tr("export.col.code"),
                r.tr("export.col.indicator"),
                r.tr("export.col.value"),
                r.tr("export.col.threshold"),
                r.tr("export.col.gap"),
            ],
            [_row(p) for p in item.lines],
            [16, 150, 32, 34, 41],
            align=("LEFT", "LEFT", "CENTER", "CENTER", "CENTER"),
            colours=[ORANGE_TEXT if p.status == "unmet" else MUTED for p in item.lines],
        )
        if item.met_codes:
            self.para(
                r.tr("export.unmet.already_met", codes=", ".join(item.met_codes)), 10, colour=MUTED
            )
        held = [(p.code, item.blockers_of(p.code)) for p in item.lines if item.blockers_of(p.code)]
        if held:
            self.para(r.tr("export.unmet.blockers"), 12, bold=True, gap=1)
            for code, blockers in held:
                self.para("• " + r.blocker_line(code, blockers, shown=8), 11, gap=1)
        codes = [p.code for p in item.lines if item.chartable(p)]
        w, h = ((CONTENT_W - 6) / 2, 82.0) if len(codes) > 1 else (CONTENT_W * 0.6, 95.0)
        for i, code in enumerate(codes):
            if i % 2 == 0:
                if self.get_y() + h > PAGE_H - 16:
                    self.add_page()
                y = self.get_y() + 2
            x = MARGIN + (i % 2) * (w + 6)
            self.picture(r.indicator_figure(code, large=True).figure, x, y, w, h)
            if i % 2 == 1 or i == len(codes) - 1:
                self.set_y(y + h + 2)

    def self_check(self) -> None:
        """The office's own verdicts the thresholds contradict (only when there are some)."""
        r = self.report
        lines = r.self_check_lines()
        if not lines:
            return
        self.add_page()
        self.heading(r.tr("export.deck.self_check_title", n=len(lines)))
        for line in lines:
            self.para(f"• {line}", 12, colour=ORANGE_TEXT, gap=1)

    def progress(self) -> None:
        r = self.report
        self.add_page()
        self.heading(r.tr("export.deck.progress_title"))
        y = self.get_y()
        self.picture(
            r.progress_figure(large=True).figure, MARGIN + 20, y, CONTENT_W - 40, PAGE_H - 16 - y
        )

    def merger(self) -> None:
        """A merged commune: each unit's series in words (only when there was a merger)."""
        lines = self.report.history_lines()
        if not lines:
            return
        self.add_page()
        self.heading(self.report.tr("merger.deck.title"))
        for line in lines:
            self.para(f"• {line}", 12, gap=1)

    def changes(self) -> None:
        r = self.report
        ch = r.changes
        self.add_page()
        if ch.previous is None:
            self.heading(r.tr("export.deck.changes_title_none"))
            self.para(r.tr("export.changes.no_previous"), 13, colour=MUTED)
            return
        self.heading(r.tr("export.deck.changes_title", previous=ch.previous))
        if not ch.comparable:
            self.para(r.tr("export.changes.not_comparable", previous=ch.previous), 13, colour=MUTED)
            return
        top = self.get_y()
        half = (CONTENT_W - 10) / 2
        self.para(
            r.tr("export.changes.newly_met", n=len(ch.newly_met)),
            15,
            bold=True,
            colour=BLUE,
            width=half,
        )
        for c in ch.newly_met:
            self.para(
                f"✓ {r.tr('export.criterion', number=c.number, name=c.name)}",
                12,
                gap=0.5,
                width=half,
            )
        if not ch.newly_met:
            self.para(r.tr("export.changes.none"), 12, colour=MUTED, width=half)
        left_bottom = self.get_y()
        self.set_xy(MARGIN + half + 10, top)
        self.set_left_margin(MARGIN + half + 10)
        self.para(
            r.tr("export.changes.newly_unmet", n=len(ch.newly_unmet)),
            15,
            bold=True,
            colour=ORANGE_TEXT,
            width=half,
        )
        for c in ch.newly_unmet:
            self.para(
                f"✗ {r.tr('export.criterion', number=c.number, name=c.name)}",
                12,
                gap=0.5,
                width=half,
            )
        if not ch.newly_unmet:
            self.para(r.tr("export.changes.none"), 12, colour=MUTED, width=half)
        for c in ch.other:
            self.para(
                r.tr(
                    "export.changes.other",
                    number=c.number,
                    name=c.name,
                    before=c.before_text,
                    after=c.after_text,
                ),
                11,
                colour=MUTED,
                width=half,
            )
        self.set_left_margin(MARGIN)
        self.set_y(max(self.get_y(), left_bottom) + 4)
        self.set_draw_color(*RULE)
        self.line(MARGIN, self.get_y(), PAGE_W - MARGIN, self.get_y())
        self.ln(3)
        for line in r.changes_summary():
            self.para(line, 11, gap=1.5)

    def closing(self) -> None:
        r = self.report
        self.add_page()
        self.heading(r.tr("export.deck.closing_title"))
        for line in r.closing_lines():
            self.para(line.text, line.size * 0.62, colour=TONES[line.tone], gap=2)


def _row(p: PartLine) -> list[str]:
    return [p.code, p.name, p.value_text, p.threshold_text, p.gap_text or p.status_text]


def _default_render(fig: go.Figure, width: int, height: int) -> bytes:
    return figure_png(fig, width=width, height=height, scale=IMAGE_SCALE)


def build_pdf(report: Report, *, render: Render | None = None) -> bytes:
    """The report as PDF bytes. Raises FontNotFoundError without a Vietnamese font and
    ImageRenderError when the charts cannot be drawn."""
    pdf = _Pdf(report, render or _default_render)
    pdf.cover()
    pdf.headline()
    pdf.grid()
    for item in report.unmet:
        pdf.unmet(item)
    pdf.self_check()
    pdf.progress()
    pdf.merger()
    pdf.changes()
    pdf.closing()
    return bytes(pdf.output())
