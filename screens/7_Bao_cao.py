"""Báo cáo: one click builds the slide deck, PDF report, Excel tables or chart images."""

import streamlit as st

from ntm import formatting as fmt
from ntm.ui import exports_service as ex
from ntm.ui import widgets
from ntm.ui.widgets import md

ctx = widgets.page("export.page.title")
assert ctx.commune is not None and ctx.year is not None
widgets.heading(ctx)
st.write(ctx.tr("export.page.intro"))

choice = st.radio(
    ctx.tr("export.page.format"),
    ex.FORMATS,
    format_func=lambda f: ex.format_label(f, ctx.lang),
    key="export_format",
)
result = ex.last(ctx.commune, ctx.year, choice, ctx.lang)
if st.button(ctx.tr("export.page.build"), type="primary", icon=":material/description:"):
    with st.spinner(ctx.tr("export.page.building")):
        result = ex.build(ctx.commune, ctx.year, choice, ctx.lang)

if result is not None and result.error:
    st.error(md(result.error), icon=":material/error:")
elif result is not None and result.file is not None:
    st.success(
        md(
            ctx.tr(
                "export.page.done",
                name=result.file.name,
                seconds=fmt.number(result.seconds, ctx.lang),
            )
        )
    )
    st.download_button(
        ctx.tr("export.page.download", name=md(result.file.name)),
        data=result.file.data,
        file_name=result.file.name,
        mime=result.file.mime,
        icon=":material/download:",
        on_click="ignore",
        key="export_download",
    )
