"""The shared widgets, one import away: this module re-exports them from where they live, so
`from ntm.ui import widgets; widgets.page(...)` reads as before. New code may import the module
it needs.

- `ntm.ui.context`: `Context` (what a page reads first), `md()` for user text, choices kept
  across pages (`choose`, `pick`).
- `ntm.ui.shell`: the screens and their addresses (`PAGES`, `pages()`), the sidebar, the
  presentation bar, `page()` (which every screen calls first), headings and the demo badge.
- `ntm.ui.tables`: tables and charts drawn the safe way; status badges; tagged thresholds.
- `ntm.ui.headline`: around Tổng quan's numbers: metric changes, notes, blockers.
- `ntm.ui.records`: uploads, revisions, original files, what a confirmed upload did.
- `ntm.ui.settings.profile.key_options`: the regions and commune groups of the known sets.

User-supplied text (village, commune and file names, notes) is never rendered as HTML: it goes
through `md()` (Markdown-escaped) or into st.dataframe.
"""

from __future__ import annotations

from ntm.ui.context import Context, choose, md, pick
from ntm.ui.headline import (
    CHANGE_COLOURS,
    blocker_columns,
    blocker_sentence,
    blocker_table,
    headline_notes,
    metric_delta,
)
from ntm.ui.records import (
    original_download,
    outcome_line,
    pick_upload,
    records_notice,
    records_shown,
    revisions_table,
    upload_labels,
    uploads_table,
)
from ntm.ui.settings.profile import key_options
from ntm.ui.shell import (
    HOME,
    NORMAL_CSS,
    PAGES,
    PRESENT_CSS,
    ROOT,
    demo_badge,
    heading,
    nav_position,
    page,
    page_config,
    pages,
    present_bar,
    present_title,
    sidebar,
    year_picker,
)
from ntm.ui.tables import (
    BADGE,
    SYMBOL,
    chart,
    indicator_table,
    problems_table,
    safe_table,
    status_badge,
    tagged_threshold,
    unknown_table,
    value_table,
)

__all__ = [
    "BADGE",
    "CHANGE_COLOURS",
    "HOME",
    "NORMAL_CSS",
    "PAGES",
    "PRESENT_CSS",
    "ROOT",
    "SYMBOL",
    "Context",
    "blocker_columns",
    "blocker_sentence",
    "blocker_table",
    "chart",
    "choose",
    "demo_badge",
    "heading",
    "headline_notes",
    "indicator_table",
    "key_options",
    "md",
    "metric_delta",
    "nav_position",
    "original_download",
    "outcome_line",
    "page",
    "page_config",
    "pages",
    "pick",
    "pick_upload",
    "present_bar",
    "present_title",
    "problems_table",
    "records_notice",
    "records_shown",
    "revisions_table",
    "safe_table",
    "sidebar",
    "status_badge",
    "tagged_threshold",
    "unknown_table",
    "upload_labels",
    "uploads_table",
    "value_table",
    "year_picker",
]
