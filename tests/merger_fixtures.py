"""A merged commune built through the Store API (issue 16), independent of the bundled demo.

Xã Phong Quang (Thái Nguyên) formed on 1 Jul 2025 from Dương Quang and Đôn Phong. The returns
are small JSON documents (`storage_fixtures.json_reader`), stored as any upload is; once stored,
the app, the exports and `ntm report` read them like any other values. Values, visible here so
the tests' expected numbers can be checked by hand (2021-2025 set, Decision 318; criteria 1
(1.1 and 1.2), 7 and 19 (19.1 and 19.2) are yes/no facts of the commune; every other criterion
has no value, so it is unknown):

| commune      | year | 1.1 | 1.2 | 7 | 19.1 | 19.2 | criteria met |
|--------------|------|-----|-----|---|------|------|--------------|
| Dương Quang  | 2024 | có  | có  | có| có   | không| 2/19 (1, 7)  |
| Dương Quang  | 2025 | có  | có  | có| có   | có   | 3/19 (1,7,19)|
| Đôn Phong    | 2024 | có  | không| có| —   | —    | 1/19 (7)     |
| Đôn Phong    | 2025 | có  | có  | có| —    | —    | 2/19 (1, 7)  |

Phong Quang's 2026 return holds one value: 2026 is judged on Decision 51/2025's 10 criteria.
The shipped file has none of its 47 indicators, and a value for a code the set does not know is
not stored, so the database gets a revision of that set with ONE made-up test indicator "1.T"
under criterion 1, with no threshold (`value: null`, to be supplied): nothing is invented, and
Phong Quang 2026 is 0/10 met (criterion 1 "Chưa có ngưỡng", the others "Thiếu dữ liệu").
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from storage_fixtures import json_reader

from ntm.criteria import get_set
from ntm.storage import CommuneProfile, Store

SUCCESSOR = "Phong Quang"
MERGED_ON = dt.date(2025, 7, 1)
NEW_SET = "vn-ntm-xa-2026-2030"
RETURNS: dict[str, dict[int, dict[str, float]]] = {
    "Dương Quang": {
        2024: {"1.1": 1, "1.2": 1, "7": 1, "19.1": 1, "19.2": 0},
        2025: {"1.1": 1, "1.2": 1, "7": 1, "19.1": 1, "19.2": 1},
    },
    "Đôn Phong": {
        2024: {"1.1": 1, "1.2": 0, "7": 1},
        2025: {"1.1": 1, "1.2": 1, "7": 1},
    },
    SUCCESSOR: {2026: {"1.T": 1}},
}


def return_bytes(commune: str, period: int, values: dict[str, float]) -> bytes:
    rows = [
        {"village": None, "code": code, "value": float(v), "sheet": "Toàn xã", "cell": f"D{5 + i}"}
        for i, (code, v) in enumerate(values.items())
    ]
    doc = {"commune": commune, "period": period, "region": None, "rows": rows}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def new_set_with_test_indicator() -> object:
    """The shipped 2026-2030 set with one test indicator "1.T" (no threshold) under criterion 1."""
    shipped = get_set(NEW_SET)
    doc = shipped.model_dump(mode="json", exclude={"revision"})
    doc["criteria"][0]["indicators"] = [
        {
            "code": "1.T",
            "name": {"vi": "Chỉ tiêu thử (kiểm thử, không phải chỉ tiêu thật)", "en": "Test only"},
            "unit": "",
            "kind": "boolean",
            "direction": "==",
            "thresholds": [{"value": None, "verified": False, "source": "tests/merger_fixtures"}],
        }
    ]
    return type(shipped).model_validate(doc)


def build(
    url: str,
    *,
    predecessors: Sequence[str] = ("Dương Quang", "Đôn Phong"),
    empty: Sequence[str] = (),
    successor_set: str | None = None,
    regions: dict[str, str] | None = None,
) -> str:
    """The database at `url`: `predecessors` (with their returns) and `empty` (no return) merged
    into Phong Quang on 1 Jul 2025, and Phong Quang's 2026 return. `successor_set`: the set
    Phong Quang's profile names (None: the set in force each year)."""
    regions = regions or {}
    with Store(url, reader=json_reader) as store:
        store.migrate()
        store.save_criteria_set(new_set_with_test_indicator())  # type: ignore[arg-type]
        for name in [*predecessors, *empty]:
            store.save_commune(
                CommuneProfile(name, region=regions.get(name, "tdmnpb"), province="Thái Nguyên")
            )
        for name in predecessors:
            for year, values in RETURNS[name].items():
                store.import_bytes(return_bytes(name, year, values), f"{name}-{year}.json")
        store.merge_communes([*predecessors, *empty], SUCCESSOR, MERGED_ON)
        profile = store.commune(SUCCESSOR)
        assert profile is not None
        profile.group, profile.province, profile.criteria_set = "3", "Thái Nguyên", successor_set
        store.save_commune(profile)
        for year, values in RETURNS[SUCCESSOR].items():
            store.import_bytes(return_bytes(SUCCESSOR, year, values), f"{SUCCESSOR}-{year}.json")
    return url
