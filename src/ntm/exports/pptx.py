"""The meeting deck (python-pptx), 16:9, large type for a projector (issue 6).

Slides, in order:
1. title: commune, period, the date the data runs to, criteria set and region;
2. headline: X/N criteria met, the change since the previous period, villages at standard,
   the criteria not met and those that cannot be judged yet;
3. villages × criteria grid (picture);
4. one slide per unmet criterion (two when its indicators do not fit): its indicators with
   value, threshold and gap, the villages holding it back, and a chart of the worst village
   indicator against its threshold;
5. progress over the years (picture);
6. what changed since the previous period;
7. closing: data sources, criteria set, the unverified-threshold footnote.

Type sizes: titles 32 pt, body 20-24 pt, tables 16 pt, the footer 11 pt. Text is Arial (it has
every Vietnamese letter on Windows; LibreOffice uses the metric-compatible Liberation Sans).
Every run is tagged Vietnamese (or English) for the spelling checker. Chart pictures are drawn
at 120 CSS pixels per inch of slide and scale 2, so their type reads at 13-20 pt.
"""

from __future__ import annotations

import io

import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.text import MSO_ANCHOR
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationFile
from pptx.util import Inches

from ntm.exports.images import figure_png
from ntm.exports.pptx_layout import change_items, unmet_layout
from ntm.exports.pptx_shapes import (
    BLOCKER_PT,
    BLUE,
    BODY_PT,
    CHANGE_PT,
    CHANGES_SHOWN,
    CONTENT_BOTTOM,
    CONTENT_TOP,
    FOOTER_PT,
    GRID_PX_PER_INCH,
    IMAGE_SCALE,
    INK,
    MARGIN,
    MUTED,
    ORANGE_TEXT,
    SLIDE_H,
    SLIDE_W,
    SUMMARY_TOP,
    Canvas,
    Render,
    _row,
    _table_widths,
)
from ntm.exports.report import (
    Report,
    UnmetCriterion,
    commune_title,
    shorten,
)


