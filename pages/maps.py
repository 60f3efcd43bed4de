"""``/maps`` (Map) on a fresh server, before ``st.navigation`` has run: the whole app.

Streamlit reads ``pages/`` as a legacy page folder until then; this file gives the
address a page there, which runs the frame (see ``dashboard.PageSpec``).
"""

import dashboard

dashboard.main()
