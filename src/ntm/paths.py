"""Where the package finds its shipped files and keeps its default database (no streamlit here).

- Shipped data: the criteria sets (`criteria/*.yaml`) and the demo returns (`data/demo/`). In a
  source checkout (the editable install of `make venv`, `make run`) they are read where they
  are; a built package (`pip install .`) carries copies in `ntm/_shipped/`, made by setup.py's
  build step, so that `ntm criteria list` works from any folder.
- The default database: `data/ntm.db` in a source checkout (README); otherwise `ntm.db` in the
  user's data folder (platformdirs: `~/.local/share/ntm` on Linux), never inside
  site-packages. `NTM_DATABASE_URL` (ntm.config) names any other database.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_DIR = PACKAGE_DIR / "_shipped"
APP_NAME = "ntm"
DATABASE_FILE = "ntm.db"


def source_root() -> Path | None:
    """The checkout the package runs from (…/src/ntm beside a pyproject.toml), else None."""
    root = PACKAGE_DIR.parents[1]
    if PACKAGE_DIR.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def _shipped(name: str, in_checkout: str) -> Path:
    packaged = SHIPPED_DIR / name
    if packaged.is_dir():
        return packaged
    root = source_root()
    return root / in_checkout if root is not None else packaged


def criteria_dir() -> Path:
    """The shipped criteria sets (one YAML file per published set)."""
    return _shipped("criteria", "criteria")


def demo_dir() -> Path:
    """The bundled illustrative returns (Phong Quang and its predecessors) and communes.yaml."""
    return _shipped("demo", "data/demo")


def data_dir() -> Path:
    """The folder of the default database: data/ in a checkout, else the user's data folder."""
    root = source_root()
    if root is not None:
        return root / "data"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    return data_dir() / DATABASE_FILE
