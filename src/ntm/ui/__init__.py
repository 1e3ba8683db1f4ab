"""The Streamlit layer (DESIGN §2): the only streamlit-aware code under src/.

- `services`: reads and writes through the core (storage, `ntm.views`, returns, template),
  cached; caches cleared after every write; first-run demo seeding. A package by screen
  (common, overview, village, criterion, upload, data, settings); `services.<name>` reaches
  every name.
- `state`: session-state keys as constants.
- `widgets`: the sidebar, presentation mode, shared drawing helpers.

Pages (screens/*.py) import only from here and from the pure modules `ntm.charts`,
`ntm.formatting` and `ntm.i18n`.
"""
