"""The layers of DESIGN §2 and their rules, checked on the source. An arrow means "may import";
nothing imports upward.

    app.py, screens/*.py ──> ntm.ui ──> ntm core ──> ntm.errors
    ntm.cli ──────────────────────────> ntm core

- `app.py`: page configuration and navigation (`st.navigation` over `screens/`), nothing else.
- `screens/*.py`, one per page, each under 150 lines: read inputs, call `ntm.ui`, draw. They
  import streamlit, the standard library, `ntm.ui` and the pure presentation helpers
  `ntm.charts`, `ntm.formatting` and `ntm.i18n`; nothing else of the core.
- `ntm.ui`: the only streamlit-aware code under src/: `services` (cached reads and writes
  through the core), `state` (session-state keys), the shared widgets (`context`, `shell`,
  `tables`, `headline`, `records`) and the sections of the longer screens (`ntm.ui.settings`
  for Cài đặt, `revision_actions`, `repair`, `upload_flow`, …). `ntm.ui.widgets` re-exports
  the shared widgets for screens and tests; modules of `ntm.ui` import the module they need,
  never that façade.
- The core (everything else under `src/ntm`): never imports streamlit or `ntm.ui`.
- Every module under `src/ntm` stays under 500 lines: one that grows past it is split along its
  seams into a package whose `__init__` re-exports what callers use (`ntm.charts`,
  `ntm.criteria_sheet`, `ntm.returns`).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from ntm.i18n import LANGUAGES, catalogue

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "ntm"
CORE_FILES = sorted(p for p in SRC.rglob("*.py") if "ui" not in p.relative_to(SRC).parts)
UI_FILES = sorted((SRC / "ui").rglob("*.py"))
SCREENS = sorted([ROOT / "app.py", *(ROOT / "screens").glob("*.py")])
MODULE_LINES = 500
SCREEN_LINES = 150
# What a screen may import besides streamlit and the standard library.
SCREEN_IMPORTS = ("ntm.ui", "ntm.charts", "ntm.formatting", "ntm.i18n")


def _imported_modules(path: Path) -> set[str]:
    """Every module `path` imports; `from ntm import charts` counts as `ntm.charts`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "ntm" or node.module.startswith("ntm."):
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_core_module_does_not_import_streamlit(path: Path) -> None:
    imported = _imported_modules(path)
    assert not {m for m in imported if _within(m, ("streamlit",))}
    assert not {m for m in imported if _within(m, ("ntm.ui",))}


@pytest.mark.parametrize("path", SCREENS, ids=lambda p: p.name)
def test_a_screen_imports_only_the_ui_layer_and_presentation_helpers(path: Path) -> None:
    outside = {
        m
        for m in _imported_modules(path)
        if m != "ntm"
        and not _within(m, ("streamlit", *SCREEN_IMPORTS))
        and m.split(".")[0] not in sys.stdlib_module_names
    }
    assert outside == set()


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_the_ui_layer_imports_what_it_needs_not_the_widgets_facade(path: Path) -> None:
    if path == SRC / "ui" / "widgets.py":
        return
    assert "ntm.ui.widgets" not in _imported_modules(path)


@pytest.mark.parametrize("path", SCREENS, ids=lambda p: p.name)
def test_a_screen_is_short(path: Path) -> None:
    """A screen reads inputs, calls ntm.ui and draws: its sections live in ntm.ui."""
    assert _lines(path) <= SCREEN_LINES


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_a_module_fits_in_a_readers_head(path: Path) -> None:
    """No module under src/ntm over 500 lines (aim for 400)."""
    assert _lines(path) <= MODULE_LINES


def test_every_catalogue_entry_has_every_language() -> None:
    missing = [
        (key, lang)
        for key, entry in catalogue().items()
        for lang in LANGUAGES
        if not entry.get(lang)
    ]
    assert missing == []


def test_every_setting_is_documented_in_the_readme_and_in_ntm_config() -> None:
    """A setting nobody can find does not exist: each has its row in both settings tables."""
    from ntm import config

    readme = (SRC.parents[1] / "README.md").read_text(encoding="utf-8")
    names = [config.env_name(field) for field in config.FIELDS]
    assert [n for n in names if f"`{n}`" not in readme] == []
    assert [n for n in names if f"| {n}" not in (config.__doc__ or "")] == []


def test_every_problem_code_has_a_message() -> None:
    from ntm.errors import Code

    assert [c.value for c in Code if f"problem.{c.value}" not in catalogue()] == []


# --- no test asserts a wall-clock time (issue 14) -----------------------------------------------
# Speed lives in bench/; time in tests is injected (e.g. `auth_ui.clock`, the reader's clock).

