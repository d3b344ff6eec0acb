"""Charts: SVG with text kept as text, colour-blind-safe colours, fr/en numbers, identical output for identical input."""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from defusedxml import ElementTree
from matplotlib.axis import Axis, YAxis
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.text import Text

from reports import charts

SVG = "{http://www.w3.org/2000/svg}"
VENDORS = ["Agorana", "Colibri <Works> & Co"]
SEGMENTS = ["Search", "Security", "Price"]
CONTRIBUTIONS = [[10.0, 20.0, 26.3], [5.0, 10.0, 30.0]]


def chart(figure: Callable[..., Figure], *args: Any, **kwargs: Any) -> str:
    """A chart as the report embeds it: the figure ``figure(*args, **kwargs)`` as SVG text."""
    return charts.to_svg(figure(*args, **kwargs))


def texts(svg: str) -> list[str]:
    """Every string the SVG draws as text, in document order."""
    root = ElementTree.fromstring(svg.encode("utf-8"))
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def fills(svg: str) -> set[str]:
    return set(re.findall(r"fill: (#[0-9a-f]{6})", svg))


def test_contributions_chart_keeps_names_and_totals_as_text() -> None:
    svg = chart(charts.contributions_figure, VENDORS, SEGMENTS, CONTRIBUTIONS, language="en", axis_label="Points")
    drawn = texts(svg)
    assert "Agorana" in drawn
    # The name is escaped in the XML and read back intact.
    assert "Colibri <Works> & Co" in drawn
    assert "Colibri &lt;Works&gt; &amp; Co" in svg
    assert {"Search", "Security", "Price", "Points"} <= set(drawn)
    # Totals after the bars, with one decimal as in the ranking table: 10 + 20 + 26.3 and 5 + 10 + 30.
    assert "56.3" in drawn
    assert "45.0" in drawn
    # No glyph outlines: text stays text.
    assert "<text" in svg
    assert 'id="DejaVuSans-' not in svg


def test_contributions_chart_uses_the_palette_then_hatches() -> None:
    segments = [f"S{k}" for k in range(9)]
    svg = chart(charts.contributions_figure, ["A"], segments, [[1.0] * 9], language="en", axis_label="Points")
    used = fills(svg)
    assert {c.lower() for c in charts.PALETTE} <= used
    # The 8th and 9th series reuse the first two colours with a hatch.
    assert charts.series_style(7) == ("#0072B2", "///")
    assert charts.series_style(8) == ("#E69F00", "///")
    assert 'id="h' in svg  # matplotlib defines hatch patterns with ids starting with h


def test_numbers_follow_the_language() -> None:
    svg_fr = chart(charts.contributions_figure, VENDORS, SEGMENTS, CONTRIBUTIONS, language="fr", axis_label="Points")
    svg_en = chart(charts.contributions_figure, VENDORS, SEGMENTS, CONTRIBUTIONS, language="en", axis_label="Points")
    assert "56,3" in texts(svg_fr)
    assert "56.3" in texts(svg_en)
    shares_fr = texts(chart(charts.shares_figure, ["A", "B"], [0.305, 0.695], language="fr", axis_label="Part"))
    assert "30,5\u00a0%" in shares_fr
    assert "69,5\u00a0%" in shares_fr
    shares_en = texts(chart(charts.shares_figure, ["A", "B"], [0.305, 0.695], language="en", axis_label="Share"))
    assert "30.5%" in shares_en
    tco_fr = texts(
        chart(charts.tco_figure, ["A"], ["Setup", "Year 1"], [[12000.0, 240400.4]], language="fr", axis_label="EUR")
    )
    assert "252\u202f400" in tco_fr  # fr groups thousands with a narrow no-break space
    tco_en = texts(
        chart(charts.tco_figure, ["A"], ["Setup", "Year 1"], [[12000.0, 240400.4]], language="en", axis_label="EUR")
    )
    assert "252,400" in tco_en


