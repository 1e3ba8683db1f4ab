"""Tỉnh (issue 17): the communes of a province for a year, checked against the engine.

A small store made through the Store API: five communes of Thái Nguyên judged on a four-
criterion test set (one also merged into another on 1 Jul 2025), one of Thái Nguyên on the
national set (19 criteria), one with no data in 2025, one of Bắc Kạn, one with no province.
The expected numbers are worked out here from `ntm.attainment.assess` run on the same values
(not through the store), and written out beside them where they are plain to see.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from ntm import views
from ntm.attainment import assess
from ntm.criteria import CriteriaSet, parse_set
from ntm.storage import CommuneProfile, Store
from ntm.values import ReadResult, ReturnMeta, make_values
from ntm.views import province_members as province_module

TN, BK = "Thái Nguyên", "Bắc Kạn"
SET_ID = "tinh-test"


def _rule(value: Any) -> dict[str, Any]:
    return {"value": value, "verified": True, "source": "test"}


TEST_SET: dict[str, Any] = {
    "id": SET_ID,
    "title": "Bộ thử tỉnh",
    "legal_basis": {"decision": "1/TEST", "date": "2022-01-01"},
    "years": {"first": 2021, "last": 2030},
    "keyed_by": "region",
    "keys": [{"id": "general", "name": "Chung"}, {"id": "tdmnpb", "name": "TDMNPB"}],
    "complete": True,
    "criteria": [
        {
            "number": "1",
            "name": "Quy hoạch",
            "indicators": [
                {"code": "1.1", "name": "Quy hoạch", "kind": "boolean", "direction": "==",
                 "thresholds": [_rule(True)]},
            ],
        },
        {
            "number": "2",
            "name": "Giao thông",
            "indicators": [
                {"code": "2.2", "name": "Đường thôn", "kind": "percent", "scope": "village",
                 "aggregation": "ratio", "thresholds": [_rule(70)]},
            ],
        },
        {
            "number": "3",
            "name": "Thủy lợi",
            "indicators": [
                {"code": "3.1", "name": "Tưới tiêu", "kind": "percent",
                 "thresholds": [_rule(80)]},
            ],
        },
        {
            "number": "4",
            "name": "Điện",
            "indicators": [
                {"code": "4.1", "name": "Điện an toàn", "kind": "percent",
                 "thresholds": [_rule(90)]},
            ],
        },
    ],
}  # fmt: skip

# (name, province, region, group, criteria set, merged into, valid to)
PROFILES = [
    ("An Bình", TN, "general", "1", SET_ID, None, None),
    ("Bình Minh", TN, "general", "1", SET_ID, None, None),
    ("Cẩm Giàng", TN, "tdmnpb", "2", SET_ID, None, None),
    ("Đồng Tâm", TN, "tdmnpb", "2", SET_ID, None, None),
    ("Hòa Bình", TN, "tdmnpb", "2", None, None, None),  # the national set: 19 criteria
    ("Nà Mới", TN, "general", "1", SET_ID, None, None),  # no data in 2025
    ("Phú Thượng", TN, "general", "1", SET_ID, "An Bình", dt.date(2025, 7, 1)),
    ("Đôn Phong", BK, "general", "1", SET_ID, None, None),
]
GOOD = {"1.1": 1.0, "2.2": (90.0, 80.0), "3.1": 95.0, "4.1": 99.0}
# (commune, year): the values (2.2 by village: Thôn 1, Thôn 2)
RETURNS: dict[tuple[str, int], dict[str, Any]] = {
    ("An Bình", 2024): GOOD,
    ("An Bình", 2025): GOOD,  # 4/4: at standard
    ("Bình Minh", 2025): {**GOOD, "2.2": (90.0, 40.0)},  # 3/4: Thôn 2 holds 2.2 back
    ("Cẩm Giàng", 2025): {**GOOD, "3.1": 60.0, "4.1": 70.0},  # 2/4
    ("Đồng Tâm", 2025): {**GOOD, "1.1": 0.0, "3.1": 60.0, "4.1": 70.0},  # 1/4
    ("Hòa Bình", 2025): {"1.1": 1.0},  # judged on the national set: mostly unknown
    ("Phú Thượng", 2024): GOOD,  # a commune of its own in 2024 …
    ("Phú Thượng", 2025): GOOD,  # … merged on 1 Jul 2025: not a separate commune of 2025
    ("Đôn Phong", 2025): GOOD,
    ("Yên Lạc", 2025): GOOD,  # made by its upload: no province recorded, the national set
}


def _values(commune: str, year: int, given: dict[str, Any]) -> pd.DataFrame:
    rows: list[dict[str, object]] = []
    for code, value in given.items():
        if isinstance(value, tuple):
            for village, v in zip(("Thôn 1", "Thôn 2"), value, strict=True):
                rows.append({"village": village, "code": code, "value": v,
                             "numerator": v, "denominator": 100.0})  # fmt: skip
        else:
            rows.append({"village": None, "code": code, "value": value})
    for row in rows:
        row.update(commune=commune, period=year, sheet=row["village"] or "Toàn xã", cell="D5")
    return make_values(rows)


def _keys() -> dict[str, dict[str, str]]:
    keys = {name: {"region": region} for name, _, region, *_ in PROFILES}
    return {**keys, "Yên Lạc": {"region": "general"}}


@pytest.fixture(scope="module")
def test_set() -> CriteriaSet:
    return parse_set(TEST_SET, "test")


def build_store(path: Path) -> str:
    """The province of this module's tables in a new SQLite database at `path` (its URL)."""
    url = f"sqlite:///{path}"
    with Store(url) as db:
        db.migrate()
        db.save_criteria_set(parse_set(TEST_SET, "test"))
        for name, prov, region, group, crit, _, _ in PROFILES:
            db.save_commune(CommuneProfile(name, region, group, province=prov, criteria_set=crit))
        for (commune, year), given in RETURNS.items():
            values = _values(commune, year, given)
            villages = sorted({str(v) for v in values["village"].dropna()})
            meta = ReturnMeta(commune=commune, period=year, villages=villages, region="general")
            result = ReadResult(f"{commune}-{year}.xlsx", values, [], meta)
            data = f"{commune} {year}".encode()
            db.import_bytes(data, result.file, read_result=result)
        for name, prov, region, group, crit, into, until in PROFILES:
            if into:  # merged once both exist (a merger names a commune already stored)
                merged = CommuneProfile(name, region, group, province=prov, criteria_set=crit)
                db.save_commune(dataclasses.replace(merged, merged_into=into, valid_to=until))
    return url


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    url = build_store(tmp_path_factory.mktemp("tinh") / "ntm.db")
    with Store(url) as db:
        yield db


