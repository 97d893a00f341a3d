"""A dashboard's downloads: each table as CSV and Excel, and the whole page as one workbook.

The files are written when a button is clicked (a callable as the button's data), not on every run; the
sheets they write (core.reports.export.sheet: typed cells, translated headers and codes) are made in the run,
in the viewer's language.
"""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from core.reports import export
from core.reports.export import Column
from ui import app
from ui.app import t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Downloads:
    """The tables of one run of a dashboard. Made just under the title: the whole-page button goes there,
    drawn by `offer_all` once the page has added its tables."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sheets: dict[str, pd.DataFrame] = {}
        self._slot = st.empty()

    def sheet(self, title: str, table: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
        """The table as a sheet of the workbook (and for an "as a table" view)."""
        settings = app.settings()
        found = export.sheet(table, columns, locale=app.locale(), zone=settings.timezone, base_url=settings.base_url)
        self.sheets[title] = found
        return found

    def table(self, title: str, table: pd.DataFrame, columns: list[Column], name: str) -> pd.DataFrame:
        """`sheet`, with its CSV and Excel buttons drawn here."""
        found = self.sheet(title, table, columns)
        buttons(found, name, title)
        return found

    def offer_all(self) -> None:
        with self._slot:
            st.download_button(t("report.download_all"), functools.partial(export.xlsx_bytes, dict(self.sheets)),
                               file_name=f"{self.name}.xlsx", mime=XLSX, key=f"xlsx_all_{self.name}",
                               on_click="ignore", icon=":material/download:", help=t("report.download_all_help"))


def buttons(sheet: pd.DataFrame, name: str, title: str) -> None:
    """CSV and Excel of one table, side by side."""
    with st.container(horizontal=True, gap="small"):
        st.download_button(t("report.csv"), functools.partial(export.csv_bytes, sheet), file_name=f"{name}.csv",
                           mime="text/csv", key=f"csv_{name}", on_click="ignore", icon=":material/download:",
                           help=t("report.csv_help"))
        st.download_button(t("report.xlsx"), functools.partial(export.xlsx_bytes, {title: sheet}),
                           file_name=f"{name}.xlsx", mime=XLSX, key=f"xlsx_{name}", on_click="ignore",
                           icon=":material/download:", help=t("report.xlsx_help"))
