"""Everything a meeting export needs, gathered once from an Assessment (issue 6).

`build_report(assessment, commune, period)` returns a `Report`: plain data and text in the
chosen language, which every format draws the same way (PNG, PPTX, PDF, XLSX):

- the headline: criteria met X/N this period, the change since the previous period, villages at
  standard, the criteria that cannot be judged yet (no value, no threshold);
- the villages × criteria grid (the commune as a whole on the first row);
- every unmet criterion with its indicators (value, threshold, gap) and the villages holding
  it back (`Assessment.blockers`);
- progress over the years and what changed since the previous period;
- the sources, the date the data runs to, and the footnote on thresholds not yet checked
  against the published decision (`verified: false` in the criteria file).

The Report never decides a status: it reads the ones `ntm.attainment` gave. The figures come
from `ntm.charts` (`Report.figures`). `report_from_store` reads a commune from the database
and assesses it the way `ntm report` does.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ntm import charts
from ntm import formatting as fmt
from ntm.attainment import MET, MISSING, NO_THRESHOLD, UNKNOWN, UNMET, Assessment
from ntm.criteria import CriteriaSet, Indicator, Part
from ntm.i18n import DEFAULT_LANG, t
from ntm.selfcheck import Disagreement, disagreements
from ntm.statuses import criterion_statuses
from ntm.text import strip_marks

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
class StatusChange:
    number: str
    name: str
    before: str
    after: str
    before_text: str
    after_text: str


@dataclass(frozen=True)
class VillageChange:
    village: str
    before: int | None
    after: int
    total: int


@dataclass
class Changes:
    previous: int | None
    comparable: bool  # same criteria set in both periods
    newly_met: list[StatusChange] = field(default_factory=list)
    newly_unmet: list[StatusChange] = field(default_factory=list)
    other: list[StatusChange] = field(default_factory=list)
    indicators_newly_met: list[str] = field(default_factory=list)
    indicators_newly_unmet: list[str] = field(default_factory=list)
    villages: list[VillageChange] = field(default_factory=list)
    at_standard_before: int | None = None
    at_standard_after: int = 0


@dataclass
class Headline:
    met: int
    total: int
    unmet: int
    unknown: int
    previous: int | None
    previous_met: int | None
    previous_total: int | None
    villages_at_standard: int
    villages_total: int

    @property
    def delta(self) -> int | None:
        return None if self.previous_met is None else self.met - self.previous_met


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
    # The office's own verdicts ("Tự đánh giá") the thresholds contradict (ntm.selfcheck).
    self_check: list[Disagreement] = field(default_factory=list)

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
                    total=len(self.villages),
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
        if self.demo:
            out.append(Line(self.tr("export.demo_banner"), 18, "warn"))
        out.append(Line(self.tr("export.deck.generated", date=self.generated_text), 14, "muted"))
        return out

    # --- figures --------------------------------------------------------------------------
    def figures(
        self, *, large: bool = True, titles: bool = True, height: int | None = None
    ) -> list[ExportFigure]:
        """Every chart of the report, built by `ntm.charts`: progress over the years, the
        villages × criteria grid, then each unmet criterion's village indicator."""
        out = [self.progress_figure(large=large, titles=titles, height=height)]
        if self.grid_rows:
            out.append(self.grid_figure(large=large, titles=titles, height=height))
        for item in self.unmet:
            for line in item.lines:
                if item.chartable(line):
                    out.append(
                        self.indicator_figure(line.code, large=large, titles=titles, height=height)
                    )
        return out

    def progress_figure(
        self, *, large: bool = True, titles: bool = True, height: int | None = None
    ) -> ExportFigure:
        title = t("chart.title.progress", self.lang, commune=self.commune)
        fig = charts.progress_chart(
            self.progress,
            # Names (commune, imported indicator names) are inert in plotly's label markup.
            title=charts.plain(title) if titles else "",
            source=charts.plain(self.source_text),
            date=self.as_of_text,
            lang=self.lang,
            large=large,
            height=height,
        )
        return ExportFigure("01-tien-do", title, fig)

    def grid_figure(
        self, *, large: bool = True, titles: bool = True, height: int | None = None
    ) -> ExportFigure:
        title = t("chart.title.grid", self.lang, year=self.period, commune=self.commune)
        names = {c.number: c.name for c in self.criteria}
        fig = charts.status_grid(
            self.grid,
            rows=self.grid_rows,
            columns=self.grid_columns,
            column_names=names,
            # Names (commune, imported indicator names) are inert in plotly's label markup.
            title=charts.plain(title) if titles else "",
            source=charts.plain(self.source_text),
            date=self.as_of_text,
            lang=self.lang,
            large=large,
            height=height,
        )
        return ExportFigure("02-luoi-thon", title, fig)

    def indicator_figure(
        self, code: str, *, large: bool = True, titles: bool = True, height: int | None = None
    ) -> ExportFigure:
        """One village-level indicator across the villages (and the commune), threshold line."""
        line = next(p for p in self.commune_lines if p.code == code)
        rows = self.village_parts[self.village_parts["code"] == code]
        share = line.aggregation == "share"  # villages answer yes/no; the commune has a share
        frame = pd.DataFrame(
            {
                "label": [str(v) for v in rows["village"]],
                "value": list(rows["value"]),
                "status": list(rows["status"]),
            }
        )
        if not share:
            commune_row = pd.DataFrame(
                {
                    "label": [t("export.whole_commune", self.lang)],
                    "value": [line.value],
                    "status": [line.status],
                }
            )
            frame = pd.concat([commune_row, frame], ignore_index=True)
        name = shorten(line.name, TITLE_NAME_LIMIT)
        unit = line.unit if not share else ""
        title = t(
            "export.chart.indicator",
            self.lang,
            code=code,
            name=name,
            year=self.period,
            unit=f" ({unit})" if unit else "",
        )
        fig = charts.indicator_chart(
            frame,
            threshold=None if share else line.threshold,
            direction="==" if share else line.direction,
            kind="boolean" if share else line.kind,
            unit=unit,
            # Names (commune, imported indicator names) are inert in plotly's label markup.
            title=charts.plain(title) if titles else "",
            source=charts.plain(self.source_text),
            date=self.as_of_text,
            lang=self.lang,
            large=large,
            height=height,
        )
        return ExportFigure(f"03-chi-tieu-{slug(code)}", title, fig)


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


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _measured(crit: CriteriaSet) -> dict[str, tuple[str, Indicator, Part]]:
    out: dict[str, tuple[str, Indicator, Part]] = {}
    for criterion, ind in crit.indicators():
        for part in ind.measured:
            out[part.code] = (criterion.number, ind, part)
    return out


