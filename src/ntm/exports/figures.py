"""The charts of a Report (`Report.figures`), built by `ntm.charts` from the report's data:
progress over the years, the villages × criteria grid, and each unmet criterion's village
indicator across the villages. Names (commune, imported indicator names) are made inert for
plotly's label markup (`ntm.charts.plain`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ntm import charts
from ntm.exports.model import TITLE_NAME_LIMIT, ExportFigure, Report, shorten, slug
from ntm.i18n import t


def figures(
    r: Report, *, large: bool = True, titles: bool = True, height: int | None = None
) -> list[ExportFigure]:
    """Every chart of the report, built by `ntm.charts`: progress over the years, the
    villages × criteria grid, then each unmet criterion's village indicator."""
    out = [progress_figure(r, large=large, titles=titles, height=height)]
    if r.grid_rows:
        out.append(grid_figure(r, large=large, titles=titles, height=height))
    for item in r.unmet:
        for line in item.lines:
            if item.chartable(line):
                out.append(
                    indicator_figure(r, line.code, large=large, titles=titles, height=height)
                )
    return out


def _dressing(
    r: Report, title: str, *, titles: bool, large: bool, height: int | None
) -> dict[str, Any]:
    """What every chart of the report carries: its title (or none, where the slide has one),
    the source and the date, in the report's language and size."""
    return {
        "title": charts.plain(title) if titles else "",
        "source": charts.plain(r.source_text),
        "date": r.as_of_text,
        "lang": r.lang,
        "large": large,
        "height": height,
    }


def progress_figure(
    r: Report, *, large: bool = True, titles: bool = True, height: int | None = None
) -> ExportFigure:
    title = t("chart.title.progress", r.lang, commune=r.commune)
    dressing = _dressing(r, title, titles=titles, large=large, height=height)
    if r.history is not None:  # a merged commune: each unit and criteria set its own panel
        fig = charts.history_chart(
            [(p.label, p.set_label, p.progress) for p in r.history.panels],
            r.history.notes,
            **dressing,
        )
        return ExportFigure("01-tien-do", title, fig)
    fig = charts.progress_chart(r.progress, **dressing)
    return ExportFigure("01-tien-do", title, fig)


def grid_figure(
    r: Report, *, large: bool = True, titles: bool = True, height: int | None = None
) -> ExportFigure:
    title = t("chart.title.grid", r.lang, year=r.period, commune=r.commune)
    names = {c.number: c.name for c in r.criteria}
    fig = charts.status_grid(
        r.grid,
        rows=r.grid_rows,
        columns=r.grid_columns,
        column_names=names,
        **_dressing(r, title, titles=titles, large=large, height=height),
    )
    return ExportFigure("02-luoi-thon", title, fig)


def indicator_figure(
    r: Report, code: str, *, large: bool = True, titles: bool = True, height: int | None = None
) -> ExportFigure:
    """One village-level indicator across the villages (and the commune), threshold line."""
    line = next(p for p in r.commune_lines if p.code == code)
    rows = r.village_parts[r.village_parts["code"] == code]
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
                "label": [t("export.whole_commune", r.lang)],
                "value": [line.value],
                "status": [line.status],
            }
        )
        frame = pd.concat([commune_row, frame], ignore_index=True)
    name = shorten(line.name, TITLE_NAME_LIMIT)
    unit = line.unit if not share else ""
    title = t(
        "export.chart.indicator",
        r.lang,
        code=code,
        name=name,
        year=r.period,
        unit=f" ({unit})" if unit else "",
    )
    fig = charts.indicator_chart(
        frame,
        threshold=None if share else line.threshold,
        direction="==" if share else line.direction,
        kind="boolean" if share else line.kind,
        unit=unit,
        **_dressing(r, title, titles=titles, large=large, height=height),
    )
    return ExportFigure(f"03-chi-tieu-{slug(code)}", title, fig)
