"""The return template: its layout, and a round trip through the reader."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hostile import mini_criteria
from openpyxl.utils import get_column_letter

from ntm.cli import main
from ntm.errors import Code
from ntm.returns import read_return
from ntm.storage import CommuneProfile, Store
from ntm.template import (
    BOOLEAN_UNIT,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HEADERS,
    SHEET_COMMUNE,
    SHEET_INFO,
    SHEET_LISTS,
    build_template,
    fill_template,
    sheet_titles,
    write_template,
)
from ntm.values import make_values

VILLAGES = ["Nà Rào", "Bản Giềng", "Phặc Tràng"]
NAN = float("nan")


def saved(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filled_values() -> pd.DataFrame:
    """Values of every kind: yes/no, percent with numerator/denominator, a bare percent,
    number, money, count, parts, a village's yes/no for a "share of villages", a note."""
    rows: list[dict[str, Any]] = [
        {"village": None, "code": "1.1", "value": 1.0},
        {"village": None, "code": "2.1", "value": 96.5},
        {"village": None, "code": "5a", "value": 4.0},
        {"village": None, "code": "5b", "value": 75.0, "numerator": 3, "denominator": 4},
        {"village": None, "code": "10", "value": 45.6, "note": "ước tính"},
        {"village": None, "code": "12.2a", "value": 71.0},
        {"village": None, "code": "12.2b", "value": 69.5},
        {"village": None, "code": "17.4", "value": 2.25},
        {"village": None, "code": "17.9", "value": 100.0},
        {"village": None, "code": "6.3", "value": 66.7},
    ]
    for i, village in enumerate(VILLAGES):
        n, d = 40 + i, 50 + i
        rows += [
            {
                "village": village,
                "code": "2.2",
                "value": 100 * n / d,
                "numerator": n,
                "denominator": d,
            },
            {"village": village, "code": "6.3", "value": float(i != 1)},
            {"village": village, "code": "9.1", "value": float(i == 2)},
            {
                "village": village,
                "code": "17.1a",
                "value": 90.0 + i,
                "numerator": 90 + i,
                "denominator": 100,
            },
            {"village": village, "code": "17.1b", "value": 20.0},
            {"village": village, "code": "17.10", "value": 35.5},
        ]
    return make_values([{**r, "commune": "Dương Quang", "period": 2024} for r in rows])


