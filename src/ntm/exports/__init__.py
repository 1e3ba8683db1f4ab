"""Meeting exports (issue 6): chart images, slide deck, PDF report and Excel tables.

    report = build_report(assessment, "Dương Quang", 2025)      # or report_from_store(store, …)
    file = export(report, "pptx")                                 # ExportFile(name, data, mime)

`report.py` gathers what every format needs (the Report in `model.py`, built from the
`ntm.views` models Tổng quan shows in `build.py`, charts in `figures.py`, from the database in
`provenance.py`); `images.py` draws plotly figures through kaleido
with a bounded time per image; `pptx.py`, `pdf.py`, `xlsx.py` lay the same content out.
Core code: nothing here imports streamlit (the Báo cáo page calls `ntm.ui.exports_service`).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from ntm.exports.fonts import FontNotFoundError
from ntm.exports.images import ImageRenderError
from ntm.exports.report import (
    NoDataError,
    Report,
    build_report,
    commune_report,
    report_from_store,
)

FORMATS = ("pptx", "pdf", "xlsx", "png")
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "application/zip",
}

__all__ = [
    "FORMATS",
    "MIME",
    "ExportFile",
    "FontNotFoundError",
    "ImageRenderError",
    "NoDataError",
    "Report",
    "build_report",
    "commune_report",
    "export",
    "png_zip",
    "progress_png",
    "report_from_store",
]


@dataclass(frozen=True)
class ExportFile:
    name: str
    data: bytes
    mime: str


def png_zip(report: Report, *, print_copy: bool = True) -> bytes:
    """Every chart as PNG (1920 × 1080, and 2× for print) in one .zip."""
    from ntm.exports.images import chart_images

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in chart_images(report, print_copy=print_copy):
            info = zipfile.ZipInfo(name, date_time=report.generated.timetuple()[:6])
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()


def progress_png(report: Report) -> bytes:
    """The progress chart alone as a PNG (1920 × 1080), with its title, source and footnote."""
    from ntm.exports.images import figure_png

    return figure_png(report.progress_figure(large=True).figure, footnote=report.footnote)


def export(report: Report, fmt: str) -> ExportFile:
    """`report` in format `fmt` (pptx, pdf, xlsx, or png: a .zip of every chart)."""
    if fmt == "pptx":
        from ntm.exports.pptx import build_pptx

        data = build_pptx(report)
    elif fmt == "pdf":
        from ntm.exports.pdf import build_pdf

        data = build_pdf(report)
    elif fmt == "xlsx":
        from ntm.exports.xlsx import build_xlsx

        data = build_xlsx(report)
    elif fmt == "png":
        data = png_zip(report)
        return ExportFile(report.filename("zip").replace(".zip", "-bieu-do.zip"), data, MIME[fmt])
    else:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return ExportFile(report.filename(fmt), data, MIME[fmt])