def _part_line(row: Any, crit: CriteriaSet, lang: str) -> PartLine:
    number, ind, part = _measured(crit)[str(row.code)]
    name = part.name.get(lang)
    if ind.parts:
        name = f"{ind.name.get(lang)} — {name}"
    unit = part.unit or ind.unit
    kind = str(row.kind)
    direction = str(row.direction)
    village_share = row.village is not None and ind.aggregation == "share"
    value_kind = "boolean" if village_share else kind
    value = _num(row.value)
    threshold = _num(row.threshold)
    gap = _num(row.gap)
    status = str(row.status)
    verified = bool(row.verified)
    threshold_text = fmt.threshold(
        threshold, direction, value_kind, "" if village_share else unit, lang
    )
    if threshold is not None and not verified and status in (MET, UNMET):
        threshold_text += "*"
    return PartLine(
        criterion=number,
        indicator=ind.code,
        code=str(row.code),
        name=name,
        short_name=shorten(name, NAME_LIMIT),
        unit=unit,
        kind=kind,
        direction=direction,
        scope=ind.scope,
        aggregation=ind.aggregation,
        value=value,
        threshold=threshold,
        gap=gap,
        status=status,
        verified=verified,
        value_text=fmt.value(value, value_kind, "" if village_share else unit, lang),
        threshold_text=threshold_text,
        gap_text=_gap_text(gap, value_kind, unit, status, lang),
        status_text=fmt.status_label(status, lang),
    )


def _gap_text(gap: float | None, kind: str, unit: str, status: str, lang: str) -> str:
    if status != UNMET:
        return ""
    text = fmt.gap(gap, kind, unit, lang)
    return "" if text == fmt.MISSING else text


# --- building --------------------------------------------------------------------------------