@pytest.fixture(scope="module")
def source(store: Store) -> views.ProvinceSource:
    return views.province_source(store)


def engine_units(test_set: CriteriaSet, year: int) -> pd.DataFrame:
    """Each commune as a whole in `year`, as `ntm.attainment.assess` judges the same values:
    the communes whose profile names the test set on it, the others on the national set."""
    on_test = {n for n, *_, crit, _, _ in PROFILES if crit == SET_ID}
    frames = [_values(c, y, g) for (c, y), g in RETURNS.items() if y == year]
    values = pd.concat(frames, ignore_index=True)
    mine = values[values["commune"].isin(on_test)]
    other = values[~values["commune"].isin(on_test)]
    parts = [assess(mine, keys=_keys(), criteria=test_set).units]
    if len(other):
        parts.append(assess(other, keys=_keys()).units)
    units = pd.concat(parts, ignore_index=True)
    return units[units["village"].isna()].set_index("commune")


def test_the_provinces_are_those_recorded_and_no_province_last(
    source: views.ProvinceSource,
) -> None:
    assert views.provinces(source) == [BK, TN, views.NO_PROVINCE]


def test_communes_at_standard_share_and_lines_match_the_engine(
    source: views.ProvinceSource, test_set: CriteriaSet
) -> None:
    pv = views.province_view(source, TN, 2025, "vi")
    engine = engine_units(test_set, 2025)
    judged = ["An Bình", "Bình Minh", "Cẩm Giàng", "Đồng Tâm", "Hòa Bình"]
    assert [c.commune for c in pv.communes] == judged
    for line in pv.communes:
        row = engine.loc[line.commune]
        assert (line.met, line.total, line.at_standard) == (
            int(row["criteria_met"]),
            int(row["criteria_total"]),
            bool(row["at_standard"]),
        )
    assert [(c.met, c.total) for c in pv.communes] == [(4, 4), (3, 4), (2, 4), (1, 4), (0, 19)]
    assert [c.standing for c in pv.communes] == [
        "at_standard",
        "close",
        "close",
        "behind",
        "behind",
    ]
    # Nà Mới sent nothing for 2025: in the total, not at standard; Phú Thượng is An Bình's now.
    assert pv.no_data == ("Nà Mới",)
    assert pv.merged == (("Phú Thượng", "An Bình"),)
    at_standard = int(engine.loc[judged, "at_standard"].sum())
    assert (pv.at_standard, pv.total) == (at_standard, len(judged) + 1) == (1, 6)
    assert pv.share == pytest.approx(1 / 6)


