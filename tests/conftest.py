"""Shared test set-up.

Tests touch only temporary databases (issue 14): every test process names a temporary SQLite
file as the app's database (`NTM_DATABASE_URL`, inherited by the `ntm` and app subprocesses the
tests start), and each test's "default database" (the one used when no URL is set) is a file
in a temporary folder too, never the checkout's data/ntm.db. Tests that need a database of
their own still name it (tests/app_fixtures.use_database, storage_fixtures).
"""

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# The tests' app databases are named by URL (a temporary SQLite file each); like the README's
# default database they start from the bundled demo returns. Tests of the rule itself override it.
os.environ.setdefault("NTM_SEED_DEMO", "1")

_SCRATCH = Path(tempfile.mkdtemp(prefix="ntm-tests-"))
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)
os.environ["NTM_DATABASE_URL"] = f"sqlite:///{_SCRATCH / 'ntm.db'}"


@pytest.fixture(autouse=True)
def _no_checkout_database(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The default database's folder (`ntm.paths.data_dir`) is a temporary one in every test,
    so a test that unsets NTM_DATABASE_URL still cannot open the checkout's data/ntm.db."""
    from ntm import paths

    folder = tmp_path_factory.getbasetemp() / "default-data"
    monkeypatch.setattr(paths, "data_dir", lambda: folder)
    yield


def _scan_components_once() -> None:
    """A running Streamlit server scans the installed packages for components once, at start;
    AppTest does it on every run (≈ 0.1-0.2 s each, hundreds of runs here). Scan once."""
    import functools

    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    if not hasattr(scan, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.lru_cache(maxsize=1)(scan)


_scan_components_once()