def build_report(
    assessment: Assessment,
    commune: str,
    period: int,
    *,
    lang: str = DEFAULT_LANG,
    as_of: dt.date | None = None,
    sources: Sequence[str] = (),
    source_text: str | None = None,
    demo: bool = False,
    key_name: str | None = None,
    generated: dt.datetime | None = None,
    villages_judged: Assessment | None = None,
    values: pd.DataFrame | None = None,
) -> Report:
    """Gather what every export format needs for one commune and period.

    `sources`: the files the values came from (shown on the closing slide); `as_of`: the date
    the data runs to (default today); `source_text`: the short source line of charts and
    footers (default "báo cáo Excel của <commune>", or "dữ liệu minh họa" when `demo`: the
    values are the bundled demo's, by the rule of `ntm.demo.is_demo`); `values`: the values
    behind the assessment, for the self-assessment cross-check. Raises NoDataError when the
    assessment has nothing for (commune, period).
    """
    period = int(period)
    units = assessment.units
    mine = units[(units["commune"] == commune)]
    commune_units = mine[mine["village"].isna()].sort_values("period")
    current = commune_units[commune_units["period"] == period]
    if current.empty:
        raise NoDataError(t("export.error.no_data", lang, commune=commune, period=period))
    unit_row = current.iloc[0]
    crit = assessment.sets[str(unit_row["criteria_set"])]
    if source_text is None:
        source_text = t(
            "chart.source.demo" if demo else "chart.source.returns", lang, commune=commune
        )
    if key_name is None:
        key_name = _key_name(assessment, commune, period, crit, lang)

    parts = assessment.parts
    parts_now = parts[(parts["commune"] == commune) & (parts["period"] == period)]
    commune_parts = parts_now[parts_now["village"].isna()].sort_values("order", kind="stable")
    village_parts = parts_now[parts_now["village"].notna()].sort_values(
        ["village", "order"], kind="stable"
    )
    judged = commune_parts[~commune_parts["status"].isin(["info", "not_applicable"])]
    commune_lines = [_part_line(r, crit, lang) for r in judged.itertuples(index=False)]
    village_lines: dict[str, list[PartLine]] = {}
    for row in village_parts.itertuples(index=False):
        if row.status in ("info", "not_applicable"):
            continue
        village_lines.setdefault(str(row.village), []).append(_part_line(row, crit, lang))
    villages = sorted(village_lines)

    # Criterion statuses as people read them: "Chưa có ngưỡng" apart from "Thiếu dữ liệu".
    crit_frame = assessment.criteria.assign(status=criterion_statuses(assessment))
    crit_now = crit_frame[(crit_frame["commune"] == commune) & (crit_frame["period"] == period)]
    commune_crit = crit_now[crit_now["village"].isna()].sort_values("order")
    village_crit = crit_now[crit_now["village"].notna()]
    names = {c.number: c.name.get(lang) for c in crit.criteria}
    criteria_lines: list[CriterionLine] = []
    for row in commune_crit.itertuples(index=False):
        number = str(row.criterion)
        of_villages = village_crit[village_crit["criterion"] == number]
        criteria_lines.append(
            CriterionLine(
                number=number,
                name=names.get(number, number),
                status=str(row.status),
                status_text=fmt.status_label(str(row.status), lang),
                villages_met=int((of_villages["status"] == MET).sum())
                if len(of_villages)
                else None,
                villages_total=len(of_villages) if len(of_villages) else None,
            )
        )

    # Grid: the commune on the first row, then each village; every criterion of the set.
    whole = t("export.whole_commune", lang)
    grid = pd.concat(
        [
            pd.DataFrame(
                {
                    "row": whole,
                    "column": [str(c) for c in commune_crit["criterion"]],
                    "status": list(commune_crit["status"]),
                }
            ),
            pd.DataFrame(
                {
                    "row": [str(v) for v in village_crit["village"]],
                    "column": [str(c) for c in village_crit["criterion"]],
                    "status": list(village_crit["status"]),
                }
            ),
        ],
        ignore_index=True,
    )
    grid_rows = [whole, *villages] if villages else []
    grid_columns = [c.number for c in crit.criteria]

    # Unmet criteria with their indicators and the villages holding them back.
    blockers = assessment.blockers
    blockers_now = blockers[(blockers["commune"] == commune) & (blockers["period"] == period)]
    unmet_items: list[UnmetCriterion] = []
    for line in criteria_lines:
        if line.status != UNMET:
            continue
        mine_lines = [p for p in commune_lines if p.criterion == line.number]
        not_met = [p for p in mine_lines if p.status != MET]
        not_met.sort(key=lambda p: {UNMET: 0, MISSING: 1, NO_THRESHOLD: 2}.get(p.status, 3))
        codes = {p.code for p in mine_lines}
        held = blockers_now[blockers_now["code"].isin(codes)]
        blocker_list = [
            Blocker(
                village=str(b.village),
                code=str(b.code),
                value_text=_village_value_text(b, village_lines),
                gap_text=_village_gap_text(b, village_lines),
                status=str(b.status),
                status_text=fmt.status_label(str(b.status), lang),
            )
            for b in held.itertuples(index=False)
        ]
        chart_codes = [
            p.code
            for p in not_met
            if p.status == UNMET
            and p.scope == "village"
            and (village_parts["code"] == p.code).any()
        ]
        unmet_items.append(
            UnmetCriterion(
                number=line.number,
                name=line.name,
                lines=not_met,
                met_codes=[p.code for p in mine_lines if p.status == MET],
                blockers=blocker_list,
                chart_code=chart_codes[0] if chart_codes else None,
                chart_codes=frozenset(chart_codes),
            )
        )

    # Criteria that cannot be judged; "Chưa có ngưỡng" already says why, the others get a reason.
    unknown = [
        replace(c, reason=_unknown_reason(c.number, commune_lines, lang))
        if c.status == UNKNOWN
        else c
        for c in criteria_lines
        if c.status in (UNKNOWN, NO_THRESHOLD)
    ]
    progress = commune_units[commune_units["period"] <= period].reset_index(drop=True)
    village_units = mine[mine["village"].notna()]
    now_villages = village_units[village_units["period"] == period]

    previous = _previous_period(commune_units, period)
    headline = Headline(
        met=int(unit_row["criteria_met"]),
        total=int(unit_row["criteria_total"]),
        unmet=int(unit_row["criteria_unmet"]),
        unknown=int(unit_row["criteria_unknown"]),
        previous=previous,
        previous_met=None,
        previous_total=None,
        villages_at_standard=int(now_villages["at_standard"].sum()),
        villages_total=len(now_villages),
    )
    if previous is not None:
        prev_row = commune_units[commune_units["period"] == previous].iloc[0]
        headline.previous_met = int(prev_row["criteria_met"])
        headline.previous_total = int(prev_row["criteria_total"])
    changes = _changes(assessment, commune, period, previous, crit, lang)

    verified_flags = [p.verified for p in commune_lines if p.status in (MET, UNMET)]
    unverified = sum(1 for v in verified_flags if not v)
    footnote = (
        t("export.footnote.unverified", lang, n=unverified, total=len(verified_flags))
        if unverified
        else ""
    )
    # "Thôn đạt chuẩn" on the province village set when the commune follows one for the year
    # (ntm.village_sets), as on Tổng quan; the footnote says which set.
    village_units = _village_units(villages_judged, commune, period)
    if village_units is not None and villages_judged is not None:
        vset = villages_judged.sets[str(village_units["criteria_set"].iloc[0])]
        headline.villages_at_standard = int(village_units["at_standard"].astype(bool).sum())
        headline.villages_total = len(village_units)
        # The change line counts the same way, or is left out when last year was counted on
        # another basis (no village set then, or a different one).
        before = _village_units(villages_judged, commune, previous) if previous else None
        same = before is not None and set(before["criteria_set"]) == {vset.id}
        changes.at_standard_after = headline.villages_at_standard
        changes.at_standard_before = (
            int(before["at_standard"].astype(bool).sum()) if same and before is not None else None
        )
        note = t(
            "export.footnote.village_set", lang, title=vset.title.get(lang), n=len(vset.criteria)
        )
        footnote = f"{footnote} {note}" if footnote else note
    incomplete = (
        t("export.footnote.incomplete", lang, missing=crit.missing_text(lang))
        if not crit.complete
        else ""
    )
    return Report(
        commune=commune,
        period=period,
        lang=lang,
        as_of=as_of or dt.datetime.now(fmt.TIMEZONE).date(),
        generated=generated or dt.datetime.now(fmt.TIMEZONE),
        criteria_set=crit,
        key_name=key_name,
        sources=list(sources),
        source_text=source_text,
        demo=demo,
        headline=headline,
        criteria=criteria_lines,
        unknown=unknown,
        villages=villages,
        grid=grid,
        grid_rows=grid_rows,
        grid_columns=grid_columns,
        unmet=unmet_items,
        progress=progress,
        changes=changes,
        commune_lines=commune_lines,
        village_lines=village_lines,
        village_parts=village_parts,
        unverified=unverified,
        judged=len(verified_flags),
        footnote=footnote,
        incomplete_note=incomplete,
        self_check=[
            d
            for d in (disagreements(assessment, values) if values is not None else [])
            if d.commune == commune and d.period == period
        ],
    )


