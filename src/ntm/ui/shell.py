"""The page shell: the screens and their addresses, the sidebar (language, commune, year,
presentation mode, the login form or who is logged in), the presentation bar, and `page()`,
which every screen calls first. `page()` shows the login form alone when every reader must log
in (ntm.ui.auth_ui). The only HTML written here is the fixed style sheet of the presentation
mode; user text goes through `md()`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import streamlit as st

from ntm.i18n import t
from ntm.ui import auth_ui, services, state
from ntm.ui.context import Context, choose, kept, md, prime

ROOT = Path(__file__).resolve().parents[3]
# (file, title key, icon, address). Every screen answers at its own address, and the first one
# at "/" too (`pages()`). The screens live in `screens/`, not `pages/`: beside a `pages/` folder
# Streamlit serves the first request after a start in its legacy multipage mode, where a typed
# address such as /thon-ban met an English "Page not found" dialog.
PAGES = [
    ("screens/tong_quan.py", "ui.page.overview", ":material/dashboard:", "tong-quan"),
    ("screens/thon.py", "ui.page.village", ":material/home_work:", "thon-ban"),
    ("screens/tieu_chi.py", "ui.page.criterion", ":material/checklist:", "tieu-chi"),
    ("screens/tinh.py", "ui.page.province", ":material/map:", "tinh"),
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
    kept(
        st.segmented_control,
        state.LANG,
        lang,
        t("ui.sidebar.language", lang),
        options=["vi", "en"],
        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}.get(code, code),
        required=True,
    )


def year_picker(years: list[int], lang: str, where: str = "sidebar") -> None:
    if not years:
        return
    kept(
        st.segmented_control,
        state.YEAR,
        choose(state.YEAR, years, default=max(years)),
        t("ui.sidebar.year", lang),
        options=years,
        format_func=str,
        required=True,
        label_visibility="visible" if where == "sidebar" else "collapsed",
    )


def sidebar(lang: str, names: list[str], commune: str | None, years: list[int]) -> None:
    with st.sidebar:
        st.markdown(f"### {t('ui.app_title', lang)}")
        _language_picker(lang)
        if names:
            kept(st.selectbox, state.COMMUNE, commune, t("ui.sidebar.commune", lang), options=names)
            year_picker(years, lang)
        wkey = prime(state.PRESENT, False)
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
            kept(
                st.segmented_control,
                state.SLIDE,
                slide,
                ctx.tr("ui.present.slide"),
                options=extra,
                format_func=lambda key: ctx.tr(f"ui.slide.{key}"),
                required=True,
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


def page(title_key: str, *, needs_data: bool = True, commune_picker: bool = True) -> Context:
    """Set up a page: style, sidebar (or the presentation bar), the current choices.

    With `needs_data` and no commune in the database, says so and stops the page. When every
    reader must log in (NTM_REQUIRE_LOGIN) and nobody is, the page is the login form alone.
    Without `commune_picker` (Tỉnh: a province, its own years) the sidebar has no commune and
    year choice; the page draws its own.
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
    # A page without the commune picker (Tỉnh) draws its own years: the commune's would cost a
    # cold run the commune's whole assessment (issue 17).
    years = services.periods(str(commune)) if commune and commune_picker else []
    if not present:
        shown = names if commune_picker else []
        sidebar(lang, shown, commune if isinstance(commune, str) else None, years)
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