TESTS = Path(__file__).resolve().parent
CLOCK_CALLS = {"time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns"}
TIME_WORDS = re.compile(r"elapsed|duration|seconds|wall_?time|_(s|ms)$", re.IGNORECASE)
ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _clock_call(node: ast.AST) -> bool:
    """time.time(), time.perf_counter(), time.monotonic() … (also `from time import …`)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        return (
            func.attr in CLOCK_CALLS
            and isinstance(func.value, ast.Name)
            and (func.value.id == "time")
        )
    return isinstance(func, ast.Name) and func.id in CLOCK_CALLS - {"time"}


def _timed(expr: ast.AST, tainted: set[str]) -> bool:
    """Whether `expr` holds a clock reading, a name derived from one, or a time-named value."""
    for node in ast.walk(expr):
        if _clock_call(node):
            return True
        if isinstance(node, ast.Name) and (node.id in tainted or TIME_WORDS.search(node.id)):
            return True
        if isinstance(node, ast.Attribute) and TIME_WORDS.search(node.attr):
            return True
        called = node.func if isinstance(node, ast.Call) else None
        if isinstance(called, ast.Name) and called.id in tainted:
            return True
        key = node.slice if isinstance(node, ast.Subscript) else None
        if isinstance(key, ast.Constant) and TIME_WORDS.search(str(key.value)):
            return True
    return False


def _tainted(tree: ast.AST) -> set[str]:
    """Names assigned from clock readings, and functions that read the clock, to a fixpoint."""
    tainted: set[str] = set()
    while True:
        before = len(tainted)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                _clock_call(n) for n in ast.walk(node)
            ):
                tainted.add(node.name)
            if not isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                continue
            if node.value is not None and _timed(node.value, tainted):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    tainted |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        if len(tainted) == before:
            return tainted


def wall_clock_asserts(source: str) -> list[int]:
    """Lines of the `assert`s that order (<, <=, >, >=) a time measured on the wall clock."""
    tree = ast.parse(source)
    tainted = _tainted(tree)
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        for compare in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
            if any(isinstance(op, ORDER) for op in compare.ops) and any(
                _timed(side, tainted) for side in (compare.left, *compare.comparators)
            ):
                lines.append(node.lineno)
                break
    return lines


@pytest.mark.parametrize(
    ("source", "found"),
    [
        pytest.param(
            "start = time.monotonic()\nassert time.monotonic() - start < 3",
            True,
            id="clock in the assert",
        ),
        pytest.param(
            "t0 = time.perf_counter()\nelapsed = time.perf_counter() - t0\nassert elapsed < 3.0",
            True,
            id="elapsed",
        ),
        pytest.param("assert r['seconds'] < SECONDS", True, id="a report's seconds"),
        pytest.param("a, missing_s = result\nassert missing_s < 2", True, id="a _s name"),
        pytest.param(
            "def best(f):\n    s = time.perf_counter()\n    f()\n"
            "    return time.perf_counter() - s\nassert best(a) < 8 * best(b)",
            True,
            id="a timing helper",
        ),
        pytest.param("assert time.time() - at.session_state[SEEN] < 5", True, id="time.time"),
        pytest.param("assert stats.duration >= 0.1", True, id="duration attribute"),
        pytest.param("assert len(rows) < 10", False, id="a count"),
        pytest.param("assert limits.parse_seconds == 10", False, id="a setting, not a measure"),
        pytest.param("seen = clock()\nassert seen == now", False, id="an injected clock"),
    ],
)
def test_the_wall_clock_finder(source: str, found: bool) -> None:
    assert bool(wall_clock_asserts(source)) is found


@pytest.mark.parametrize("path", sorted(TESTS.glob("*.py")), ids=lambda p: p.name)
def test_no_test_asserts_a_wall_clock_time(path: Path) -> None:
    """A test states behaviour; how fast something runs is measured in bench/, not asserted."""
    assert wall_clock_asserts(path.read_text(encoding="utf-8")) == []


# --- storage and the attainment engine, split along their seams (issue 15) ----------------------
# Each is a package of modules a newcomer can hold in their head, behind the same public names.

SPLIT = ("storage", "attainment")
SPLIT_FILES = [p for p in CORE_FILES if p.relative_to(SRC).parts[0] in SPLIT]


@pytest.mark.parametrize("path", SPLIT_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_storage_and_attainment_modules_stay_under_500_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 500


def test_the_split_packages_keep_their_public_names() -> None:
    """Callers import from the package, never from where a name now lives."""
    import ntm.attainment
    import ntm.storage

    assert set(ntm.storage.__all__) >= {
        "ACCEPTED",
        "ANY",
        "DUPLICATE",
        "HELD",
        "REFUSED",
        "REPLACE",
        "TEST_PAUSE_ENV",
        "UPDATE",
        "CommuneProfile",
        "ImportOutcome",
        "ReadingContext",
        "RevisionRef",
        "Store",
        "UnitPlan",
        "Village",
        "default_url",
        "make_engine",
        "migrate",
        "problem_from_dict",
        "problem_to_dict",
    }
    assert set(ntm.attainment.__all__) >= {
        "MET",
        "UNMET",
        "MISSING",
        "NO_THRESHOLD",
        "NOT_APPLICABLE",
        "INFO",
        "UNKNOWN",
        "COMMUNE",
        "UNIT_COLUMNS",
        "Assessment",
        "PartKeys",
        "assess",
        "assessment_json",
        "criteria_set_json",
    }
    for module in (ntm.storage, ntm.attainment):
        assert [n for n in module.__all__ if not hasattr(module, n)] == []
