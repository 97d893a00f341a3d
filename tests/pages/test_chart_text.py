"""Plotly's own English (the chart toolbar's tooltips, its notices) and its number format in the reader's language:
ui.charts hands plotly.js a locale in each chart's config, since Streamlit bundles only plotly's English. Axis
titles, legends and hover labels, and the numbers and days of a chart's table and of the dashboards' tables, too."""

import json
import re
from pathlib import Path

import pytest
import streamlit

from core import i18n
from tests.pages.test_dashboards_page import _open, desk  # noqa: F401 - the fixture, shared
from ui import charts

BUNDLE = "\n".join(p.read_text(errors="ignore") for p in (Path(streamlit.__file__).parent / "static").rglob("*.js")
                   if "Plotly" in p.name)
ENGLISH = {key: text for key, text in i18n.catalog("en").items() if key.startswith("plotly.")}
# the toolbar of a 2-D chart (bars, lines, a heatmap): every button it can show, in plotly's words
TOOLBAR_2D = ("toImage", "zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
              "resetScale2d", "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian")


@pytest.mark.parametrize("key", sorted(ENGLISH))
def test_each_phrase_is_still_what_plotly_writes(key):
    """An upgrade of Streamlit's plotly that rewords one fails here, not silently in a Spanish tooltip."""
    assert f"`{ENGLISH[key]}`" in BUNDLE, ENGLISH[key]


@pytest.mark.parametrize("button", TOOLBAR_2D)
def test_every_button_of_a_2d_toolbar_is_translated(button):
    found = re.search(rf"\b{button}=\{{name:`{button}`,(?:_cat:`\w+`,)?title:function\(e\)\{{(.+?)\}},", BUNDLE)
    titles = re.findall(r"\w\(e,`([^`]+)`\)", found.group(1))
    assert titles and set(titles) <= set(ENGLISH.values()), titles


@pytest.mark.parametrize("code", [c for c in i18n.LOCALES if c != i18n.DEFAULT_LOCALE])
def test_the_config_says_plotlys_words_and_numbers_in_the_language(code):
    config = charts.plotly_config(code)
    said = config["locales"][code]
    assert config["locale"] == code and set(said["dictionary"]) == set(ENGLISH.values())
    assert all(said["dictionary"][english] != english for english in ("Zoom", "Pan", "Autoscale", "Reset axes"))
    assert said["format"]["decimal"] == "," and len(said["format"]["months"]) == 12
    assert said["format"]["shortDays"][0].lower().startswith("dom")  # plotly's weeks start on Sunday


def test_english_needs_no_dictionary():
    assert charts.plotly_config("en") == {"displaylogo": False, "locale": "en"}


def test_each_dashboard_chart_carries_the_readers_language(desk):  # noqa: F811 - the fixture
    app = _open("app_pages/satisfaction.py", "manager@mesa.example")
    app.sidebar.selectbox[0].select("pt-BR").run()
    configs = [json.loads(chart.proto.config) for chart in app.get("plotly_chart")]
    assert configs and all(c["locale"] == "pt-BR" and c["locales"]["pt-BR"]["dictionary"]["Zoom in"] == "Aproximar"
                           for c in configs)


def _said(figure: dict) -> str:
    """What a figure writes: its traces' names, texts and hover texts, its axes' and legend's titles."""
    texts = []
    for trace in figure["data"]:
        for name in ("name", "hovertemplate", "hovertext", "text", "y", "x"):
            value = trace.get(name)
            texts += value if isinstance(value, list) else [value] if isinstance(value, str) else []
    layout = figure["layout"]
    texts += [axis.get("title", {}).get("text") or "" for key, axis in layout.items()
              if key.startswith(("xaxis", "yaxis"))]
    texts += [layout.get("legend", {}).get("title", {}).get("text") or ""]
    texts += [layout.get("coloraxis", {}).get("colorbar", {}).get("title", {}).get("text") or ""]
    return "\n".join(str(text) for text in texts)


@pytest.mark.parametrize("page", ["app_pages/satisfaction.py", "app_pages/response_times.py"])
@pytest.mark.parametrize("code", ["es", "pt-BR"])
def test_axis_titles_legends_and_hover_labels_are_in_the_language(desk, page, code):  # noqa: F811 - the fixture
    from tests.e2e.test_languages import english_on_text

    app = _open(page, "admin@mesa.example")
    app.sidebar.selectbox[0].select(code).run()
    figures = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    assert figures and not app.exception
    written = ["Printer <b>", "Invoice", "Agent", "Admin", "Olivia", "James"]  # what the fixture's people wrote
    found = {n: english_on_text(_said(f), code, written) for n, f in enumerate(figures)}
    assert {n: words for n, words in found.items() if words} == {}
    hovers = " ".join(str(trace.get("hovertext")) for figure in figures for trace in figure["data"])
    assert not re.search(r"\d{4}-\d\d-\d\d", hovers), "days in the reader's way, not ISO"
    assert {axis["tickformat"] for f in figures for key, axis in f["layout"].items()
            if key.startswith("xaxis") and "tickformat" in axis} <= {"%-d %b"}


def test_a_charts_table_writes_decimals_and_days_in_the_readers_way(desk):  # noqa: F811 - the fixture
    app = _open("app_pages/satisfaction.py", "manager@mesa.example")
    app.sidebar.selectbox[0].select("es").run()
    app.toggle(key="sat_trend_as_table").set_value(True).run()
    assert not app.exception, app.exception
    table = next(d.value for d in app.dataframe if "CSAT (%)" in d.value.columns)
    week = next(column for column in table.columns if column.startswith("Semana"))
    assert list(table["CSAT (%)"]) == ["50"] and list(table["Puntuación media"]) == ["3,5"]  # not 50.0 and 3.5
    assert re.fullmatch(r"\d{1,2} [a-z]{3,4} \d{4}", table[week][0]), table[week][0]  # "9 nov 2026", not ISO


def test_a_surveys_moment_is_written_in_the_readers_way(desk):  # noqa: F811 - the fixture
    app = _open("app_pages/satisfaction.py", "manager@mesa.example")
    app.sidebar.selectbox[0].select("es").run()
    comments = app.dataframe[-1].value
    # "6/12/26, 11:46 CET": the reader's way, in the desk's zone, which it names
    assert all(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2} CES?T", when) for when in comments["when"]), comments
