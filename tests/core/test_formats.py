"""Numbers, percentages, durations, sizes, dates and relative times as each language writes them (CLDR via Babel)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import formats

NBSP = "\u00a0"
MOMENT = datetime(2026, 3, 5, 14, 5, tzinfo=UTC)


def plain(text: str) -> str:
    """CLDR puts no-break spaces between a number and its unit; compare with plain spaces."""
    return text.replace(NBSP, " ").replace("\u202f", " ")


@pytest.mark.parametrize(("locale", "number", "percent"), [
    ("en", "1,234.5", "42.3%"), ("es", "1.234,5", "42,3 %"), ("pt-BR", "1.234,5", "42,3%")])
def test_numbers_and_percentages(locale, number, percent):
    assert plain(formats.number(1234.5, locale, 1)) == number
    assert plain(formats.percent(42.34, locale)) == percent
    assert formats.number(None, locale) == formats.percent(float("nan"), locale) == formats.MISSING


@pytest.mark.parametrize(("locale", "minutes", "said"), [
    ("en", 45, "45 min"), ("en", 135, "2 hr 15 min"), ("en", 576, "9 hr 36 min"), ("en", 120, "2 hr"),
    ("en", 4 * 1440 + 250, "4 days 4 hr"), ("es", 135, "2 h 15 min"), ("es", 4 * 1440, "4 d"),
    ("pt-BR", 135, "2 h 15 min"), ("pt-BR", 3 * 1440 + 60, "3 dias 1 h"), ("es", -90, "-1 h 30 min"),
    ("es", 0.4, "0 min")])
def test_durations_in_two_units_at_most(locale, minutes, said):
    assert plain(formats.duration(minutes, locale)) == said


@pytest.mark.parametrize(("locale", "size", "said"), [
    ("en", 300, "300 byte"), ("es", 1536 * 1024, "1,5 MB"), ("pt-BR", 20 * 1024 * 1024, "20 MB"),
    ("en", 3 * 1024 ** 3, "3 GB")])
def test_sizes(locale, size, said):
    assert plain(formats.size(size, locale)) == said


@pytest.mark.parametrize(("locale", "day", "moment", "ago"), [
    ("en", "Mar 5, 2026", "3/5/26, 3:05 PM", "2 hours ago"),
    ("es", "5 mar 2026", "5/3/26, 15:05", "hace 2 horas"),
    ("pt-BR", "5 de mar. de 2026", "05/03/2026 15:05", "há 2 horas")])
def test_dates_moments_and_relative_times(locale, day, moment, ago):
    madrid = ZoneInfo("Europe/Madrid")
    assert formats.date(MOMENT, locale, madrid) == day == formats.date(date(2026, 3, 5), locale)
    assert plain(formats.datetime(MOMENT, locale, madrid)) == moment
    assert formats.relative(MOMENT - timedelta(hours=2), MOMENT, locale) == ago


@pytest.mark.parametrize(("locale", "said"), [("en", "1.5 MB"), ("es", "1,5 MB"), ("pt-BR", "1,5 MB")])
def test_a_size_in_a_refusal_is_said_when_the_message_is(locale, said):
    from core import i18n

    text = i18n.t("errors.file_too_big", locale, name="a.png", size=formats.Size(1536 * 1024),
                  max=formats.Size(20 * 1024 * 1024))
    assert said in plain(text) and "20 MB" in plain(text)


def test_a_settings_amount_keeps_only_its_own_decimals():
    assert [formats.amount(v, "es") for v in (20, 20.0, 0.5, 1234.25)] == ["20", "20", "0,5", "1.234,25"]
