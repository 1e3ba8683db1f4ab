"""The decision's annex table, loaded as published (issue 16 item 4): Word, Excel or a text PDF.

    kind = file_kind("phu-luc-I.docx", data)          # "annex" | "criteria_sheet"
    draft, problems = read_annex(data, "phu-luc-I.docx", set_id="vn-ntm-xa-2026-2030",
                                 candidates=shipped_sets().values())

`read_annex` finds the criteria table (ntm.annex.layout), reads every threshold cell as printed
(ntm.annex.thresholds) and returns a DRAFT (ntm.annex.draft): nothing judges with it until a
person has looked at the flagged cells and approved it. The set it is based on gives the header
fields and the regions or groups: `based_on` when given, else the candidate whose region or
group names the table's columns match best (ties: the set with `set_id`, then the newest).
No streamlit, no database here.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable
from pathlib import PurePath

from ntm.annex.draft import AnnexDraft, SourceDocument
from ntm.annex.grid import Grid, UnreadableDocument, grids_of
from ntm.annex.layout import key_columns, read_tables
from ntm.criteria import CriteriaSet
from ntm.criteria_sheet import ROWS_SHEET
from ntm.errors import Code, Problem

ANNEX, CRITERIA_SHEET = "annex", "criteria_sheet"
SUFFIXES = (".docx", ".xlsx", ".pdf")


def file_kind(filename: str, data: bytes) -> str | None:
    """ "criteria_sheet" for the app's own criteria workbook (ntm.criteria_sheet, a sheet named
    "Chỉ tiêu"), "annex" for a decision's table (.docx, .pdf, any other .xlsx), else None."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".docx", ".pdf"):
        return ANNEX
    if suffix != ".xlsx":
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError):
        return CRITERIA_SHEET  # let the sheet reader say what is wrong with it
    return CRITERIA_SHEET if f'name="{ROWS_SHEET}"' in workbook else ANNEX


def _problem(code: Code, filename: str, cell: str = "", **params: object) -> Problem:
    return Problem(code, filename, "", cell, dict(params))


def choose_base(
    grids: list[Grid], set_id: str, candidates: Iterable[CriteriaSet]
) -> CriteriaSet | None:
    ranked = sorted(
        (s for s in candidates if s.level == "commune" or s.id == set_id),
        key=lambda s: (key_columns(grids, s.keys), s.id == set_id, s.legal_basis.date),
        reverse=True,
    )
    return ranked[0] if ranked and key_columns(grids, ranked[0].keys) else None


def read_annex(
    data: bytes,
    filename: str,
    *,
    set_id: str,
    candidates: Iterable[CriteriaSet] = (),
    based_on: CriteriaSet | None = None,
) -> tuple[AnnexDraft | None, list[Problem]]:
    """The draft read from an annex document, or None and the problems that stop it."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        return None, [_problem(Code.ANNEX_UNREADABLE, filename, detail=suffix or filename)]
    try:
        grids = grids_of(data, suffix)
    except UnreadableDocument as exc:
        return None, [_problem(Code.ANNEX_UNREADABLE, filename, detail=str(exc))]
    base = based_on or choose_base(grids, set_id, candidates)
    if base is None:
        return None, [_problem(Code.ANNEX_NO_TABLE, filename)]
    read = read_tables(grids, list(base.keys))
    problems = [
        _problem(Code.ANNEX_UNKNOWN_COLUMN, filename, where.ref, header=text, set_id=base.id)
        for text, where in read.unknown_columns
    ]
    if not read.found_header or not read.indicators:
        problems.append(_problem(Code.ANNEX_NO_TABLE, filename))
    if problems:
        return None, problems
    draft = AnnexDraft(
        set_id=set_id,
        based_on=base.id,
        keyed_by=base.keyed_by,
        source=SourceDocument(
            filename=filename,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            format=suffix.lstrip("."),
        ),
        criteria=read.criteria,
        indicators=read.indicators,
        cells=read.cells,
        skipped=read.skipped,
    )
    warnings = [
        Problem(
            Code.ANNEX_ROW_SKIPPED,
            filename,
            "",
            row.where.ref,
            {"text": row.text[:120], "reason": row.reason},
        )
        for row in read.skipped
    ]
    return draft, warnings
