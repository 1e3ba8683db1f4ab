"""The Báo cáo page's one service: build an export of the commune and year on screen.

The figures, texts and layout are the core's (`ntm.exports`); this module only feeds it the
cached commune assessment Tổng quan reads (`services.commune_assessment`: the same view
models, provenance, data date and demo badge), turns failures into a message, and keeps the
last built file in the session so that the download button survives reruns. Building a deck
takes a few seconds (the first chart of a process also starts the chart browser, ~2 s).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from ntm.exports import (
    FORMATS,
    ExportFile,
    FontNotFoundError,
    ImageRenderError,
    NoDataError,
    commune_report,
    export,
)
from ntm.i18n import t
from ntm.ui import services

RESULT_KEY = "export_result"  # session state: the last BuiltExport


@dataclass(frozen=True)
class BuiltExport:
    """A file ready to download (or the reason it could not be made)."""

    commune: str
    year: int
    fmt: str
    lang: str
    file: ExportFile | None
    seconds: float
    error: str = ""


def format_label(fmt: str, lang: str) -> str:
    return t(f"export.format.{fmt}", lang)


def build(commune: str, year: int, fmt: str, lang: str) -> BuiltExport:
    """Build `fmt` for (commune, year); never raises on a known failure (no data, no browser,
    no font): the result then carries the message to show."""
    started = time.perf_counter()
    try:
        # The commune as Tổng quan has it (cached): the same view models, the same numbers.
        report = commune_report(services.commune_assessment(commune), int(year), lang=lang)
        file = export(report, fmt)
    except NoDataError as exc:
        return BuiltExport(commune, year, fmt, lang, None, 0.0, str(exc))
    except ImageRenderError as exc:
        return BuiltExport(
            commune, year, fmt, lang, None, 0.0, t("export.error.images", lang, detail=str(exc))
        )
    except FontNotFoundError as exc:
        return BuiltExport(
            commune, year, fmt, lang, None, 0.0, t("export.error.font", lang, detail=str(exc))
        )
    result = BuiltExport(commune, year, fmt, lang, file, round(time.perf_counter() - started, 1))
    st.session_state[RESULT_KEY] = result
    return result


def last(commune: str, year: int, fmt: str, lang: str) -> BuiltExport | None:
    """The file built earlier in this session for the same choices, if any."""
    result = st.session_state.get(RESULT_KEY)
    if isinstance(result, BuiltExport) and (
        result.commune,
        result.year,
        result.fmt,
        result.lang,
    ) == (commune, year, fmt, lang):
        return result
    return None


__all__ = ["FORMATS", "BuiltExport", "build", "format_label", "last"]