class _Deck(Canvas):
    def title_slide(self) -> None:
        r = self.report
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])  # blank
        band = slide.shapes.add_shape(1, 0, 0, Inches(0.35), Inches(SLIDE_H))
        band.fill.solid()
        band.fill.fore_color.rgb = BLUE
        band.line.fill.background()
        lines: list[tuple[str, float, bool, RGBColor]] = [
            (r.tr("export.deck.title"), 40, True, INK),
            (
                r.tr(
                    "export.deck.subtitle",
                    commune=commune_title(r.commune, r.lang),
                    period=r.period,
                ),
                32,
                True,
                BLUE,
            ),
            ("", 12, False, INK),
            (r.tr("chart.as_of", date=r.as_of_text), 22, False, INK),
            (
                r.tr(
                    "export.deck.criteria_set",
                    decision=r.criteria_set.legal_basis.decision,
                    title=r.criteria_set.title.get(r.lang),
                ),
                18,
                False,
                MUTED,
            ),
            (r.tr("export.deck.key", key=r.key_name), 18, False, MUTED),
        ]
        if r.demo:
            lines.append(("", 8, False, INK))
            lines.append((r.tr("export.demo_banner"), 20, True, ORANGE_TEXT))
        # A title placeholder is not on the blank layout: the first line is the title.
        self.text(slide, 1.1, 1.3, 11.3, 5.0, lines, anchor=MSO_ANCHOR.MIDDLE, space=8)
        self.text(
            slide,
            1.1,
            6.7,
            11.3,
            0.45,
            [(r.tr("export.deck.generated", date=r.generated_text), FOOTER_PT, False, MUTED)],
        )

    def headline_slide(self) -> None:
        r = self.report
        h = r.headline
        slide = self.slide(r.tr("export.deck.headline_title", period=r.period))
        # Left: the big number and the change since last period.
        self.text(
            slide,
            MARGIN,
            1.6,
            5.2,
            1.6,
            [(f"{h.met}/{h.total}", 96, True, BLUE)],
            anchor=MSO_ANCHOR.MIDDLE,
        )
        delta_lines: list[tuple[str, float, bool, RGBColor]] = [
            (r.tr("export.headline.criteria_met"), 26, False, INK)
        ]
        if h.delta is not None and h.previous is not None:
            key = (
                "export.headline.delta_up"
                if h.delta > 0
                else ("export.headline.delta_down" if h.delta < 0 else "export.headline.delta_same")
            )
            delta_lines.append(
                (
                    r.tr(
                        key,
                        n=abs(h.delta),
                        previous=h.previous,
                        before=f"{h.previous_met}/{h.previous_total}",
                    ),
                    24,
                    True,
                    BLUE if h.delta > 0 else (ORANGE_TEXT if h.delta < 0 else INK),
                )
            )
        else:
            delta_lines.append((r.tr("export.headline.no_previous"), 22, False, MUTED))
        if h.villages_total:
            delta_lines.append(("", 10, False, INK))
            delta_lines.append(
                (
                    r.tr(
                        "export.headline.villages", n=h.villages_at_standard, total=h.villages_total
                    ),
                    24,
                    False,
                    INK,
                )
            )
        self.text(slide, MARGIN, 3.25, 5.4, 3.5, delta_lines, space=8)
        # Right: what is not met, and what cannot be judged yet.
        right: list[tuple[str, float, bool, RGBColor]] = []
        unmet = [c for c in r.criteria if c.status == "unmet"]
        right.append((r.tr("export.headline.unmet", n=len(unmet)), 24, True, ORANGE_TEXT))
        limit = 7 if len(r.unknown) == 0 else 5
        for c in unmet[:limit]:
            right.append(
                (
                    f"• {r.tr('export.criterion', number=c.number, name=shorten(c.name, 48))}",
                    20,
                    False,
                    INK,
                )
            )
        if len(unmet) > limit:
            rest = ", ".join(c.number for c in unmet[limit:])
            right.append((r.tr("export.headline.more_criteria", list=rest), 18, False, MUTED))
        if not unmet:
            right.append((r.tr("export.headline.none_unmet"), 20, False, INK))
        if r.unknown:
            right.append(("", 6, False, INK))
            right.append((r.tr("export.headline.unknown", n=len(r.unknown)), 22, True, MUTED))
            for c in r.unknown[:3]:
                right.append(
                    (
                        f"• {r.tr('export.criterion', number=c.number, name=shorten(c.name, 30))}"
                        f" — {c.reason}",
                        18,
                        False,
                        INK,
                    )
                )
            if len(r.unknown) > 3:
                rest = ", ".join(c.number for c in r.unknown[3:])
                right.append((r.tr("export.headline.more_criteria", list=rest), 16, False, MUTED))
        self.text(slide, 6.4, 1.55, SLIDE_W - 6.4 - MARGIN, 5.25, right, space=5)

    def grid_slide(self) -> None:
        r = self.report
        if not r.grid_rows:
            return
        slide = self.slide(r.tr("export.deck.grid_title", period=r.period))
        fig = r.grid_figure(large=True).figure
        self.picture(
            slide,
            fig,
            MARGIN,
            CONTENT_TOP,
            SLIDE_W - 2 * MARGIN,
            CONTENT_BOTTOM - CONTENT_TOP,
            px_per_inch=GRID_PX_PER_INCH,
        )

    def unmet_slides(self, item: UnmetCriterion) -> None:
        r = self.report
        table_w, size, pages = unmet_layout(r, item)
        widths = _table_widths(table_w)
        header = [
            r.tr("export.col.indicator"),
            r.tr("export.col.value"),
            r.tr("export.col.threshold"),
            r.tr("export.col.gap"),
        ]
        for i, page in enumerate(pages):
            title = r.tr("export.deck.unmet_title", number=item.number, name=item.name)
            if len(pages) > 1:
                title += f" ({i + 1}/{len(pages)})"
            slide = self.slide(title)
            rows = [_row(p) for p in page]
            colours = [ORANGE_TEXT if p.status == "unmet" else MUTED for p in page]
            top = CONTENT_TOP + 0.1
            top += self.table(
                slide, MARGIN, top, widths, header, rows, row_colours=colours, size=size
            )
            top += 0.15
            below: list[tuple[str, float, bool, RGBColor]] = []
            if i == 0 and item.met_codes:
                below.append(
                    (
                        r.tr("export.unmet.already_met", codes=", ".join(item.met_codes)),
                        BLOCKER_PT - 2,
                        False,
                        MUTED,
                    )
                )
            held = [(p.code, item.blockers_of(p.code)) for p in page if item.blockers_of(p.code)]
            if held:
                below.append((r.tr("export.unmet.blockers"), BLOCKER_PT + 2, True, INK))
                for code, blockers in held:
                    below.append((r.blocker_line(code, blockers), BLOCKER_PT, False, INK))
            if below:
                self.text(
                    slide, MARGIN, top, table_w, max(0.5, CONTENT_BOTTOM - top), below, space=4
                )
            chart_code = next((p.code for p in page if item.chartable(p)), None)
            if chart_code is not None:
                fig = r.indicator_figure(chart_code, large=True).figure
                left = MARGIN + table_w + 0.25
                self.picture(
                    slide,
                    fig,
                    left,
                    CONTENT_TOP + 0.05,
                    SLIDE_W - MARGIN - left,
                    CONTENT_BOTTOM - CONTENT_TOP - 0.05,
                )

    def progress_slide(self) -> None:
        r = self.report
        slide = self.slide(r.tr("export.deck.progress_title"))
        fig = r.progress_figure(large=True).figure
        self.picture(
            slide,
            fig,
            MARGIN + 0.6,
            CONTENT_TOP,
            SLIDE_W - 2 * MARGIN - 1.2,
            CONTENT_BOTTOM - CONTENT_TOP,
        )

    def merger_slide(self) -> None:
        """A merged commune: each unit's series in words (only when there was a merger)."""
        r = self.report
        lines = r.history_lines()
        if not lines:
            return
        slide = self.slide(r.tr("merger.deck.title"))
        shown = [(f"• {line}", BODY_PT - 4, False, INK) for line in lines[:10]]
        self.text(slide, MARGIN, 1.6, SLIDE_W - 2 * MARGIN, SLIDE_H - 2.6, shown)

    def self_check_slide(self) -> None:
        """The office's own verdicts the thresholds contradict (only when there are some)."""
        r = self.report
        lines = r.self_check_lines()
        if not lines:
            return
        slide = self.slide(r.tr("export.deck.self_check_title", n=len(lines)))
        shown = [(f"• {line}", BODY_PT - 2, False, ORANGE_TEXT) for line in lines[:8]]
        if len(lines) > 8:
            shown.append((r.tr("export.more", n=len(lines) - 8), BODY_PT - 4, False, MUTED))
        self.text(slide, MARGIN, 1.6, SLIDE_W - 2 * MARGIN, SLIDE_H - 2.6, shown)

    def changes_slide(self) -> None:
        r = self.report
        ch = r.changes
        if ch.previous is None:
            slide = self.slide(r.tr("export.deck.changes_title_none"))
            self.text(
                slide,
                MARGIN,
                2.0,
                12,
                1.0,
                [(r.tr("export.changes.no_previous"), BODY_PT, False, MUTED)],
            )
            return
        slide = self.slide(r.tr("export.deck.changes_title", previous=ch.previous))
        if not ch.comparable:
            self.text(
                slide,
                MARGIN,
                2.0,
                12,
                1.5,
                [
                    (
                        r.tr("export.changes.not_comparable", previous=ch.previous),
                        BODY_PT,
                        False,
                        MUTED,
                    )
                ],
            )
            return
        half = (SLIDE_W - 2 * MARGIN - 0.4) / 2
        chars = int(half * 72 / (CHANGE_PT * 0.42)) - 4  # ≈ 50: every criterion name fits
        left: list[tuple[str, float, bool, RGBColor]] = [
            (r.tr("export.changes.newly_met", n=len(ch.newly_met)), 24, True, BLUE)
        ]
        left += change_items(r, ch.newly_met, "✓", chars, CHANGES_SHOWN)
        right: list[tuple[str, float, bool, RGBColor]] = [
            (r.tr("export.changes.newly_unmet", n=len(ch.newly_unmet)), 24, True, ORANGE_TEXT)
        ]
        right += change_items(r, ch.newly_unmet, "✗", chars, CHANGES_SHOWN - 3)
        for c in ch.other[:3]:
            right.append(
                (
                    r.tr(
                        "export.changes.other",
                        number=c.number,
                        name=shorten(c.name, 24),
                        before=c.before_text,
                        after=c.after_text,
                    ),
                    CHANGE_PT - 2,
                    False,
                    MUTED,
                )
            )
        top = CONTENT_TOP + 0.1
        self.text(slide, MARGIN, top, half, SUMMARY_TOP - top, left, space=3)
        self.text(slide, MARGIN + half + 0.4, top, half, SUMMARY_TOP - top, right, space=3)
        self.rule(SUMMARY_TOP - 0.08, thin=True)
        self.text(
            slide,
            MARGIN,
            SUMMARY_TOP,
            SLIDE_W - 2 * MARGIN,
            CONTENT_BOTTOM - SUMMARY_TOP,
            [(line, 16, False, INK) for line in r.changes_summary()],
            space=3,
        )

    def closing_slide(self) -> None:
        r = self.report
        slide = self.slide(r.tr("export.deck.closing_title"))
        colours = {"normal": INK, "muted": MUTED, "warn": ORANGE_TEXT}
        lines = [(line.text, line.size, False, colours[line.tone]) for line in r.closing_lines()]
        self.text(
            slide,
            MARGIN,
            CONTENT_TOP + 0.1,
            SLIDE_W - 2 * MARGIN,
            CONTENT_BOTTOM - CONTENT_TOP - 0.1,
            lines,
            space=6,
        )


