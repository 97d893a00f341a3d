"""Tables as files to download: CSV and Excel workbooks a spreadsheet opens with numbers as numbers, dates as
dates, codes in the reader's language, and nothing in them it would run.

A dashboard's table (the query's own columns: ids, minutes, codes, UTC datetimes) becomes a *sheet* through
a list of `Column`s: each names its source column, its header (a locale key) and its kind, which fixes the
cell type and the one unit of every duration (hours, stated in the header). `csv_bytes` and `xlsx_bytes`
write sheets; both write text that would start a formula with a leading apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core import i18n

# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, "CSV injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
KINDS = ("text", "count", "number", "percent", "hours", "moment", "date", "ticket", "code", "flag")
DATE_FORMAT, MOMENT_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
SHEET_NAME_MAX = 31  # Excel's limit; nor may a sheet's name hold any of []:*?/\


@dataclass(frozen=True)
class Column:
    """One column of a sheet: `source` in the query's table, `header` a locale key, `kind` one of KINDS.

    count: an integer; number: a decimal; percent: a share 0–100 ("(%)" in the header); hours: minutes in the
    table, hours in the sheet ("(hours)" in the header); moment: an aware datetime, written in the sheet's
    zone (named in the header); date: a YYYY-MM-DD text, written as a date; ticket: a ticket id, written as
    its number and a second column with the full URL of the ticket; code: translated as `codes` + value;
    flag: a boolean, written as yes or no.
    """

    source: str
    header: str
    kind: str = "text"
    codes: str = ""


def neutralised(value: object) -> object:
    """Text that would start a formula, with a leading apostrophe: shown as typed, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _missing(value: object) -> bool:
    return value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _hours(minutes: object) -> float | None:
    return None if _missing(minutes) else round(float(minutes) / 60, 2)


def _aware(value: object) -> datetime:
    moment = pd.Timestamp(value).to_pydatetime()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sheet(table: pd.DataFrame, columns: list[Column], *, locale: str, zone: str, base_url: str) -> pd.DataFrame:
    """The table as a sheet: headers in `locale`, typed cells (see `Column`), moments in `zone`, ticket links
    under `base_url`. Missing values stay empty (None, or NaN in number columns)."""

    def t(key: str, **params: object) -> str:
        return i18n.t(key, locale, **params)

    tz = ZoneInfo(zone)
    out: dict[str, list | pd.Series] = {}
    for column in columns:
        if column.kind not in KINDS:
            raise ValueError(f"unknown column kind {column.kind!r}")
        values, title = list(table[column.source]), t(column.header)
        if column.kind == "ticket":
            numbers = [None if _missing(v) else int(v) for v in values]
            out[title] = pd.array(numbers, dtype="Int64")
            out[t("report.link")] = [None if n is None else f"{base_url}/workbench?ticket={n}" for n in numbers]
        elif column.kind == "count":
            out[title] = pd.array([None if _missing(v) else int(v) for v in values], dtype="Int64")
        elif column.kind in ("number", "percent"):
            suffix = " (%)" if column.kind == "percent" else ""
            out[title + suffix] = pd.Series([math.nan if _missing(v) else float(v) for v in values], dtype=float)
        elif column.kind == "hours":
            hours = [_hours(v) for v in values]
            out[f"{title} ({t('report.unit_hours')})"] = pd.Series(
                [math.nan if h is None else h for h in hours], dtype=float)
        elif column.kind == "moment":
            out[f"{title} ({zone})"] = pd.Series([None if _missing(v) else _aware(v).astimezone(tz) for v in values],
                                                 dtype=object)
        elif column.kind == "date":
            out[title] = pd.Series([None if _missing(v) else date.fromisoformat(str(v)[:10]) for v in values],
                                   dtype=object)
        elif column.kind == "code":
            names = {v: t(f"{column.codes}{v}") for v in set(values) if not _missing(v)}
            out[title] = [names.get(v) if not _missing(v) else None for v in values]
        elif column.kind == "flag":
            out[title] = [None if _missing(v) else t("report.yes" if v else "report.no") for v in values]
        else:
            out[title] = [None if _missing(v) else str(v) for v in values]
    return pd.DataFrame(out)


def _csv_cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return neutralised(value)


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as CSV in UTF-8 with a byte-order mark (so Excel on Windows reads the accents right), every
    text cell neutralised, numbers left as numbers, datetimes ISO 8601 with their UTC offset."""
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_csv_cell)
    return safe.to_csv(index=False).encode("utf-8-sig")


def sheet_names(titles: list[str]) -> list[str]:
    """Titles as valid, distinct Excel sheet names (at most 31 characters, none of []:*?/\\)."""
    names: list[str] = []
    for title in titles:
        base = re.sub(r"[\[\]:*?/\\]", " ", title).strip().strip("'")[:SHEET_NAME_MAX] or "Sheet"
        name, n = base, 2
        while name.lower() in (taken.lower() for taken in names):
            suffix = f" ({n})"
            name, n = base[:SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
        names.append(name)
    return names


def _xlsx_cell(value: object) -> tuple[object, str | None]:
    """A cell's value and number format: aware datetimes as the wall-clock time of their zone (Excel has no
    zone; the header names it), text neutralised and always text."""
    if _missing(value):
        return None, None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None), MOMENT_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return neutralised(value), None


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with one sheet per table (in order), headers bold and frozen, URLs as links."""
    book = Workbook()
    book.remove(book.active)
    for name, table in zip(sheet_names(list(sheets)), sheets.values(), strict=True):
        page = book.create_sheet(name)
        page.append([str(c) for c in table.columns])
        for cell in page[1]:
            cell.font = Font(bold=True)
        page.freeze_panes = "A2"
        widths = [len(str(c)) for c in table.columns]
        for r, row in enumerate(table.itertuples(index=False), start=2):
            for i, raw in enumerate(row):
                value, number_format = _xlsx_cell(raw)
                if value is None:
                    continue
                cell = page.cell(row=r, column=i + 1, value=value)
                widths[i] = max(widths[i], min(60, len(str(value))))
                if isinstance(value, str):
                    cell.data_type = "s"  # what openpyxl would take for a formula stays text
                    if value.startswith(("http://", "https://")):
                        cell.hyperlink, cell.style = value, "Hyperlink"
                elif number_format:
                    cell.number_format = number_format
        for i, width in enumerate(widths, start=1):
            page.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
    if not book.sheetnames:
        book.create_sheet("Sheet")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
