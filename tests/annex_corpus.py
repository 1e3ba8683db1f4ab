"""A corpus of annex tables built at test time, in the layouts the decisions print (criteria.md
§2b), each with the truth of every printed threshold.

- `annex_318()`: Decision 318's layout, `TT | Tên tiêu chí | Nội dung tiêu chí | Chỉ tiêu chung |
  Chỉ tiêu theo vùng` over 7 region sub-columns, section rows ("I. QUY HOẠCH"), criteria merged
  over their indicators, "Đạt" merged across every column. The indicators and thresholds are
  those of criteria/vn-ntm-xa-2021-2025.yaml (most of them NOT verified: this is test data in
  the official layout, not the official text); income (10) and poverty (11), which the file
  leaves to the user, print a sentence a person must read; the parts of 5, 12.2 and 17.1 print
  as compound cells; 2.2 prints "100% (50% cứng hóa)" for TDMNPB.
- `annex_2026()`: Decision 51/2025's layout, one column per commune group under "Chỉ tiêu theo
  nhóm xã". MAKE-BELIEVE indicators and thresholds (DỮ LIỆU GIẢ ĐỂ KIỂM THỬ): the 47 real ones
  are not known here. 47 rows over the 10 real criterion names; criterion 7 has one indicator.

`write_docx`, `write_xlsx` and `docx_to_pdf` (LibreOffice, headless) write the same grid as
Word, Excel and a text PDF. `Printed.expect` is the reading the text must give, or None when
a person must read it (the parser must flag it).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ntm.criteria import GENERAL_KEY, Indicator, ThresholdRule, get_set

TEST_LABEL = "DỮ LIỆU GIẢ ĐỂ KIỂM THỬ — không phải văn bản chính thức"
REGIONS = [  # as the 318 annex heads its region columns (full names, one abbreviated)
    ("tdmnpb", "Trung du miền núi phía Bắc"),
    ("dbsh", "Đồng bằng sông Hồng"),
    ("btb", "Bắc Trung Bộ"),
    ("dhntb", "Duyên hải Nam Trung Bộ"),
    ("tn", "Tây Nguyên"),
    ("dnb", "ĐNB"),
    ("dbscl", "Đồng bằng sông Cửu Long"),
]
GROUPS = [("1", "Nhóm 1"), ("2", "Nhóm 2"), ("3", "Nhóm 3")]
Expect = tuple[str | None, float | bool | None, str | None, str, bool] | None


@dataclass(frozen=True)
class Printed:
    code: str
    key: str | None  # None: the general column
    text: str
    expect: Expect  # (direction, value, kind, unit, applies); None: must be flagged


@dataclass
class Row:
    criterion: str
    criterion_name: str
    content: str  # as printed, code included
    cells: dict[str | None, str]  # column key → printed text ("" = blank)
    merged: bool = False  # one cell across every threshold column


@dataclass
class Annex:
    name: str
    title: str
    columns: list[tuple[str | None, str]]  # threshold columns: (key, header)
    parent: str  # the header over the key columns
    rows: list[Row] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)  # criterion → section row before it

    @property
    def truth(self) -> list[Printed]:
        out = []
        for row in self.rows:
            code = code_of(row)
            for key, _ in self.columns:
                text = row.cells.get(key, "")
                if text.strip() in ("", "—"):
                    continue
                out.append(Printed(code, key, text, EXPECT[text]))
        return out


def code_of(row: Row) -> str:
    head = row.content.split(" ", 1)[0]
    return head.rstrip(".") if head[0].isdigit() else row.criterion


EXPECT: dict[str, Expect] = {}  # printed text → the reading it must give


def _say(text: str, expect: Expect) -> str:
    EXPECT[text] = expect
    return text


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


_SPELLINGS = itertools.cycle(["{op}{v}%", "{op} {v}%", "{op} {v} %"])


def _percent(direction: str, value: float) -> str:
    if direction == ">=" and value == 100:
        return _say("100%", (">=", 100.0, "percent", "%", True))
    op = "≥" if direction == ">=" else "≤"
    text = next(_SPELLINGS).format(op=op, v=_number(value))
    return _say(text, (direction, float(value), "percent", "%", True))


def _printed(ind: Indicator, rule: ThresholdRule | None) -> str:
    if rule is None:
        return "—"
    if rule.value is None:
        return _say("Theo lộ trình từng năm của tỉnh", None)
    if ind.kind == "boolean":
        if rule.value is False:
            return _say("Không", ("==", False, "boolean", "", True))
        word = "Có" if ind.name.vi.startswith("Xã có") else "Đạt"
        return _say(word, ("==", True, "boolean", "", True))
    if ind.kind == "percent":
        return _percent(ind.direction, float(rule.value))
    text = f"≥{_number(float(rule.value))} {ind.unit}"
    return _say(text, (ind.direction, float(rule.value), "number", ind.unit, True))


_COMPOUND_318 = {  # indicators the YAML keeps as several values: printed as one compound cell
    "5": "100% (≥ 70% đạt mức độ 1)",
    "12.2": "≥ 70% (nam và nữ)",
    "17.1": "≥ 95% (≥ 15% nước sạch tập trung)",
}
_SECTIONS_318 = {
    "1": "I. QUY HOẠCH",
    "2": "II. HẠ TẦNG KINH TẾ - XÃ HỘI",
    "10": "III. KINH TẾ VÀ TỔ CHỨC SẢN XUẤT",
    "14": "IV. VĂN HÓA - XÃ HỘI - MÔI TRƯỜNG",
    "18": "V. HỆ THỐNG CHÍNH TRỊ",
}


def annex_318() -> Annex:
    crit = get_set("vn-ntm-xa-2021-2025")
    annex = Annex(
        "318",
        "PHỤ LỤC I — BỘ TIÊU CHÍ QUỐC GIA VỀ XÃ NÔNG THÔN MỚI GIAI ĐOẠN 2021-2025 "
        "(bản dựng để kiểm thử theo bố cục của Quyết định 318/QĐ-TTg; ngưỡng lấy từ "
        "criteria/vn-ntm-xa-2021-2025.yaml, phần lớn chưa đối chiếu)",
        [(None, "Chỉ tiêu chung"), *REGIONS],
        "Chỉ tiêu theo vùng",
        sections=dict(_SECTIONS_318),
    )
    for criterion in crit.criteria:
        single = len(criterion.indicators) == 1
        for ind in criterion.indicators:
            content = ind.name.vi if single else f"{ind.code}. {ind.name.vi}"
            cells: dict[str | None, str] = {}
            if ind.code in _COMPOUND_318:
                text = _say(_COMPOUND_318[ind.code], None)
                cells = {key: text for key, _ in annex.columns}
                annex.rows.append(Row(criterion.number, criterion.name.vi, content, cells))
                continue
            rules = [r for r in ind.thresholds if r.year is None]
            general = next((r for r in rules if r.key in (None, GENERAL_KEY)), None)
            cells[None] = _printed(ind, general)
            for key, _ in REGIONS:
                own = next((r for r in rules if r.key == key), general)
                cells[key] = cells[None] if own is general else _printed(ind, own)
            if ind.code == "2.2":
                cells["tdmnpb"] = _say("100% (50% cứng hóa)", None)
            uniform = ind.kind == "boolean" and len(set(cells.values())) == 1
            annex.rows.append(Row(criterion.number, criterion.name.vi, content, cells, uniform))
    return annex


# --- 2026-2030: make-believe indicators ------------------------------------------------------

_COUNTS_2026 = {"1": 2, "2": 8, "3": 5, "4": 3, "5": 9, "6": 5, "7": 1, "8": 7, "9": 4, "10": 3}
_T = TEST_LABEL.split(" —")[0].lower()  # "dữ liệu giả để kiểm thử"
_PATTERNS_2026: list[tuple[str, list[str]]] = [
    # (content without code, the three groups' printed thresholds); "*" = merged across groups
    ("Xã có quy hoạch chung được phê duyệt ({t})", ["*Đạt"]),
    ("Tỷ lệ hộ đạt yêu cầu thử nghiệm A ({t})", ["≥ 90%", "≥85%", "≥ 80 %"]),
    ("Tỷ lệ đường thôn được cứng hóa ({t})", ["100%", "100% (50% cứng hóa)", "≥ 70%"]),
    ("Tỷ lệ hộ nghèo đa chiều ({t})", ["≤ 3%", "≤ 5,5%", "≤ 8%"]),
    (
        "Thu nhập bình quân đầu người khu vực nông thôn ({t})",
        ["≥ 90 triệu đồng/người/năm", "≥ 80 triệu đồng/người/năm", "≥ 70 triệu đồng/người/năm"],
    ),
    ("Đất cây xanh sử dụng công cộng tại điểm dân cư ({t})", ["≥2 m²/người", "≥ 2 m²/người", "—"]),
    ("Xã có điểm phục vụ thử nghiệm B ({t})", ["Có", "Có", "Có"]),
    ("Nhà tạm, dột nát ({t})", ["*Không"]),
    ("Tỷ lệ lao động có việc làm thử nghiệm C ({t})", ["Từ 70% trở lên", "≥ 65%", "70%"]),
    ("Tỷ lệ trường đạt chuẩn thử nghiệm D ({t})", ["Không áp dụng", "≥ 50%", "≥ 40%"]),
]
_EXPECT_2026: dict[str, Expect] = {
    "Đạt": ("==", True, "boolean", "", True),
    "Có": ("==", True, "boolean", "", True),
    "Không": ("==", False, "boolean", "", True),
    "≥ 90%": (">=", 90.0, "percent", "%", True),
    "≥85%": (">=", 85.0, "percent", "%", True),
    "≥ 80 %": (">=", 80.0, "percent", "%", True),
    "100%": (">=", 100.0, "percent", "%", True),
    "100% (50% cứng hóa)": None,
    "≥ 70%": (">=", 70.0, "percent", "%", True),
    "≤ 3%": ("<=", 3.0, "percent", "%", True),
    "≤ 5,5%": ("<=", 5.5, "percent", "%", True),
    "≤ 8%": ("<=", 8.0, "percent", "%", True),
    "≥ 90 triệu đồng/người/năm": (">=", 90.0, "money", "triệu đồng/người/năm", True),
    "≥ 80 triệu đồng/người/năm": (">=", 80.0, "money", "triệu đồng/người/năm", True),
    "≥ 70 triệu đồng/người/năm": (">=", 70.0, "money", "triệu đồng/người/năm", True),
    "≥2 m²/người": (">=", 2.0, "number", "m²/người", True),
    "≥ 2 m²/người": (">=", 2.0, "number", "m²/người", True),
    "Từ 70% trở lên": (">=", 70.0, "percent", "%", True),
    "≥ 65%": (">=", 65.0, "percent", "%", True),
    "70%": None,  # no direction printed: a person says whether it is "at least"
    "Không áp dụng": (None, None, None, "", False),
    "≥ 50%": (">=", 50.0, "percent", "%", True),
    "≥ 40%": (">=", 40.0, "percent", "%", True),
}


def annex_2026() -> Annex:
    EXPECT.update(_EXPECT_2026)
    names = {c.number: c.name.vi for c in get_set("vn-ntm-xa-2026-2030").criteria}
    annex = Annex(
        "2026",
        f"PHỤ LỤC I (MẪU THỬ) — BỘ TIÊU CHÍ XÃ NÔNG THÔN MỚI 2026-2030 — {TEST_LABEL}",
        list(GROUPS),
        "Chỉ tiêu theo nhóm xã",
    )
    patterns = itertools.cycle(_PATTERNS_2026)
    for number, count in _COUNTS_2026.items():
        for i in range(1, count + 1):
            content, texts = next(patterns)
            content = content.format(t=_T)
            if count > 1:
                content = f"{number}.{i}. {content}"
            merged = texts[0].startswith("*")
            if merged:
                texts = [texts[0][1:]] * 3
            cells: dict[str | None, str] = {
                key: text for (key, _), text in zip(GROUPS, texts, strict=True)
            }
            annex.rows.append(Row(number, names[number], content, cells, merged))
    return annex


# --- writers -----------------------------------------------------------------------------------


def write_docx(annex: Annex, path: Path) -> Path:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.2))
    style = document.styles["Normal"]
    style.font.name, style.font.size = "DejaVu Sans", Pt(7)
    document.add_paragraph(annex.title)
    keys = len(annex.columns)
    general = annex.columns[0][0] is None
    width = 3 + keys
    table = document.add_table(rows=2, cols=width)
    table.style = "Table Grid"
    top, sub = table.rows[0].cells, table.rows[1].cells
    heads = ["TT", "Tên tiêu chí", "Nội dung tiêu chí"] + (["Chỉ tiêu chung"] if general else [])
    for c, text in enumerate(heads):
        top[c].text = text
        top[c].merge(sub[c])
    first_key = len(heads)
    top[first_key].text = annex.parent
    top[first_key].merge(top[width - 1])
    for c, (_, header) in enumerate(annex.columns[1 if general else 0 :], start=first_key):
        sub[c].text = header
    for row in table.rows:  # the header repeats on every page, and no row breaks over a page
        props = row._tr.get_or_add_trPr()
        props.append(OxmlElement("w:cantSplit"))
        if row._index < 2:
            props.append(OxmlElement("w:tblHeader"))
    spans: list[tuple[int, int]] = []
    for row in annex.rows:
        if _starts(annex, row) and row.criterion in annex.sections:
            line = table.add_row().cells
            line[0].merge(line[width - 1]).text = annex.sections[row.criterion]
        line = table.add_row()
        line._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        cells = line.cells
        if _starts(annex, row):
            cells[0].text, cells[1].text = row.criterion, row.criterion_name
            spans.append((len(table.rows) - 1, len(table.rows) - 1))
        else:
            spans[-1] = (spans[-1][0], len(table.rows) - 1)
        cells[2].text = row.content
        for c, (key, _) in enumerate(annex.columns, start=3):
            cells[c].text = row.cells.get(key, "")
        if row.merged:
            cells[3].merge(cells[width - 1]).text = row.cells[annex.columns[0][0]]
    for start, end in spans:
        for c in (0, 1):
            if end > start:
                keep = table.cell(start, c).text
                merged = table.cell(start, c).merge(table.cell(end, c))
                merged.text = keep
    table.autofit = False
    rest = (27.0 - 0.8 - 2.6 - 8.0) / keys  # the page's width shared by the threshold columns
    widths = [Cm(0.8), Cm(2.6), Cm(8.0)] + [Cm(rest)] * keys
    for c, column in enumerate(table.columns):
        column.width = widths[c]
    for row in table.rows:
        for c, cell in enumerate(row.cells):
            cell._tc.get_or_add_tcPr().append(_valign(qn))
            cell.width = widths[c]
    document.save(str(path))
    return path


def _valign(qn: object) -> object:
    from docx.oxml import OxmlElement

    element = OxmlElement("w:vAlign")
    element.set(qn("w:val"), "top")  # type: ignore[operator]
    return element


def _starts(annex: Annex, row: Row) -> bool:
    """The first row of its criterion."""
    return next(r for r in annex.rows if r.criterion == row.criterion) is row


def write_xlsx(annex: Annex, path: Path) -> Path:
    import openpyxl
    from openpyxl.styles import Alignment

    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "Phụ lục I"
    general = annex.columns[0][0] is None
    width = 3 + len(annex.columns)
    sheet.cell(1, 1, annex.title)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    heads = ["TT", "Tên tiêu chí", "Nội dung tiêu chí"] + (["Chỉ tiêu chung"] if general else [])
    for c, text in enumerate(heads, start=1):
        sheet.cell(3, c, text)
        sheet.merge_cells(start_row=3, start_column=c, end_row=4, end_column=c)
    sheet.cell(3, len(heads) + 1, annex.parent)
    sheet.merge_cells(start_row=3, start_column=len(heads) + 1, end_row=3, end_column=width)
    for c, (_, header) in enumerate(annex.columns[1 if general else 0 :], start=len(heads) + 1):
        sheet.cell(4, c, header)
    r = 5
    for row in annex.rows:
        if _starts(annex, row):
            if row.criterion in annex.sections:
                sheet.cell(r, 1, annex.sections[row.criterion])
                sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
                r += 1
            count = sum(1 for x in annex.rows if x.criterion == row.criterion)
            sheet.cell(r, 1, int(row.criterion))  # typed as a number, as offices do
            sheet.cell(r, 2, row.criterion_name)
            if count > 1:
                for c in (1, 2):
                    sheet.merge_cells(
                        start_row=r, start_column=c, end_row=r + count - 1, end_column=c
                    )
        sheet.cell(r, 3, row.content).alignment = Alignment(wrap_text=True)
        for c, (key, _) in enumerate(annex.columns, start=4):
            text = row.cells.get(key, "")
            if text == "100%" and key == annex.columns[-1][0]:
                sheet.cell(r, c, 1).number_format = "0%"  # a percent cell holding 1
            elif not (row.merged and c > 4):
                sheet.cell(r, c, text or None)
        if row.merged:
            sheet.merge_cells(start_row=r, start_column=4, end_row=r, end_column=width)
        r += 1
    wb.save(path)
    return path


def docx_to_pdf(source: Path, out_dir: Path) -> Path:
    """Render a .docx to PDF with LibreOffice (Debian: libreoffice-writer-nogui)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError(
            "LibreOffice is needed to render the PDF corpus: apt-get install "
            "libreoffice-writer-nogui (scripts/system-deps.sh installs it for make test)"
        )
    with tempfile.TemporaryDirectory() as profile:  # one profile per call: parallel workers
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
            env={**os.environ, "HOME": profile},
        )
    return out_dir / (source.stem + ".pdf")


def write_rows_docx(rows: list[list[str]], path: Path) -> Path:
    """A plain Word table, one cell per string, no merges (small layout tests)."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=0, cols=max(len(r) for r in rows))
    for row in rows:
        cells = table.add_row().cells
        for c, text in enumerate(row):
            cells[c].text = text
    document.save(str(path))
    return path


def build(out_dir: Path) -> dict[str, tuple[Annex, Path]]:
    """Every file of the corpus: name → (its annex, its path)."""
    out: dict[str, tuple[Annex, Path]] = {}
    for annex in (annex_318(), annex_2026()):
        docx_path = write_docx(annex, out_dir / f"phu-luc-{annex.name}.docx")
        out[f"{annex.name}.docx"] = (annex, docx_path)
        out[f"{annex.name}.xlsx"] = (
            annex,
            write_xlsx(annex, out_dir / f"phu-luc-{annex.name}.xlsx"),
        )
        out[f"{annex.name}.pdf"] = (annex, docx_to_pdf(docx_path, out_dir))
    return out