# --- shared layout helpers (also used by the PDF) ----------------------------------------------


def _default_render(fig: go.Figure, width: int, height: int) -> bytes:
    return figure_png(fig, width=width, height=height, scale=IMAGE_SCALE)


def build_pptx(report: Report, *, render: Render | None = None) -> bytes:
    """The deck as .pptx bytes. `render(fig, width, height)` draws a chart (default: kaleido);
    it raises `ImageRenderError` when charts cannot be drawn."""
    prs = Presentation()
    prs.slide_width = Inches(SLIDE_W)
    prs.slide_height = Inches(SLIDE_H)
    language = MSO_LANGUAGE_ID.VIETNAMESE if report.lang == "vi" else MSO_LANGUAGE_ID.ENGLISH_US
    deck = _Deck(report, prs, render or _default_render, language)
    deck.title_slide()
    deck.headline_slide()
    deck.grid_slide()
    for item in report.unmet:
        deck.unmet_slides(item)
    deck.self_check_slide()
    deck.progress_slide()
    deck.merger_slide()
    deck.changes_slide()
    deck.closing_slide()
    props = prs.core_properties
    props.title = report.tr(
        "export.deck.subtitle",
        commune=commune_title(report.commune, report.lang),
        period=report.period,
    )
    props.author = "ntm"
    props.language = "vi-VN" if report.lang == "vi" else "en-US"
    _set_default_lang(prs, props.language)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _set_default_lang(prs: PresentationFile, tag: str) -> None:
    """The presentation's default text language (new text typed in PowerPoint)."""
    default = prs.part._element.find(qn("p:defaultTextStyle"))
    if default is None:
        return
    for lvl in default:
        rpr = lvl.find(qn("a:defRPr"))
        if rpr is not None:
            rpr.set("lang", tag)
