"""End-to-end: the Tỉnh page (issue 17) in a real browser on the demo, served by the README's
run command (the server, browser and database fixtures are tests/test_e2e.py's).

It opens /tinh at its own address, finds the province's count of communes at standard as the
engine gives it, the charts and the close-to-standard list, opens the commune's Tổng quan from
the page, and shows the presentation mode. With NTM_SCREENSHOTS=1 it writes the README's
docs/screenshots/tinh.png (1920×1080).

The demo's commune has no province recorded until the demo itself says which (issue 17 gives
Thái Nguyên): the page then shows it under "Chưa ghi tỉnh". The test reads the first province
the page offers, whichever it is.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_e2e import (  # noqa: F401  (fixtures: the server and the browser settings)
    CHART,
    CHARTS,
    NOT_FOUND,
    SHOTS,
    App,
    _open,
    app,
    browser_context_args,
    browser_type_launch_args,
)

from ntm import views
from ntm.attainment import assess
from ntm.storage import Store
from ntm.values import VALUE_COLUMNS

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)
YEAR = 2025


def _engine_count(db_url: str) -> tuple[str, int, int, list[str]]:
    """The first province the page offers, its communes at standard in YEAR as the engine
    judges them (`ntm.attainment.assess` on the stored values), its total, and the communes
    the view counts."""
    with Store(db_url) as store:
        source = views.province_source(store)
        province = views.provinces(source)[0]
        pv = views.province_view(source, province, YEAR, "vi")
        counted = [c.commune for c in pv.communes]
        values = store.current_values(period=YEAR)[VALUE_COLUMNS]
        units = assess(values[values["commune"].isin(counted)], keys=store.keys()).units
    whole = units[units["village"].isna()]
    return province, int(whole["at_standard"].sum()), pv.total, counted


def test_tinh_page_in_a_real_browser(app: App, page: Page, tmp_path: Path) -> None:  # noqa: F811
    page.set_default_timeout(30_000)
    _open(page, app.url + "/tinh", deadline=app.started + 60)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading").first).to_have_text("Tỉnh")
    expect(page.get_by_text(NOT_FOUND)).to_have_count(0)
    page.locator(CHART).first.wait_for()
    province, at_standard, total, counted = _engine_count(app.db_url)
    assert counted, "the demo's commune is on the page"
    metric = main.get_by_test_id("stMetric").filter(has_text="Số xã đạt chuẩn")
    expect(metric.get_by_test_id("stMetricValue")).to_have_text(f"{at_standard}/{total}")
    chooser = main.get_by_role("combobox", name="Tỉnh")
    expect(chooser).to_match_aria_snapshot(f'- combobox "Tỉnh": {province or "Chưa ghi tỉnh"}')
    # Distribution, trend and the communes × criteria grid.
    expect(page.locator(CHARTS)).to_have_count(3)
    expect(main.get_by_text("Gần đạt chuẩn (thiếu ≤ 2 tiêu chí)").first).to_be_visible()
    expect(main.get_by_role("button", name="Tải trình chiếu (PPTX)")).to_be_visible()
    expect(main.get_by_role("button", name="Tải bảng Excel (XLSX)")).to_be_visible()
    page.wait_for_timeout(500)  # let plotly finish its layout
    shots = SHOTS if os.environ.get("NTM_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "tinh.png"))
    # The exports are built when asked for (deferred: not on every page run, issue 17).
    for name, magic in (("Tải trình chiếu (PPTX)", b"PK"), ("Tải bảng Excel (XLSX)", b"PK")):
        with page.expect_download() as got:
            main.get_by_role("button", name=name).click()
        saved = tmp_path / got.value.suggested_filename
        got.value.save_as(saved)
        assert saved.read_bytes()[:2] == magic and saved.stat().st_size > 5_000, name

    # The click-through: the commune's Tổng quan, for the same year.
    main.get_by_role("button", name=re.compile(r"^Mở Tổng quan xã ")).click()
    expect(page).to_have_url(app.url + "/tong-quan")
    expect(main.get_by_role("heading").first).to_have_text("Tổng quan")
    expect(page.get_by_test_id("stSidebar").get_by_role("radio", name=str(YEAR))).to_be_checked()

    # Presentation mode from the address: no sidebar, the headline and one chart.
    page.goto(app.url + "/tinh?present=1")
    page.locator(CHART).first.wait_for()
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    expect(page.locator(CHARTS)).to_have_count(1)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(f"{at_standard}/{total}")
