"""Hostile files: each gives one clear problem, never a traceback.

The files are made in code (tests/hostile.py). Each is refused before calamine parses it
(sizes, inflation, XML declarations and the used area are checked first): a lone cell in
XFD1048576 would otherwise make calamine allocate a dense grid and abort the process. Time is
injected, never measured: with the reader's clock stopped each file is refused by its own check,
and a read that runs past the deadline (`Limits.parse_seconds`) is refused as too slow.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hostile import HOSTILE, macro_workbook, mini_criteria

from ntm.errors import Code, Severity
from ntm.returns import Limits, read_return


class Clock:
    """The reader's `time` module: `monotonic()` advances `step` seconds on every call."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 1000.0, step

    def monotonic(self) -> float:
        self.now += self.step
        return self.now


@pytest.mark.parametrize(("make", "name", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_file_gives_one_clear_problem(
    make: Callable[[], bytes], name: str, code: Code
) -> None:
    """With the reader's clock stopped, the deadline never fires: the file's own check does."""
    data = make()
    result = read_return(data, name, criteria=mini_criteria(), clock=Clock(0).monotonic)
    assert [p.code for p in result.problems] == [code]
    (problem,) = result.problems
    assert problem.level is Severity.ERROR
    assert problem.file == name
    assert "{" not in problem.message("vi") and "{" not in problem.message("en")
    assert result.values.empty
    assert not result.ok


@pytest.mark.parametrize(
    ("seconds", "step", "refused"),
    [
        (10, 0.0, False),
        (10, 4.0, True),
        (10, 11.0, True),
        (60, 4.0, False),
    ],
    ids=["clock stopped", "10 s passed mid-read", "10 s passed at once", "60 s allowed"],
)
def test_the_parse_deadline_refuses_a_read_that_runs_past_it(
    seconds: float, step: float, refused: bool
) -> None:
    """`parse_seconds` bounds a read: past the deadline the file is refused with one problem
    naming the limit (the clock is injected: each look at it moves it on by `step`)."""
    data = macro_workbook()
    result = read_return(
        data,
        "bao-cao.xlsx",
        criteria=mini_criteria(),
        limits=Limits(parse_seconds=seconds),
        clock=Clock(step).monotonic,
        commune_keys={"Dương Quang": {"region": "tdmnpb"}},
    )
    codes = [p.code for p in result.problems]
    if refused:
        assert codes[-1] == Code.PARSE_TIMEOUT and result.values.empty
        assert f"quá {seconds} giây" in result.problems[-1].message("vi")
    else:
        assert Code.PARSE_TIMEOUT not in codes
        assert result.values["value"].tolist() == [95.0]


def test_macro_workbook_is_read_for_its_values_with_a_warning() -> None:
    result = read_return(
        macro_workbook(),
        "bao-cao.xlsm",
        criteria=mini_criteria(),
        commune_keys={"Dương Quang": {"region": "tdmnpb"}},
    )
    assert [(p.code, p.level) for p in result.problems] == [(Code.MACRO_WORKBOOK, Severity.WARNING)]
    assert result.values["value"].tolist() == [95.0]


def test_a_reader_bug_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever goes wrong inside, the caller gets a problem (and the log the traceback)."""
    import ntm.returns.reader

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(ntm.returns.reader, "load_grids", broken)
    result = read_return(HOSTILE["CSV renamed .xlsx"][0](), "a.csv")
    assert [p.code for p in result.problems] == [Code.NOT_A_WORKBOOK]
    data = macro_workbook()
    result = read_return(data, "a.xlsx", criteria=mini_criteria())
    assert [p.code for p in result.problems][-1] == Code.UNREADABLE_FILE
    assert result.problems[-1].params == {"detail": "RuntimeError"}


def test_openpyxl_parses_through_defusedxml_which_the_package_declares() -> None:
    """openpyxl (criteria sheets, templates) guards its XML parsing only when defusedxml is
    importable; the project declares it instead of relying on another package to bring it."""
    import tomllib
    from pathlib import Path

    from openpyxl.xml import DEFUSEDXML

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    assert [d for d in declared if d.split(">")[0].split("=")[0].strip() == "defusedxml"]
    assert DEFUSEDXML is True
