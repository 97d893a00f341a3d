"""Tables as files to download: what a spreadsheet opens without running anything in them."""

from __future__ import annotations

import pandas as pd

# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, "CSV injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> object:
    """Text that would start a formula, with a leading apostrophe: shown as typed, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV, every text cell neutralised (numbers stay numbers)."""
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralised)
    return safe.to_csv(index=False).encode("utf-8")