def _village_units(judged: Assessment | None, commune: str, period: int) -> pd.DataFrame | None:
    if judged is None or judged.units.empty:
        return None
    units = judged.units
    mine = units[(units["commune"] == commune) & (units["period"] == period)]
    return mine if len(mine) else None


def _unknown_reason(number: str, lines: Sequence[PartLine], lang: str) -> str:
    statuses = {p.status for p in lines if p.criterion == number}
    found = [s for s in (MISSING, NO_THRESHOLD) if s in statuses]
    if not found:
        return t("export.reason.no_indicators", lang)
    return ", ".join(
        fmt.status_label(s, lang).lower() if i else fmt.status_label(s, lang)
        for i, s in enumerate(found)
    )


def commune_title(commune: str, lang: str = DEFAULT_LANG) -> str:
    """ "Xã Dương Quang" (the word "Xã" added unless the name already has it)."""
    name = " ".join(str(commune).split())
    if name.lower().startswith(("xã ", "phường ", "thị trấn ", "commune ")):
        return name
    return t("export.commune", lang, name=name)


def _key_name(
    assessment: Assessment, commune: str, period: int, crit: CriteriaSet, lang: str
) -> str:
    parts = assessment.parts
    rows = parts[(parts["commune"] == commune) & (parts["period"] == period)]
    key = str(rows["key"].iloc[0]) if len(rows) else "general"
    for k in crit.keys:
        if k.id == key:
            return k.name.get(lang)
    return key


