"""Across a change of criteria set (2025 → 2026): the columns the progress chart reads to show
the break (`crosswalk_columns`) and the drawing of it (`draw_set_breaks`). Nothing is judged
through a crosswalk: it only says which criteria continue as which."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ntm.charts.style import INK, MUTED
from ntm.criteria import CriteriaSet
from ntm.crosswalk import Crosswalk, crosswalk_between
from ntm.i18n import DEFAULT_LANG, t


def set_ids(frame: pd.DataFrame) -> list[str]:
    """The criteria set of each year, when the years span more than one set (else [])."""
    if "criteria_set" not in frame or frame["criteria_set"].nunique() < 2:
        return []
    return [str(s) for s in frame["criteria_set"]]


def crosswalk_columns(
    units: pd.DataFrame,
    criteria: pd.DataFrame,
    sets: Mapping[str, CriteriaSet],
    lang: str = DEFAULT_LANG,
    walks: Any = crosswalk_between,
) -> pd.DataFrame:
    """`units` (one row per period with `criteria_set`) with the columns `progress_chart` reads
    to show a change of criteria set; unchanged when every period uses the same set.

    `criteria`: the same unit's criterion rows (`period`, `criterion`, `status`). Added:
    `set_label` (decision · number of criteria); where a crosswalk `walks(old, new)` maps the
    sets of two successive years: `comparable_total` (the set's criteria that have a mapping),
    `comparable_met` (of those, met that year) and `not_comparable` (the others, "5, 6, 8");
    NaN / "" where there is no crosswalk. Nothing is judged through the crosswalk: it only
    says which criteria continue as which.
    """
    frame = units.sort_values("period").reset_index(drop=True)
    ids = set_ids(frame)
    if not ids:
        return frame
    mapped: dict[str, set[str]] = {}
    for before, after in pairwise(ids):
        if before == after:
            continue
        walk: Crosswalk | None = walks(before, after)
        if walk is None:
            continue
        mapped.setdefault(before, set()).update(p.source for p in walk.criteria_pairs)
        mapped.setdefault(after, set()).update(p.target for p in walk.criteria_pairs)
    # The unit's criteria each year (a village has only those with village indicators).
    present: dict[int, set[str]] = {}
    met_by_period: dict[int, set[str]] = {}
    for period, number, status in zip(
        criteria["period"], criteria["criterion"], criteria["status"], strict=True
    ):
        present.setdefault(int(period), set()).add(str(number))
        if str(status) == "met":
            met_by_period.setdefault(int(period), set()).add(str(number))
    labels, totals, mets, others = [], [], [], []
    for period, set_id in zip(frame["period"], ids, strict=True):
        crit = sets.get(set_id)
        numbers = [c.number for c in crit.criteria] if crit is not None else []
        if present.get(int(period)):
            numbers = [n for n in numbers if n in present[int(period)]]
        labels.append(
            t(
                "chart.crosswalk.set_label",
                lang,
                decision=crit.legal_basis.decision if crit is not None else set_id,
                n=len(numbers),
            )
        )
        if set_id not in mapped:
            totals.append(float("nan"))
            mets.append(float("nan"))
            others.append("")
            continue
        comparable = [n for n in numbers if n in mapped[set_id]]
        totals.append(float(len(comparable)))
        mets.append(float(len(met_by_period.get(int(period), set()) & set(comparable))))
        others.append(", ".join(n for n in numbers if n not in mapped[set_id]))
    return frame.assign(
        set_label=labels, comparable_met=mets, comparable_total=totals, not_comparable=others
    )


def _runs(ids: Sequence[str]) -> list[tuple[int, int]]:
    """(first, last) index of each run of equal ids."""
    runs: list[tuple[int, int]] = []
    for i, set_id in enumerate(ids):
        if runs and ids[runs[-1][0]] == set_id:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def draw_set_breaks(fig: go.Figure, frame: pd.DataFrame, lang: str, size: dict[str, int]) -> bool:
    """The break between years judged on different sets (see `crosswalk_columns`): each run of
    years named by its set, a dashed line between runs, and the share of comparable criteria
    met where a crosswalk links them. False (nothing drawn) when one set judges every year."""
    ids = set_ids(frame)
    if not ids:
        return False
    runs = _runs(ids)
    _name_runs(fig, frame, ids, runs, lang, size)
    comparable = (
        frame["comparable_total"].notna()
        if "comparable_total" in frame
        else pd.Series(False, index=frame.index)
    )
    for (_, end), (start, _) in pairwise(runs):
        linked = bool(comparable.iloc[end]) and bool(comparable.iloc[start])
        _break_line(fig, (end + start) / 2, linked, lang, size)
    if comparable.any():
        _comparable_share(fig, frame, comparable, lang, size)
    return True


def _name_runs(
    fig: go.Figure,
    frame: pd.DataFrame,
    ids: list[str],
    runs: list[tuple[int, int]],
    lang: str,
    size: dict[str, int],
) -> None:
    """Over each run of years: its set (decision · criteria) and what is not comparable."""
    has = {c: c in frame for c in ("set_label", "not_comparable")}
    small = {"size": size["font"] - 1, "color": MUTED}
    # Numbers on a category axis are category positions: 1.5 lies between the 2nd and 3rd year.
    for first, last in runs:
        label = str(frame["set_label"].iloc[first]) if has["set_label"] else ids[first]
        others = str(frame["not_comparable"].iloc[first]) if has["not_comparable"] else ""
        if others:
            label += "<br>" + t("chart.crosswalk.not_comparable_list", lang, numbers=others)
        fig.add_annotation(
            x=(first + last) / 2,
            xref="x",
            y=1.0,
            yref="paper",
            yanchor="top",
            text=label,
            showarrow=False,
            font=small,
        )


def _break_line(fig: go.Figure, x: float, linked: bool, lang: str, size: dict[str, int]) -> None:
    """The dashed line between two sets' years, saying whether a crosswalk links them."""
    fig.add_shape(
        type="line",
        x0=x,
        x1=x,
        xref="x",
        y0=0,
        y1=1,
        yref="paper",
        line={"color": INK, "dash": "dash", "width": 2},
    )
    fig.add_annotation(
        x=x,
        xref="x",
        y=0.62,
        yref="paper",
        text=t("chart.crosswalk.break" if linked else "chart.crosswalk.not_comparable", lang),
        showarrow=False,
        textangle=-90,
        bgcolor="white",
        font={"size": size["font"] - 1, "color": INK},
    )


def _comparable_share(
    fig: go.Figure, frame: pd.DataFrame, comparable: pd.Series, lang: str, size: dict[str, int]
) -> None:
    """The share of the comparable criteria met, on a percent axis at the right."""
    share = [
        100.0 * float(m) / float(n) if ok and float(n) > 0 else None
        for m, n, ok in zip(
            frame["comparable_met"], frame["comparable_total"], comparable, strict=True
        )
    ]
    fig.add_scatter(
        x=[str(int(p)) for p in frame["period"]],
        y=share,
        yaxis="y2",
        mode="lines+markers+text",
        name=t("chart.crosswalk.comparable", lang),
        line={"color": INK, "width": 2.5},
        marker={"symbol": "diamond", "size": 10, "color": INK},
        text=[
            f"{int(m)}/{int(n)}" if ok else ""
            for m, n, ok in zip(
                frame["comparable_met"].fillna(0),
                frame["comparable_total"].fillna(0),
                comparable,
                strict=True,
            )
        ],
        textposition="middle right",
        textfont={"size": size["font"] - 2, "color": INK},
        connectgaps=False,
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    fig.update_layout(
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "range": [0, 145],
            "tickvals": [0, 25, 50, 75, 100],
            "ticktext": [f"{v}%" for v in (0, 25, 50, 75, 100)],
            "showgrid": False,
            "title": None,
        }
    )
