"""Shared widgets: the page list, the sidebar (language, commune, year, presentation mode, the
login form or who is logged in), the demo badge, presentation-mode styling, and safe text
helpers. `page()` shows the login form alone when every reader must log in (ntm.ui.auth_ui).

User-supplied text (village, commune and file names, notes) is never rendered as HTML: it goes
through `md()` (Markdown-escaped) or into st.dataframe. The only HTML this module writes is the
fixed style sheet of the presentation mode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import streamlit as st

from ntm import formatting as fmt
from ntm.auth import Action
from ntm.criteria import CriteriaSet
from ntm.i18n import t
from ntm.storage import ImportOutcome
from ntm.ui import auth_ui, services, state

ROOT = Path(__file__).resolve().parents[3]
# (file, title key, icon, address). Every screen answers at its own address, and the first one
# at "/" too (`pages()`). The screens live in `screens/`, not `pages/`: beside a `pages/` folder
# Streamlit serves the first request after a start in its legacy multipage mode, where a typed
# address such as /thon-ban met an English "Page not found" dialog.
PAGES = [
    ("screens/tong_quan.py", "ui.page.overview", ":material/dashboard:", "tong-quan"),
    ("screens/thon.py", "ui.page.village", ":material/home_work:", "thon-ban"),
    ("screens/tieu_chi.py", "ui.page.criterion", ":material/checklist:", "tieu-chi"),
    ("screens/nhap_lieu.py", "ui.page.upload", ":material/upload_file:", "nhap-lieu"),
    ("screens/du_lieu.py", "ui.page.data", ":material/folder_open:", "du-lieu"),
    ("screens/7_Bao_cao.py", "export.page.title", ":material/slideshow:", "bao-cao"),
    ("screens/cai_dat.py", "ui.page.settings", ":material/settings:", "cai-dat"),
]

PRESENT_CSS = """
<style>
html { font-size: 22px; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"] { display: none; }
.block-container, [data-testid="stMainBlockContainer"] {
  padding-top: 1.2rem; padding-bottom: 0.5rem; max-width: 100%;
}
[data-testid="stMetricValue"] { font-size: 3.2rem; }
[data-testid="stMetricLabel"] p { font-size: 1.1rem; }
</style>
"""
NORMAL_CSS = """
<style>
[data-testid="stMetricValue"] { font-size: 2.4rem; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 2.2rem; }
</style>
"""


HOME = "trang-chu"  # the hidden page at "/" (its address is never shown)


def pages() -> list[Any]:
    """The app's pages, titles in the chosen language (app.py gives them to st.navigation).

    Streamlit's default page answers at "/" only, so no screen is the default: a hidden page is,
    and it opens the first screen (Tổng quan) at its own address, keeping the query (e.g.
    ?present=1). So "/" and a hand-typed "/tong-quan" both open Tổng quan, with the menu
    showing it, and no "page not found" dialog."""
    lang = state.lang()
    screens = [
        st.Page(ROOT / path, title=t(key, lang), icon=icon, url_path=url)
        for path, key, icon, url in PAGES
        if (ROOT / path).exists()
    ]
    first = screens[0]

    def home() -> None:
        st.switch_page(first, query_params=st.query_params.to_dict())

    hidden = st.Page(home, title=first.title, url_path=HOME, default=True, visibility="hidden")
    return [hidden, *screens]


def page_config() -> None:
    """st.set_page_config for app.py."""
    st.set_page_config(
        page_title=t("ui.app_title", state.lang()),
        page_icon=":material/agriculture:",
        layout="wide",
        initial_sidebar_state="collapsed" if state.presenting() else "expanded",
    )


def nav_position() -> Literal["sidebar", "hidden"]:
    return "hidden" if state.presenting() else "sidebar"


def md(text: object) -> str:
    """User text made safe for st.markdown (see formatting.escape_markdown)."""
    return fmt.escape_markdown(text)


@dataclass
class Context:
    """What every page reads first: language, commune, year, presentation mode."""

    lang: str
    commune: str | None
    year: int | None
    years: list[int]
    present: bool

    def tr(self, key: str, **params: object) -> str:
        return t(key, self.lang, **params)


# --- keeping choices across pages ------------------------------------------------------------


def _copy(key: str) -> None:
    state.put(key, st.session_state[state.widget_key(key)])


def _prime(key: str, value: Any) -> str:
    """The widget key for a persistent choice, primed with its current value."""
    wkey = state.widget_key(key)
    if st.session_state.get(wkey) != value:
        st.session_state[wkey] = value
    return wkey


def choose(key: str, options: list[Any], default: Any = None) -> Any:
    """The persistent choice `key` made valid for `options` (first option if unset/stale)."""
    current = state.get(key)
    if current not in options:
        current = default if default in options else (options[0] if options else None)
        state.put(key, current)
    return current


# --- the sidebar -----------------------------------------------------------------------------


def _set_present(on: bool) -> None:
    state.put(state.PRESENT, on)
    if on:
        st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]


def _toggle_present() -> None:
    _set_present(bool(st.session_state[state.widget_key(state.PRESENT)]))


def _language_picker(lang: str) -> None:
    wkey = _prime(state.LANG, lang)
    st.segmented_control(
        t("ui.sidebar.language", lang),
        options=["vi", "en"],
        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}.get(code, code),
        key=wkey,
        required=True,
        on_change=_copy,
        args=(state.LANG,),
    )


def year_picker(years: list[int], lang: str, where: str = "sidebar") -> None:
    if not years:
        return
    year = choose(state.YEAR, years, default=max(years))
    wkey = _prime(state.YEAR, year)
    st.segmented_control(
        t("ui.sidebar.year", lang),
        options=years,
        format_func=str,
        key=wkey,
        required=True,
        on_change=_copy,
        args=(state.YEAR,),
        label_visibility="visible" if where == "sidebar" else "collapsed",
    )


def sidebar(lang: str, names: list[str], commune: str | None, years: list[int]) -> None:
    with st.sidebar:
        st.markdown(f"### {t('ui.app_title', lang)}")
        _language_picker(lang)
        if names:
            wkey = _prime(state.COMMUNE, commune)
            st.selectbox(
                t("ui.sidebar.commune", lang),
                options=names,
                key=wkey,
                on_change=_copy,
                args=(state.COMMUNE,),
            )
            year_picker(years, lang)
        wkey = _prime(state.PRESENT, False)
        st.toggle(
            t("ui.sidebar.present", lang),
            key=wkey,
            on_change=_toggle_present,
            help=t("ui.sidebar.present_help", lang),
        )
        st.divider()
        auth_ui.sidebar_account(lang)


def present_bar(ctx: Context, extra: list[str] | None = None) -> str | None:
    """Presentation mode's one-line control bar (year, slide, exit). Returns the slide."""
    cols = st.columns([3, 6, 1.4] if extra else [9, 1.4], vertical_alignment="center")
    with cols[0]:
        year_picker(ctx.years, ctx.lang, where="bar")
    slide = None
    if extra:
        with cols[1]:
            slide = str(choose(state.SLIDE, extra))
            wkey = _prime(state.SLIDE, slide)
            st.segmented_control(
                ctx.tr("ui.present.slide"),
                options=extra,
                format_func=lambda key: ctx.tr(f"ui.slide.{key}"),
                key=wkey,
                required=True,
                on_change=_copy,
                args=(state.SLIDE,),
                label_visibility="collapsed",
            )
    with cols[-1]:
        st.button(
            ctx.tr("ui.present.exit"),
            icon=":material/close_fullscreen:",
            on_click=_set_present,
            args=(False,),
            key="exit_present",
        )
    return slide


def page(title_key: str, *, needs_data: bool = True) -> Context:
    """Set up a page: style, sidebar (or the presentation bar), the current choices.

    With `needs_data` and no commune in the database, says so and stops the page. When every
    reader must log in (NTM_REQUIRE_LOGIN) and nobody is, the page is the login form alone.
    """
    lang = state.lang()
    present = state.presenting()
    st.html(PRESENT_CSS if present else NORMAL_CSS)
    services.load_demo_visibly(lang)
    if not auth_ui.gate_reading(lang):
        st.stop()
    services.follow_other_writers()
    names = services.commune_names()
    commune = choose(state.COMMUNE, names) if names else None
    years = services.periods(str(commune)) if commune else []
    if not present:
        sidebar(lang, names, commune if isinstance(commune, str) else None, years)
    year = choose(state.YEAR, years, default=max(years)) if years else None
    ctx = Context(
        lang=lang,
        commune=commune if isinstance(commune, str) else None,
        year=int(year) if isinstance(year, int) else None,
        years=years,
        present=present,
    )
    if not present:
        st.title(ctx.tr(title_key))
    if needs_data and (ctx.commune is None or ctx.year is None):
        st.info(ctx.tr("ui.no_data"), icon=":material/info:")
        st.stop()
    return ctx


def present_title(ctx: Context) -> None:
    """Presentation mode: the commune and year in large type, with the demo badge."""
    st.markdown(
        f"## {md(ctx.tr('ui.present.commune', commune=ctx.commune))}\n"
        f"### {md(ctx.tr('ui.present.year', year=ctx.year))}"
    )
    demo_badge(ctx)


def demo_badge(ctx: Context) -> None:
    """The "dữ liệu minh họa" badge while values from the bundled demo returns are shown."""
    if ctx.commune and services.data_info(ctx.commune).demo:
        st.badge(
            ctx.tr("ui.demo_badge"),
            icon=":material/science:",
            color="orange",
            help=ctx.tr("ui.demo_badge_help"),
        )


def heading(ctx: Context) -> None:
    """ "Xã Dương Quang · năm 2025 · Số liệu đến ngày …" under the page title."""
    assert ctx.commune is not None
    _, date = services.chart_source(ctx.commune, ctx.lang)
    st.caption(
        md(ctx.tr("ui.heading", commune=ctx.commune, year=ctx.year))
        + " · "
        + md(t("chart.as_of", ctx.lang, date=date))
    )
    demo_badge(ctx)


# The colours of a change on st.metric: the charts' and the exports' pair (blue for better,
# orange for worse), which reads for colour-blind viewers, unlike Streamlit's green and red.
CHANGE_COLOURS = {True: "blue", False: "orange"}


def metric_delta(change: fmt.Change | None) -> dict[str, Any]:
    """st.metric's delta arguments for a change (None: no earlier year). The arrow and colour
    are given, not left to Streamlit, which takes any text not starting with "-" for a rise."""
    if change is None:
        return {"delta": None}
    if change.better is None:
        return {"delta": change.text, "delta_color": "off", "delta_arrow": "off"}
    return {
        "delta": change.text,
        "delta_color": CHANGE_COLOURS[change.better],
        "delta_arrow": change.direction,
    }


def chart(fig: object, key: str | None = None) -> None:
    """A plotly figure as built by ntm.charts (their own template, not streamlit's theme)."""
    st.plotly_chart(
        fig,
        theme=None,
        key=key,
        config={"displaylogo": False, "toImageButtonOptions": {"scale": 2}},
    )


# --- tables ----------------------------------------------------------------------------------


def tagged_threshold(ctx: Context, text: str, verified: bool) -> str:
    """A threshold with the "chưa đối chiếu" tag when it is not verified against the source."""
    return text if verified else f"{text} · {ctx.tr('ui.unverified_tag')}"


def headline_notes(ctx: Context, ov: Any) -> None:
    """Under Tổng quan's headline: unverified thresholds, and what village aggregates count
    (the commune's village register, or the villages that reported: issue 13)."""
    if ov.thresholds_unverified:
        key = "ui.overview.unverified_short" if ctx.present else "ui.overview.unverified"
        text = ctx.tr(key, n=ov.thresholds_unverified, total=ov.thresholds_used)
        st.caption(":material/warning: " + md(text))
    if ctx.present:
        return
    if ov.registered is None:
        st.caption(":material/info: " + md(ctx.tr("ui.overview.aggregate_reported")))
    else:
        st.caption(md(ctx.tr("ui.overview.aggregate_register", n=len(ov.registered))))


def blocker_table(ctx: Context, rows: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return pd.DataFrame(
        {
            ctx.tr("ui.col.indicator"): frame["code"],
            ctx.tr("ui.col.name"): frame["name"],
            ctx.tr("ui.col.value"): frame["value"],
            ctx.tr("ui.col.threshold"): [
                tagged_threshold(ctx, th, v)
                for th, v in zip(frame["threshold"], frame["verified"], strict=True)
            ],
            ctx.tr("ui.col.gap"): frame["gap"],
            ctx.tr("ui.col.villages_behind"): frame["villages"],
        }
    )


def blocker_columns(ctx: Context) -> dict[str, Any]:
    return {
        ctx.tr("ui.col.indicator"): st.column_config.TextColumn(width="small"),
        ctx.tr("ui.col.name"): st.column_config.TextColumn(width="large"),
        ctx.tr("ui.col.villages_behind"): st.column_config.TextColumn(width="large"),
    }


def blocker_sentence(ctx: Context, row: Any) -> str:
    """One unmet indicator in a sentence (presentation mode); empty parts are left out."""
    text = ctx.tr(
        "ui.overview.sentence",
        code=row.code,
        name=row.name,
        value=row.value,
        threshold=tagged_threshold(ctx, row.threshold, row.verified),
    )
    if row.gap != fmt.MISSING:
        text += ctx.tr("ui.overview.sentence_gap", gap=row.gap)
    if row.villages != fmt.MISSING:
        text += ctx.tr("ui.overview.sentence_villages", villages=row.villages)
    return text


BADGE = {
    "met": "blue",
    "unmet": "orange",
    "missing": "gray",
    "no_threshold": "gray",
    "unknown": "gray",
    "not_applicable": "gray",
    "info": "gray",
}
SYMBOL = {"met": "✓", "unmet": "✗", "missing": "?", "no_threshold": "?", "unknown": "?"}


def unknown_table(ctx: Context, unknown: pd.DataFrame) -> pd.DataFrame:
    """Criteria that cannot be judged, and why (Tổng quan)."""
    return unknown.rename(
        columns={
            "criterion": ctx.tr("ui.col.criterion"),
            "name": ctx.tr("ui.col.name"),
            "reason": ctx.tr("ui.col.reason"),
        }
    )


def status_badge(ctx: Context, status: str) -> str:
    """Markdown for a status: a coloured badge with a symbol and the status in words."""
    label = fmt.status_label(status, ctx.lang)
    symbol = SYMBOL.get(status, "")
    return f":{BADGE.get(status, 'gray')}-badge[{symbol} {md(label)}]".replace("[ ", "[")


def safe_table(frame: pd.DataFrame, *, markdown_columns: tuple[str, ...] = ()) -> None:
    """st.table renders Markdown in cells: every text cell is escaped except the columns named
    in `markdown_columns`, which hold Markdown this code wrote (status badges)."""
    data = pd.DataFrame(frame).copy()
    for col in data.columns:
        if col in markdown_columns:
            continue
        data[col] = [md(v) if isinstance(v, str) else v for v in data[col]]
    data.columns = [md(c) for c in data.columns]
    st.table(data, hide_index=True, border="horizontal")


def indicator_table(ctx: Context, table: pd.DataFrame) -> None:
    """Thôn: each measured value with threshold (tagged when unverified), status and gap."""
    frame = pd.DataFrame(table)
    status_col = ctx.tr("ui.col.status")
    out = pd.DataFrame(
        {
            ctx.tr("ui.col.indicator"): frame["code"],
            ctx.tr("ui.col.name"): frame["name"],
            ctx.tr("ui.col.value"): frame["value"],
            ctx.tr("ui.col.threshold"): [
                tagged_threshold(ctx, th, v)
                for th, v in zip(frame["threshold"], frame["verified"], strict=True)
            ],
            status_col: [status_badge(ctx, s) for s in frame["raw_status"]],
            ctx.tr("ui.col.gap"): frame["gap"],
        }
    )
    safe_table(out, markdown_columns=(status_col,))


def pick(
    ctx: Context,
    key: str,
    options: list[Any],
    label_key: str,
    format_func: Callable[[Any], str] = str,
) -> Any:
    """A selectbox over `options` whose choice is kept across pages under `key`."""
    current = choose(key, options)
    wkey = _prime(key, current)
    st.selectbox(
        ctx.tr(label_key),
        options=options,
        key=wkey,
        on_change=_copy,
        args=(key,),
        format_func=format_func,
    )
    return state.get(key)


def value_table(ctx: Context, table: pd.DataFrame) -> None:
    """Tiêu chí: each unit's value, threshold, status and gap for the chosen year."""
    frame = pd.DataFrame(table)
    status_col = ctx.tr("ui.col.status")
    out = pd.DataFrame(
        {
            ctx.tr("ui.col.unit"): frame["label"],
            ctx.tr("ui.col.value"): frame["value"],
            ctx.tr("ui.col.threshold"): [
                tagged_threshold(ctx, th, v)
                for th, v in zip(frame["threshold"], frame["verified"], strict=True)
            ],
            status_col: [status_badge(ctx, s) for s in frame["status"]],
            ctx.tr("ui.col.gap"): frame["gap"],
        }
    )
    safe_table(out, markdown_columns=(status_col,))


def user_input(ctx: Context) -> str:
    """Who is making a change (kept across pages; stored with every upload and restore)."""
    current = str(state.get(state.USER) or "")
    wkey = _prime(state.USER, current)
    st.text_input(
        ctx.tr("ui.user"),
        key=wkey,
        on_change=_copy,
        args=(state.USER,),
        placeholder=ctx.tr("ui.user_placeholder"),
        max_chars=80,
    )
    return str(state.get(state.USER) or "").strip()


def problems_table(ctx: Context, frame: pd.DataFrame) -> None:
    """Every problem with file, sheet and cell (st.dataframe shows text as text)."""
    data = pd.DataFrame(frame)
    st.dataframe(
        data.rename(
            columns={
                "file": ctx.tr("ui.col.file"),
                "sheet": ctx.tr("ui.col.sheet"),
                "cell": ctx.tr("ui.col.cell"),
                "level": ctx.tr("ui.col.level"),
                "message": ctx.tr("ui.col.message"),
                "code": ctx.tr("ui.col.code"),
            }
        ),
        hide_index=True,
        column_config={ctx.tr("ui.col.message"): st.column_config.TextColumn(width="large")},
    )


def summary_table(ctx: Context, summary: pd.DataFrame) -> pd.DataFrame:
    """What a return carries: commune, unit, year, number of values."""
    frame = pd.DataFrame(summary)
    return pd.DataFrame(
        {
            ctx.tr("ui.col.commune"): frame["commune"],
            ctx.tr("ui.col.unit"): frame["unit"],
            ctx.tr("ui.col.year"): [str(int(p)) for p in frame["period"]],
            ctx.tr("ui.col.values"): [str(int(n)) for n in frame["values"]],
        }
    )


def outcome_line(ctx: Context, outcome: ImportOutcome) -> dict[str, object]:
    """What happened to one confirmed file, in a sentence."""
    status, name = outcome.status, outcome.file
    if status == "accepted":
        revisions = outcome.revisions
        units = ", ".join(
            ctx.tr(
                "ui.upload.revision",
                unit=r.village or services.whole_commune(ctx.lang),
                year=r.period,
                number=r.number,
            )
            for r in revisions
        )
        return {"ok": True, "text": ctx.tr("ui.upload.saved", file=name, units=units)}
    if status == "duplicate":
        return {
            "ok": False,
            "text": ctx.tr("ui.upload.duplicate", file=name, upload=outcome.duplicate_of),
        }
    if status == "held":  # the register changed since the preview
        return {
            "ok": False,
            "text": ctx.tr("ui.register.file_held", file=name, n=len(outcome.held)),
        }
    return {"ok": False, "text": ctx.tr("ui.upload.refused", file=name)}


def _status_word(ctx: Context, status: str) -> str:
    return ctx.tr(f"ui.upload_status.{status}") if status else ""


def records_shown() -> bool:
    """Whether this reader sees the records behind the results: original files, uploader names,
    the audit log, the database's details (a login, or NTM_OPEN_RECORDS)."""
    return auth_ui.may(Action.VIEW_RECORDS)


def records_notice(ctx: Context) -> None:
    st.caption(ctx.tr("ui.records_login"), help=ctx.tr("ui.records_login_help"))


def _without_names(ctx: Context, table: pd.DataFrame, names: bool) -> pd.DataFrame:
    return table if names else table.drop(columns=[ctx.tr("ui.col.user")])


def original_download(ctx: Context, upload_id: int) -> None:
    """Dữ liệu: the upload's original file to download, for those who may see records."""
    if not records_shown():
        records_notice(ctx)
        return
    name, data = services.original(upload_id, auth_ui.current_user())
    if not data:
        st.caption(ctx.tr("ui.data.not_kept"))
        return
    st.download_button(
        ctx.tr("ui.data.download_original"),
        data=data,
        file_name=name,
        mime=services.XLSX_MIME,
        icon=":material/download:",
        key="download_original",
    )


def uploads_table(ctx: Context, uploads: pd.DataFrame, names: bool = True) -> pd.DataFrame:
    """Dữ liệu: every upload with who (`names`) and when (text shown as text by st.dataframe)."""
    frame = pd.DataFrame(uploads)
    table = pd.DataFrame(
        {
            "#": frame["upload_id"].astype(int),
            ctx.tr("ui.col.file"): frame["file"],
            ctx.tr("ui.col.user"): frame["user"],
            ctx.tr("ui.col.when"): [fmt.date_time(x, ctx.lang) for x in frame["created_at"]],
            ctx.tr("ui.col.upload_status"): [_status_word(ctx, s) for s in frame["status"]],
            ctx.tr("ui.col.commune"): frame["commune"],
            ctx.tr("ui.col.year"): ["" if pd.isna(p) else str(int(p)) for p in frame["period"]],
            ctx.tr("ui.col.values"): frame["value_count"],
            ctx.tr("ui.col.errors"): frame["errors"],
            ctx.tr("ui.col.revisions"): frame["revisions"],
        }
    )
    return _without_names(ctx, table, names)


def upload_labels(ctx: Context, uploads: pd.DataFrame, names: bool = True) -> dict[int, str]:
    frame = pd.DataFrame(uploads)
    return {
        int(r.upload_id): " · ".join(
            [f"#{int(r.upload_id)}", str(r.file), fmt.date_time(r.created_at, ctx.lang)]
            + ([str(r.user)] if names else [])
        )
        for r in frame.itertuples(index=False)
    }


def pick_upload(ctx: Context, uploads: pd.DataFrame, names: bool = True) -> int:
    """Dữ liệu: the upload to look at (its file, problems), by number, file, when (and who)."""
    labels = upload_labels(ctx, uploads, names)
    return int(
        st.selectbox(
            ctx.tr("ui.data.pick_upload"),
            [int(i) for i in uploads["upload_id"]],
            format_func=lambda i: labels.get(i, str(i)),
            key="pick_upload",
        )
    )


def revisions_table(ctx: Context, revisions: pd.DataFrame, names: bool = True) -> pd.DataFrame:
    """Dữ liệu: the revisions of one unit and year, the current one marked; who (`names`)."""
    frame = pd.DataFrame(revisions)
    numbers = {int(i): int(n) for i, n in zip(frame["revision_id"], frame["number"], strict=True)}
    table = pd.DataFrame(
        {
            ctx.tr("ui.col.revision"): frame["number"].astype(int),
            ctx.tr("ui.col.current"): [
                ctx.tr("ui.data.current") if c else ("✗ " + ctx.tr("ui.data.deleted") if d else "")
                for c, d in zip(frame["current"], frame["deleted"], strict=True)
            ],
            ctx.tr("ui.col.file"): frame["file"],
            ctx.tr("ui.col.user"): frame["user"],
            ctx.tr("ui.col.when"): [fmt.date_time(x, ctx.lang) for x in frame["created_at"]],
            ctx.tr("ui.col.restored_from"): [
                ""
                if pd.isna(x)
                else ctx.tr("ui.data.revision_number", number=numbers.get(int(x), "?"))
                for x in frame["restored_from"]
            ],
            ctx.tr("ui.col.values"): frame["value_count"],
        }
    )
    return _without_names(ctx, table, names)


def key_options(ctx: Context) -> tuple[dict[str, str], dict[str, str]]:
    """Regions (Decision 318) and commune groups (Decision 51/2025) the known sets define."""
    regions: dict[str, str] = {}
    groups: dict[str, str] = {}
    for crit in services.criteria_sets().values():
        target = regions if crit.keyed_by == "region" else groups
        for key in crit.keys:
            if key.id != "general":
                target.setdefault(key.id, key.name.get(ctx.lang))
    return regions, groups


def sets_table(ctx: Context, sets: Iterable[CriteriaSet]) -> pd.DataFrame:
    """Cài đặt: the criteria sets, complete or not, and how many thresholds are unverified."""
    rows = []
    for crit in sets:
        rows.append(
            {
                ctx.tr("ui.col.set"): crit.id,
                ctx.tr("ui.col.name"): crit.title.get(ctx.lang),
                ctx.tr("ui.col.basis"): crit.legal_basis.decision,
                ctx.tr("ui.col.years"): f"{crit.years.first}–{crit.years.last}",
                ctx.tr("ui.col.criteria"): str(len(crit.criteria)),
                ctx.tr("ui.col.indicators"): str(crit.indicator_count()),
                ctx.tr("ui.col.unverified"): str(crit.unverified_count()),
                ctx.tr("ui.col.complete"): ctx.tr("ui.value.yes")
                if crit.complete
                else ctx.tr("ui.settings.incomplete"),
            }
        )
    return pd.DataFrame(rows)
