"""A Report from the view models Tổng quan shows (`ntm.views`), for one commune and period.

`commune_report(ca, period)` takes a `ntm.views.CommuneAssessment` (from the database:
`ntm.views.commune_assessment`, the screens' own call) and its provenance;
`build_report(assessment, commune, period, …)` takes an assessment at hand (returns just read,
tests) with the provenance given. Both gather, for every format:

- the headline (`views.headline`): criteria met X/N, the change since the previous period,
  villages at standard (the screen's count: province village set, register);
- the criteria (`views.criteria`), the villages × criteria grid (`views.grid`), the unmet
  criteria with the villages holding them back (`views.blockers`), the criteria that cannot
  be judged (`views.unknown`), progress up to the period (`views.progress`), the changes
  (`views.changes`) and the self-assessment cross-check (`views.self_check`);
- each measured value of the commune and its villages as a table line (`PartLine`);
- the sources, the date the data runs to, and the footnotes (thresholds not yet verified
  against the published decision, the village set, an incomplete criteria set).

Nothing here decides a status or recounts what a view model holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ntm import formatting as fmt
from ntm import views
from ntm.attainment import MET, MISSING, NO_THRESHOLD, UNKNOWN, UNMET, Assessment
from ntm.criteria import CriteriaSet, Indicator, Part
from ntm.exports.model import (
    NAME_LIMIT,
    Blocker,
    CriterionLine,
    NoDataError,
    PartLine,
    Report,
    UnmetCriterion,
    shorten,
)
from ntm.i18n import DEFAULT_LANG, t
from ntm.views import CommuneAssessment, as_number

NOT_JUDGED = ("info", "not_applicable")


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
    """The Report of an assessment at hand (`villages_judged`: the villages on a province
    village set; `values`: the values behind the assessment, for the self-assessment
    cross-check). `sources`: the files the values came from (shown on the closing slide);
    `as_of`: the date the data runs to (default today); `source_text`: the short source line of
    charts and footers (default "báo cáo Excel của <commune>", or "dữ liệu minh họa" when
    `demo`: the values are the bundled demo's, by the rule of `ntm.demo.is_demo`). Raises
    NoDataError when the assessment has nothing for (commune, period)."""
    given = views.Provenance(sources=tuple(sources), demo=demo)
    ca = views.commune_of(
        assessment, commune, villages=villages_judged, values=values, provenance=given
    )
    return commune_report(
        ca,
        period,
        lang=lang,
        as_of=as_of,
        source_text=source_text,
        key_name=key_name,
        generated=generated,
    )


def commune_report(
    ca: CommuneAssessment,
    period: int,
    *,
    lang: str = DEFAULT_LANG,
    as_of: dt.date | None = None,
    source_text: str | None = None,
    key_name: str | None = None,
    generated: dt.datetime | None = None,
) -> Report:
    """The Report of a commune assessed from the database (`ntm.views.commune_assessment`),
    with its provenance: sources, demo or not, and the date the data runs to (unless `as_of`
    says another; default today)."""
    period = int(period)
    prov = ca.provenance
    as_of = as_of or prov.date
    sources, demo = prov.sources, prov.demo
    top = views.headline(ca, period)
    crit = views.criteria_set_of(ca, period)
    grid = views.grid(ca, period, lang)
    changes = views.changes(ca, period, lang, top=top)
    if top is None or crit is None or grid is None or changes is None:
        before = [p.name for p in views.predecessor_years(ca, period, lang) if p.headline]
        if before:  # a year before the commune was formed: say whose data that year is
            raise NoDataError(
                t(
                    "merger.export.before",
                    lang,
                    commune=ca.commune,
                    period=period,
                    predecessors=", ".join(before),
                )
            )
        raise NoDataError(t("export.error.no_data", lang, commune=ca.commune, period=period))
    if source_text is None:
        key = "chart.source.demo" if demo else "chart.source.returns"
        source_text = t(key, lang, commune=ca.commune)
    commune_lines, village_lines, village_parts = _lines(ca, period, crit, lang)
    criteria = [_criterion_line(c, lang) for c in views.criteria(ca, period, lang)]
    by_number = {c.number: c for c in criteria}
    unknown = [
        CriterionLine(
            number=u.number,
            name=u.name,
            status=u.status,
            status_text=fmt.status_label(u.status, lang),
            villages_met=by_number[u.number].villages_met if u.number in by_number else None,
            villages_total=by_number[u.number].villages_total if u.number in by_number else None,
            reason=_short_reason(u, lang) if u.status == UNKNOWN else "",
        )
        for u in views.unknown(ca, period, lang)
    ]
    unmet = [
        _unmet(item, commune_lines, village_parts, lang)
        for item in views.blockers(ca, period, lang)
    ]
    return Report(
        commune=ca.commune,
        period=period,
        lang=lang,
        as_of=as_of or dt.datetime.now(fmt.TIMEZONE).date(),
        generated=generated or dt.datetime.now(fmt.TIMEZONE),
        criteria_set=crit,
        key_name=key_name if key_name is not None else _key_name(ca, period, crit, lang),
        sources=list(sources),
        source_text=source_text,
        demo=demo,
        headline=top,
        criteria=criteria,
        unknown=unknown,
        villages=sorted(village_lines),
        grid=grid.cells,
        grid_rows=list(grid.rows) if grid.villages else [],
        grid_columns=list(grid.columns),
        unmet=unmet,
        progress=views.progress(ca, until=period, lang=lang),
        changes=changes,
        commune_lines=commune_lines,
        village_lines=village_lines,
        village_parts=village_parts,
        unverified=top.thresholds_unverified,
        judged=top.thresholds_used,
        footnote=_footnote(top, lang),
        incomplete_note=(
            t("export.footnote.incomplete", lang, missing=crit.missing_text(lang))
            if not crit.complete
            else ""
        ),
        self_check=views.self_check(ca, period),
        notices=[p.message(lang) for p in views.notices(ca.problems, period)],
        history=views.history(ca, lang, until=period),
    )


def _criterion_line(row: views.CriterionRow, lang: str) -> CriterionLine:
    return CriterionLine(
        number=row.number,
        name=row.name,
        status=row.status,
        status_text=fmt.status_label(row.status, lang),
        villages_met=row.villages_met,
        villages_total=row.villages_total,
    )


def _short_reason(u: views.UnknownCriterion, lang: str) -> str:
    """ "Thiếu dữ liệu, chưa có ngưỡng": why a criterion cannot be judged, in a few words."""
    found = [s for s, codes in ((MISSING, u.missing), (NO_THRESHOLD, u.no_threshold)) if codes]
    if not found:
        return t("export.reason.no_indicators", lang)
    return ", ".join(
        fmt.status_label(s, lang).lower() if i else fmt.status_label(s, lang)
        for i, s in enumerate(found)
    )


def _unmet(
    item: views.BlockedCriterion,
    commune_lines: Sequence[PartLine],
    village_parts: pd.DataFrame,
    lang: str,
) -> UnmetCriterion:
    """An unmet criterion as a slide lists it: its indicators not met (unmet first), those met,
    and the villages behind each unmet one."""
    mine = [p for p in commune_lines if p.criterion == item.number]
    not_met = [p for p in mine if p.status != MET]
    not_met.sort(key=lambda p: {UNMET: 0, MISSING: 1, NO_THRESHOLD: 2}.get(p.status, 3))
    chart_codes = [
        p.code
        for p in not_met
        if p.status == UNMET and p.scope == "village" and (village_parts["code"] == p.code).any()
    ]
    return UnmetCriterion(
        number=item.number,
        name=item.name,
        lines=not_met,
        met_codes=[p.code for p in mine if p.status == MET],
        blockers=[
            Blocker(
                village=v.village,
                code=v.code,
                value_text=v.value_text,
                gap_text=v.gap_text,
                status=v.status,
                status_text=fmt.status_label(v.status, lang),
            )
            for v in item.villages
        ],
        chart_code=chart_codes[0] if chart_codes else None,
        chart_codes=frozenset(chart_codes),
    )


def _footnote(top: views.Headline, lang: str) -> str:
    """The thresholds not verified against the decision, and the village set villages at
    standard are counted on ("" when there is nothing to say)."""
    notes = []
    if top.thresholds_unverified:
        notes.append(
            t(
                "export.footnote.unverified",
                lang,
                n=top.thresholds_unverified,
                total=top.thresholds_used,
            )
        )
    vset = top.village_set
    if vset is not None:
        notes.append(
            t("export.footnote.village_set", lang, title=vset.title.get(lang), n=len(vset.criteria))
        )
    return " ".join(notes)


# --- the table lines ---------------------------------------------------------------------------


def _lines(
    ca: CommuneAssessment, period: int, crit: CriteriaSet, lang: str
) -> tuple[list[PartLine], dict[str, list[PartLine]], pd.DataFrame]:
    """Every judged part of the commune, of each village, and the villages' parts frame."""
    commune_parts = ca.parts(period).sort_values("order", kind="stable")
    village_parts = ca.parts(period, villages=True)
    village_parts = village_parts.sort_values(["village", "order"], kind="stable")
    measured = _measured(crit)
    judged = commune_parts[~commune_parts["status"].isin(NOT_JUDGED)]
    commune_lines = [_part_line(r, measured, lang) for r in judged.itertuples(index=False)]
    village_lines: dict[str, list[PartLine]] = {}
    for row in village_parts.itertuples(index=False):
        if row.status in NOT_JUDGED:
            continue
        village_lines.setdefault(str(row.village), []).append(_part_line(row, measured, lang))
    return commune_lines, village_lines, village_parts


def _measured(crit: CriteriaSet) -> dict[str, tuple[str, Indicator, Part]]:
    out: dict[str, tuple[str, Indicator, Part]] = {}
    for criterion, ind in crit.indicators():
        for part in ind.measured:
            out[part.code] = (criterion.number, ind, part)
    return out


def _part_line(row: Any, measured: dict[str, tuple[str, Indicator, Part]], lang: str) -> PartLine:
    number, ind, part = measured[str(row.code)]
    name = part.name.get(lang)
    if ind.parts:
        name = f"{ind.name.get(lang)} — {name}"
    unit = part.unit or ind.unit
    kind = str(row.kind)
    direction = str(row.direction)
    village_share = row.village is not None and ind.aggregation == "share"
    value_kind = "boolean" if village_share else kind
    value = as_number(row.value)
    threshold = as_number(row.threshold)
    gap = as_number(row.gap)
    status = str(row.status)
    verified = bool(row.verified)
    threshold_text = fmt.threshold(
        threshold, direction, value_kind, "" if village_share else unit, lang
    )
    if threshold is not None and not verified and status in (MET, UNMET):
        threshold_text += "*"
    gap_text = fmt.gap(gap, value_kind, unit, lang) if status == UNMET else ""
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
        gap_text="" if gap_text == fmt.MISSING else gap_text,
        status_text=fmt.status_label(status, lang),
    )


def _key_name(ca: CommuneAssessment, period: int, crit: CriteriaSet, lang: str) -> str:
    """The commune's region or group in words (the set's name for the key judged on)."""
    parts = ca.assessment.parts
    rows = parts[(parts["commune"] == ca.commune) & (parts["period"] == period)]
    if not len(rows):  # nothing judged (a set without indicators): the key it would use
        units = ca.units()
        rows = units[(units["period"] == period)] if "key" in units else rows
    key = str(rows["key"].iloc[0]) if len(rows) and pd.notna(rows["key"].iloc[0]) else "general"
    for k in crit.keys:
        if k.id == key:
            return k.name.get(lang)
    if key == "general" and crit.keyed_by == "group":  # no group chosen: none is guessed
        return t("export.deck.no_group", lang)
    return key
