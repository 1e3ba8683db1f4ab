"""What every meeting export shows of a commune's year: the `Report` and its parts.

A `Report` is plain data and text in the chosen language, which every format draws the same way
(PNG, PPTX, PDF, XLSX). Its headline, grid, blockers, unknown criteria, changes and
self-assessment cross-check are the `ntm.views` models Tổng quan shows (`ntm.exports.build`
makes them into a Report); the lines of the tables (`PartLine`) are the assessment's parts
written for a slide. Its figures come from `ntm.charts` (`ntm.exports.figures`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ntm import formatting as fmt
from ntm.attainment import UNMET
from ntm.criteria import CriteriaSet
from ntm.i18n import DEFAULT_LANG, t
from ntm.selfcheck import Disagreement
from ntm.text import strip_marks
from ntm.views import Changes, Headline, History

NBSP = "\u00a0"
NAME_LIMIT = 90  # characters of an indicator name on a slide (the XLSX has the full name)
TITLE_NAME_LIMIT = 58  # in a chart title


class NoDataError(ValueError):
    """No assessed values for the commune and period asked for."""


@dataclass(frozen=True)
class PartLine:
    """One measured value of the commune or a village, as a table row."""

    criterion: str
    indicator: str
    code: str
    name: str  # full name (part name for multi-part indicators)
    short_name: str
    unit: str
    kind: str
    direction: str
    scope: str
    aggregation: str
    value: float | None
    threshold: float | None
    gap: float | None
    status: str
    verified: bool
    value_text: str
    threshold_text: str  # with "*" when the threshold is not verified
    gap_text: str
    status_text: str


@dataclass(frozen=True)
class Blocker:
    village: str
    code: str
    value_text: str
    gap_text: str
    status: str
    status_text: str


@dataclass(frozen=True)
class CriterionLine:
    number: str
    name: str
    status: str
    status_text: str
    villages_met: int | None = None  # villages meeting it (criteria with village indicators)
    villages_total: int | None = None
    reason: str = ""  # why an unknown criterion cannot be judged ("Chưa có ngưỡng", …)


@dataclass
class UnmetCriterion:
    number: str
    name: str
    lines: list[PartLine]  # the commune's indicators that are not met (unmet, missing, …)
    met_codes: list[str]  # the commune's indicators of this criterion that are met
    blockers: list[Blocker]
    chart_code: str | None  # the first village-level indicator to draw across villages

    def chartable(self, line: PartLine) -> bool:
        """An unmet village-level indicator with village values: drawn across the villages."""
        return line.code in self.chart_codes

    chart_codes: frozenset[str] = frozenset()

    def blockers_of(self, code: str) -> list[Blocker]:
        return [b for b in self.blockers if b.code == code]


@dataclass(frozen=True)
class Line:
    """A line of text with its size (pt on a slide) and tone: normal, muted or warn."""

    text: str
    size: float
    tone: str = "normal"


@dataclass
class ExportFigure:
    key: str  # file-name stem: "01-tien-do", "02-luoi-thon", "03-chi-tieu-2.2"
    title: str
    figure: go.Figure


@dataclass
class Report:
    commune: str
    period: int
    lang: str
    as_of: dt.date
    generated: dt.datetime
    criteria_set: CriteriaSet
    key_name: str  # the commune's region or group, in words
    sources: list[str]
    source_text: str  # for the chart subtitles and footers
    demo: bool
    headline: Headline
    criteria: list[CriterionLine]
    unknown: list[CriterionLine]
    villages: list[str]
    grid: pd.DataFrame  # row, column, status (the commune's row is "Toàn xã")
    grid_rows: list[str]
    grid_columns: list[str]
    unmet: list[UnmetCriterion]
    progress: pd.DataFrame  # the commune's units over the years up to `period`
    changes: Changes
    commune_lines: list[PartLine]  # every part of the commune (XLSX)
    village_lines: dict[str, list[PartLine]]  # every part of every village (XLSX)
    village_parts: pd.DataFrame  # Assessment.parts of the villages for `period`
    unverified: int  # judged commune values whose threshold is not verified
    judged: int
    footnote: str  # "" when every threshold used is verified
    incomplete_note: str  # "" when the criteria set is complete
    # What the commune's profile lacks for the year (a commune group for 2026-2030, a set that
    # no longer exists): `ntm.views.notices`, one sentence each.
    notices: list[str] = field(default_factory=list)
    # The office's own verdicts ("Tự đánh giá") the thresholds contradict (ntm.selfcheck).
    self_check: list[Disagreement] = field(default_factory=list)
    # A commune formed by a merger: its predecessors' series and its own (ntm.views.merger).
    history: History | None = None

    def history_lines(self) -> list[str]:
        """What the merger slide says: the notes (the merger, each change of criteria set),
        then each unit's series labelled, "Dương Quang (trước sáp nhập) · 318/QĐ-TTg · 19 tiêu
        chí: 2024 2/19; 2025 3/19". Empty without a merger."""
        if self.history is None:
            return []
        lines = list(self.history.notes)
        for panel in self.history.panels:
            years = "; ".join(
                f"{int(row.period)}: {int(row.criteria_met)}/{int(row.criteria_total)}"
                for row in panel.progress.itertuples(index=False)
            )
            lines.append(f"{panel.label} · {panel.set_label}: {years}")
        lines.extend(self.tr("merger.no_data", label=label) for label in self.history.empty)
        return lines

    def self_check_lines(self) -> list[str]:
        """ "14.2 · Toàn xã: tự đánh giá Đạt, nhưng 79,6% < 85% (tệp › trang › ô)"."""
        whole = self.tr("ui.whole_commune")
        return [
            f"{d.code} · {d.village or whole}: {d.message(self.lang)} ({d.where()})"
            for d in self.self_check
        ]

    # --- texts shared by the formats ------------------------------------------------------
    @property
    def as_of_text(self) -> str:
        return fmt.date(self.as_of, self.lang)

    def tr(self, key: str, /, **params: Any) -> str:
        return t(key, self.lang, **params)

    def footer(self) -> str:
        """Source and date line printed on every slide / page."""
        return " · ".join(
            [
                t("chart.source", self.lang, source=self.source_text),
                t("chart.as_of", self.lang, date=self.as_of_text),
            ]
        )

    def filename(self, ext: str) -> str:
        return f"ntm-{slug(self.commune)}-{self.period}.{ext}"

    @property
    def generated_text(self) -> str:
        return fmt.date_time(self.generated, self.lang)

    @property
    def title_text(self) -> str:
        """ "Xã Dương Quang — năm 2025"."""
        return self.tr(
            "export.deck.subtitle",
            commune=commune_title(self.commune, self.lang),
            period=self.period,
        )

    def blocker_line(self, code: str, blockers: Sequence[Blocker], shown: int = 5) -> str:
        """ "2.2: Nà Cưởm 55,9% · Phặc Tràng 59,1% · +4 thôn khác" (the furthest first)."""
        names = [
            # No line break inside "Nà Ỏi 74,4%" (non-breaking spaces).
            (
                f"{b.village} {b.value_text}"
                if b.status == UNMET
                else f"{b.village} ({b.status_text})"
            ).replace(" ", NBSP)
            for b in blockers[:shown]
        ]
        if len(blockers) > shown:
            names.append(self.tr("export.unmet.more_villages", n=len(blockers) - shown))
        return self.tr("export.unmet.blocker_line", code=code, villages=" · ".join(names))

    def changes_summary(self) -> list[str]:
        """Indicators newly met / no longer met, villages at standard, criteria per village."""
        ch = self.changes
        out: list[str] = []
        for key, codes in (
            ("export.changes.indicators_met", ch.indicators_newly_met),
            ("export.changes.indicators_unmet", ch.indicators_newly_unmet),
        ):
            if codes:
                listed = ", ".join(codes[:14]) + (" …" if len(codes) > 14 else "")
                out.append(self.tr(key, n=len(codes), codes=listed))
        if ch.at_standard_before is not None and self.villages:
            out.append(
                self.tr(
                    "export.changes.villages_at_standard",
                    before=ch.at_standard_before,
                    after=ch.at_standard_after,
                    total=self.headline.villages_total,
                )
            )
        if ch.villages:
            moved = [
                f"{v.village} {v.before if v.before is not None else fmt.MISSING}/{v.total}"
                f" → {v.after}/{v.total}"
                for v in ch.villages[:6]
            ]
            more = f" (+{len(ch.villages) - 6})" if len(ch.villages) > 6 else ""
            out.append(self.tr("export.changes.villages", list="; ".join(moved) + more))
        return out

    def closing_lines(self) -> list[Line]:
        """The closing slide / page: sources, criteria set, region, date, footnotes."""
        out = [Line(self.tr("export.closing.sources"), 22)]
        out += [Line(f"• {s}", 18) for s in self.sources[:6]]
        if len(self.sources) > 6:
            out.append(Line(self.tr("export.more", n=len(self.sources) - 6), 16, "muted"))
        if not self.sources:
            out.append(Line(f"• {self.source_text}", 18))
        lb = self.criteria_set.legal_basis
        out.append(
            Line(
                self.tr(
                    "export.closing.criteria_set",
                    title=self.criteria_set.title.get(self.lang),
                    decision=lb.decision,
                    date=lb.date.strftime("%d/%m/%Y"),
                ),
                18,
            )
        )
        out.append(Line(self.tr("export.deck.key", key=self.key_name), 18))
        out.append(Line(t("chart.as_of", self.lang, date=self.as_of_text), 18))
        if self.footnote:
            out.append(Line(self.footnote, 16, "warn"))
        if self.incomplete_note:
            out.append(Line(self.incomplete_note, 16, "warn"))
        out += [Line(notice, 16, "warn") for notice in self.notices]
        if self.demo:
            out.append(Line(self.tr("export.demo_banner"), 18, "warn"))
        out.append(Line(self.tr("export.deck.generated", date=self.generated_text), 14, "muted"))
        return out

    # --- figures --------------------------------------------------------------------------
    # --- figures (ntm.exports.figures) -----------------------------------------------------
    def figures(
        self, *, large: bool = True, titles: bool = True, height: int | None = None
    ) -> list[ExportFigure]:
        """Every chart of the report, built by `ntm.charts`: progress over the years, the
        villages × criteria grid, then each unmet criterion's village indicator."""
        from ntm.exports import figures

        return figures.figures(self, large=large, titles=titles, height=height)

    def progress_figure(
        self, *, large: bool = True, titles: bool = True, height: int | None = None
    ) -> ExportFigure:
        from ntm.exports import figures

        return figures.progress_figure(self, large=large, titles=titles, height=height)

    def grid_figure(
        self, *, large: bool = True, titles: bool = True, height: int | None = None
    ) -> ExportFigure:
        from ntm.exports import figures

        return figures.grid_figure(self, large=large, titles=titles, height=height)

    def indicator_figure(
        self, code: str, *, large: bool = True, titles: bool = True, height: int | None = None
    ) -> ExportFigure:
        """One village-level indicator across the villages (and the commune), threshold line."""
        from ntm.exports import figures

        return figures.indicator_figure(self, code, large=large, titles=titles, height=height)


# --- helpers ---------------------------------------------------------------------------------


def slug(text: str) -> str:
    """An ASCII file-name piece: "Dương Quang" → "duong-quang"."""
    flat = re.sub(r"[^A-Za-z0-9.]+", "-", strip_marks(str(text))).strip("-.").lower()
    return flat or "x"


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with "…" when cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-– ")
    return cut + "…"


def commune_title(commune: str, lang: str = DEFAULT_LANG) -> str:
    """ "Xã Dương Quang" (the word "Xã" added unless the name already has it)."""
    name = " ".join(str(commune).split())
    if name.lower().startswith(("xã ", "phường ", "thị trấn ", "commune ")):
        return name
    return t("export.commune", lang, name=name)
