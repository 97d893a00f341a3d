"""M7: CSV downloads never carry a formula a spreadsheet would run."""

import io

import pandas as pd

from core.reports.export import csv_bytes, neutralised

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1+1"]


def test_cells_that_would_start_a_formula_are_kept_as_text():
    table = pd.DataFrame({"comment": [*HOSTILE, "Fine, thanks"], "score": [1, 2, 3, 4, 5, -3]})
    back = pd.read_csv(io.BytesIO(csv_bytes(table)), keep_default_na=False)
    assert list(back["comment"]) == ["'" + value for value in HOSTILE] + ["Fine, thanks"]
    assert list(back["score"]) == [1, 2, 3, 4, 5, -3], "numbers stay numbers"
    assert neutralised("\r=1+1") == "'\r=1+1"
    assert table["comment"][0].startswith("="), "the table shown on the page is left as it is"
