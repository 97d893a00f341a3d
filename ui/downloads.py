"""A dashboard's downloads: each table as CSV and Excel, and the whole page as one workbook.

Nothing is written while the page runs: a table is kept with its columns, the viewer's language and the desk's
zone, and its sheet (core.reports.export.sheet: typed cells, translated headers and codes) and file are made
when a button is clicked (a callable as the button's data, run outside the page's run) or its "as a table"
view is opened.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.reports import export
from core.reports.export import Column
from ui import app
from ui.app import t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Sheet = Callable[[], pd.DataFrame]


def _workbook(sheets: dict[str, Sheet]) -> bytes:
    return export.xlsx_bytes({title: make() for title, make in sheets.items()})


def _csv(make: Sheet) -> bytes:
    return export.csv_bytes(make())


class Downloads:
    """The tables of one run of a dashboard. Made just under the title: the whole-page button goes there,
    drawn by `offer_all` once the page has added its tables."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sheets: dict[str, Sheet] = {}
        self._slot = st.empty()

    def sheet(self, title: str, table: pd.DataFrame, columns: list[Column]) -> Sheet:
        """The table as a sheet of the workbook: a callable that makes it (also for an "as a table" view)."""
        settings = app.settings()
        make = functools.cache(functools.partial(export.sheet, table, columns, locale=app.locale(),
                                                 zone=settings.timezone, base_url=settings.base_url))
        self.sheets[title] = make
        return make

    def table(self, title: str, table: pd.DataFrame, columns: list[Column], name: str) -> Sheet:
        """`sheet`, with its CSV and Excel buttons drawn here."""
        make = self.sheet(title, table, columns)
        buttons(make, name, title)
        return make

    def offer_all(self) -> None:
        with self._slot:
            st.download_button(t("report.download_all"), functools.partial(_workbook, dict(self.sheets)),
                               file_name=f"{self.name}.xlsx", mime=XLSX, key=f"xlsx_all_{self.name}",
                               on_click="ignore", icon=":material/download:", help=t("report.download_all_help"))


def buttons(make: Sheet, name: str, title: str) -> None:
    """CSV and Excel of one table, side by side."""
    with st.container(horizontal=True, gap="small"):
        st.download_button(t("report.csv"), functools.partial(_csv, make), file_name=f"{name}.csv",
                           mime="text/csv", key=f"csv_{name}", on_click="ignore", icon=":material/download:",
                           help=t("report.csv_help"))
        st.download_button(t("report.xlsx"), functools.partial(_workbook, {title: make}),
                           file_name=f"{name}.xlsx", mime=XLSX, key=f"xlsx_{name}", on_click="ignore",
                           icon=":material/download:", help=t("report.xlsx_help"))
