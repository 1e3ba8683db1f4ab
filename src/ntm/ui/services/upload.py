"""Nhập liệu: the template, reading uploads with the configured limits, storing them.

- Uploads are read with the configured `ntm.config` limits (size, inflated size, members,
  sheets, rows, seconds); `too_many_files` refuses a batch before any file is read.
- Writes take the logged-in `ntm.auth.User` (from `ntm.ui.auth_ui.current_user()`) and check
  it with `ntm.auth.require` before touching the database (PermissionDenied otherwise): the
  pages' own gates only draw the refusal. The audit log records that user's name.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from ntm import config, views
from ntm.auth import Action, User, require
from ntm.errors import Problem
from ntm.formatting import sort_key
from ntm.resolve import Choices
from ntm.storage import REPLACE, ImportOutcome
from ntm.text import strip_marks
from ntm.ui.services.common import (
    clear_caches,
    commune_key,
    criteria_for,
    db_url,
    profile,
    store,
    village_set_in_force,
)
from ntm.ui.services.village import villages_of
from ntm.values import ReadResult


def upload_settings() -> config.Settings:
    """The configured upload limits (and the rest of the settings)."""
    return config.settings()


def too_many_files(count: int) -> bool:
    """A batch over the files-per-batch limit is refused before any file is read."""
    return count > upload_settings().max_files_per_batch


@st.cache_data(show_spinner=False, max_entries=64)
def _read_upload(
    name: str, data: bytes, limits: tuple[Any, ...], context_key: tuple[Any, ...]
) -> ReadResult:
    from ntm.returns import Limits, read_return

    context = store().reading_context()
    return read_return(data, name, limits=Limits(*limits), **context.kwargs())


def read_upload(name: str, data: bytes) -> ReadResult:
    """Read one uploaded return with the configured limits (nothing is stored), as the
    database says returns are read (`Store.reading_context`: imported sets, each commune's own
    set, the village sets communes follow). Cached by name, bytes, limits and that context."""
    limits = upload_settings().limits()
    key = store().reading_context().key
    return _read_upload(name, data, dataclasses.astuple(limits), key)


def problems_frame(problems: Sequence[Problem], lang: str) -> pd.DataFrame:
    """Every problem as a row: file, sheet, cell, level, message, code (for st.dataframe)."""
    return views.problems_table(problems, lang)


def values_summary(result: ReadResult, lang: str) -> pd.DataFrame:
    """What a return carries: one row per unit (commune/village, year) with its value count."""
    return views.values_summary(result, lang)


def save_upload(
    name: str,
    data: bytes,
    result: ReadResult | None,
    user: User | None,
    *,
    choices: Choices | None = None,
    mode: str = REPLACE,
) -> ImportOutcome:
    """Store one return as read for the preview, as `user` (staff or admin); clears caches.

    PermissionDenied unless `user` may confirm uploads (and, to add a village to the register
    through `choices`, edit communes). A file with errors is not stored at all
    (`keep_refused=False`): the page only sends files whose preview had none, and the store's
    own checks refuse the rest without a trace. `choices`: what the held names are
    (ntm.register); `mode`: replace or update (ntm.storage.units).
    """
    who = require(user, Action.CONFIRM_UPLOAD)
    assert who is not None
    if choices is not None and choices.new_villages:
        require(user, Action.EDIT_COMMUNE)
    if result is None:
        result = read_upload(name, data)
    outcome = store().import_bytes(
        data,
        name,
        user=who.name,
        read_result=result,
        keep_refused=False,
        choices=choices,
        mode=mode,
    )
    clear_caches()
    return outcome


@st.cache_data(show_spinner=False)
def _template(url: str, commune: str, year: int) -> bytes:
    crit = criteria_for(commune, year)
    prof = profile(commune)
    names = villages_of(commune) or (prof.villages if prof else [])
    if prof is not None and prof.villages:
        names = sorted(set(prof.villages), key=sort_key)
    from ntm.template import build_template

    wb = build_template(
        commune,
        year,
        names,
        crit,
        key=commune_key(commune, crit),
        village_set=village_set_in_force(commune, year),
        commune_code=prof.code if prof is not None else None,
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_bytes(commune: str, year: int) -> bytes:
    """The pre-filled return for a commune and year. Raises NoCriteriaSetError."""
    return _template(db_url(), commune, year)


def template_name(commune: str, year: int) -> str:
    base = strip_marks(commune)
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in base).lower().split())
    return f"bao-cao-ntm-{slug or 'xa'}-{year}.xlsx"
