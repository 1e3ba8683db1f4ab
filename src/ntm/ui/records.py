"""The records behind the results (Dữ liệu, Nhập liệu): uploads with who and when, the original
files, revisions, and what a confirmed upload did. Who uploaded and the original files are shown
to readers who may see records (a login, or NTM_OPEN_RECORDS)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ntm import formatting as fmt
from ntm.auth import Action
from ntm.storage import ImportOutcome
from ntm.ui import auth_ui, services
from ntm.ui.context import Context


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