def test_round_trip() -> None:
    """Build, fill with every kind of value, save, read back: the same values, no error."""
    crit = mini_criteria()
    wb = build_template("Dương Quang", 2024, VILLAGES, crit, key="tdmnpb", note="Dữ liệu minh họa")
    values = filled_values()
    fill_template(wb, values)
    result = read_return(saved(wb), "duong-quang-2024.xlsx", criteria=crit)
    assert [p for p in result.problems if p.is_error] == []
    assert result.problems == []
    assert result.meta.commune == "Dương Quang"
    assert result.meta.period == 2024
    assert result.meta.region == "tdmnpb"
    assert result.meta.criteria_set == crit.id
    assert result.meta.villages == VILLAGES
    columns = ["commune", "village", "period", "code", "value", "numerator", "denominator", "note"]

    def tidy(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame[columns].copy()
        out["village"] = out["village"].fillna("")
        return out.sort_values(["village", "code"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(tidy(result.values), tidy(values), check_dtype=False)


def test_commune_sheet_holds_every_indicator_and_village_sheets_the_village_ones() -> None:
    wb = build_template("Dương Quang", 2024, VILLAGES, mini_criteria())
    assert wb.sheetnames == [SHEET_INFO, SHEET_COMMUNE, *VILLAGES, SHEET_LISTS]

    def codes(title: str) -> list[str]:
        ws = wb[title]
        return [ws.cell(r, 2).value for r in range(FIRST_DATA_ROW, ws.max_row + 1)]

    commune_codes = codes(SHEET_COMMUNE)
    assert "17.1" not in commune_codes  # parts have their own rows
    assert commune_codes[-4:] == ["17.1b", "17.4", "17.9", "17.10"]
    assert codes("Nà Rào") == ["2.2", "6.3", "9.1", "17.1a", "17.1b", "17.10"]


def test_data_sheet_layout() -> None:
    wb = build_template("Dương Quang", 2024, VILLAGES, mini_criteria(), key="tdmnpb")
    ws = wb["Nà Rào"]
    assert [ws.cell(r, 1).value for r in (1, 2, 3)] == ["Xã:", "Thôn/Bản:", "Năm:"]
    assert [ws.cell(r, 2).value for r in (1, 2, 3)] == ["Dương Quang", "Nà Rào", 2024]
    assert [c.value for c in ws[HEADER_ROW]] == HEADERS
    assert ws.freeze_panes == f"A{FIRST_DATA_ROW}"
    assert ws.protection.sheet and not ws.protection.password
    first = FIRST_DATA_ROW  # 2.2, a percent
    assert ws.cell(first, 2).data_type == "s" and ws.cell(first, 2).number_format == "@"
    assert ws.cell(first, 2).protection.locked
    assert not ws.cell(first, 6).protection.locked
    assert not ws.cell(first, 7).protection.locked
    assert '"' in ws.cell(first, 6).number_format  # literal %: 95 shows as 95 %
    assert "0,95" in ws.cell(4, 1).value
    assert ws.cell(first, 5).value == ">= 80 %"
    columns = [get_column_letter(i) for i in range(1, 10)]  # A … I
    assert all((ws.column_dimensions[c].width or 0) >= 10 for c in columns)


def test_yes_no_cells_have_a_dropdown_from_the_hidden_list_sheet() -> None:
    wb = build_template("Dương Quang", 2024, VILLAGES, mini_criteria())
    lists = wb[SHEET_LISTS]
    assert lists.sheet_state == "hidden"
    assert [lists["A1"].value, lists["A2"].value] == ["Có", "Không"]
    ws = wb["Nà Rào"]
    (dv,) = ws.data_validations.dataValidation
    target = wb.defined_names[dv.formula1.lstrip("=")].attr_text
    assert target == f"'{SHEET_LISTS}'!$A$1:$A$2"
    yes_no_rows = {
        r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 4).value == BOOLEAN_UNIT
    }
    assert {ws.cell(r, 2).value for r in yes_no_rows} == {"6.3", "9.1"}
    assert {f"F{r}" for r in yes_no_rows} == {str(c) for c in dv.sqref.ranges}


def test_information_sheet() -> None:
    wb = build_template("Dương Quang", 2024, [], mini_criteria(), key="dbsh", note="Minh họa")
    ws = wb[SHEET_INFO]
    rows = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 6)}
    assert rows == {
        "Xã": "Dương Quang",
        "Năm": 2024,
        "Vùng": "dbsh — Đồng bằng sông Hồng",
        "Bộ tiêu chí": "mini-2021-2025",
        "Ghi chú": "Minh họa",
    }


def test_group_keyed_set_writes_nhom_xa() -> None:
    doc = mini_criteria().model_dump(mode="json")
    doc.update(
        id="mini-group",
        keyed_by="group",
        keys=[{"id": "1", "name": {"vi": "Nhóm 1"}}, {"id": "2", "name": {"vi": "Nhóm 2"}}],
    )
    from ntm.criteria import parse_set

    crit = parse_set(doc, "test")
    wb = build_template("X", 2027, ["A"], crit, key="2")
    assert (wb[SHEET_INFO]["A3"].value, wb[SHEET_INFO]["B3"].value) == ("Nhóm xã", "2 — Nhóm 2")
    result = read_return(saved(wb), "x.xlsx", criteria=crit)
    assert result.meta.group == "2"


