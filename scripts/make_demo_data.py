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

from ntm.criteria import CriteriaSet, Indicator, Part, get_set, pick_threshold
from ntm.template import build_template, fill_template
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


def _year_met(rng: random.Random) -> int:
    """The year an indicator is first met: most were met before 2021, a few come later."""
    return rng.choices([2021, 2022, 2023, 2024, 2025], weights=[76, 10, 7, 5, 2])[0]


def _towards(
    target: float, year: int, year_met: int, margin: float, step: float, direction: str
) -> float:
    """A value that is `margin` past its target from `year_met` on, `step` short per year before."""
    shortfall = max(0, year_met - year) * step
    value = target - margin + shortfall if direction == "<=" else target + margin - shortfall
    return round(min(100.0, max(0.0, value)), 1)


class DemoCommune:
    """Seeded plans: when each indicator is met in each village and in the commune."""

    def __init__(self, crit: CriteriaSet, seed: int = 20211) -> None:
        self.rng = random.Random(seed)
        self.year_met: dict[tuple[str, str | None], int] = {}
        self.margin: dict[tuple[str, str | None], float] = {}
        for _, ind in crit.indicators():
            for part in ind.measured:
                base = _year_met(self.rng)
                self.year_met[(part.code, None)] = FIRST_MET.get(part.code, base)
                self.margin[(part.code, None)] = self.rng.uniform(1.5, 9.0)
                for village in VILLAGES:
                    lag_points = LAGGING.get(part.code, {}).get(village, 0)
                    lag_years = lag_points // 6
                    self.year_met[(part.code, village)] = min(2026, base + lag_years)
                    self.margin[(part.code, village)] = self.rng.uniform(0.5, 8.0)

    def village_rows(self, ind: Indicator, part: Part, year: int) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        target = _threshold(part, year)
        for village in VILLAGES:
            row: dict[str, object] = {"village": village, "code": part.code}
            met_from = self.year_met[(part.code, village)]
            if ind.aggregation == "share" or part.kind == "boolean":
                if part.code == "9.1":  # Decision 318 9.1: no makeshift house = met
                    row["value"] = 1.0 if year <= MAKESHIFT_UNTIL.get(village, 0) else 0.0
                else:
                    row["value"] = 1.0 if year >= met_from else 0.0
            elif part.kind == "percent":
                if target is None:  # e.g. poverty (11): falling, no threshold to aim at
                    share = max(1.0, 11.5 - 1.6 * (year - 2021) + self.rng.uniform(-1, 1))
                else:
                    share = _towards(
                        target,
                        year,
                        met_from,
                        self.margin[(part.code, village)],
                        6.0,
                        part.direction,
                    )
                denominator = HOUSEHOLDS[village]
                numerator = round(denominator * share / 100)
                row.update(
                    value=round(100 * numerator / denominator, 1),
                    numerator=numerator,
                    denominator=denominator,
                )
            else:
                row["value"] = round((target or 1.0) * (1.0 + 0.05 * (year - 2021)), 1)
            rows.append(row)
        return rows

    def commune_row(self, part: Part, year: int) -> dict[str, object]:
        target = _threshold(part, year)
        row: dict[str, object] = {"village": None, "code": part.code}
        met_from = self.year_met[(part.code, None)]
        if part.code == "5a":
            row["value"] = 4.0  # schools in the commune (mầm non, tiểu học, THCS, TH&THCS)
        elif part.code in ("5b", "5c"):
            at_standard = 4 if part.code == "5b" else (2 if year < 2023 else 3)
            row.update(value=round(100 * at_standard / 4, 1), numerator=at_standard, denominator=4)
        elif part.kind == "boolean":
            required = bool(target) if target is not None else True
            row["value"] = 1.0 if (year >= met_from) == required else 0.0
        elif part.kind == "money" or part.code == "10":
            # Income per person (million VND/year): no threshold known; a rising path.
            row["value"] = round(36.5 + 4.6 * (year - 2021) + self.rng.uniform(-0.4, 0.4), 1)
        elif part.kind == "percent":
            if target is None:
                row["value"] = round(60 + 7 * (year - 2021) + self.rng.uniform(-1, 1), 1)
            else:
                row["value"] = _towards(
                    target, year, met_from, self.margin[(part.code, None)], 5.0, part.direction
                )
        else:
            row["value"] = round((target or 2.0) * (0.9 + 0.08 * (year - 2021)), 2)
        return row


def demo_values(crit: CriteriaSet) -> pd.DataFrame:
    plan = DemoCommune(crit)
    rows: list[dict[str, object]] = []
    for year in YEARS:
        for _, ind in crit.indicators():
            for part in ind.measured:
                if ind.scope == "village":
                    new = plan.village_rows(ind, part, year)
                else:
                    new = [plan.commune_row(part, year)]
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
