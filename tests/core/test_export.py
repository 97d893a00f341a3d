"""M7: CSV and Excel downloads never carry a formula a spreadsheet would run; cells keep their types."""

import io

import openpyxl
import pandas as pd
import pytest

from core.reports.export import Column, csv_bytes, neutralised, sheet, sheet_names, xlsx_bytes

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1+1"]


def test_cells_that_would_start_a_formula_are_kept_as_text():
    table = pd.DataFrame({"comment": [*HOSTILE, "Fine, thanks"], "score": [1, 2, 3, 4, 5, -3]})
    back = pd.read_csv(io.BytesIO(csv_bytes(table)), keep_default_na=False)
    assert list(back["comment"]) == ["'" + value for value in HOSTILE] + ["Fine, thanks"]
    assert list(back["score"]) == [1, 2, 3, 4, 5, -3], "numbers stay numbers"
    assert neutralised("\r=1+1") == "'\r=1+1"
    assert table["comment"][0].startswith("="), "the table shown on the page is left as it is"


def test_sheet_names_are_what_excel_accepts_and_distinct():
    names = sheet_names(["Trend: by week [CSAT]", "x" * 40, "x" * 40, "Scores", "scores", "'"])
    assert names[0] == "Trend  by week  CSAT"
    assert names[1] == "x" * 31 and names[2] == "x" * 27 + " (2)" and len(names[2]) == 31
    assert names[3:] == ["Scores", "scores (2)", "Sheet"]


def test_missing_values_stay_empty_cells_and_an_unknown_kind_is_refused():
    table = pd.DataFrame({"ticket_id": [7, None], "minutes": [90.0, None], "when": [None, None],
                          "code": ["high", None]})
    columns = [Column("ticket_id", "dash.ticket", "ticket"), Column("minutes", "dash.col_first_reply", "hours"),
               Column("when", "dash.when", "moment"), Column("code", "dash.priority", "code", "priority.")]
    found = sheet(table, columns, locale="en", zone="UTC", base_url="http://h")
    assert found.iloc[0].tolist() == [7, "http://h/workbench?ticket=7", 1.5, None, "High"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"T": found})))
    assert [c.value for c in book["T"][3]] == [None] * 5
    assert csv_bytes(found).decode("utf-8-sig").splitlines()[2] == ",,,,"
    with pytest.raises(ValueError, match="unknown column kind"):
        sheet(table, [Column("code", "dash.priority", "colour")], locale="en", zone="UTC", base_url="http://h")
