"""Village (thôn/bản) criteria sets: a province's own set, judged on each village.

Village criteria are provincial, not national (criteria.md §1): Bắc Kạn's Decision 902/QĐ-UBND
(2021), then 1306/QĐ-UBND (2022-2025), has 16 criteria and "a village must meet all". Rules:

- A set with `level: village` never judges the commune as a whole (`criteria.set_for_year`).
- A commune names the village sets it follows (Cài đặt, `CommuneProfile.village_sets`); the
  one covering a year judges every village with data that year. Years no chosen set covers have
  no village-set assessment (the national village-scope indicators are still shown).
- A village sheet of a return may carry the codes of both sets. A code in both belongs to the
  commune set: `clashing_codes` lets Cài đặt refuse such a choice before it misleads anyone.
- Each village is judged on every indicator of the village set from its own values (the unit is
  the village: nothing is aggregated); an indicator it has no value for is missing. A village is
  at the village standard when all the set's criteria are met; a criterion with no indicators
  (an incomplete set, as shipped) is unknown, so no village reaches the standard until the
  official indicator table is imported.

The work is done by the commune engine (`ntm.attainment.assess`): each village is presented to it
as a commune of its own, then the results are mapped back to (commune, village).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ntm.attainment import Assessment, PartKeys, assess
from ntm.criteria import CriteriaSet, set_for_year, shipped_sets
from ntm.criteria_sheet import ROWS_SHEET
from ntm.errors import Code, NoCriteriaSetError, Problem
from ntm.returns import parse_code_text

# Joins commune and village into the name of the stand-in commune (a character no name has).
_SEP = "\x1f"
_FRAMES = ("parts", "indicators", "criteria", "units", "blockers")


def village_sets(sets: Iterable[CriteriaSet]) -> list[CriteriaSet]:
    """The village-level sets among `sets`, by id."""
    return sorted((s for s in sets if s.level == "village"), key=lambda s: s.id)


def chosen_sets(ids: Iterable[str], stored: Iterable[CriteriaSet] = ()) -> list[CriteriaSet]:
    """The sets named by `ids` (a commune's `village_sets`), each its stored revision when a user
    imported or edited it, else the shipped file; an id known to neither is left out."""
    known = {**shipped_sets(), **{s.id: s for s in stored}}
    return [known[i] for i in ids if i in known]


def overlaps(a: CriteriaSet, b: CriteriaSet) -> bool:
    """The two sets cover at least one year in common."""
    return a.years.first <= b.years.last and b.years.first <= a.years.last


def shown_codes(codes: Sequence[str], most: int = 10) -> str:
    """Codes as a message lists them: the first `most`, then "…"."""
    return ", ".join(codes[:most]) + (" …" if len(codes) > most else "")


def village_set_for(year: int, chosen: Sequence[CriteriaSet]) -> CriteriaSet | None:
    """The chosen village set covering `year`, ranked as `set_for_year` ranks sets (complete,
    then the most recent decision); None when none covers it."""
    try:
        return set_for_year(year, "village", chosen)
    except NoCriteriaSetError:
        return None


def clashing_codes(commune_set: CriteriaSet, village_set: CriteriaSet) -> list[str]:
    """Village-set codes a return could not tell from the commune set's: the same code, or one
    the reader's national pattern reads as a commune code when typed loosely ("TC4.1" is how
    staff write criterion 4.1, so "TC 4.1" on a village sheet would be taken for it)."""
    commune = set(commune_set.measured_codes()) | {ind.code for _, ind in commune_set.indicators()}
    found = []
    for code in village_set.measured_codes():
        parsed = parse_code_text(code)
        if code in commune or (parsed is not None and parsed[0] in commune):
            found.append(code)
    return sorted(found)


def clash_problems(crit: CriteriaSet, others: Iterable[CriteriaSet], file: str) -> list[Problem]:
    """An imported set's codes that a return could not tell from those of a set of the other
    level with overlapping years (a village set beside a commune set): one problem per such
    set, refused like any other criteria-sheet error."""
    found = []
    for other in sorted(others, key=lambda s: s.id):
        if other.id == crit.id or other.level == crit.level:
            continue
        if not overlaps(crit, other):
            continue
        pair = (crit, other) if crit.level == "commune" else (other, crit)
        codes = clashing_codes(*pair)
        if codes:
            detail = (
                f"Mã {shown_codes(codes)} trùng với bộ tiêu chí {other.id}: báo cáo của thôn sẽ "
                "không biết giá "
                "trị thuộc bộ nào. Đổi mã các chỉ tiêu thôn (ví dụ thêm chữ T: T4.1)."
            )
            found.append(
                Problem(Code.CRITERIA_SHEET_INVALID, file, ROWS_SHEET, "", {"detail": detail})
            )
    return found


def assess_villages(
    values: pd.DataFrame,
    chosen: Sequence[CriteriaSet],
    *,
    keys: Mapping[str, PartKeys] | None = None,
) -> Assessment:
    """Every village of `values` (rows with a village) judged on the chosen village set in force.

    The result has the shape of `ntm.attainment.Assessment`, with `village` always set; `sets`
    holds the village sets used. Values of the commune as a whole are not used.
    """
    village = values["village"]
    own = values[village.notna() & (village.astype(object) != "")].reset_index(drop=True)
    period = own["period"].astype("int64")
    frames: list[Assessment] = []
    problems: list[Problem] = []
    for year in sorted(pd.unique(period).tolist()):
        crit = village_set_for(int(year), chosen)
        if crit is None:
            continue
        rows = own[period.to_numpy() == year]
        result = assess(_as_communes(rows, crit), keys=_keys(rows, keys, crit), criteria=crit)
        frames.append(result)
        problems.extend(p for p in result.problems if p not in problems)
    if not frames:
        return _nothing(problems)
    merged = Assessment(
        **{
            name: pd.concat([getattr(f, name) for f in frames], ignore_index=True)
            for name in _FRAMES
        },
        sets={k: v for f in frames for k, v in f.sets.items()},
        problems=problems,
    )
    return _mapped(merged, problems)


def _as_communes(rows: pd.DataFrame, crit: CriteriaSet) -> pd.DataFrame:
    """Each village as a commune of its own, with a row (no value) for every code it lacks, so
    a village with none of the set's values is still listed, with its criteria unknown."""
    unit = rows["commune"].astype(str) + _SEP + rows["village"].astype(str)
    out = rows.assign(commune=unit, village=None)
    codes = list(crit.measured_codes())
    if not codes:
        return out
    present = pd.MultiIndex.from_arrays([out["commune"], out["period"], out["code"]])
    units = out[["commune", "period"]].drop_duplicates()
    grid = units.loc[units.index.repeat(len(codes))].assign(code=codes * len(units))
    wanted = pd.MultiIndex.from_frame(grid[["commune", "period", "code"]])
    lacking = grid[~wanted.isin(present)]
    if lacking.empty:
        return out
    filler = lacking.assign(village=None, value=np.nan, numerator=np.nan, denominator=np.nan)
    return pd.concat([out, filler.reindex(columns=out.columns)], ignore_index=True)


