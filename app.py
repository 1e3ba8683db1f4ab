"""The NTM dashboard: page configuration and navigation only (the screens are in screens/).

Run it with `make run` (README). Everything a page shows comes through `ntm.ui.services`.
"""

import streamlit as st

from ntm.ui import widgets

widgets.page_config()
st.navigation(widgets.pages(), position=widgets.nav_position()).run()
