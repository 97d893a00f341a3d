"""A duration typed as a person says it: an amount and a unit (minutes, hours, days), kept in minutes."""

from __future__ import annotations

import streamlit as st

from core import formats
from ui.app import labels, t


def duration_input(label: str, minutes: int, *, key: str, day_minutes: int = formats.MINUTES_PER_DAY,
                   container=st) -> int:
    """An amount and its unit side by side, shown in the largest whole unit (3 days, not 4320); returns minutes.
    With business time, `day_minutes` is the working day's length, so "2 days" means two working days; the widgets'
    keys carry it, so a target that changes between business and calendar time is shown afresh, never re-read in the
    other day's length."""
    key = f"{key}-{day_minutes}"
    amount, unit = formats.in_units(minutes, day_minutes)
    left, right = container.columns([3, 2], vertical_alignment="bottom")
    typed = left.number_input(label, min_value=0.0, value=float(amount), step=0.5, format="%g", key=f"{key}-amount")
    chosen = right.selectbox(t("duration.unit"), formats.DURATION_UNITS, index=formats.DURATION_UNITS.index(unit),
                             format_func=labels("duration.", formats.DURATION_UNITS), key=f"{key}-unit",
                             label_visibility="collapsed")
    return formats.to_minutes(typed, chosen, day_minutes)
