"""Write the bundled demo returns: data/demo/duong-quang-<year>.xlsx for 2021-2025.

DỮ LIỆU MINH HỌA — ILLUSTRATIVE DATA. Xã Dương Quang (thành phố Bắc Kạn, tỉnh Bắc Kạn; Trung du
và miền núi phía Bắc) and its nine villages are real; every value is synthetic, generated here
from a fixed seed to tell a plausible story of progress: most indicators improve every year, two
villages (Nà Cưởm, Phặc Tràng) lag on roads and sanitation, Bản Pẻn on housing, and a few
commune-wide facts (a cooperative, waste treatment, e-health records) arrive late.

Each workbook is the app's own template (`ntm.template`), filled in, so it is exactly what a
commune office would upload. Run: `.venv/bin/python scripts/make_demo_data.py`.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import pandas as pd
from ntm.template import build_template, fill_template

from ntm.criteria import CriteriaSet, Indicator, Part, get_set, pick_threshold
from ntm.values import make_values

COMMUNE = "Dương Quang"
REGION = "tdmnpb"
VILLAGES = [
    "Bản Giềng",
    "Quan Nưa",
    "Nà Rào",
    "Bản Bung",
    "Nà Dì",
    "Nà Ỏi",
    "Nà Cưởm",
    "Bản Pẻn",
    "Phặc Tràng",
]
YEARS = range(2021, 2026)
SET_ID = "vn-ntm-xa-2021-2025"
NOTE = "Dữ liệu minh họa (không phải số liệu thật) — illustrative data, not real figures"
OUT = Path(__file__).resolve().parents[1] / "data" / "demo"

# Households per village (about 863 in all, as the commune reports).
HOUSEHOLDS = dict(zip(VILLAGES, [112, 98, 104, 87, 95, 90, 93, 96, 88], strict=True))
# Villages that lag, by indicator family: how many points below the commune trend they start.
LAGGING = {
    "2.2": {"Nà Cưởm": 30, "Phặc Tràng": 22},
    "2.3": {"Nà Cưởm": 25, "Phặc Tràng": 15},
    "17.7": {"Phặc Tràng": 20, "Nà Cưởm": 12},
    "9.2": {"Bản Pẻn": 18},
    "17.1a": {"Nà Ỏi": 10},
}
# Commune-wide yes/no facts that are first met in the given year.
FIRST_MET = {"13.1": 2023, "17.6": 2024, "8.4": 2022, "13.3": 2025, "18.1": 2022, "14.3": 2023}
# Villages with a makeshift house (9.1) until the given year.
MAKESHIFT_UNTIL = {"Bản Pẻn": 2023, "Phặc Tràng": 2022}


def _threshold(part: Part, year: int) -> float | None:
    rule = pick_threshold(part.thresholds, REGION, year)
    if rule is None or rule.value is None or not rule.applies:
        return None
    return float(rule.value)


def _share(rng: random.Random, target: float, progress: float, lag: float, direction: str) -> float:
    """A share that moves towards (and past) its target as `progress` goes from 0 to 1."""
    if direction == "<=":
        value = target * (1.35 - 0.5 * progress) + lag * 0.3 + rng.uniform(-0.8, 0.8)
    else:
        start = target - 14 - lag
        value = start + (18 + lag * 0.7) * progress + rng.uniform(-1.5, 1.5)
    return round(min(100.0, max(0.0, value)), 1)


def _village_rows(
    rng: random.Random, ind: Indicator, part: Part, year: int, progress: float
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    target = _threshold(part, year)
    for village in VILLAGES:
        row: dict[str, object] = {"village": village, "code": part.code}
        if ind.aggregation == "share":
            # Villages reach the standard one after another; laggards last.
            rank = VILLAGES.index(village) / len(VILLAGES)
            late = 0.25 if village in ("Nà Cưởm", "Phặc Tràng") else 0.0
            row["value"] = 1.0 if rank * 0.6 + late <= 0.15 + progress * 0.7 else 0.0
        elif part.kind == "boolean":
            if part.code == "9.1":  # Decision 318 9.1: no makeshift house = met
                row["value"] = 1.0 if year <= MAKESHIFT_UNTIL.get(village, 0) else 0.0
            else:
                row["value"] = 1.0 if rng.random() < 0.6 + 0.4 * progress else 0.0
        elif part.kind == "percent":
            lag = LAGGING.get(part.code, {}).get(village, 0)
            if part.code == "11" or (target is None and part.direction == "<="):
                share = round(max(1.0, 11.5 - 7.0 * progress + lag * 0.1 + rng.uniform(-1, 1)), 1)
            else:
                share = _share(
                    rng, target if target is not None else 80.0, progress, lag, part.direction
                )
            denominator = HOUSEHOLDS[village]
            numerator = round(denominator * share / 100)
            row.update(
                value=round(100 * numerator / denominator, 1),
                numerator=numerator,
                denominator=denominator,
            )
        else:
            row["value"] = round((target or 1.0) * (0.9 + 0.25 * progress), 1)
        rows.append(row)
    return rows


def _commune_row(rng: random.Random, part: Part, year: int, progress: float) -> dict[str, object]:
    target = _threshold(part, year)
    row: dict[str, object] = {"village": None, "code": part.code}
    if part.code == "5a":
        row["value"] = 4.0  # schools in the commune (mầm non, tiểu học, THCS, TH&THCS)
    elif part.code in ("5b", "5c"):
        at_standard = min(4, 2 + (year - 2021) // 2) if part.code == "5c" else 4
        row.update(value=round(100 * at_standard / 4, 1), numerator=at_standard, denominator=4)
    elif part.kind == "boolean":
        required = _threshold(part, year)
        met = year >= FIRST_MET.get(part.code, 2021)
        answer = bool(required) if met else not bool(required if required is not None else 1)
        row["value"] = 1.0 if answer else 0.0
    elif part.kind == "money" or part.code == "10":
        row["value"] = round(36.5 + 4.6 * (year - 2021) + rng.uniform(-0.4, 0.4), 1)
    elif part.kind == "percent":
        if target is None:
            row["value"] = round(60 + 30 * progress, 1)
        else:
            row["value"] = _share(rng, target, progress, 0, part.direction)
    else:
        row["value"] = round((target or 2.0) * (0.85 + 0.35 * progress), 2)
    return row


def demo_values(crit: CriteriaSet) -> pd.DataFrame:
    rng = random.Random(20211)
    rows: list[dict[str, object]] = []
    for year in YEARS:
        progress = (year - YEARS.start) / (len(YEARS) - 1)
        for _, ind in crit.indicators():
            for part in ind.measured:
                if ind.scope == "village":
                    new = _village_rows(rng, ind, part, year, progress)
                else:
                    new = [_commune_row(rng, part, year, progress)]
                for row in new:
                    row.update(commune=COMMUNE, period=year)
                    if isinstance(row.get("value"), float) and math.isnan(row["value"]):  # type: ignore[arg-type]
                        row["value"] = None
                rows.extend(new)
    return make_values(rows)


def main() -> None:
    crit = get_set(SET_ID)
    values = demo_values(crit)
    OUT.mkdir(parents=True, exist_ok=True)
    for year in YEARS:
        workbook = build_template(COMMUNE, year, VILLAGES, crit, key=REGION, note=NOTE)
        fill_template(workbook, values[values["period"] == year])
        path = OUT / f"duong-quang-{year}.xlsx"
        workbook.save(path)
        print(f"wrote {path.relative_to(OUT.parents[1])}")


if __name__ == "__main__":
    main()
