"""End-to-end: Tổng quan of a commune formed by a merger (issue 16), in a real browser.

The app serves a database of its own (tests/merger_fixtures.py: Dương Quang and Đôn Phong
merged into Phong Quang on 1 Jul 2025, Phong Quang judged from 2026), as `make run` would. The
page shows Phong Quang's 2026 headline (0/10), and the progress chart in separate panels: each
predecessor's 2024-2025 series under its own name "(trước sáp nhập)", then Phong Quang's, with
the note "Bộ tiêu chí thay đổi: 19 → 10 tiêu chí từ 2026". A year before the merger shows
each predecessor's headline, labelled. With NTM_SCREENSHOTS=1 it writes
docs/screenshots/sap-nhap.png (otherwise into a temporary folder).

All traffic goes to 127.0.0.1 (the server listens there only).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from merger_fixtures import build
from playwright.sync_api import Page, expect
from test_e2e import (
    CHART,
    CHARTS,
    SHOTS,
    _open,
    _serve,
    browser_context_args,
    browser_type_launch_args,
)

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)
__all__ = ["browser_context_args", "browser_type_launch_args"]  # the fixtures, re-used


@pytest.fixture(scope="module")
def merged_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, float]]:
    """The app (as `make run` serves it, see test_e2e._serve) on the merger fixture database."""
    tmp = tmp_path_factory.mktemp("e2e-merger")
    for app in _serve(tmp, build(f"sqlite:///{tmp / 'ntm.db'}")):
        yield app.url, app.started


def test_tong_quan_of_a_merged_commune_in_a_real_browser(
    merged_app: tuple[str, float], page: Page, tmp_path: Path, record_property: Any
) -> None:
    url, started = merged_app
    page.set_default_timeout(30_000)
    _open(page, url + "/tong-quan", deadline=started + 60)
    page.locator(CHART).first.wait_for()
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Xã Phong Quang · năm 2026").first).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("0/10")
    # The panels: each predecessor by name, the successor, and the change of set in words.
    chart = page.locator(CHARTS).first
    for text in (
        "Dương Quang (trước sáp nhập)",
        "Đôn Phong (trước sáp nhập)",
        "Bộ tiêu chí thay đổi: 19 → 10 tiêu chí từ 2026",
    ):
        expect(chart.get_by_text(text).first).to_be_visible()
    for text in ("2/19", "3/19", "1/19", "0/10"):
        expect(chart.get_by_text(text, exact=True).first).to_be_visible()
    page.wait_for_timeout(500)  # let plotly finish its layout
    shots = SHOTS if os.environ.get("NTM_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "sap-nhap.png"))
    record_property("screenshot", str(shots / "sap-nhap.png"))