def test_fixed_decimals_in_each_language() -> None:
    assert charts.format_fixed(72, "en", 1) == "72.0"
    assert charts.format_fixed(1234.5, "fr", 2) == "1\u202f234,50"
    assert charts.format_fixed(0.125, "en", 2) == "0.12"  # half to even, as babel rounds


def test_output_is_deterministic_and_undated() -> None:
    first = chart(charts.heatmap_figure, ["Search", "Security"], VENDORS, [[50.0, None], [75.5, 20.0]], language="en")
    second = chart(charts.heatmap_figure, ["Search", "Security"], VENDORS, [[50.0, None], [75.5, 20.0]], language="en")
    assert first == second
    assert "<dc:date>" not in first
    assert "Matplotlib" not in first


def test_heatmap_prints_every_value_and_marks_missing_ones() -> None:
    drawn = texts(
        chart(charts.heatmap_figure, ["Search", "Security"], VENDORS, [[50.0, None], [75.5, 20.0]], language="en")
    )
    cells = [t for t in drawn if t in {"50", "76", "20", "–"}]
    # Row by row: 50 then the missing cell, then 75.5 rounded to 76 and 20.
    assert cells[:4] == ["50", "–", "76", "20"]


def test_radar_draws_one_label_per_axis_and_the_legend() -> None:
    axes = ["Profiles", "Search", "Security", "Support"]
    svg = chart(
        charts.radar_figure,
        axes,
        [80.0, None, 40.0, 60.0],
        language="en",
        name="Agorana",
        reference=[50.0] * 4,
        reference_name="Average",
    )
    drawn = texts(svg)
    assert all(a in drawn for a in axes)
    assert "Agorana" in drawn
    assert "Average" in drawn
    assert {"25", "50", "75", "100"} <= set(drawn)


def test_shares_chart_highlights_one_bar_only() -> None:
    svg = chart(charts.shares_figure, ["A", "B", "C"], [0.6, 0.3, 0.1], language="en", axis_label="Share", highlight=0)
    assert svg.count("fill: #0072b2") == 1
    assert "60%" in texts(svg)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: chart(charts.contributions_figure, ["A"], ["S"], [[1.0, 2.0]], language="en", axis_label=""),
            "values must have 1 rows of 1 values",
        ),
        (
            lambda: chart(charts.heatmap_figure, ["r"], ["A", "B"], [[1.0]], language="en"),
            "values must have 1 rows of 2 values",
        ),
        (
            lambda: chart(charts.tco_figure, ["A", "B"], ["Setup"], [[1.0]], language="en", axis_label=""),
            "values must have 2 rows of 1 values",
        ),
        (
            lambda: chart(charts.radar_figure, ["a", "b"], [1.0], language="en", name="A"),
            "radar_figure needs one value (and one reference value) per axis",
        ),
        (
            lambda: chart(charts.shares_figure, ["A"], [0.5, 0.5], language="en", axis_label=""),
            "shares_figure needs one share per label",
        ),
    ],
)
def test_mismatched_shapes_are_refused(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()  # type: ignore[operator]


# -- long names, right-to-left scripts, missing glyphs ----------------------------------------------------------

LONG = ("Interoperable Enterprise Collaboration Platform Holding " * 4)[:200]
TEN = [f"Vendor number {k} Solutions GmbH" for k in range(1, 11)]
CATEGORIES = ["Search", LONG, "Security"]


def figures(names: list[str]) -> dict[str, Figure]:
    """Every chart drawn with ``names`` as vendors (and, for the heatmap, one long category)."""
    n = len(names)
    return {
        "contributions": charts.contributions_figure(
            names, [*CATEGORIES, "Price"], [[2.0] * 4] * n, language="en", axis_label="Points"
        ),
        "heatmap": charts.heatmap_figure(CATEGORIES, names, [[50.0] * n] * 3, language="en"),
        "radar": charts.radar_figure(
            ["PRO", "SRC", LONG],
            [80.0, 40.0, 60.0],
            language="en",
            name=names[-1],
            reference=[50.0] * 3,
            reference_name="Average of all vendors",
        ),
        "tco": charts.tco_figure(names, ["Setup", "Year 1"], [[1e4, 2e5]] * n, language="en", axis_label="EUR"),
        "shares": charts.shares_figure(names, [1 / n] * n, language="en", axis_label="Share"),
    }


def laid_out(fig: Figure) -> RendererBase:
    """Lay ``fig`` out as its SVG is, and return a renderer that measures text as that layout did."""
    fig.set_dpi(72)  # the SVG's unit, the point: the figure's pixels are then the renderer's
    charts.to_svg(fig)
    return RendererSVG(fig.bbox.width, fig.bbox.height, io.StringIO())


def drawn_texts(fig: Figure) -> list[Text]:
    """The texts the figure shows: not the labels of ticks that fall outside their axis."""
    outside = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    outside |= {id(tick.label1), id(tick.label2)}
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text() and id(t) not in outside]


