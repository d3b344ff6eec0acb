"""Charts: SVG with text kept as text, colour-blind-safe colours, fr/en numbers, identical output for identical input."""

from __future__ import annotations

import re

import pytest
from defusedxml import ElementTree

from reports import charts

SVG = "{http://www.w3.org/2000/svg}"
VENDORS = ["Agorana", "Colibri <Works> & Co"]
SEGMENTS = ["Search", "Security", "Price"]
CONTRIBUTIONS = [[10.0, 20.0, 26.3], [5.0, 10.0, 30.0]]


def texts(svg: str) -> list[str]:
    """Every string the SVG draws as text, in document order."""
    root = ElementTree.fromstring(svg.encode("utf-8"))
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def fills(svg: str) -> set[str]:
    return set(re.findall(r"fill: (#[0-9a-f]{6})", svg))


def test_contributions_chart_keeps_names_and_totals_as_text() -> None:
    svg = charts.contributions_chart(VENDORS, SEGMENTS, CONTRIBUTIONS, language="en", axis_label="Points")
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
    svg = charts.contributions_chart(["A"], segments, [[1.0] * 9], language="en", axis_label="Points")
    used = fills(svg)
    assert {c.lower() for c in charts.PALETTE} <= used
    # The 8th and 9th series reuse the first two colours with a hatch.
    assert charts.series_style(7) == ("#0072B2", "///")
    assert charts.series_style(8) == ("#E69F00", "///")
    assert 'id="h' in svg  # matplotlib defines hatch patterns with ids starting with h


def test_numbers_follow_the_language() -> None:
    svg_fr = charts.contributions_chart(VENDORS, SEGMENTS, CONTRIBUTIONS, language="fr", axis_label="Points")
    svg_en = charts.contributions_chart(VENDORS, SEGMENTS, CONTRIBUTIONS, language="en", axis_label="Points")
    assert "56,3" in texts(svg_fr)
    assert "56.3" in texts(svg_en)
    shares_fr = texts(charts.shares_chart(["A", "B"], [0.305, 0.695], language="fr", axis_label="Part"))
    assert "30,5\u00a0%" in shares_fr
    assert "69,5\u00a0%" in shares_fr
    shares_en = texts(charts.shares_chart(["A", "B"], [0.305, 0.695], language="en", axis_label="Share"))
    assert "30.5%" in shares_en
    tco_fr = texts(charts.tco_chart(["A"], ["Setup", "Year 1"], [[12000.0, 240400.4]], language="fr", axis_label="EUR"))
    assert "252\u202f400" in tco_fr  # fr groups thousands with a narrow no-break space
    tco_en = texts(charts.tco_chart(["A"], ["Setup", "Year 1"], [[12000.0, 240400.4]], language="en", axis_label="EUR"))
    assert "252,400" in tco_en


def test_fixed_decimals_in_each_language() -> None:
    assert charts.format_fixed(72, "en", 1) == "72.0"
    assert charts.format_fixed(1234.5, "fr", 2) == "1\u202f234,50"
    assert charts.format_fixed(0.125, "en", 2) == "0.12"  # half to even, as babel rounds


def test_output_is_deterministic_and_undated() -> None:
    first = charts.heatmap_chart(["Search", "Security"], VENDORS, [[50.0, None], [75.5, 20.0]], language="en")
    second = charts.heatmap_chart(["Search", "Security"], VENDORS, [[50.0, None], [75.5, 20.0]], language="en")
    assert first == second
    assert "<dc:date>" not in first
    assert "Matplotlib" not in first


def test_heatmap_prints_every_value_and_marks_missing_ones() -> None:
    drawn = texts(charts.heatmap_chart(["Search", "Security"], VENDORS, [[50.0, None], [75.5, 20.0]], language="en"))
    cells = [t for t in drawn if t in {"50", "76", "20", "–"}]
    # Row by row: 50 then the missing cell, then 75.5 rounded to 76 and 20.
    assert cells[:4] == ["50", "–", "76", "20"]


def test_radar_draws_one_label_per_axis_and_the_legend() -> None:
    axes = ["Profiles", "Search", "Security", "Support"]
    svg = charts.radar_chart(
        axes, [80.0, None, 40.0, 60.0], language="en", name="Agorana", reference=[50.0] * 4, reference_name="Average"
    )
    drawn = texts(svg)
    assert all(a in drawn for a in axes)
    assert "Agorana" in drawn
    assert "Average" in drawn
    assert {"25", "50", "75", "100"} <= set(drawn)


def test_shares_chart_highlights_one_bar_only() -> None:
    svg = charts.shares_chart(["A", "B", "C"], [0.6, 0.3, 0.1], language="en", axis_label="Share", highlight=0)
    assert svg.count("fill: #0072b2") == 1
    assert "60%" in texts(svg)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: charts.contributions_chart(["A"], ["S"], [[1.0, 2.0]], language="en", axis_label=""),
            "values must have 1 rows of 1 values",
        ),
        (
            lambda: charts.heatmap_chart(["r"], ["A", "B"], [[1.0]], language="en"),
            "values must have 1 rows of 2 values",
        ),
        (
            lambda: charts.tco_chart(["A", "B"], ["Setup"], [[1.0]], language="en", axis_label=""),
            "values must have 2 rows of 1 values",
        ),
        (
            lambda: charts.radar_chart(["a", "b"], [1.0], language="en", name="A"),
            "radar_chart needs one value (and one reference value) per axis",
        ),
        (
            lambda: charts.shares_chart(["A"], [0.5, 0.5], language="en", axis_label=""),
            "shares_chart needs one share per label",
        ),
    ],
)
def test_mismatched_shapes_are_refused(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()  # type: ignore[operator]
