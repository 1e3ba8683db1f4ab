"""Session-state keys, in one place (pages and widgets never spell a key themselves).

Choices that must survive switching pages (commune, year, village, language, presentation) are
kept under plain keys; the widgets that edit them use their own `w_…` keys and copy the value
over in an `on_change` callback (Streamlit forgets a widget's key on a page that does not draw
it). Tests seed a page by setting the plain keys before the first run.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

LANG = "lang"  # "vi" | "en"
COMMUNE = "commune"  # commune name
YEAR = "year"  # int
VILLAGE = "village"  # village name (Thôn page)
CRITERION = "criterion"  # criterion number (Tiêu chí page)
INDICATOR = "indicator"  # indicator code (Tiêu chí page)
PRESENT = "present"  # bool: presentation mode
PROVINCE = "province"  # Tỉnh: the province shown ("" = the communes with no province recorded)
PROVINCE_GROUP = "province_group"  # Tỉnh: the commune group filter ("" = all)
PROVINCE_REGION = "province_region"  # Tỉnh: the region filter ("" = all)
PROVINCE_COMMUNE = "province_commune"  # Tỉnh: the commune to open on Tổng quan
SLIDE = "slide"  # presentation mode: which chart of Tổng quan is on screen
USER = "user_name"  # who uploads (Nhập liệu)
UPLOADS = "pending_uploads"  # Nhập liệu: files read, waiting for confirmation
UPLOADER = "uploader"  # key of the file uploader widget (its number changes to empty it)
UPLOADER_ROUND = "uploader_round"
SAVED = "saved_outcomes"  # Nhập liệu: what the last confirmation stored
NAME_CHOICES = "name_choices"  # Nhập liệu: what held names are, by file sha256 (upload_flow)
RESTORE = "restore_candidate"  # Dữ liệu: revision id waiting for confirmation
DELETE = "delete_candidate"  # Dữ liệu: (revision id, reason) waiting for confirmation
FLASH = "flash"  # a message to show once on the next run

WIDGET_PREFIX = "w_"


def widget_key(key: str) -> str:
    return WIDGET_PREFIX + key


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value


def lang() -> str:
    value = st.session_state.get(LANG, "vi")
    return value if value in ("vi", "en") else "vi"


def presenting() -> bool:
    """Presentation mode: the toggle, or `?present=1` in the address."""
    if PRESENT not in st.session_state:
        st.session_state[PRESENT] = st.query_params.get("present") == "1"
    return bool(st.session_state[PRESENT])
