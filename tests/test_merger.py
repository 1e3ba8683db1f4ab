"""A commune formed by a merger (issue 16): Dương Quang and Đôn Phong → xã Phong Quang.

- Each predecessor keeps its own series, judged on its own profile and the set in force for
  its years (2021-2025: Decision 318, 19 criteria), under its own name; the successor has its
  own years from its first (2026: Decision 51/2025, 10 criteria). Nothing is summed: Phong
  Quang has no number for 2024 or 2025, and no "3/38" or "5/19" appears anywhere.
- The progress is drawn as separate panels, with the note "Bộ tiêu chí thay đổi: 19 → 10 tiêu
  chí từ 2026"; the crosswalk follows an old criterion into a new one, marked unverified.
- `ntm report --commune "Phong Quang" --format json` lists the predecessors' units with
  `"successor": "Phong Quang"`; Tổng quan, Tiêu chí and the exports show the labelled series.

The database is built here (tests/merger_fixtures.py: the values and the expected counts are in
its table), not from the bundled demo.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import plotly.graph_objects as go
import pytest
from app_fixtures import ROOT, no_exception, ntm, use_database
from merger_fixtures import NEW_SET, SUCCESSOR, build, return_bytes
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader
from storage_fixtures import json_reader
from streamlit.testing.v1 import AppTest

from ntm import views
from ntm.crosswalk import Crosswalk
from ntm.errors import Code
from ntm.exports import commune_report
from ntm.exports.pdf import build_pdf
from ntm.exports.pptx import build_pptx
from ntm.exports.xlsx import build_xlsx
from ntm.storage import Store

OLD = "vn-ntm-xa-2021-2025"
DQ = [(2024, 2, 19), (2025, 3, 19)]  # Dương Quang: (year, criteria met, criteria in the set)
DP = [(2024, 1, 19), (2025, 2, 19)]  # Đôn Phong
PQ = [(2026, 0, 10)]  # Phong Quang


def series(ca: views.CommuneAssessment) -> list[tuple[int, int, int]]:
    rows = views.progress(ca)
    return [
        (int(r.period), int(r.criteria_met), int(r.criteria_total))
        for r in rows.itertuples(index=False)
    ]


def assessed(tmp_path: Path, **setup: Any) -> views.CommuneAssessment:
    url = build(f"sqlite:///{tmp_path / 'ntm.db'}", **setup)
    with Store(url) as store:
        return views.commune_assessment(store, SUCCESSOR)


# --- the views: one table -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "predecessors", "own"),
    [
        pytest.param({"predecessors": ("Dương Quang",)}, {"Dương Quang": DQ}, PQ, id="one"),
        pytest.param({}, {"Đôn Phong": DP, "Dương Quang": DQ}, PQ, id="two predecessors"),
        pytest.param(
            {"empty": ("Xã Trống",)},
            {"Đôn Phong": DP, "Dương Quang": DQ, "Xã Trống": []},
            PQ,
            id="a predecessor with no data",
        ),
        # Phong Quang's profile names the 2026-2030 set: its predecessors' years are still
        # judged on their own profile (no set named: Decision 318 for 2021-2025), not on it.
        pytest.param(
            {"successor_set": NEW_SET},
            {"Đôn Phong": DP, "Dương Quang": DQ},
            PQ,
            id="successor names the new set",
        ),
    ],
)
def test_each_predecessor_keeps_its_own_series(
    tmp_path: Path,
    setup: dict[str, Any],
    predecessors: dict[str, list[tuple[int, int, int]]],
    own: list[tuple[int, int, int]],
) -> None:
    ca = assessed(tmp_path, **setup)
    assert {p.name: series(p.assessment) for p in ca.predecessors} == predecessors
    assert {p.successor for p in ca.predecessors} == {SUCCESSOR}
    assert series(ca) == own
    # Never relabelled: the successor has no number for a year before it existed.
    assert views.headline(ca, 2025) is None
    for pred in ca.predecessors:
        units = pred.assessment.units()
        assert set(units["criteria_set"]) <= {OLD}
    # The years a screen offers: the predecessors' and the successor's.
    years = sorted({y for s in predecessors.values() for y, _, _ in s} | {y for y, _, _ in own})
    assert ca.periods() == years


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        pytest.param(
            2025,
            [("Đôn Phong (trước sáp nhập)", 2, 19), ("Dương Quang (trước sáp nhập)", 3, 19)],
            id="the merger's year: each predecessor",
        ),
        pytest.param(2026, [], id="a year after the merger: none"),
    ],
)
def test_predecessor_years(tmp_path: Path, year: int, expected: list[Any]) -> None:
    ca = assessed(tmp_path)
    found = views.predecessor_years(ca, year, "vi")
    assert [(p.label, p.headline.met, p.headline.total) for p in found if p.headline] == expected
    top = views.headline(ca, 2026)
    assert top is not None and (top.met, top.total) == (0, 10)


def test_a_predecessor_return_after_the_merger_is_not_its_history(tmp_path: Path) -> None:
    """A Dương Quang return for 2026 (after it ceased to exist on 30 Jun 2025) is neither
    Dương Quang's history nor Phong Quang's."""
    url = build(f"sqlite:///{tmp_path / 'ntm.db'}")
    with Store(url, reader=json_reader) as store:
        store.import_bytes(return_bytes("Dương Quang", 2026, {"1.T": 1}), "late.json")
        ca = views.commune_assessment(store, SUCCESSOR)
    assert {p.name: series(p.assessment) for p in ca.predecessors} == {
        "Đôn Phong": DP,
        "Dương Quang": DQ,
    }
    assert series(ca) == PQ
    said = [p.message("vi") for p in ca.problems if p.code is Code.OUTSIDE_VALIDITY]
    assert said == [
        "Số liệu năm 2026 của xã Dương Quang không được tính vào lịch sử của xã Phong Quang: "
        "xã Dương Quang tồn tại từ … đến 30/06/2025."
    ]


@pytest.mark.parametrize(
    ("lang", "labels", "notes"),
    [
        pytest.param(
            "vi",
            ["Đôn Phong (trước sáp nhập)", "Dương Quang (trước sáp nhập)", "Phong Quang"],
            [
                "Xã Phong Quang thành lập ngày 01/07/2025 từ Đôn Phong và Dương Quang. Số liệu "
                "trước sáp nhập là của từng xã cũ, không cộng gộp.",
                "Bộ tiêu chí thay đổi: 19 → 10 tiêu chí từ 2026",
            ],
            id="vi",
        ),
        pytest.param(
            "en",
            ["Đôn Phong (before the merger)", "Dương Quang (before the merger)", "Phong Quang"],
            [
                "Phong Quang was formed on Jul 1, 2025 from Đôn Phong and Dương Quang. Results "
                "before the merger are each former commune's own, never added up.",
                "Criteria set changes: 19 → 10 criteria from 2026",
            ],
            id="en",
        ),
    ],
)
def test_history_panels_and_notes(
    tmp_path: Path, lang: str, labels: list[str], notes: list[str]
) -> None:
    ca = assessed(tmp_path)
    found = views.history(ca, lang)
    assert found is not None
    assert [p.label for p in found.panels] == labels
    assert [p.criteria_count for p in found.panels] == [19, 19, 10]
    assert [p.years for p in found.panels] == [[2024, 2025], [2024, 2025], [2026]]
    assert list(found.notes) == notes
    assert views.history(ca.predecessors[0].assessment, lang) is None  # no merger of its own


def test_history_chart_draws_separate_panels(tmp_path: Path) -> None:
    """One panel per unit and set, each with its own count axis (19 and 10), the note below."""
    found = views.history(assessed(tmp_path), "vi")
    assert found is not None
    from ntm import charts

    fig = charts.history_chart(
        [(p.label, p.set_label, p.progress) for p in found.panels],
        found.notes,
        title="t",
        source="s",
        date="d",
    )
    axes = [fig.layout[f"xaxis{i}" if i > 1 else "xaxis"] for i in (1, 2, 3)]
    assert [a.title.text.split("<br>")[0] for a in axes] == [
        f"<b>{x}</b>"
        for x in (
            "Đôn Phong (trước sáp nhập)",
            "Dương Quang (trước sáp nhập)",
            "Phong Quang",
        )
    ]
    tops = [fig.layout[f"yaxis{i}" if i > 1 else "yaxis"].range[1] for i in (1, 2, 3)]
    assert tops == [pytest.approx(19 * 1.18), pytest.approx(19 * 1.18), pytest.approx(10 * 1.18)]
    texts = [a.text for a in fig.layout.annotations]
    assert any("Bộ tiêu chí thay đổi: 19 → 10 tiêu chí từ 2026" in x for x in texts)
    on_top = [t for t in fig.data if t.type == "scatter"]
    assert [list(t.text) for t in on_top] == [
        ["<b>1/19</b>", "<b>2/19</b>"],
        ["<b>2/19</b>", "<b>3/19</b>"],
        ["<b>0/10</b>"],
    ]


# --- the crosswalk ------------------------------------------------------------------------

WALK = Crosswalk.model_validate(
    {
        "from_set": OLD,
        "to_set": NEW_SET,
        "criteria_pairs": [
            {"from": "1", "to": "1", "verified": True, "note": "same name"},
            {"from": "2", "to": "2", "note": "by name only"},
            {"from": "3", "to": "2", "note": "by name only"},
        ],
        "unmapped": [{"from": "5", "candidates": ["2", "5"], "note": "unclear"}],
    }
)


@pytest.mark.parametrize(
    ("set_id", "number", "expected"),
    [
        pytest.param(OLD, "1", [("to", "1", "Quy hoạch", True)], id="verified pair"),
        pytest.param(
            OLD, "2", [("to", "2", "Hạ tầng kinh tế - xã hội", False)], id="unverified pair"
        ),
        pytest.param(
            NEW_SET,
            "2",
            [
                ("from", "2", "Giao thông", False),
                ("from", "3", "Thủy lợi và phòng, chống thiên tai", False),
            ],
            id="a new criterion's sources",
        ),
        pytest.param(
            OLD,
            "5",
            [
                ("maybe", "2", "Hạ tầng kinh tế - xã hội", False),
                ("maybe", "5", "Văn hóa, giáo dục, y tế", False),
            ],
            id="unmapped: candidates",
        ),
        pytest.param(OLD, "9", [], id="not in the crosswalk"),
    ],
)
def test_criterion_links(set_id: str, number: str, expected: list[Any]) -> None:
    found = views.criterion_links(set_id, number, "vi", walks=[WALK])
    assert [(x.direction, x.number, x.name, x.verified) for x in found] == expected


def test_the_shipped_crosswalk_follows_18_into_9_and_10_unverified() -> None:
    found = views.criterion_links(OLD, "18", "vi")
    assert [(x.number, x.verified) for x in found] == [("9", False), ("10", False)]


# --- ntm report ---------------------------------------------------------------------------


def test_report_json_lists_the_predecessors_units_with_their_successor(tmp_path: Path) -> None:
    url = build(f"sqlite:///{tmp_path / 'ntm.db'}")
    done = ntm("report", "--db", url, "--commune", SUCCESSOR, "--format", "json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    units = [
        (u["commune"], u["period"], u.get("successor"), u["criteria_met"], u["criteria_total"])
        for u in out["units"]
        if u["village"] is None
    ]
    assert sorted(units) == sorted(
        [
            ("Dương Quang", 2024, SUCCESSOR, 2, 19),
            ("Dương Quang", 2025, SUCCESSOR, 3, 19),
            ("Đôn Phong", 2024, SUCCESSOR, 1, 19),
            ("Đôn Phong", 2025, SUCCESSOR, 2, 19),
            (SUCCESSOR, 2026, None, 0, 10),
        ]
    )
    assert sorted(out["criteria_set"]) == [OLD, NEW_SET]


# --- the exports --------------------------------------------------------------------------


class Recorder:
    """Stand-in renderer: a white PNG, keeping every figure it was asked to draw."""

    def __init__(self) -> None:
        self.figures: list[go.Figure] = []

    def __call__(self, fig: go.Figure, width: int, height: int) -> bytes:
        self.figures.append(fig)
        out = io.BytesIO()
        Image.new("RGB", (width, height), "white").save(out, format="PNG")
        return out.getvalue()


SERIES_LINES = [
    "Đôn Phong (trước sáp nhập) · 318/QĐ-TTg · 19 tiêu chí: 2024: 1/19; 2025: 2/19",
    "Dương Quang (trước sáp nhập) · 318/QĐ-TTg · 19 tiêu chí: 2024: 2/19; 2025: 3/19",
    "Phong Quang · 51/2025/QĐ-TTg · 10 tiêu chí: 2026: 0/10",
]


def test_exports_show_the_labelled_series(tmp_path: Path) -> None:
    report = commune_report(assessed(tmp_path), 2026, lang="vi")
    assert report.history_lines()[2:] == SERIES_LINES
    # XLSX: one row per unit and year on "Trước sáp nhập", never a summed row.
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(report)))
    ws = wb["Trước sáp nhập"]
    rows = [
        tuple(c.value for c in row[:6])
        for row in ws.iter_rows(min_row=1)
        if isinstance(row[2].value, int)
    ]
    assert rows == [
        ("Đôn Phong (trước sáp nhập)", SUCCESSOR, 2024, "318/QĐ-TTg · 19 tiêu chí", 1, 19),
        ("Đôn Phong (trước sáp nhập)", SUCCESSOR, 2025, "318/QĐ-TTg · 19 tiêu chí", 2, 19),
        ("Dương Quang (trước sáp nhập)", SUCCESSOR, 2024, "318/QĐ-TTg · 19 tiêu chí", 2, 19),
        ("Dương Quang (trước sáp nhập)", SUCCESSOR, 2025, "318/QĐ-TTg · 19 tiêu chí", 3, 19),
        ("Phong Quang", None, 2026, "51/2025/QĐ-TTg · 10 tiêu chí", 0, 10),  # empty cell
    ]
    # PPTX: the merger slide says each series; the progress picture is the panels chart.
    render = Recorder()
    deck = Presentation(io.BytesIO(build_pptx(report, render=render)))
    texts = "\n".join(
        s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame
    )
    for line in ["Bộ tiêu chí thay đổi: 19 → 10 tiêu chí từ 2026", *SERIES_LINES]:
        assert line in texts
    panels = [f for f in render.figures if "xaxis3" in f.layout and f.layout.xaxis3.title.text]
    assert len(panels) == 1
    # PDF: the same lines.
    pdf = PdfReader(io.BytesIO(build_pdf(report, render=Recorder())))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for name in ("Dương Quang (trước sáp nhập)", "Đôn Phong (trước sáp nhập)", "19 → 10"):
        assert name in text


# --- the pages ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def merged_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("merger") / "ntm.db"
    yield from use_database(build(f"sqlite:///{path}"))


def run_page(name: str, year: int, lang: str = "vi") -> AppTest:
    at = AppTest.from_file(str(ROOT / "screens" / name), default_timeout=60)
    at.session_state["commune"] = SUCCESSOR
    at.session_state["year"] = year
    at.session_state["lang"] = lang
    return at.run()


def chart_specs(at: AppTest) -> str:
    return "\n".join(
        json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")
    )


@pytest.mark.parametrize(
    ("year", "metrics"),
    [
        pytest.param(
            2024,
            [
                ("Tiêu chí đạt · Đôn Phong (trước sáp nhập)", "1/19"),
                ("Tiêu chí đạt · Dương Quang (trước sáp nhập)", "2/19"),
            ],
            id="before the merger: each predecessor",
        ),
        pytest.param(
            2025,
            [
                ("Tiêu chí đạt · Đôn Phong (trước sáp nhập)", "2/19"),
                ("Tiêu chí đạt · Dương Quang (trước sáp nhập)", "3/19"),
            ],
            id="the merger's year, no data of Phong Quang's own",
        ),
        pytest.param(2026, [("Tiêu chí xã đã đạt", "0/10")], id="after: Phong Quang"),
    ],
)
def test_tong_quan_of_a_merged_commune(merged_db: str, year: int, metrics: list[Any]) -> None:
    at = run_page("tong_quan.py", year)
    no_exception(at)
    said = {
        2024: "Năm 2024 xã Phong Quang chưa thành lập",
        2025: "Xã Phong Quang thành lập ngày 01/07/2025 và chưa có số liệu năm 2025",
    }
    assert [i.value.split(":")[0] for i in at.info] == ([said[year]] if year in said else [])
    shown = [(m.label, m.value) for m in at.metric]
    assert shown[: len(metrics)] == metrics
    spec = chart_specs(at)
    for text in ("Dương Quang (trước sáp nhập)", "Đôn Phong (trước sáp nhập)", "19 → 10"):
        assert text in spec


def test_tieu_chi_before_the_merger_shows_each_predecessor_and_the_crosswalk(
    merged_db: str,
) -> None:
    at = run_page("tieu_chi.py", 2024)
    no_exception(at)
    assert [s.value for s in at.subheader] == [
        "Đôn Phong (trước sáp nhập)",
        "Dương Quang (trước sáp nhập)",
    ]
    links = "\n".join(m.value for m in at.markdown)
    assert "chưa xác minh" in links and "tiêu chí 1 Quy hoạch" in links


def test_report_table_prints_each_predecessor_under_its_own_label(tmp_path: Path) -> None:
    url = build(f"sqlite:///{tmp_path / 'ntm.db'}")
    done = ntm("report", "--db", url, "--commune", SUCCESSOR, "--format", "table")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    found = [
        (lines[i - 1] if "trước sáp nhập" in lines[i - 1] else None, line)
        for i, line in enumerate(lines)
        if line.startswith("Xã ")
    ]
    assert found == [
        ("Đôn Phong (trước sáp nhập)", "Xã Đôn Phong — năm 2025"),
        ("Dương Quang (trước sáp nhập)", "Xã Dương Quang — năm 2025"),
        (None, "Xã Phong Quang — năm 2026"),
    ]


def test_a_report_for_a_year_before_the_merger_says_whose_data_it_is(tmp_path: Path) -> None:
    from ntm.exports import NoDataError

    with pytest.raises(NoDataError, match="Năm 2024 xã Phong Quang chưa thành lập") as caught:
        commune_report(assessed(tmp_path), 2024, lang="vi")
    assert "Đôn Phong, Dương Quang (trước sáp nhập)" in str(caught.value)
