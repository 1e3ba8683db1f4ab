"""Hostile files: each gives one clear problem, never a traceback, within a few seconds.

The files are made in code (tests/hostile.py). Each is refused before calamine parses it
(sizes, inflation, XML declarations and the used area are checked first): a lone cell in
XFD1048576 would otherwise make calamine allocate a dense grid and abort the process.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hostile import HOSTILE, macro_workbook, mini_criteria

from ntm.errors import Code, Severity
from ntm.returns import read_return


@pytest.mark.parametrize(("make", "name", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_file_gives_one_clear_problem(
    make: Callable[[], bytes], name: str, code: Code
) -> None:
    data = make()
    start = time.monotonic()
    result = read_return(data, name, criteria=mini_criteria())
    elapsed = time.monotonic() - start
    assert [p.code for p in result.problems] == [code]
    (problem,) = result.problems
    assert problem.level is Severity.ERROR
    assert problem.file == name
    assert "{" not in problem.message("vi") and "{" not in problem.message("en")
    assert result.values.empty
    assert not result.ok
    assert elapsed < 3.0


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