def extent(label: Text, renderer: RendererBase, axis: Axis) -> tuple[float, float]:
    """Where a label lies on the line along which its axis stacks them (px).

    Side by side on the x axis, one above the other on the y axis; for slanted labels, across
    their lines, on the normal to the baseline. The box matplotlib gives is upright; a label of
    width w and height h slanted by a has the same centre, and the box's sides are
    w cos a + h sin a and w sin a + h cos a, which give h back.
    """
    box = label.get_window_extent(renderer)
    angle = math.radians(label.get_rotation())
    if isinstance(axis, YAxis):
        return box.y0, box.y1
    if not angle:
        return box.x0, box.x1
    cos, sin = math.cos(angle), math.sin(angle)
    height = (box.height * cos - box.width * sin) / (cos * cos - sin * sin)
    # The normal to the baseline points up and to the left: measure along (sin a, -cos a) so it grows with x.
    centre = (box.x0 + box.x1) / 2 * sin - (box.y0 + box.y1) / 2 * cos
    return centre - height / 2, centre + height / 2


@pytest.mark.parametrize("names", [["Agorana", LONG], TEN], ids=["200 characters", "ten long-ish"])
@pytest.mark.parametrize("chart", ["contributions", "heatmap", "tco", "shares"])
def test_neighbouring_labels_do_not_overlap(names: list[str], chart: str) -> None:
    fig = figures(names)[chart]
    renderer = laid_out(fig)
    for axis in (fig.axes[0].yaxis, fig.axes[0].xaxis):
        labels = [t for t in axis.get_ticklabels() if t.get_text()]
        spans = sorted(extent(t, renderer, axis) for t in labels)
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start - end > 0.5, f"{chart}: labels overlap by {end - start:.1f} pt"


@pytest.mark.parametrize("chart", ["contributions", "heatmap", "radar", "tco", "shares"])
def test_long_names_are_wrapped_then_cut_with_an_ellipsis(chart: str) -> None:
    fig = figures(["Agorana", LONG])[chart]
    renderer = laid_out(fig)
    shown = drawn_texts(fig)
    # The full name is in the report's tables; a chart shows at most three lines of it, cut with an ellipsis.
    assert any(t.get_text().endswith("…") for t in shown)
    assert all(t.get_text().count("\n") < 3 for t in shown)
    assert all(len(line) <= 36 for t in shown for line in t.get_text().split("\n"))
    # Nothing is cut off at the edges of the figure (the radar's legend was, at both sides).
    page = fig.bbox
    for t in shown:
        box = t.get_window_extent(renderer)
        assert page.x0 <= box.x0, t.get_text()
        assert box.x1 <= page.x1, t.get_text()
        assert page.y0 <= box.y0, t.get_text()
        assert box.y1 <= page.y1, t.get_text()


def test_the_legend_of_the_contributions_chart_stays_below_the_bars() -> None:
    fig = figures(["Agorana", LONG])["contributions"]
    renderer = laid_out(fig)
    legend = fig.legends[0].get_window_extent(renderer)
    plot = fig.axes[0].get_tightbbox(renderer)
    assert legend.y1 <= plot.y0 + 1


