"""Table conventions shared by the pages.

Streamlit writes ``None`` in the empty cells of a table, in English; every table of the
dashboard passes :data:`PLACEHOLDER` (``st.dataframe(..., placeholder=PLACEHOLDER)``) instead,
a dash that reads the same in both languages. The value itself stays empty (an edited table
saves nothing in its place).
"""

from __future__ import annotations

#: Shown in empty cells of every table.
PLACEHOLDER = "—"