def _village_line(b: Any, village_lines: dict[str, list[PartLine]]) -> PartLine | None:
    return next((p for p in village_lines.get(str(b.village), []) if p.code == str(b.code)), None)


def _village_value_text(b: Any, village_lines: dict[str, list[PartLine]]) -> str:
    line = _village_line(b, village_lines)
    return line.value_text if line is not None else fmt.MISSING


def _village_gap_text(b: Any, village_lines: dict[str, list[PartLine]]) -> str:
    line = _village_line(b, village_lines)
    return line.gap_text if line is not None else ""


def _previous_period(commune_units: pd.DataFrame, period: int) -> int | None:
    earlier = [int(p) for p in commune_units["period"] if int(p) < period]
    return max(earlier) if earlier else None


def _changes(
    assessment: Assessment,
    commune: str,
    period: int,
    previous: int | None,
    crit: CriteriaSet,
    lang: str,
) -> Changes:
    units = assessment.units
    mine = units[(units["commune"] == commune) & units["village"].notna()]
    after_villages = mine[mine["period"] == period]
    changes = Changes(
        previous=previous,
        comparable=False,
        at_standard_after=int(after_villages["at_standard"].sum()),
    )
    if previous is None:
        return changes
    prev_units = units[
        (units["commune"] == commune) & units["village"].isna() & (units["period"] == previous)
    ]
    changes.comparable = bool(
        len(prev_units) and str(prev_units.iloc[0]["criteria_set"]) == crit.id
    )
    before_villages = mine[mine["period"] == previous]
    changes.at_standard_before = int(before_villages["at_standard"].sum())
    if not changes.comparable:
        return changes

    names = {c.number: c.name.get(lang) for c in crit.criteria}
    cf = assessment.criteria
    cf = cf[(cf["commune"] == commune) & cf["village"].isna()]
    before = dict(
        zip(
            cf[cf["period"] == previous]["criterion"],
            cf[cf["period"] == previous]["status"],
            strict=True,
        )
    )
    after_frame = cf[cf["period"] == period].sort_values("order")
    for number, status in zip(after_frame["criterion"], after_frame["status"], strict=True):
        old = before.get(number)
        if old is None or old == status:
            continue
        change = StatusChange(
            number=str(number),
            name=names.get(str(number), str(number)),
            before=str(old),
            after=str(status),
            before_text=fmt.status_label(str(old), lang),
            after_text=fmt.status_label(str(status), lang),
        )
        if status == MET:
            changes.newly_met.append(change)
        elif old == MET:
            changes.newly_unmet.append(change)
        else:
            changes.other.append(change)

    parts = assessment.parts
    pc = parts[(parts["commune"] == commune) & parts["village"].isna()]
    p_before = dict(
        zip(
            pc[pc["period"] == previous]["code"],
            pc[pc["period"] == previous]["status"],
            strict=True,
        )
    )
    p_after = pc[pc["period"] == period].sort_values("order")
    for code, status in zip(p_after["code"], p_after["status"], strict=True):
        old = p_before.get(code)
        if old is None or old == status:
            continue
        if status == MET:
            changes.indicators_newly_met.append(str(code))
        elif old == MET:
            changes.indicators_newly_unmet.append(str(code))

    before_met = dict(zip(before_villages["village"], before_villages["criteria_met"], strict=True))
    for row in after_villages.sort_values("village").itertuples(index=False):
        old_met = before_met.get(row.village)
        if old_met is not None and int(old_met) == int(row.criteria_met):
            continue
        changes.villages.append(
            VillageChange(
                village=str(row.village),
                before=None if old_met is None else int(old_met),
                after=int(row.criteria_met),
                total=int(row.criteria_total),
            )
        )
    return changes


