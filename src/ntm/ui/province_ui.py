"""Tỉnh (issue 17): the choices (province, year, commune group, region), the headline metrics,
the tables, the list of communes close to standard, the click-through to a commune's Tổng
quan and the export buttons. The numbers are `ntm.views.ProvinceView`'s (through
`ntm.ui.services`); user text (commune, village names) goes through `md()` or st.dataframe.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from ntm import formatting as fmt
from ntm.exports import MIME
from ntm.ui import services, state
from ntm.ui.context import Context, choose, kept, md
from ntm.ui.services.province import (
    ProvinceView,
    province_export,
    province_filters,
    province_name,
    province_years,
    provinces,
)
from ntm.ui.settings.profile import key_options
from ntm.ui.shell import present_bar, year_picker

OVERVIEW = "screens/tong_quan.py"  # relative to app.py, the entry point (st.switch_page)


@dataclass(frozen=True)
class Choice:
    """What the Tỉnh page shows: the province, the year and the filters ("" = all)."""

    ctx: Context
    province: str
    group: str
    region: str

    @property
    def name(self) -> str:
        return province_name(self.province, self.ctx.lang)


def choose_province(ctx: Context) -> Choice | None:
    """The province, year and filters, drawn above the page (the year in the presentation bar
    in presentation mode); None (with a notice) when no commune has data."""
    found = provinces()
    if not found:
        st.info(ctx.tr("ui.province.no_data"), icon=":material/info:")
        return None
    province = str(choose(state.PROVINCE, found))
    years = province_years(province)
    year = choose(state.YEAR, years, default=max(years)) if years else None
    ctx = dataclasses.replace(ctx, years=years, year=year)
    groups, regions = province_filters(province)
    group = str(choose(state.PROVINCE_GROUP, ["", *groups]))
    region = str(choose(state.PROVINCE_REGION, ["", *regions]))
    if ctx.present:
        return Choice(ctx, province, group, region)
    region_names, group_names = key_options(ctx)
    cols = st.columns([2, 3, 1.2, 1.2], vertical_alignment="bottom")
    with cols[0]:
        kept(
            st.selectbox,
            state.PROVINCE,
            province,
            ctx.tr("ui.province.chooser"),
            options=found,
            format_func=lambda p: province_name(p, ctx.lang),
        )
    with cols[1]:
        year_picker(years, ctx.lang, where="page")
    for col, key, value, options, names, label in (
        (cols[2], state.PROVINCE_GROUP, group, groups, group_names, "ui.province.group"),
        (cols[3], state.PROVINCE_REGION, region, regions, region_names, "ui.province.region"),
    ):
        with col:
            kept(
                st.selectbox,
                key,
                value,
                ctx.tr(label),
                options=["", *options],
                format_func=lambda k, n=names: n.get(k, k) if k else ctx.tr("ui.province.all"),
                disabled=not options,
            )
    if province == services.NO_PROVINCE:
        st.caption(md(ctx.tr("ui.province.unassigned_help")))
    return Choice(ctx, province, group, region)


def slide(choice: Choice) -> str:
    """Presentation mode: the bar (year, which slide, exit); returns the slide."""
    keys = ["province_summary", "province_trend", "province_grid", "province_close"]
    return present_bar(choice.ctx, keys) or keys[0]


def metrics(ctx: Context, pv: ProvinceView) -> None:
    a, b, c = (st.container(), st.container(), st.container()) if ctx.present else st.columns(3)
    a.metric(
        ctx.tr("ui.province.at_standard"),
        f"{pv.at_standard}/{pv.total}",
        help=ctx.tr("ui.province.at_standard_help"),
        border=True,
    )
    share = None if pv.share is None else 100 * pv.share
    b.metric(ctx.tr("ui.province.share"), fmt.percent(share, ctx.lang), border=True)
    c.metric(ctx.tr("ui.province.close"), str(len(pv.close)), border=True)


def notices(ctx: Context, pv: ProvinceView) -> None:
    """The communes not among the judged ones, and a year judged on several sets: said."""
    if pv.no_data:
        communes = ", ".join(pv.no_data)
        st.caption(md(ctx.tr("ui.province.no_data_communes", year=pv.year, communes=communes)))
    for key, pairs in (("merged", pv.merged), ("before_merger", pv.before_merger)):
        if pairs:
            items = [ctx.tr("ui.province.merged_item", commune=c, into=i) for c, i in pairs]
            text = ctx.tr(f"ui.province.{key}", year=pv.year, communes=", ".join(items))
            st.caption(md(text))
    if len(pv.sets) > 1:
        st.info(md(ctx.tr("ui.province.sets_note", year=pv.year, n=len(pv.sets))))


def communes_table(ctx: Context, pv: ProvinceView) -> None:
    st.subheader(ctx.tr("ui.province.communes_table"))
    frame = pd.DataFrame(
        [
            {
                ctx.tr("ui.province.col.commune"): c.commune,
                ctx.tr("ui.province.col.met"): f"{c.met}/{c.total}",
                ctx.tr("ui.province.col.short"): c.short,
                ctx.tr("ui.province.col.status"): ctx.tr(f"ui.province.status.{c.standing}"),
                ctx.tr("ui.province.col.set"): pv.sets.get(c.criteria_set, c.criteria_set),
            }
            for c in pv.communes
        ]
    )
    st.dataframe(frame, hide_index=True)


def close_list(ctx: Context, pv: ProvinceView) -> None:
    st.subheader(ctx.tr("ui.province.close"))
    if not pv.close:
        st.success(ctx.tr("ui.province.close_none"))
    for item in pv.close:
        line = ctx.tr(
            "ui.province.close_line",
            commune=item.commune,
            met=item.met,
            total=item.total,
            short=item.short,
        )
        st.markdown(f"**{md(line)}**")
        for crit in item.blockers:
            parts = []
            for ind in crit.indicators:
                behind = ", ".join(v.village for v in ind.villages)
                text = f"{ind.code} {ind.value_text} ({ind.threshold_text})"
                parts.append(text + (f" — {behind}" if behind else ""))
            indicators = "; ".join(parts)
            st.markdown(
                "- "
                + md(
                    ctx.tr(
                        "ui.province.blocked",
                        number=crit.number,
                        name=crit.name,
                        indicators=indicators,
                    )
                )
            )
        for unknown in item.unknown:
            text = ctx.tr(
                "ui.province.cannot_judge",
                number=unknown.number,
                name=unknown.name,
                reason=unknown.reason,
            )
            st.markdown("- " + md(text))


def _open(commune: str, year: int) -> None:
    state.put(state.COMMUNE, commune)
    state.put(state.YEAR, year)


def open_commune(ctx: Context, pv: ProvinceView) -> None:
    """Choose a commune and open its Tổng quan (the commune and year become the kept choices
    Tổng quan reads)."""
    names = [c.commune for c in pv.communes]
    if not names:
        return
    cols = st.columns([3, 2], vertical_alignment="bottom")
    with cols[0]:
        chosen = str(choose(state.PROVINCE_COMMUNE, names))
        kept(
            st.selectbox, state.PROVINCE_COMMUNE, chosen, ctx.tr("ui.province.open"), options=names
        )
    with cols[1]:
        label = ctx.tr("ui.province.open_button", commune=chosen)
        if st.button(label, icon=":material/open_in_new:", key="open_commune"):
            _open(chosen, pv.year)
            st.switch_page(OVERVIEW)


def downloads(choice: Choice, pv: ProvinceView) -> None:
    ctx = choice.ctx
    st.subheader(ctx.tr("ui.province.export"))
    from ntm.exports.model import slug

    stem = f"ntm-tinh-{slug(choice.name)}-{pv.year}"
    a, b = st.columns(2)
    for col, kind, label in ((a, "pptx", "download_pptx"), (b, "xlsx", "download_xlsx")):
        # Built when the button is clicked (Streamlit calls it then), not on every cold run:
        # the deck of a 100-commune province took about a second to build (issue 17).
        data = functools.partial(
            province_export,
            choice.province,
            pv.year,
            ctx.lang,
            choice.group or None,
            choice.region or None,
            kind,
        )
        col.download_button(
            ctx.tr(f"ui.province.{label}"),
            data=data,
            file_name=f"{stem}.{kind}",
            mime=MIME[kind],
            icon=":material/download:",
            on_click="ignore",
            key=f"province_{kind}",
        )
