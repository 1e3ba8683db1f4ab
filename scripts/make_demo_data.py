"""Write the bundled demo returns (data/demo/): xã Phong Quang, tỉnh Thái Nguyên, and the two
communes it was formed from on 1 July 2025.

DỮ LIỆU MINH HỌA — ILLUSTRATIVE DATA. Every value is synthetic, generated here from fixed seeds.

- **Dương Quang** (until 30 Jun 2025 in thành phố Bắc Kạn, tỉnh Bắc Kạn; Trung du và miền núi
  phía Bắc) and its nine villages are real; its returns for 2021-2025 tell a plausible story of
  progress: most indicators improve every year, two villages (Nà Cưởm, Phặc Tràng) lag on roads
  and sanitation, Bản Pẻn on housing, and a few commune-wide facts (a cooperative, waste
  treatment, e-health records) arrive late. (Unchanged since the first demo: same seed, same
  numbers.)
- **Đôn Phong** is real, but its villages' names could not be read from any source here, so
  they are **generic, not real**: "Thôn 1" … "Thôn 8". Returns for 2021-2025 with a story of
  their own (Thôn 6 and Thôn 8 lag on roads, Thôn 3 on housing).
- **Phong Quang** (formed 1 Jul 2025 from the two; the register records which predecessor each
  of its 17 villages came from) has its 2026 return. The set in force for 2026,
  vn-ntm-xa-2026-2030 (Decision 51/2025/QĐ-TTg), ships without its 47 indicators, which could
  not be read from any source here, and none may be invented. Its template has no indicator row,
  so a 2026 return can carry no value under it. The demo's 2026 return is therefore what an
  office keeps doing until the official table arrives: the 2021-2025 form (its "Bộ tiêu chí" row
  says vn-ntm-xa-2021-2025), filled with 2026 figures. The reader keeps those values under the
  2021-2025 codes and says so (`read_on_stated_set`); the assessment judges 2026 on
  vn-ntm-xa-2026-2030, which knows none of those codes: every one of its 10 criteria is "not
  judged", the set is reported incomplete, and the missing commune group is reported
  (`commune_group_missing`: Phong Quang's official group is not known here, so none is set).

Each workbook is the app's own template (`ntm.template`), filled in, so it is exactly what a
commune office would upload. Run: `make demo-data` (or `.venv/bin/python
scripts/make_demo_data.py`). The communes' profiles and the village lineage are in
data/demo/communes.yaml (written by hand, read by `ntm.demo.seed`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ntm.criteria import CriteriaSet, Indicator, Part, get_set, pick_threshold
from ntm.template import build_template, fill_template
from ntm.values import make_values

REGION = "tdmnpb"  # Bắc Kạn and Thái Nguyên are both in Trung du và miền núi phía Bắc
YEARS = range(2021, 2026)
SET_ID = "vn-ntm-xa-2021-2025"
NOTE = "Dữ liệu minh họa (không phải số liệu thật) — illustrative data, not real figures"
NOTE_GENERIC = (
    "Dữ liệu minh họa; tên thôn là tên chung (Thôn 1 … Thôn 8), không phải tên thật — "
    "illustrative data; the village names are generic, not real"
)
NOTE_2026 = (
    "Dữ liệu minh họa, năm 2026 ghi theo mẫu 2021-2025 vì bộ tiêu chí 2026-2030 chưa có chỉ "
    "tiêu (không được đánh giá); thôn của Đôn Phong mang tên chung, không phải tên thật — "
    "illustrative data; 2026 on the 2021-2025 form (not judged); Đôn Phong's village names "
    "are generic"
)
OUT = Path(__file__).resolve().parents[1] / "data" / "demo"
MERGED = "Phong Quang"
MERGER_YEAR = 2026  # the first year of Phong Quang's own returns


@dataclass(frozen=True)
class Story:
    """One commune's synthetic plan: its villages and households, who lags on what, and the
    commune-wide facts first met late."""

    commune: str
    slug: str
    villages: Sequence[str]
    households: Sequence[int]
    seed: int
    note: str = NOTE
    # Villages that lag, by indicator: how many points below the commune trend they start.
    lagging: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    # Commune-wide yes/no facts that are first met in the given year.
    first_met: Mapping[str, int] = field(default_factory=dict)
    # Villages with a makeshift house (9.1) until the given year.
    makeshift_until: Mapping[str, int] = field(default_factory=dict)


DUONG_QUANG = Story(
    commune="Dương Quang",
    slug="duong-quang",
    villages=(
        "Bản Giềng",
        "Quan Nưa",
        "Nà Rào",
        "Bản Bung",
        "Nà Dì",
        "Nà Ỏi",
        "Nà Cưởm",
        "Bản Pẻn",
        "Phặc Tràng",
    ),
    # About 863 households in all, as the commune reported.
    households=(112, 98, 104, 87, 95, 90, 93, 96, 88),
    seed=20211,
    lagging={
        "2.2": {"Nà Cưởm": 30, "Phặc Tràng": 22},
        "2.3": {"Nà Cưởm": 25, "Phặc Tràng": 15},
        "17.7": {"Phặc Tràng": 20, "Nà Cưởm": 12},
        "9.2": {"Bản Pẻn": 18},
        "17.1a": {"Nà Ỏi": 10},
    },
    first_met={"13.1": 2023, "17.6": 2024, "8.4": 2022, "13.3": 2025, "18.1": 2022, "14.3": 2023},
    makeshift_until={"Bản Pẻn": 2023, "Phặc Tràng": 2022},
)
# Generic names: Đôn Phong's real village names could not be read from any source here.
DON_PHONG = Story(
    commune="Đôn Phong",
    slug="don-phong",
    villages=tuple(f"Thôn {n}" for n in range(1, 9)),
    households=(84, 91, 77, 102, 69, 88, 73, 95),
    seed=20212,
    note=NOTE_GENERIC,
    lagging={
        "2.2": {"Thôn 6": 28, "Thôn 8": 18},
        "2.3": {"Thôn 6": 20},
        "17.7": {"Thôn 8": 14},
        "9.2": {"Thôn 3": 16},
    },
    first_met={"13.1": 2024, "17.6": 2025, "8.4": 2023, "18.1": 2023, "14.3": 2024},
    makeshift_until={"Thôn 3": 2024},
)
PREDECESSORS = (DUONG_QUANG, DON_PHONG)


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

    def __init__(self, crit: CriteriaSet, story: Story = DUONG_QUANG) -> None:
        self.story = story
        self.households = dict(zip(story.villages, story.households, strict=True))
        self.rng = random.Random(story.seed)
        self.year_met: dict[tuple[str, str | None], int] = {}
        self.margin: dict[tuple[str, str | None], float] = {}
        for _, ind in crit.indicators():
            for part in ind.measured:
                base = _year_met(self.rng)
                self.year_met[(part.code, None)] = story.first_met.get(part.code, base)
                self.margin[(part.code, None)] = self.rng.uniform(1.5, 9.0)
                for village in story.villages:
                    lag_points = story.lagging.get(part.code, {}).get(village, 0)
                    lag_years = lag_points // 6
                    self.year_met[(part.code, village)] = min(2026, base + lag_years)
                    self.margin[(part.code, village)] = self.rng.uniform(0.5, 8.0)

    def village_rows(self, ind: Indicator, part: Part, year: int) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        target = _threshold(part, year)
        for village in self.story.villages:
            row: dict[str, object] = {"village": village, "code": part.code}
            met_from = self.year_met[(part.code, village)]
            if ind.aggregation == "share" or part.kind == "boolean":
                if part.code == "9.1":  # Decision 318 9.1: no makeshift house = met
                    until = self.story.makeshift_until.get(village, 0)
                    row["value"] = 1.0 if year <= until else 0.0
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
                denominator = self.households[village]
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

    def year_rows(self, crit: CriteriaSet, year: int, *, whole: bool = True) -> list[dict]:
        """Every value of one year: the villages', and the commune's as a whole if `whole`."""
        rows: list[dict[str, object]] = []
        for _, ind in crit.indicators():
            for part in ind.measured:
                if ind.scope == "village":
                    new = self.village_rows(ind, part, year)
                elif whole:
                    new = [self.commune_row(part, year)]
                else:
                    continue
                for row in new:
                    if isinstance(row.get("value"), float) and math.isnan(row["value"]):  # type: ignore[arg-type]
                        row["value"] = None
                rows.extend(new)
        return rows


def demo_values(crit: CriteriaSet, story: Story = DUONG_QUANG) -> pd.DataFrame:
    """A predecessor's values for 2021-2025."""
    plan = DemoCommune(crit, story)
    rows = []
    for year in YEARS:
        for row in plan.year_rows(crit, year):
            rows.append({**row, "commune": story.commune, "period": year})
    return make_values(rows)


