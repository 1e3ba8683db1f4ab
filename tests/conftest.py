"""Shared test set-up."""

import os

# The tests' app databases are named by URL (a temporary SQLite file each); like the README's
# default database they start from the bundled demo returns. Tests of the rule itself override it.
os.environ.setdefault("NTM_SEED_DEMO", "1")


def _scan_components_once() -> None:
    """A running Streamlit server scans the installed packages for components once, at start;
    AppTest does it on every run (≈ 0.1-0.2 s each, hundreds of runs here). Scan once."""
    import functools

    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    if not hasattr(scan, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.lru_cache(maxsize=1)(scan)


_scan_components_once()