def _keys(
    rows: pd.DataFrame, keys: Mapping[str, PartKeys] | None, crit: CriteriaSet
) -> dict[str, PartKeys] | None:
    """A village takes its commune's region or group when the village set is keyed by it and
    knows it; otherwise the set's general thresholds (a province set seldom has the national
    regions: passing "tdmnpb" to Bắc Kạn's set would only report an unknown region)."""
    if not keys:
        return None
    known = set(crit.key_ids())
    out: dict[str, PartKeys] = {}
    pairs = rows[["commune", "village"]].drop_duplicates()
    for c, v in zip(pairs["commune"].astype(str), pairs["village"].astype(str), strict=True):
        entry = keys.get(c)
        key = entry if isinstance(entry, str) else (entry or {}).get(crit.keyed_by)
        if key in known:
            out[f"{c}{_SEP}{v}"] = str(key)
    return out


def _mapped(result: Assessment, problems: list[Problem]) -> Assessment:
    """The stand-in communes split back into (commune, village)."""
    for name in _FRAMES:
        frame = getattr(result, name)
        if "commune" not in frame or frame.empty:
            frame = frame.reindex(columns=list(dict.fromkeys([*frame.columns, "village"])))
            setattr(result, name, frame)
            continue
        split = frame["commune"].astype(str).str.split(_SEP, n=1, expand=True)
        frame = frame.copy()
        frame["commune"] = split[0].to_numpy(dtype=object)
        frame["village"] = pd.Series(split[1].to_numpy(dtype=object), index=frame.index)
        setattr(result, name, frame)
    result.problems = problems
    return result


def _nothing(problems: list[Problem]) -> Assessment:
    empty = pd.DataFrame(columns=["commune", "village", "period", "criteria_set"])
    return Assessment(
        parts=empty,
        indicators=empty.copy(),
        criteria=empty.copy(),
        units=empty.copy(),
        blockers=empty.copy(),
        sets={},
        problems=problems,
    )
