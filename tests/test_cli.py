"""The `ntm` command line as a user runs it (DESIGN §5): output shape, exit codes, pipes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from app_fixtures import ntm

from ntm.demo import DEMO_USER
from ntm.storage import Store

ROOT = Path(__file__).resolve().parents[1]
DEMO = sorted(str(p) for p in (ROOT / "data" / "demo").glob("duong-quang-*.xlsx"))


@pytest.fixture(scope="module")
def demo_json() -> dict[str, Any]:
    done = ntm("assess", *DEMO, "--format", "json")
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_assess_prints_the_commune_and_each_village_for_every_year(
    demo_json: dict[str, Any],
) -> None:
    assert len(DEMO) == 5
    assert demo_json["criteria_set"] == "vn-ntm-xa-2021-2025"
    assert demo_json["problems"] == []
    units = demo_json["units"]
    commune = {u["period"]: u for u in units if u["village"] is None}
    # The demo commune's path to recognition (synthetic data, scripts/make_demo_data.py).
    assert {p: (u["criteria_met"], u["criteria_total"]) for p, u in commune.items()} == {
        2021: (6, 19),
        2022: (8, 19),
        2023: (10, 19),
        2024: (15, 19),
        2025: (17, 19),
    }
    villages = {u["village"] for u in units if u["village"] is not None}
    assert len(villages) == 9 and "Nà Ỏi" in villages  # names in NFC, diacritics kept


def test_assess_json_follows_the_contract(demo_json: dict[str, Any]) -> None:
    """Percent in points, yes/no as true/false, an unjudged criterion as null (DESIGN §5)."""
    unit = next(u for u in demo_json["units"] if u["village"] is None and u["period"] == 2025)
    assert unit["indicators"]["1.1"]["value"] is True
    assert isinstance(unit["indicators"]["2.1"]["value"], float)
    assert unit["indicators"]["2.1"]["threshold"] == 100.0
    # Criteria 10 (income) and 11 (poverty) ship without threshold: never guessed.
    assert (unit["criteria"]["10"], unit["criteria"]["11"]) == (None, None)
    assert unit["indicators"]["10"]["status"] == "no_threshold"


@pytest.mark.parametrize(
    ("args", "code", "stderr_has"),
    [
        (["assess", "--format", "json", *DEMO[:1]], 0, ""),
        (["assess", str(ROOT / "README.md")], 1, ""),  # a problem, still JSON on stdout
        (["assess"], 2, "FILE"),
        (["assess", *DEMO[:1], "--format", "yaml"], 2, "invalid choice"),
        (["nothing-like-this"], 2, "invalid choice"),
    ],
    ids=["ok", "not-a-workbook", "no-file", "bad-format", "bad-command"],
)
def test_exit_codes(args: list[str], code: int, stderr_has: str) -> None:
    done = ntm(*args)
    assert done.returncode == code, done.stderr
    assert stderr_has in done.stderr
    assert "Traceback" not in done.stderr
    if code == 1:
        problems = json.loads(done.stdout)["problems"]
        assert [(p["file"], p["code"]) for p in problems] == [("README.md", "not_a_workbook")]


def test_a_closed_pipe_is_not_a_traceback() -> None:
    """`ntm assess … | head -1`: the reader leaves early; the command ends quietly."""
    with subprocess.Popen(
        [sys.executable, "-m", "ntm.cli", "assess", *DEMO, "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode()
        proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_report_with_nothing_to_show_says_so(tmp_path: Path) -> None:
    done = ntm("report", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--period", "1999")
    assert done.returncode == 0
    assert json.loads(done.stdout) == {"criteria_set": None, "units": [], "problems": []}
    assert "không có số liệu năm 1999" in done.stderr


def test_assess_says_how_each_file_was_read_and_cross_checks_self_assessment(
    tmp_path: Path,
) -> None:
    """Issue 12: `reading` per file (units, sheets, values used) and `self_assessment` (the
    office's verdicts the thresholds contradict) beside DESIGN §5's fields."""
    sys.path.insert(0, str(ROOT / "tests"))
    from office_corpus import decision_grid

    path = tmp_path / "tu-danh-gia-2024.xlsx"
    path.write_bytes(decision_grid())
    done = ntm("assess", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {"criteria_set", "units", "problems"} <= set(out)
    (reading,) = out["reading"]
    assert (reading["commune"], reading["period"], reading["region"]) == (
        "Dương Quang",
        2024,
        "tdmnpb",
    )
    assert (reading["values_read"], reading["values_used"], reading["not_used"]) == (20, 20, [])
    assert reading["sheets"][0]["layout"] == "grid"
    assert reading["sheets"][0]["columns"]["D"] == "ngưỡng (để tham khảo)"
    (check,) = out["self_assessment"]
    assert (check["code"], check["cell"], check["self_assessment"], check["computed"]) == (
        "14.2",
        "E16",
        "met",
        "unmet",
    )
    assert check["message"] == "tự đánh giá Đạt, nhưng 79,6% < 85%"


# --- the bundled demo (issue 14): loaded before serving, recognised by who uploaded it ----------


@pytest.mark.parametrize(
    ("seed_setting", "named", "loaded"),
    [
        # 11 returns: Dương Quang and Đôn Phong 2021-2025, Phong Quang 2026 (data/demo)
        ("1", False, 11),  # the app's database, the demo wanted there
        ("0", False, 0),  # the app's database, the demo not wanted
        ("0", True, 11),  # a database named on the command line: loaded when empty
    ],
    ids=["app database", "demo not wanted", "--db"],
)
def test_ntm_demo_loads_the_demo_into_an_empty_database_once(
    seed_setting: str, named: bool, loaded: int, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    env = {**os.environ, "NTM_DATABASE_URL": url, "NTM_SEED_DEMO": seed_setting}
    args = ["demo", "--db", url] if named else ["demo"]
    first = ntm(*args, env=env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"database": url, "loaded": loaded}
    again = ntm(*args, env=env)
    assert json.loads(again.stdout)["loaded"] == 0  # a database with uploads is left as it is
    if loaded:
        uploads = Store(url).uploads()
        assert set(uploads["user"]) == {DEMO_USER} and len(uploads) == loaded


def test_ntm_demo_reports_a_broken_database() -> None:
    done = ntm("demo", "--db", "postgresql+psycopg://lan:bi-mat@127.0.0.1:1/ntm")
    assert done.returncode == 2
    assert "không mở được cơ sở dữ liệu postgresql+psycopg://lan:***@127.0.0.1:1/ntm" in (
        done.stderr
    )
    assert "bi-mat" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["import", DEMO[0], "--user", "demo"],
        ["import", DEMO[0], "--user", " Demo "],
        ["user", "add", "demo", "--role", "staff", "--password-stdin"],
    ],
    ids=["import as demo", "import as Demo", "an account named demo"],
)
def test_nobody_may_take_the_demos_name(args: list[str], tmp_path: Path) -> None:
    """The demo is recognised by its recorded uploader: a real upload can never carry it."""
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    done = ntm(*args, "--db", url, input="mat-khau-rat-dai\n")
    assert done.returncode == 2, done.stderr
    assert "dành riêng cho dữ liệu minh họa" in done.stderr
    assert Store(url).migrate().uploads().empty


def test_assess_with_the_database_judges_on_the_profiles_region_as_report_does(
    tmp_path: Path,
) -> None:
    """Issue 12: a return that names another region than the stored profile is judged on the
    profile's (with a warning naming both), so `ntm assess --db` and `ntm report` agree."""
    sys.path.insert(0, str(ROOT / "tests"))
    from office_corpus import book

    from ntm.storage import CommuneProfile, Store

    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        ["Vùng:", "tdmnpb"],  # the profile says Đồng bằng sông Hồng
        [],
        ["Mã chỉ tiêu", "Nội dung", "Giá trị"],
        ["15.3", "Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi", 20],
    ]
    path = tmp_path / "vung.xlsx"
    path.write_bytes(book({"Toàn xã": rows}))
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    with Store(url) as store:
        store.migrate()
        store.save_commune(CommuneProfile(name="Dương Quang", region="dbsh"))
        assert store.import_file(path, user="lan").status == "accepted"
    done = ntm("assess", str(path), "--db", url, "--format", "json")
    assert done.returncode == 0, done.stderr
    assessed = json.loads(done.stdout)
    assert "region_differs" in [p["code"] for p in assessed["problems"]]
    report = json.loads(ntm("report", "--db", url, "--format", "json").stdout)

    def stunting(out: dict[str, Any]) -> Any:
        (unit,) = [u for u in out["units"] if u["village"] is None]
        return unit["indicators"]["15.3"]

    # ≤ 16.5 in the Red River Delta (confirmed, reference §1): 20 is not met; ≤ 24 would be.
    assert stunting(assessed) == stunting(report)
    assert (stunting(report)["threshold"], stunting(report)["met"]) == (16.5, False)
