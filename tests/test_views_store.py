"""One assessment from the database behind Tổng quan, the deck and `ntm report` (issue 15).

- Tổng quan's data (`services.overview`) and the deck's `Report` are rendered from the one
  cached commune assessment (`services.commune_assessment`, what the Báo cáo page exports) and
  say the same: headline X/N and change, villages at standard, grid, blockers.
- A profile naming a criteria set that is not a known commune set: each year is judged on the
  set in force, and every front end carries the warning `unknown_criteria_set`.
- `ntm report --format table` prints the same headline, criteria and blockers for people.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_fixtures import ntm, use_database

from ntm import demo, views
from ntm.errors import Code
from ntm.exports import commune_report, report_from_store
from ntm.storage import Store
from ntm.ui import services

COMMUNE = "Dương Quang"
YEARS = [2021, 2022, 2023, 2024, 2025]


def _database(path: Path, *, unreported_village: bool = False, criteria_set: str = "") -> str:
    url = f"sqlite:///{path}"
    with Store(url) as store:
        store.migrate()
        demo.seed(store)
        if unreported_village:  # registered, has sent nothing: counted, not at standard
            store.save_village(COMMUNE, "Pác Nặm")
        if criteria_set:
            profile = store.commune(COMMUNE)
            assert profile is not None
            store.save_commune(dataclasses.replace(profile, criteria_set=criteria_set))
    return url


@pytest.fixture(scope="module", params=[False, True], ids=["as seeded", "a village unreported"])
def app_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    path = tmp_path_factory.mktemp("views") / "ntm.db"
    yield from use_database(_database(path, unreported_village=request.param))


@pytest.mark.parametrize("year", YEARS)
def test_tong_quan_and_the_deck_show_the_same_numbers(app_db: str, year: int) -> None:
    ca = services.commune_assessment(COMMUNE)  # the one assessment both read (cached)
    ov = services.overview(COMMUNE, year, "vi")
    deck = commune_report(ca, year, lang="vi")
    assert ov is not None
    top = deck.headline
    assert (ov.criteria_met, ov.criteria_total) == (top.met, top.total)
    assert (ov.change, ov.previous_year) == (top.delta, top.previous)
    assert (ov.villages_at_standard, ov.villages_total) == (
        top.villages_at_standard,
        top.villages_total,
    )
    assert (ov.thresholds_used, ov.thresholds_unverified) == (deck.judged, deck.unverified)
    # The grid: same rows in the same order, same columns, same status in every cell.
    assert (ov.grid_rows, ov.grid_columns) == (deck.grid_rows, deck.grid_columns)
    cells = {tuple(r) for r in ov.grid[["row", "column", "status"]].itertuples(index=False)}
    assert cells == {
        tuple(r) for r in deck.grid[["row", "column", "status"]].itertuples(index=False)
    }
    # The blockers: the same unmet criteria, unmet indicators and villages behind each.
    screen = [(b.criterion, b.name, list(b.rows["code"])) for b in ov.blockers]
    slides = [
        (u.number, u.name, [p.code for p in u.lines if p.status == "unmet"]) for u in deck.unmet
    ]
    assert screen == slides
    for blocker, unmet in zip(ov.blockers, deck.unmet, strict=True):
        for row in blocker.rows.itertuples(index=False):
            behind = unmet.blockers_of(row.code)
            shown = [] if row.villages == "—" else row.villages.split("; ")
            assert [s.split(" (")[0] for s in shown] == [b.village for b in behind]
            for sentence, b in zip(shown, behind, strict=True):
                if b.status == "unmet":
                    assert sentence.startswith(f"{b.village} ({b.value_text}")
                    assert b.gap_text in sentence
    # The progress chart's years, up to the year shown on the deck.
    assert ov.progress[ov.progress["period"] <= year].reset_index(drop=True).equals(deck.progress)


def test_the_deck_from_the_database_is_the_screens_deck(app_db: str) -> None:
    """`ntm export` (report_from_store) assesses the commune the way the screen does."""
    with Store(app_db) as store:
        exported = report_from_store(store, COMMUNE, 2024)
    shown = commune_report(services.commune_assessment(COMMUNE), 2024)
    assert exported.headline == shown.headline
    assert exported.grid.equals(shown.grid)
    assert [u.blockers for u in exported.unmet] == [u.blockers for u in shown.unmet]
    assert exported.demo and exported.sources == shown.sources


# --- a profile naming a criteria set nobody knows ----------------------------------------------


@pytest.mark.parametrize(
    "name", ["khong-co", "vn-bac-kan-thon-2021-2025"], ids=["unknown", "a village set"]
)
def test_an_unknown_criteria_set_falls_back_to_the_year_and_says_so(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = _database(tmp_path / "plain.db")
    named = _database(tmp_path / "named.db", criteria_set=name)
    with Store(plain) as store:
        expected = views.commune_assessment(store, COMMUNE)
    with Store(named) as store:
        found = views.commune_assessment(store, COMMUNE)
        deck = report_from_store(store, COMMUNE, 2025)
    assert [p.code for p in found.problems] == [Code.UNKNOWN_CRITERIA_SET]
    assert name in found.problems[0].message("vi") and COMMUNE in found.problems[0].message("vi")
    assert set(found.assessment.units["criteria_set"]) == {"vn-ntm-xa-2021-2025"}
    assert views.headline(found, 2025) == views.headline(expected, 2025)
    assert deck.headline == views.headline(found, 2025)
    with contextlib.contextmanager(use_database)(named):
        overview = services.overview(COMMUNE, 2025, "vi")
        assert overview is not None and [p.code for p in overview.problems] == [
            Code.UNKNOWN_CRITERIA_SET
        ]
    done = ntm("report", "--db", named, "--period", "2025")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [p["code"] for p in report["problems"]] == ["unknown_criteria_set"]
    assert {u["criteria_set"] for u in report["units"]} == {"vn-ntm-xa-2021-2025"}
    assert name in done.stderr


# --- ntm report --format table ------------------------------------------------------------------


def test_ntm_report_prints_the_view_models_for_people(tmp_path: Path) -> None:
    url = _database(tmp_path / "ntm.db")
    done = ntm("report", "--db", url, "--period", "2024", "--format", "table")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    for line in (
        "Xã Dương Quang — năm 2024",
        "Tiêu chí xã đã đạt: 15/19 (+5 so với 2023)",
        "Thôn đạt chuẩn: 0/9 (0 so với 2023)",
        "Còn vướng ở đâu (năm 2024)",
        "  Tiêu chí 17 · Môi trường và an toàn thực phẩm",
        "Chưa đánh giá được",
    ):
        assert line in text
    assert "17.7" in text and "Phặc Tràng" in text
    english = ntm("report", "--db", url, "--format", "table", "--lang", "en")
    assert "Dương Quang commune — 2025" in english.stdout  # the latest year when none is given
    assert "Criteria the commune meets: 17/19 (+2 since 2024)" in english.stdout