def test_charts_keep_their_size_for_short_names() -> None:
    """The demo's names fit on one line: the charts keep the sizes they had before long names grew them."""
    names = ["Colibri Works", "Palabre Cloud", "Agorana", "Ruchelink", "Maillon Suite (elim.)"]
    # Two of the demo's categories already run on two lines in the heatmap.
    segments = [f"Category {k}" for k in range(10)]
    segments += ["Information system integration and mobile", "Vendor support, training and change management", "Price"]
    sizes = {
        "contributions": charts.contributions_figure(names, segments, [[1.0] * 13] * 5, language="en", axis_label="P"),
        "heatmap": charts.heatmap_figure(segments[:12], names, [[50.0] * 5] * 12, language="en"),
        "radar": charts.radar_figure(["A", "B", "C"], [1.0] * 3, language="en", name="Agorana", reference=[1.0] * 3),
        "tco": charts.tco_figure(names, ["Setup", "Y1", "Y2", "Y3"], [[1.0] * 4] * 5, language="en", axis_label="E"),
        "shares": charts.shares_figure(names, [0.2] * 5, language="en", axis_label="S"),
    }
    in_cm = {name: [round(x * 2.54, 2) for x in fig.get_size_inches()] for name, fig in sizes.items()}
    assert in_cm == {
        "contributions": [17.0, 1.4 + 0.5 * 5 + 0.75 * 5],
        "heatmap": [17.0, round(2.2 + 0.62 * 12, 2)],
        "radar": [5.8, 5.8],
        "tco": [17.0, 1.8 + 0.5 * 5 + 0.45],
        "shares": [17.0, 1.3 + 0.55 * 5],
    }
    longer = charts.shares_figure(TEN, [0.1] * 10, language="en", axis_label="S").get_size_inches()[1] * 2.54
    assert longer > 1.3 + 0.55 * 10  # two lines a label: taller slots


def test_right_to_left_names_are_shaped_and_put_in_display_order() -> None:
    """WeasyPrint draws SVG text one code point at a time, so the chart hands it the letters as they show.

    שלום (shin, lamed, vav, final mem) reads right to left: shown left to right, final mem comes
    first. شركة (sheen, reh, kaf, teh marbuta) also joins its letters: sheen initial (U+FEB7),
    reh final (U+FEAE), kaf initial (U+FEDB), teh marbuta final (U+FE94), shown from the last.
    Both are held left-to-right (U+202D ... U+202C) so that a bidi-aware renderer keeps that order.
    """
    drawn = texts(
        chart(charts.shares_figure, ["שלום", "شركة", "Agorana"], [0.5, 0.3, 0.2], language="en", axis_label="S")
    )
    assert "\u202d\u05dd\u05d5\u05dc\u05e9\u202c" in drawn
    assert "\u202d\ufe94\ufedb\ufeae\ufeb7\u202c" in drawn
    assert "Agorana" in drawn


def test_decomposed_accents_are_composed() -> None:
    # WeasyPrint would draw a combining accent apart from its letter.
    assert "Café" in texts(chart(charts.shares_figure, ["Cafe\u0301"], [1.0], language="en", axis_label="S"))


def test_missing_glyphs_do_not_warn_and_other_warnings_still_do() -> None:
    names = ["\u0635\u0646\u062f\u0648\u0642 Sadiq", "Acme \U0001f680 Co \U0001f469\u200d\U0001f4bb", "\u4e2d\u6587"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fig in figures(names).values():
            charts.to_svg(fig)
    # The filter is lifted after drawing: the same warning elsewhere still reaches the user.
    with pytest.warns(UserWarning, match="missing from font"):
        warnings.warn("Glyph 1589 (ARABIC LETTER SAD) missing from font(s) Liberation Sans.", UserWarning, stacklevel=1)