def test_the_distribution_is_per_criteria_set(
    source: views.ProvinceSource, test_set: CriteriaSet
) -> None:
    pv = views.province_view(source, TN, 2025, "vi")
    engine = engine_units(test_set, 2025).loc[
        ["An Bình", "Bình Minh", "Cẩm Giàng", "Đồng Tâm", "Hòa Bình"]
    ]
    for (set_id, total), group in pv.distribution.groupby(["criteria_set", "criteria_total"]):
        mine = engine[engine["criteria_set"] == set_id]
        expected = mine["criteria_met"].value_counts().reindex(range(total + 1), fill_value=0)
        assert list(group["communes"]) == list(expected)
    test_rows = pv.distribution[pv.distribution["criteria_set"] == SET_ID]
    assert list(test_rows["communes"]) == [0, 1, 1, 1, 1]  # 0 … 4 criteria met
    assert set(pv.distribution["set_label"]) == {
        "1/TEST · 4 tiêu chí",
        "318/QĐ-TTg · 19 tiêu chí",
    }


def test_close_to_standard_lists_what_blocks_them(
    store: Store, source: views.ProvinceSource, test_set: CriteriaSet
) -> None:
    """One or two criteria short; the unmet criteria, indicators and villages as the engine's
    blockers give them (the same as the commune's own Tổng quan)."""
    pv = views.province_view(source, TN, 2025, "vi")
    engine = engine_units(test_set, 2025)
    short = engine["criteria_total"] - engine["criteria_met"]
    expected = sorted(n for n in engine.index if n in {c.commune for c in pv.communes}
                      and 0 < short[n] <= 2)  # fmt: skip
    assert sorted(c.commune for c in pv.close) == expected == ["Bình Minh", "Cẩm Giàng"]
    by_name = {c.commune: c for c in pv.close}
    assert [b.number for b in by_name["Bình Minh"].blockers] == ["2"]
    (road,) = by_name["Bình Minh"].blockers[0].indicators
    assert (road.code, [v.village for v in road.villages]) == ("2.2", ["Thôn 2"])
    assert [b.number for b in by_name["Cẩm Giàng"].blockers] == ["3", "4"]
    own = views.blockers(views.commune_assessment(store, "Bình Minh"), 2025, "vi")
    assert by_name["Bình Minh"].blockers == tuple(own)


def test_the_grid_has_every_commune_and_criterion_of_its_set(
    source: views.ProvinceSource,
) -> None:
    pv = views.province_view(source, TN, 2025, "vi")
    grids = {g.criteria_set: g for g in pv.grids}
    assert set(grids) == {SET_ID, "vn-ntm-xa-2021-2025"}
    grid = grids[SET_ID]
    assert grid.rows == ("An Bình", "Bình Minh", "Cẩm Giàng", "Đồng Tâm")
    assert grid.columns == ("1", "2", "3", "4")
    cells = {
        (r, c): s for r, c, s in grid.cells[["row", "column", "status"]].itertuples(index=False)
    }
    assert [cells[("Đồng Tâm", c)] for c in grid.columns] == ["unmet", "met", "unmet", "unmet"]
    assert len(grids["vn-ntm-xa-2021-2025"].columns) == 19


