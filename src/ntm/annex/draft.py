"""The annex as a DRAFT: every threshold beside the text it was read from, until a person approves.

An `AnnexDraft` is what the parser read: the criteria and indicators of the table and one
`DraftCell` per printed threshold (indicator × column), with its source text, where it was
printed and its status:

- `parsed`: read as printed (direction, value, kind, unit);
- `flagged`: not understood ("100% (50% cứng hóa)"): a person must say what it means;
- `corrected`: a person typed the threshold (`correction`, who, when); the source text stays.

`build_set` turns a draft into a `CriteriaSet` (header fields from the set it is based on).
Before approval the thresholds are unverified and name the draft; `approve` refuses while any
cell is flagged, and gives every threshold `verified: true` with a source naming the document
and its sha256. Nothing here touches a database (ntm.storage.drafts stores drafts).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ntm.annex.thresholds import FLAGGED, PARSED, Reading, clean, read_threshold
from ntm.criteria import GENERAL_KEY, CriteriaSet, parse_set

CellStatus = Literal["parsed", "flagged", "corrected"]
CORRECTED: CellStatus = "corrected"
TO_SUPPLY = {"cần bổ sung", "to be supplied"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Place(_Model):
    table: int
    row: int
    column: int
    page: int | None = None
    sheet: str | None = None
    ref: str


class DraftCell(_Model):
    code: str
    key: str | None  # None: chỉ tiêu chung (the general column)
    column: str  # the column's printed header: "Chỉ tiêu chung", "TDMNPB", "Nhóm 1"
    text: str  # the cell as printed
    where: Place
    status: CellStatus
    direction: str | None = None
    value: float | bool | None = None
    kind: str | None = None
    unit: str = ""
    applies: bool = True
    reason: str = ""  # why it was flagged (ntm.annex.thresholds.REASONS, or a consistency code)
    correction: str = ""  # what the person typed
    corrected_by: str = ""
    corrected_at: str = ""

    def reading(self) -> Reading:
        return Reading(
            FLAGGED if self.status == FLAGGED else PARSED,
            self.direction,
            self.value,
            self.kind,
            self.unit,
            self.applies,
            self.reason,
        )


class DraftIndicator(_Model):
    criterion: str
    code: str
    name: str
    where: Place


class DraftCriterion(_Model):
    number: str
    name: str


class SkippedRow(_Model):
    """A body row that was not read as an indicator (shown to the person, never dropped)."""

    where: Place
    text: str
    reason: str  # no_code, duplicate_code, no_criterion


class SourceDocument(_Model):
    filename: str
    sha256: str
    size: int
    format: str  # docx, xlsx, pdf


class AnnexDraft(_Model):
    set_id: str
    based_on: str
    keyed_by: str
    source: SourceDocument
    criteria: list[DraftCriterion]
    indicators: list[DraftIndicator]
    cells: list[DraftCell]
    skipped: list[SkippedRow] = []


def cell_from(
    code: str, key: str | None, column: str, text: str, where: Place, reading: Reading
) -> DraftCell:
    return DraftCell(
        code=code,
        key=key,
        column=column,
        text=text,
        where=where,
        status=reading.status,
        direction=reading.direction,
        value=reading.value,
        kind=reading.kind,
        unit=reading.unit,
        applies=reading.applies,
        reason=reading.reason,
    )


# --- consistency and counts -------------------------------------------------------------------


def _usual(cells: list[DraftCell], field: str) -> Any:
    """The value of `field` most cells of an indicator agree on (the general column first)."""
    values = [getattr(c, field) for c in cells if c.status != FLAGGED and c.applies]
    if not values:
        return None
    general = [getattr(c, field) for c in cells if c.key is None and c.status != FLAGGED]
    counts = Counter(values)
    best = max(counts.values())
    if general and counts[general[0]] == best:
        return general[0]
    return next(v for v in values if counts[v] == best)


def check_consistency(cells: list[DraftCell]) -> list[DraftCell]:
    """Flag parsed cells whose kind, direction or unit differs from their indicator's others."""
    by_code: dict[str, list[DraftCell]] = {}
    for cell in cells:
        by_code.setdefault(cell.code, []).append(cell)
    out = []
    for cell in cells:
        if cell.status == PARSED and cell.applies:
            mine = by_code[cell.code]
            for field in ("kind", "direction", "unit"):
                if getattr(cell, field) != _usual(mine, field):
                    cell = cell.model_copy(update={"status": FLAGGED, "reason": f"{field}_differs"})
                    break
        out.append(cell)
    return out


