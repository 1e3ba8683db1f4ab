"""The Streamlit layer (DESIGN §2): the only streamlit-aware code under src/.

- `services`: reads and writes through the core (storage, `ntm.views`, returns, template),
  cached; caches cleared after every write; first-run demo seeding. A package by screen
  (common, overview, village, criterion, upload, data, settings); `services.<name>` reaches
  every name.
- `state`: session-state keys as constants.
- shared widgets: `context` (what a page reads first, `md()`, choices kept across pages),
  `shell` (screens, sidebar, presentation bar, `page()`), `tables`, `headline` (Tổng quan's
  notes and blockers), `records` (uploads, revisions); `widgets` re-exports them all.
- the sections of the longer screens: `settings` (Cài đặt), `revision_actions` and `repair`
  (Dữ liệu), `upload_flow` and `reading_ui` (Nhập liệu).

Screens (screens/*.py) import only from here and from the pure modules `ntm.charts`,
`ntm.formatting` and `ntm.i18n` (tests/test_architecture.py checks it).
"""
