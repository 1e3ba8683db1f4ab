"""A plain, non-editable install works on its own (issue 14): the package is built as `pip
install .` builds it (sdist, then a wheel from the sdist), installed into a fresh virtual
environment, and run from a folder that is not the checkout.

The fresh environment borrows the test environment's third-party packages through a `.pth`
line (installing streamlit & co. again would only test the package index); `ntm` itself comes
from the wheel alone: the checkout's editable install is not on its path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
UV = Path(sys.executable).parent / "uv"
SKIP = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.db", "*.db-*", ".*_cache"
)


def _run(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # type: ignore[call-overload]
        [str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the built wheel installed; returns its folder."""
    assert UV.exists(), "uv comes with the project's .venv (make venv)"
    tmp = tmp_path_factory.mktemp("packaging")
    source = _mkdir(tmp / "source")
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("src", "criteria", "data/demo"):
        shutil.copytree(ROOT / folder, source / folder, ignore=SKIP)
    _run(UV, "build", "--out-dir", tmp / "dist", source, cwd=tmp)
    (wheel,) = (tmp / "dist").glob("ntm-*.whl")
    venv = tmp / "venv"
    _run(UV, "venv", "--python", sys.executable, venv, cwd=tmp)
    _run(UV, "pip", "install", "--python", venv / "bin" / "python", "--no-deps", wheel, cwd=tmp)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "_borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def _env(tmp: Path) -> dict[str, str]:
    """No NTM_ setting: the defaults of a user's machine, with its data folder in `tmp`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NTM_", "PYTHON"))}
    return {**env, "XDG_DATA_HOME": str(tmp / "xdg"), "HOME": str(tmp / "home")}


def test_the_wheel_carries_the_criteria_sets_and_the_demo(installed: Path) -> None:
    (wheel,) = (installed.parent / "dist").glob("ntm-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in sorted((ROOT / "criteria").glob("*.yaml")):
        assert f"ntm/_shipped/criteria/{path.name}" in names
    for path in sorted((ROOT / "data" / "demo").iterdir()):
        assert f"ntm/_shipped/demo/{path.name}" in names


def test_criteria_list_works_from_another_folder_and_the_database_goes_to_the_user_folder(
    installed: Path, tmp_path: Path
) -> None:
    elsewhere = _mkdir(tmp_path / "elsewhere")
    env = _env(tmp_path)
    where = _run(installed / "bin" / "python", "-c", "import ntm; print(ntm.__file__)", env=env)
    assert Path(where.stdout.strip()).is_relative_to(installed)  # the wheel's, not the checkout's
    done = _run(
        installed / "bin" / "ntm", "criteria", "list", "--format", "json", cwd=elsewhere, env=env
    )
    listed = {s["id"]: s["source"] for s in json.loads(done.stdout)}
    assert listed == {p.stem: "file" for p in (ROOT / "criteria").glob("*.yaml")}
    # The default database: the user's data folder, never site-packages nor the working folder.
    assert (tmp_path / "xdg" / "ntm" / "ntm.db").is_file()
    assert not list(installed.rglob("ntm.db")) and not list(elsewhere.iterdir())


def test_the_installed_demo_loads(installed: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    done = _run(installed / "bin" / "ntm", "demo", "--db", url, cwd=tmp_path, env=_env(tmp_path))
    assert json.loads(done.stdout) == {"database": url, "loaded": 11}  # 11 demo returns