def counts(draft: AnnexDraft) -> dict[str, int]:
    tally = Counter(c.status for c in draft.cells)
    return {
        "criteria_count": len(draft.criteria),
        "indicator_count": len(draft.indicators),
        "cells": len(draft.cells),
        "parsed": tally["parsed"],
        "flagged": tally["flagged"],
        "corrected": tally["corrected"],
        "skipped_rows": len(draft.skipped),
    }


def flagged(draft: AnnexDraft) -> list[tuple[int, DraftCell]]:
    return [(i, c) for i, c in enumerate(draft.cells) if c.status == FLAGGED]


# --- a person's correction --------------------------------------------------------------------


class CorrectionError(ValueError):
    """The typed threshold cannot be used: `reason` is a stable code."""

    def __init__(self, reason: str, text: str):
        self.reason, self.text = reason, text
        super().__init__(f"{reason}: {text!r}")


def correct(
    draft: AnnexDraft, index: int, text: str, user: str, at: dt.datetime | None = None
) -> AnnexDraft:
    """Cell `index` as a person reads it: `text` is parsed like a printed cell ("≥ 70%",
    "Đạt", "không áp dụng", "cần bổ sung" for a value the user supplies later). The printed
    text is kept. CorrectionError when the text is flagged too, or its kind or direction
    differs from the indicator's other cells."""
    cell = draft.cells[index]
    typed = clean(text)
    content = next((i.name for i in draft.indicators if i.code == cell.code), "")
    if typed.lower() in TO_SUPPLY:
        reading: Reading | None = Reading(PARSED, cell.direction, None, cell.kind, cell.unit)
    else:
        reading = read_threshold(typed, content)
    if reading is None:
        raise CorrectionError("empty", typed)
    if reading.flagged:
        raise CorrectionError(reading.reason, typed)
    others = [c for i, c in enumerate(draft.cells) if c.code == cell.code and i != index]
    for field in ("kind", "direction"):
        usual = _usual(others, field)
        mine = getattr(reading, field)
        if reading.applies and mine is not None and usual is not None and mine != usual:
            raise CorrectionError(f"{field}_differs", typed)
    fixed = cell_from(cell.code, cell.key, cell.column, cell.text, cell.where, reading)
    fixed = fixed.model_copy(
        update={
            "status": CORRECTED,
            "kind": reading.kind or _usual(others, "kind"),
            "direction": reading.direction or _usual(others, "direction"),
            "unit": reading.unit if reading.kind else (_usual(others, "unit") or ""),
            "correction": typed,
            "corrected_by": user,
            "corrected_at": (at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        }
    )
    cells = list(draft.cells)
    cells[index] = fixed
    return draft.model_copy(update={"cells": cells})


# --- the criteria set -------------------------------------------------------------------------


class Approval(_Model):
    user: str
    at: dt.datetime


class NotReady(ValueError):
    """Approval refused: cells are still flagged."""

    def __init__(self, cells: list[tuple[int, DraftCell]]):
        self.cells = cells
        codes = ", ".join(f"{c.code} ({c.column})" for _, c in cells[:10])
        super().__init__(f"{len(cells)} ô chưa được người xem và sửa: {codes}")


def source_text(draft: AnnexDraft, base: CriteriaSet, approved: bool) -> str:
    doc = draft.source
    decision = f"{base.legal_basis.decision} {base.legal_basis.annex}".strip()
    if approved:
        return f"{decision}: {doc.filename} (sha256 {doc.sha256})"
    return f"{decision}: bản nháp đọc từ {doc.filename}, chưa duyệt"


def _kind_from_content(name: str) -> str:
    return "percent" if "tỷ lệ" in name.lower() else "number"


def _rules(cells: list[DraftCell], verified: bool, source: str) -> list[dict[str, Any]]:
    usable = [c for c in cells if c.status != FLAGGED]
    general = next((c for c in usable if c.key is None), None)
    rules = []
    for cell in usable:
        same = general is not None and (cell.value, cell.applies) == (
            general.value,
            general.applies,
        )
        if same and cell is not general:
            continue  # the general rule already says it for this column
        rule: dict[str, Any] = {"value": cell.value, "verified": verified, "source": source}
        if cell.key not in (None, GENERAL_KEY):
            rule["key"] = cell.key
        if not cell.applies:
            rule = {**rule, "applies": False, "value": None}
        rules.append(rule)
    return rules


def build_set(
    draft: AnnexDraft, base: CriteriaSet, approval: Approval | None = None
) -> CriteriaSet:
    """The criteria set the draft stands for (CriteriaError when it breaks the schema).

    Header fields (title, legal basis, years, keys) come from `base`; an indicator the base set
    also has (same code, same kind, no parts) keeps its scope, aggregation, English name (when
    the Vietnamese one is the same) and note. Flagged cells give no threshold."""
    source = source_text(draft, base, approval is not None)
    base_criteria = {c.number: c for c in base.criteria}
    indicators: dict[str, list[dict[str, Any]]] = {c.number: [] for c in draft.criteria}
    for ind in draft.indicators:
        cells = [c for c in draft.cells if c.code == ind.code]
        kind = _usual(cells, "kind") or _kind_from_content(ind.name)
        direction = "==" if kind == "boolean" else (_usual(cells, "direction") or ">=")
        entry: dict[str, Any] = {
            "code": ind.code,
            "name": {"vi": ind.name, "en": ""},
            "unit": "" if kind == "boolean" else (_usual(cells, "unit") or ""),
            "kind": kind,
            "direction": direction,
            "thresholds": _rules(cells, approval is not None, source),
        }
        old = base.indicator(ind.code)
        if old is not None and not old.parts and old.kind == kind:
            entry.update(scope=old.scope, aggregation=old.aggregation, note=old.note)
            if clean(old.name.vi).lower() == clean(ind.name).lower():
                entry["name"]["en"] = old.name.en
        indicators.setdefault(ind.criterion, []).append(entry)
    criteria = []
    for crit in draft.criteria:
        old_crit = base_criteria.get(crit.number)
        english = old_crit.name.en if old_crit and old_crit.name.vi == crit.name else ""
        criteria.append(
            {
                "number": crit.number,
                "name": {
                    "vi": crit.name or (old_crit.name.vi if old_crit else crit.number),
                    "en": english,
                },
                "indicators": indicators[crit.number],
            }
        )
    found = len(draft.indicators)
    expected = base.expected_indicators
    complete = expected is None or found == expected
    document = {
        **base.model_dump(
            mode="json", exclude={"revision", "criteria", "id", "complete", "missing"}
        ),
        "id": draft.set_id,
        "complete": complete,
        "missing": []
        if complete
        else [f"Phụ lục đọc được {found}/{expected} chỉ tiêu ({draft.source.filename})."],
        "criteria": criteria,
    }
    return parse_set(document, draft.source.filename)


def approve(draft: AnnexDraft, base: CriteriaSet, approval: Approval) -> CriteriaSet:
    """The set to store on approval; NotReady while any cell is flagged."""
    waiting = flagged(draft)
    if waiting:
        raise NotReady(waiting)
    return build_set(draft, base, approval)
