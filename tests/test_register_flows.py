"""The register of units on every way in, with real workbooks (issue 13): `ntm import`
(held files, --map, --new-village, --mode), `ntm assess --db`, `ntm report`, the template's
"Mã xã" row, and the scenario of the issue: the demo, then returns spelling Dương Quang and
Nà Dì every way, leave one commune with its 9 villages."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ntm.cli import main
from ntm.storage import Store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
COMMUNE = "Dương Quang"
DEMO_VILLAGES = [
    "Bản Bung",
    "Bản Giềng",
    "Bản Pẻn",
    "Nà Cưởm",
    "Nà Dì",
    "Nà Rào",
    "Nà Ỏi",
    "Phặc Tràng",
    "Quan Nưa",
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    """`ntm …` in this process: exit code, the JSON it printed, its messages."""
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = main(list(argv))
    text = buffer.getvalue()
    return code, json.loads(text) if text.strip() else None, capsys.readouterr().err


def spelled_return(
    path: Path,
    commune: str,
    nà_dì: str,
    value: float,
    year: int = 2025,
    drop: tuple[str, ...] = (),
) -> Path:
    """The demo's return for `year` with the commune and village Nà Dì spelled otherwise,
    Nà Dì's 2.2 set to `value` and the codes `drop` left empty on Nà Dì's sheet."""
    wb = openpyxl.load_workbook(DEMO / f"duong-quang-{year}.xlsx")
    wb["Thông tin"]["B1"] = commune
    for ws in wb.worksheets:
        if ws.title in ("Thông tin", "Danh mục"):
            continue
        ws["B1"] = commune
        if ws["B2"].value == "Nà Dì":
            ws["B2"] = nà_dì
            for r in range(6, ws.max_row + 1):
                code = ws.cell(r, 2).value
                if code == "2.2":
                    ws.cell(r, 6).value = value
                    ws.cell(r, 7).value = ws.cell(r, 8).value = None
                elif code in drop:
                    for c in (6, 7, 8):
                        ws.cell(r, c).value = None
    wb.save(path)
    return path


@pytest.fixture
def demo_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    files = [str(p) for p in sorted(DEMO.glob("duong-quang-*.xlsx"))]
    code, out, _ = run(capsys, "import", *files, "--db", url, "--user", "lan.canbo")
    assert code == 0 and [f["status"] for f in out["files"]] == ["accepted"] * 5
    first = out["files"][0]
    assert [n["code"] for n in first["notices"]] == [
        "register_new_commune",
        "register_new_villages",
    ]
    return url


def nà_dì(report: dict[str, Any], year: int = 2025) -> dict[str, Any]:
    return next(u for u in report["units"] if u["village"] == "Nà Dì" and u["period"] == year)


def test_the_demo_then_returns_spelling_it_every_way_leave_one_commune_and_9_villages(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    returns = [
        ("Duong Quang", "Na Di", 91.5),  # folded: used, warned, learnt
        ("XÃ DƯƠNG QUANG", "NÀ DÌ", 92.5),  # normalised: used silently
        ("xã  Dương  Quang", "Thôn Nà Dì", 93.5),
        ("Dương Quang", "Nà Đì", 94.5),
    ]
    for i, (commune, village, value) in enumerate(returns):
        path = spelled_return(tmp_path / f"r{i}.xlsx", commune, village, value)
        code, out, err = run(capsys, "import", str(path), "--db", demo_db)
        assert code == 0, err
        [entry] = out["files"]
        assert entry["status"] == "accepted" and entry["notices"] == []
        assert {r["commune"] for r in entry["revisions"]} == {COMMUNE}
        assert "Nà Dì" in {r["village"] for r in entry["revisions"]}
        replaced = {u["village"]: u["replaces"]["number"] for u in entry["units"]}
        assert replaced["Nà Dì"] == i + 1  # each file says which revision it replaces
    with Store(demo_db) as store:
        assert [c.name for c in store.communes()] == [COMMUNE]
        assert sorted(v.name for v in store.villages(COMMUNE)) == DEMO_VILLAGES
        reg = store.register().commune(COMMUNE)
        assert reg is not None and reg.aliases == ("Duong Quang",)
        assert {v.name: v.aliases for v in reg.villages}["Nà Dì"] == ("Na Di", "Nà Đì")
    code, report, _ = run(capsys, "report", "--db", demo_db, "--period", "2025")
    assert {u["commune"] for u in report["units"]} == {COMMUNE}
    assert sorted(u["village"] for u in report["units"] if u["village"]) == DEMO_VILLAGES
    assert nà_dì(report)["indicators"]["2.2"]["value"] == pytest.approx(94.5)


def test_ntm_import_holds_an_unknown_village_then_map_or_new_village_settle_it(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = spelled_return(tmp_path / "moi.xlsx", COMMUNE, "Khuổi Mạn", 90.0)
    code, out, err = run(capsys, "import", str(path), "--db", demo_db)
    assert code == 1
    [entry] = out["files"]
    assert (entry["status"], entry["upload_id"], entry["revisions"]) == ("held", None, [])
    [held] = entry["held"]
    assert (held["commune"], held["name"], len(held["candidates"])) == (COMMUNE, "Khuổi Mạn", 3)
    assert set(held["candidates"]) <= set(DEMO_VILLAGES)
    assert "Khuổi Mạn" in err and held["candidates"][0] in err and "--map" in err

    code, out, err = run(capsys, "import", str(path), "--db", demo_db, "--map", "Khuổi Mạn=Nà Dì")
    assert code == 0, err
    assert out["files"][0]["status"] == "accepted"
    with Store(demo_db) as store:
        assert sorted(v.name for v in store.villages(COMMUNE)) == DEMO_VILLAGES
        values = store.current_values(commune=COMMUNE, period=2025)
    mine = values[(values["village"] == "Nà Dì") & (values["code"] == "2.2")]
    assert mine["value"].tolist() == [90.0]

    other = spelled_return(tmp_path / "moi2.xlsx", COMMUNE, "Pác Nặm", 80.0, year=2024)
    code, out, _ = run(capsys, "import", str(other), "--db", demo_db, "--new-village", "Pác Nặm")
    assert code == 0 and out["files"][0]["status"] == "accepted"
    with Store(demo_db) as store:
        assert "Pác Nặm" in [v.name for v in store.villages(COMMUNE)]


def test_ntm_import_usage_errors_and_the_stated_default(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "replace (mặc định)" in help_text and "--map" in help_text
    code, _, err = run(capsys, "import", str(DEMO / "duong-quang-2021.xlsx"), "--map", "Na Di")
    assert code == 2 and "--map" in err


def test_ntm_import_update_keeps_the_values_a_file_does_not_repeat(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop = ("2.3", "6.3")
    path = spelled_return(tmp_path / "mot-phan.xlsx", COMMUNE, "Nà Dì", 95.0, drop=drop)
    code, out, err = run(capsys, "import", str(path), "--db", demo_db, "--mode", "update")
    assert code == 0, err
    unit = next(u for u in out["files"][0]["units"] if u["village"] == "Nà Dì")
    assert (unit["replaces"]["number"], unit["not_repeated"]) == (1, list(drop))
    assert unit["carried"] == list(drop) and out["files"][0]["mode"] == "update"
    assert "giữ lại" in err
    _, report, _ = run(capsys, "report", "--db", demo_db, "--period", "2025")
    indicators = nà_dì(report)["indicators"]
    assert indicators["2.2"]["value"] == pytest.approx(95.0)
    assert indicators["2.3"]["value"] is not None  # kept from revision 1

    again = spelled_return(tmp_path / "mot-phan-2.xlsx", COMMUNE, "Nà Dì", 96.0, drop=drop)
    code, out, err = run(capsys, "import", str(again), "--db", demo_db)  # replace: the default
    unit = next(u for u in out["files"][0]["units"] if u["village"] == "Nà Dì")
    assert (unit["replaces"]["number"], unit["not_repeated"], unit["carried"]) == (
        2,
        list(drop),
        [],
    )
    assert "không còn hiện hành" in err
    _, report, _ = run(capsys, "report", "--db", demo_db, "--period", "2025")
    assert nà_dì(report)["indicators"]["2.3"]["value"] is None


def test_ntm_assess_db_reads_names_as_the_register_does(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spelled = spelled_return(tmp_path / "a.xlsx", "Duong Quang", "Na Di", 91.5)
    code, out, _ = run(capsys, "assess", str(spelled), "--db", demo_db)
    assert code == 0
    assert {u["commune"] for u in out["units"]} == {COMMUNE}
    assert nà_dì(out)["indicators"]["2.2"]["value"] == pytest.approx(91.5)
    codes = {p["code"] for p in out["problems"]}
    assert {"commune_name_matched", "village_name_matched"} <= codes
    with Store(demo_db) as store:  # read only: nothing learnt
        assert store.register().commune(COMMUNE).aliases == ()  # type: ignore[union-attr]
    unknown = spelled_return(tmp_path / "b.xlsx", COMMUNE, "Khuổi Mạn", 91.5)
    code, out, _ = run(capsys, "assess", str(unknown), "--db", demo_db)
    assert code == 1 and out["units"] == []
    assert [p["code"] for p in out["problems"] if p["severity"] == "error"] == ["unknown_village"]
    # Without --db nothing is matched: today's behaviour.
    code, out, _ = run(capsys, "assess", str(spelled))
    assert {u["commune"] for u in out["units"]} == {"Duong Quang"}


def test_the_template_carries_the_commune_code_and_the_reader_finds_it(tmp_path: Path) -> None:
    from ntm.criteria import set_for_year
    from ntm.returns import read_return
    from ntm.template import LABEL_CODE, SHEET_INFO, build_template

    wb = build_template(COMMUNE, 2025, ["Nà Dì"], set_for_year(2025), commune_code="01957")
    ws = wb[SHEET_INFO]
    rows = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 8)}
    assert rows[LABEL_CODE] == "01957"
    wb.save(tmp_path / "t.xlsx")
    assert read_return(tmp_path / "t.xlsx", "t.xlsx").meta.commune_code == "01957"