@pytest.mark.parametrize(
    ("villages", "titles"),
    [
        (["Nà Rào"], ["Nà Rào"]),
        (["Thôn Khuổi Cuồng Khuổi Mạn Nà Nọi Nà Pài"], ["Thôn Khuổi Cuồng Khuổi Mạn Nà N"]),
        (["Thôn 1/2", "Thôn [3]", "'Bản'"], ["Thôn 1-2", "Thôn -3-", "Bản"]),
        (["Toàn xã"], ["Toàn xã (2)"]),
        (["A" * 40, "A" * 35], ["A" * 31, "A" * 27 + " (2)"]),
    ],
    ids=["plain", "too long", "bad characters", "reserved", "same after truncation"],
)
def test_sheet_titles(villages: list[str], titles: list[str]) -> None:
    assert sheet_titles(villages) == titles
    assert all(len(t) <= 31 for t in titles)


def test_long_village_name_reads_back_in_full() -> None:
    name = "Thôn Khuổi Cuồng Khuổi Mạn Nà Nọi Nà Pài"
    wb = build_template("X", 2024, [name], mini_criteria())
    fill_template(
        wb,
        make_values(
            [{"commune": "X", "village": name, "period": 2024, "code": "2.2", "value": 50.0}]
        ),
    )
    result = read_return(saved(wb), "x.xlsx", criteria=mini_criteria())
    assert result.values["village"].tolist() == [name]


def test_fill_template_refuses_rows_it_has_no_place_for() -> None:
    wb = build_template("X", 2024, ["A"], mini_criteria())
    with pytest.raises(ValueError, match=r"B/2\.2"):
        fill_template(
            wb,
            make_values(
                [{"commune": "X", "village": "B", "period": 2024, "code": "2.2", "value": 1.0}]
            ),
        )


def test_build_template_refuses_a_village_named_twice_and_an_unknown_key() -> None:
    with pytest.raises(ValueError):
        build_template("X", 2024, ["A", "a"], mini_criteria())
    with pytest.raises(ValueError):
        build_template("X", 2024, ["A"], mini_criteria(), key="mars")


def test_write_template(tmp_path: Path) -> None:
    out = write_template(
        tmp_path / "t.xlsx",
        "X",
        2024,
        ["A"],
        mini_criteria(),
        values=make_values(
            [{"commune": "X", "village": "A", "period": 2024, "code": "9.1", "value": 0.0}]
        ),
    )
    result = read_return(out, criteria=mini_criteria())
    assert result.values["value"].tolist() == [0.0]
    assert openpyxl.load_workbook(out)["A"]["F8"].value == "Không"


# --- ntm template --------------------------------------------------------------------------


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mau.xlsx"
    code, stdout, stderr = run_cli(
        [
            "template",
            "--commune",
            "Dương Quang",
            "--period",
            "2024",
            "--village",
            "Nà Rào",
            "--village",
            "Bản Giềng",
            "--region",
            "tdmnpb",
            "-o",
            str(out),
        ],
        capsys,
    )
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["criteria_set"] == "vn-ntm-xa-2021-2025"
    assert summary["sheets"] == ["Thông tin", "Toàn xã", "Nà Rào", "Bản Giềng", "Danh mục"]
    result = read_return(out)
    # Unfilled, the template is read (its metadata is right) but refused: nothing to store.
    assert [p.code for p in result.problems] == [Code.NO_VALUES]
    assert result.meta.region == "tdmnpb"
    assert result.values.empty