@pytest.mark.parametrize(
    ("label", "group", "region", "communes", "no_data"),
    [
        ("no filter", None, None, ["An Bình", "Bình Minh", "Cẩm Giàng", "Đồng Tâm", "Hòa Bình"],
         ["Nà Mới"]),
        ("group 1", "1", None, ["An Bình", "Bình Minh"], ["Nà Mới"]),
        ("group 2", "2", None, ["Cẩm Giàng", "Đồng Tâm", "Hòa Bình"], []),
        ("region tdmnpb", None, "tdmnpb", ["Cẩm Giàng", "Đồng Tâm", "Hòa Bình"], []),
        ("group 1 in tdmnpb: none", "1", "tdmnpb", [], []),
    ],
)  # fmt: skip
def test_filters_by_group_and_region(
    source: views.ProvinceSource,
    label: str,
    group: str | None,
    region: str | None,
    communes: list[str],
    no_data: list[str],
) -> None:
    pv = views.province_view(source, TN, 2025, "vi", group=group, region=region)
    assert [c.commune for c in pv.communes] == communes, label
    assert list(pv.no_data) == no_data, label
    assert pv.total == len(communes) + len(no_data)


def test_the_trend_counts_each_year_on_its_own_set(source: views.ProvinceSource) -> None:
    """2024: An Bình and Phú Thượng (not merged yet), both at standard. 2025: the test set's
    four communes (one at standard) apart from Hòa Bình on the national set."""
    pv = views.province_view(source, TN, 2025, "vi")
    rows = [tuple(r) for r in pv.trend[["period", "criteria_set", "communes", "at_standard"]]
            .itertuples(index=False)]  # fmt: skip
    assert rows == [
        (2024, SET_ID, 2, 2),
        (2025, SET_ID, 4, 1),
        (2025, "vn-ntm-xa-2021-2025", 1, 0),
    ]


def test_communes_with_no_province_are_reachable(
    source: views.ProvinceSource, test_set: CriteriaSet
) -> None:
    pv = views.province_view(source, views.NO_PROVINCE, 2025, "vi")
    row = engine_units(test_set, 2025).loc["Yên Lạc"]
    assert [(c.commune, c.met, c.total) for c in pv.communes] == [
        ("Yên Lạc", int(row["criteria_met"]), 19)
    ]
    other = views.province_view(source, BK, 2025, "vi")
    assert [c.commune for c in other.communes] == ["Đôn Phong"]


def test_the_store_is_judged_once_for_the_whole_province(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    real = province_module.assess_store

    def counted(db: Store, **kwargs: Any) -> views.StoreAssessment:
        calls.append(kwargs)
        return real(db, **kwargs)

    monkeypatch.setattr(province_module, "assess_store", counted)
    pv = views.province_view(store, TN, 2025, "vi")
    assert calls == [{}]  # one call, every commune: never one per commune
    assert pv.at_standard == 1


@pytest.mark.parametrize(
    ("label", "profile", "year", "counted"),
    [
        ("no profile (data only)", None, 2025, True),
        ("a commune of its own", CommuneProfile("A"), 2025, True),
        ("merged 1 Jul 2025: 2024 is its own",
         CommuneProfile("A", merged_into="B", valid_to=dt.date(2025, 7, 1)), 2024, True),
        ("merged 1 Jul 2025: 2025 is its merger year (the returns decide)",
         CommuneProfile("A", merged_into="B", valid_to=dt.date(2025, 7, 1)), 2025, True),
        ("merged 1 Jul 2025: 2026 is B's",
         CommuneProfile("A", merged_into="B", valid_to=dt.date(2025, 7, 1)), 2026, False),
        ("merged, no end date: never counted apart", CommuneProfile("A", merged_into="B"), 2021,
         False),
        ("created 1 Jul 2025: not in 2024", CommuneProfile("B", valid_from=dt.date(2025, 7, 1)),
         2024, False),
        ("created 1 Jul 2025: in 2025", CommuneProfile("B", valid_from=dt.date(2025, 7, 1)), 2025,
         True),
        ("ended 2023 without a merger: not in 2024",
         CommuneProfile("A", valid_to=dt.date(2023, 12, 31)), 2024, False),
    ],
)  # fmt: skip
def test_which_years_a_commune_counts_in(
    label: str, profile: CommuneProfile | None, year: int, counted: bool
) -> None:
    assert province_module.is_current(profile, year) is counted, label