# --- from the database -----------------------------------------------------------------------


def report_from_store(store: Any, commune: str, period: int, *, lang: str = DEFAULT_LANG) -> Report:
    """Assess `commune` from the current revisions in `store` (all periods, for the history)
    the way `ntm report` does, and build its Report for `period`."""
    from ntm.attainment import assess
    from ntm.criteria import get_set
    from ntm.values import VALUE_COLUMNS
    from ntm.village_sets import assess_villages, chosen_sets

    values = store.current_values(commune=commune)
    values = values[values["commune"] == commune]
    if values.empty or not (values["period"] == int(period)).any():
        raise NoDataError(t("export.error.no_data", lang, commune=commune, period=period))
    profile = store.commune(commune)
    extra = store.criteria_sets()
    forced = None
    if profile is not None and profile.criteria_set:
        try:
            forced = get_set(profile.criteria_set, {s.id: s for s in extra})
        except KeyError:
            forced = None
    assessment = assess(
        values[VALUE_COLUMNS],
        keys=store.keys(),
        criteria=forced,
        extra_sets=extra,
        register=store.village_register(values["period"].unique().tolist()),
    )
    chosen = chosen_sets(profile.village_sets if profile else [], extra)
    villages_judged = (
        assess_villages(values[VALUE_COLUMNS], chosen, keys=store.keys()) if chosen else None
    )
    as_of, sources, demo = data_provenance(store, values)
    return build_report(
        assessment,
        commune,
        int(period),
        lang=lang,
        as_of=as_of,
        sources=sources,
        demo=demo,
        villages_judged=villages_judged,
        values=values[VALUE_COLUMNS],
    )


def data_provenance(store: Any, values: pd.DataFrame) -> tuple[dt.date | None, list[str], bool]:
    """For the current `values` of a commune: the date of the latest upload behind them (the
    "Số liệu đến ngày" of the dashboard), the files they came from (latest period first), and
    whether they are the bundled demo returns (`ntm.demo.is_demo`: the uploads' recorded
    provenance, the same rule as the dashboard's badge)."""
    ids = {int(i) for i in values["upload_id"].dropna().unique()}
    uploads = store.uploads()
    behind = uploads[uploads["upload_id"].isin(ids)]
    as_of: dt.date | None = None
    if len(behind):
        latest = pd.to_datetime(behind["created_at"]).max()
        if not pd.isna(latest):
            # Vietnam's date, as on the dashboard (stored moments are UTC; the server's own
            # time zone may be anything).
            as_of = fmt.local_time(latest).date()
    ordered = behind.sort_values(["period", "upload_id"], ascending=[False, True])
    sources = list(dict.fromkeys(str(f) for f in ordered["file"]))
    if not sources:
        sources = sorted({str(f) for f in values["file"].dropna()})
    from ntm.demo import is_demo  # (ntm.demo reaches the storage layer: imported when used)

    return as_of, sources, is_demo(behind)
