"""Dữ liệu: uploads, revisions, original files; restoring and deleting revisions (admin)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ntm.auth import Action, User, require
from ntm.errors import Problem
from ntm.storage import RevisionRef
from ntm.ui.services.common import clear_caches, db_url, store


@st.cache_data(show_spinner=False)
def _uploads(url: str, commune: str | None) -> pd.DataFrame:
    return store().uploads(commune=commune)


def uploads(commune: str | None) -> pd.DataFrame:
    return _uploads(db_url(), commune)


@st.cache_data(show_spinner=False)
def _revisions(url: str, commune: str | None) -> pd.DataFrame:
    return store().revisions(commune=commune)


def revisions(commune: str | None) -> pd.DataFrame:
    return _revisions(db_url(), commune)


def original(upload_id: int, user: User | None) -> tuple[str, bytes]:
    """An upload's file as received (it may hold household data): for a logged-in reader, or
    anyone when NTM_OPEN_RECORDS is set; PermissionDenied otherwise."""
    require(user, Action.VIEW_RECORDS)
    return store().original(int(upload_id))


def upload_problems(upload_id: int) -> list[Problem]:
    return store().upload_problems(int(upload_id))


def restore(revision_id: int, user: User | None) -> RevisionRef:
    """Copy an earlier revision into a new current one (admin); PermissionDenied otherwise."""
    who = require(user, Action.RESTORE_REVISION)
    assert who is not None
    ref = store().restore(int(revision_id), user=who.name)
    clear_caches()
    return ref


def delete_revision(revision_id: int, user: User | None, reason: str = "") -> bool:
    """Mark a revision deleted (admin); PermissionDenied otherwise."""
    who = require(user, Action.DELETE_REVISION)
    assert who is not None
    done = store().delete_revision(int(revision_id), user=who.name, reason=reason)
    clear_caches()
    return done
