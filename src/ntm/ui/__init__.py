"""The Streamlit layer (DESIGN §2): the only streamlit-aware code under src/.

- `services`: reads and writes through the core (storage, attainment, returns, template),
  cached; caches cleared after every write; first-run demo seeding.
- `state`: session-state keys as constants.
- `widgets`: the sidebar, presentation mode, shared drawing helpers.

Pages (screens/*.py) import only from here and from the pure modules `ntm.charts`,
`ntm.formatting` and `ntm.i18n`.
"""
