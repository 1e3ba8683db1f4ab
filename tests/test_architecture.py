"""Layering rules of DESIGN §2, checked on the source: the core never imports the web layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ntm.i18n import LANGUAGES, catalogue

SRC = Path(__file__).resolve().parents[1] / "src" / "ntm"
CORE_FILES = sorted(p for p in SRC.rglob("*.py") if "ui" not in p.relative_to(SRC).parts)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_core_module_does_not_import_streamlit(path: Path) -> None:
    imported = _imported_modules(path)
    assert not {m for m in imported if m == "streamlit" or m.startswith("streamlit.")}
    assert not {m for m in imported if m.startswith("ntm.ui")}


def test_every_catalogue_entry_has_every_language() -> None:
    missing = [
        (key, lang)
        for key, entry in catalogue().items()
        for lang in LANGUAGES
        if not entry.get(lang)
    ]
    assert missing == []


def test_every_problem_code_has_a_message() -> None:
    from ntm.errors import Code

    assert [c.value for c in Code if f"problem.{c.value}" not in catalogue()] == []