def merged_values(crit: CriteriaSet) -> pd.DataFrame:
    """Phong Quang's 2026 values: each village continues its predecessor's story (the plans run
    on a year past 2025); the commune-wide values are Phong Quang's own (its own seed), not a
    sum of its predecessors'."""
    rows: list[dict[str, object]] = []
    for story in PREDECESSORS:
        plan = DemoCommune(crit, story)
        for year in YEARS:  # the seeded draws of 2021-2025 first, as in their own returns
            plan.year_rows(crit, year)
        rows += plan.year_rows(crit, MERGER_YEAR, whole=False)
    whole = DemoCommune(crit, _merged_story())
    rows += [r for r in whole.year_rows(crit, MERGER_YEAR) if r["village"] is None]
    return make_values([{**r, "commune": MERGED, "period": MERGER_YEAR} for r in rows])


def _merged_story() -> Story:
    villages = tuple(v for s in PREDECESSORS for v in s.villages)
    households = tuple(h for s in PREDECESSORS for h in s.households)
    return Story(MERGED, "phong-quang", villages, households, seed=20261, note=NOTE_2026)


def _write(crit: CriteriaSet, story: Story, year: int, values: pd.DataFrame) -> None:
    workbook = build_template(
        story.commune, year, list(story.villages), crit, key=REGION, note=story.note
    )
    fill_template(workbook, values[values["period"] == year])
    path = OUT / f"{story.slug}-{year}.xlsx"
    workbook.save(path)
    print(f"wrote {path.relative_to(OUT.parents[1])}")


def main() -> None:
    crit = get_set(SET_ID)
    OUT.mkdir(parents=True, exist_ok=True)
    for story in PREDECESSORS:
        values = demo_values(crit, story)
        for year in YEARS:
            _write(crit, story, year, values)
    # 2026 on the 2021-2025 form: the module docstring says why.
    _write(crit, _merged_story(), MERGER_YEAR, merged_values(crit))


if __name__ == "__main__":
    main()