@pytest.mark.parametrize(
    "argv",
    [
        ["--criteria", "no-such-set"],
        ["--criteria", "vn-ntm-xa-2021-2025", "--period", "2027"],
        ["--group", "2"],
        ["--region", "mars"],
        ["--village", "A", "--village", "a"],
        ["--period", "1990"],
    ],
    ids=[
        "unknown set",
        "set not in force",
        "group for a region set",
        "unknown region",
        "village twice",
        "no set for the year",
    ],
)
def test_cli_template_usage_errors(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["template", "--commune", "X", "--period", "2024", "-o", str(tmp_path / "t.xlsx")]
    code, stdout, stderr = run_cli(base + argv, capsys)
    assert (code, stdout) == (2, "")
    assert stderr.startswith("ntm template:")
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("nosuch://x", "không mở được cơ sở dữ liệu nosuch://x"),
        (
            "postgresql+psycopg://lan:bi-mat@127.0.0.1:1/ntm",
            "không mở được cơ sở dữ liệu postgresql+psycopg://lan:***@127.0.0.1:1/ntm",
        ),
    ],
    ids=["unknown driver", "server not answering"],
)
def test_cli_template_reports_a_broken_database_as_such(
    url: str,
    said: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A set that is not shipped is looked for in the database; when that database cannot be
    opened the user is told so (password hidden), not that the set is unknown."""
    monkeypatch.setenv("NTM_DATABASE_URL", url)
    argv = ["template", "--commune", "X", "--period", "2024", "--criteria", "tinh-rieng"]
    code, stdout, stderr = run_cli([*argv, "-o", str(tmp_path / "t.xlsx")], capsys)
    assert (code, stdout) == (2, "")
    assert stderr.startswith(f"ntm template: {said}"), stderr
    assert "không có bộ tiêu chí" not in stderr and "bi-mat" not in stderr
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize(
    ("profile", "expected_villages", "expected_key"),
    [
        # A profile set up on Cài đặt: its villages (in Vietnamese order) and its region.
        (
            CommuneProfile("Xã Thử", region="dbsh", villages=["Thôn Ỏi", "Thôn Rào", "Thôn Bến"]),
            ["Thôn Bến", "Thôn Ỏi", "Thôn Rào"],
            "dbsh",
        ),
        # No profile: nothing stored to fill in, the template has the commune sheet only.
        (None, [], None),
    ],
    ids=["profile", "nothing-stored"],
)
def test_cli_template_fills_in_the_stored_commune(
    profile: CommuneProfile | None,
    expected_villages: list[str],
    expected_key: str | None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    store = Store(url).migrate()
    if profile is not None:
        store.save_commune(profile, user="test")
    store.close()
    out = tmp_path / "mau.xlsx"
    argv = ["template", "--commune", "Xã Thử", "--period", "2024", "--db", url, "-o", str(out)]
    code, stdout, stderr = run_cli(argv, capsys)
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert (summary["villages"], summary["key"]) == (expected_villages, expected_key)
    assert summary["sheets"] == ["Thông tin", "Toàn xã", *expected_villages, "Danh mục"]


FORMULAS = [
    '=HYPERLINK("http://evil.example","bấm")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
]


def test_no_name_or_note_becomes_a_formula(tmp_path: Path) -> None:
    """Commune and village names (villages come from earlier uploads) and notes that start with
    = + - @ are written as text: the template others download can never run them."""
    villages = FORMULAS[1:4]
    wb = build_template(FORMULAS[0], 2024, villages, mini_criteria(), note=FORMULAS[4])
    values = make_values(
        [
            {
                "commune": FORMULAS[0],
                "village": villages[0],
                "period": 2024,
                "code": "2.2",
                "value": 95.0,
                "note": "=1+1",
            },
        ]
    )
    fill_template(wb, values)
    path = tmp_path / "mau.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not [n for n in sheets if b"<f>" in zf.read(n) or b"<f " in zf.read(n)]
    back = openpyxl.load_workbook(path)
    written = {c.value for ws in back for row in ws.iter_rows() for c in row}
    assert {*FORMULAS, "=1+1"} <= written
    assert not [c for ws in back for row in ws.iter_rows() for c in row if c.data_type == "f"]
    result = read_return(path, criteria=mini_criteria())
    assert result.meta.commune == FORMULAS[0]
    assert sorted(result.meta.villages) == sorted(villages)
