"""Charts of the committee report: pure functions from names and numbers to deterministic SVG text.

Every chart keeps its text as SVG text (``svg.fonttype = 'none'``), so that the PDF stays
searchable and a reader can copy vendor names and figures. Colours come from the Okabe-Ito
palette, which stays distinguishable under the common colour-vision deficiencies; where more
series are needed than the palette holds, hatching tells the repeats apart, and sequential
data use ``cividis``, a colour map built for colour-blind readers. The output depends only on
the arguments: no date, no random IDs (``svg.hashsalt`` is fixed).

Names can be long: a chart label is wrapped and, past a few lines, cut with an ellipsis (the
report's tables carry the full names), and the figure grows with the lines it must hold.
Each ``*_figure`` function builds the matplotlib figure, which tests can measure; :func:`to_svg`
turns it into the SVG text the report embeds.
"""

from __future__ import annotations

import copy
import functools
import io
import math
import textwrap
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import arabic_reshaper
import matplotlib as mpl
from babel import Locale
from babel.numbers import NumberPattern, format_decimal, parse_pattern
from bidi import get_display
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from reports.render import format_number, format_percent

#: Okabe & Ito (2008) colours, black left out (it is kept for text and outlines).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
#: Hatches distinguish the series that reuse a colour of the palette.
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "ooo")
#: Price, references and other neutral marks.
GREY = "#8C8C8C"
INK = "#222222"
SEQUENTIAL = "cividis"
FONT = "Liberation Sans"
#: One centimetre in inches, as matplotlib sizes figures in inches.
CM = 1 / 2.54
#: Full text width of an A4 page with the report's margins.
WIDTH_CM = 17.0
#: Slant of the heatmap's column labels, in degrees.
COLUMN_SLANT = 40

_RC: dict[Any, Any] = {  # keys checked by matplotlib at run time
    "svg.fonttype": "none",
    "svg.hashsalt": "rse-tender",
    # Names are text, never mathtext: "Cost$ $ave" must print as typed, not fail to parse.
    "text.parse_math": False,
    # DejaVu Sans, which ships with matplotlib, as fallback: Arabic and Hebrew names are then
    # measured with the glyphs Pango draws them with (fontconfig falls back to it too).
    "font.family": [FONT, "DejaVu Sans"],
    "font.size": 8,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
    "hatch.color": "#FFFFFF",
    "hatch.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def format_fixed(value: float, language: str, digits: int) -> str:
    """``value`` with exactly ``digits`` decimals in the language's notation, so that figures line up (75.0)."""
    locale, pattern = _fixed_pattern(language, digits)
    return format_decimal(value, format=pattern, locale=locale)


@functools.cache
def _fixed_pattern(language: str, digits: int) -> tuple[Locale, NumberPattern]:
    # Parsed once: the per-criterion appendix formats a few thousand numbers.
    locale = Locale.parse(language)
    pattern = copy.copy(parse_pattern(locale.decimal_formats[None]))
    pattern.frac_prec = (digits, digits)
    return locale, pattern


def series_style(index: int) -> tuple[str, str]:
    """Colour and hatch of the ``index``-th series: the palette first, then the palette hatched."""
    return PALETTE[index % len(PALETTE)], HATCHES[(index // len(PALETTE)) % len(HATCHES)]


def _label(text: object, width: int, lines: int = 3) -> str:
    """``text`` wrapped at ``width`` characters on at most ``lines`` lines, the last cut with an ellipsis."""
    wrapped = textwrap.wrap(unicodedata.normalize("NFC", str(text)), width=width, break_long_words=True)
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], wrapped[lines - 1][: width - 1].rstrip() + "…"]
    return "\n".join(_visual(line) for line in wrapped) or str(text)


def _text(text: object) -> str:
    """``text`` as a chart prints it whole (axis titles): line by line in display order."""
    return "\n".join(_visual(line) for line in unicodedata.normalize("NFC", str(text)).split("\n"))


def _visual(line: str) -> str:
    """One line of text in display order, for WeasyPrint, which draws SVG text one code point at a time.

    Drawn that way, Arabic and Hebrew come out as separate letters in reverse order (WeasyPrint
    issues #2249 and #2909): lines with right-to-left letters are shaped into Arabic presentation
    forms and reordered here, then held left-to-right (LRO ... PDF) so that a renderer which
    does apply the bidi algorithm keeps the order given.
    """
    if not any(unicodedata.bidirectional(char) in ("R", "AL") for char in line):
        return line
    return "\u202d" + get_display(arabic_reshaper.reshape(line)) + "\u202c"


def _lines(labels: Sequence[str]) -> int:
    return max((label.count("\n") + 1 for label in labels), default=1)


def _text_cm(lines: int, size: float) -> float:
    """Height of ``lines`` lines of text at ``size`` points: matplotlib sets about 1.1 em a line (measured)."""
    return lines * 1.12 * size / 72 * 2.54


@contextmanager
def _drawing() -> Iterator[None]:
    with mpl.rc_context(_RC), warnings.catch_warnings():
        # Text stays text in the SVG and WeasyPrint finds a font for it: a glyph missing from
        # matplotlib's fonts (emoji) only skews a width estimate, not worth a line on stderr.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        yield


def to_svg(fig: Figure) -> str:
    """The figure as SVG text, without date or tool metadata."""
    buffer = io.StringIO()
    with _drawing():
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return buffer.getvalue()


def _figure(width_cm: float, height_cm: float) -> Figure:
    with mpl.rc_context(_RC):
        return Figure(figsize=(width_cm * CM, height_cm * CM), layout="constrained")


def _number_axis(axis: object, language: str, digits: int = 0) -> None:
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: format_number(x, language, digits)))  # type: ignore[attr-defined]


def contributions_figure(
    vendors: Sequence[str],
    segments: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    language: str,
    axis_label: str,
    width_cm: float = WIDTH_CM,
) -> Figure:
    """Horizontal stacked bars: how many points of its final score each vendor draws from each segment.

    Parameters
    ----------
    vendors
        Bar labels, top to bottom (best first).
    segments
        Series labels (the categories, then the price), in stacking order.
    values
        ``values[v][k]``: points of ``vendors[v]``'s final score drawn from ``segments[k]``.
        The bar ends at their sum, which is printed after it.
    """
    _check_matrix(values, len(vendors), len(segments), "values")
    labels = [_label(v, 22) for v in vendors]
    with mpl.rc_context(_RC):
        legend_rows = math.ceil(len(segments) / 3)
        fig = _figure(width_cm, 1.4 + len(vendors) * _bar_slot_cm(labels, 0.5) + 0.75 * legend_rows)
        ax = fig.subplots()
        positions = list(range(len(vendors)))
        left = [0.0] * len(vendors)
        for k, segment in enumerate(segments):
            colour, hatch = series_style(k)
            widths = [float(row[k]) for row in values]
            ax.barh(
                positions, widths, left=left, height=0.62, color=colour, hatch=hatch,
                edgecolor="white", linewidth=0.4, label=_label(segment, 34, 2),
            )  # fmt: skip
            left = [a + b for a, b in zip(left, widths, strict=True)]
        top = max(left, default=0.0) or 1.0
        for y, total in zip(positions, left, strict=True):
            ax.text(total + top * 0.01, y, format_fixed(total, language, 1), va="center", ha="left", fontsize=8)
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.1)
        ax.set_xlabel(_text(axis_label))
        _number_axis(ax.xaxis, language)
        # Below the plot, outside it: the constrained layout makes room for it.
        fig.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=7, handlelength=1.6)
        return fig


def heatmap_figure(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    language: str,
    vmax: float = 100.0,
    missing: str = "–",
    width_cm: float = WIDTH_CM,
) -> Figure:
    """A table of scores as coloured cells with the score printed in each cell.

    ``values[r][c]`` is the score of ``rows[r]`` (e.g. a category) for ``columns[c]`` (e.g. a
    vendor) on 0..vmax; None is shown as ``missing`` on a blank cell. Colours run along
    ``cividis`` (dark blue = low, yellow = high) and every cell carries its number, so the
    chart never relies on colour alone.
    """
    _check_matrix(values, len(rows), len(columns), "values")
    cmap = colormaps[SEQUENTIAL]
    row_labels = [_label(r, 36) for r in rows]
    # Slanted column labels lie side by side, a column's width apart along the axis, which puts
    # them width x sin(slant) apart across their lines: they get as many lines (up to 3) as fit
    # there, the cells taking what the row labels (up to ~4.5 cm) and the colour bar leave.
    gap_cm = (width_cm - 6.0) / max(len(columns), 1) * math.sin(math.radians(COLUMN_SLANT))
    column_lines = max(1, min(3, int((gap_cm - 0.05) / _text_cm(1, 7))))
    column_labels = [_label(c, 24, column_lines) for c in columns]
    row_cm = max(0.62, _text_cm(_lines(row_labels), 7) + 0.05)
    slanted_cm = (_lines(column_labels) - 1) * _text_cm(1, 7) * math.cos(math.radians(COLUMN_SLANT))
    with mpl.rc_context(_RC):
        fig = _figure(width_cm, 2.2 + slanted_cm + row_cm * len(rows))
        ax = fig.subplots()
        grid = [[math.nan if v is None else float(v) for v in row] for row in values]
        image = ax.imshow(grid, cmap=cmap, vmin=0, vmax=vmax, aspect="auto", interpolation="nearest")
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if math.isnan(value):
                    ax.text(c, r, missing, ha="center", va="center", fontsize=7, color=INK)
                    continue
                red, green, blue, _ = cmap(value / vmax if vmax else 0.0)
                # Dark text on light cells and the reverse, by relative luminance.
                light = 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.5
                ax.text(c, r, format_number(value, language, 0), ha="center", va="center", fontsize=7,
                        color=INK if light else "white")  # fmt: skip
        ax.set_xticks(range(len(columns)), column_labels, fontsize=7, rotation=COLUMN_SLANT,
                      ha="left", rotation_mode="anchor")  # fmt: skip
        ax.set_yticks(range(len(rows)), row_labels, fontsize=7)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01)
        bar.ax.tick_params(labelsize=7)
        _number_axis(bar.ax.yaxis, language)
        return fig


def radar_figure(
    axes: Sequence[str],
    values: Sequence[float | None],
    *,
    language: str,
    name: str,
    reference: Sequence[float | None] | None = None,
    reference_name: str = "",
    colour_index: int = 0,
    vmax: float = 100.0,
    size_cm: float = 5.8,
) -> Figure:
    """One vendor's profile over the categories, on 0..vmax, optionally over a dashed reference.

    The first axis points up and the others follow clockwise. None values (a category nobody
    assessed) are drawn at 0 with a hollow marker. Short axis labels (category IDs) keep the
    chart small enough for three in a row; long ones are wrapped and take more room.
    """
    if len(values) != len(axes) or (reference is not None and len(reference) != len(axes)):
        raise ValueError("radar_figure needs one value (and one reference value) per axis")
    count = len(axes)
    # Clockwise from the top, as radar charts are read; drawn on plain axes (no polar projection), which
    # is several times faster than matplotlib's polar machinery and gives full control of the labels.
    angles = [2 * math.pi * k / count for k in range(count)]
    colour, _ = series_style(colour_index)

    def xy(radii: Sequence[float]) -> tuple[list[float], list[float]]:
        closed = [*radii, *radii[:1]]
        ring = [*angles, *angles[:1]]
        return [r * math.sin(a) for r, a in zip(closed, ring, strict=True)], [
            r * math.cos(a) for r, a in zip(closed, ring, strict=True)
        ]

    axis_labels = [_label(label, 16) for label in axes]
    # The legend spans the chart's width less its line sample (~1.5 cm), at up to 0.6 em a character (6 pt).
    legend_width = max(12, int((size_cm - 1.5) / (0.6 * 6 / 72 * 2.54)))
    legend = [_label(name, legend_width, 2), _label(reference_name, legend_width, 2)]
    with mpl.rc_context(_RC):
        lines = [line for label in axis_labels for line in label.split("\n")]
        side = min(0.3, 0.07 + 0.016 * max((len(line) for line in lines), default=1))
        # The plot keeps its size; the legend band under it grows with the lines of the names.
        height_cm = size_cm * (1.0 if reference is not None else 0.9)
        bottom_cm = 0.2 * height_cm if reference is not None else 0.08 * height_cm
        if reference is not None:
            extra_cm = sum(label.count("\n") for label in legend) * _text_cm(1, 6)
            height_cm, bottom_cm = height_cm + extra_cm, bottom_cm + extra_cm
        top_cm = 0.1 * size_cm * (1.0 if reference is not None else 0.9)
        fig = Figure(figsize=(size_cm * CM, height_cm * CM))
        ax = fig.add_axes((side, bottom_cm / height_cm, 1 - 2 * side, 1 - (bottom_cm + top_cm) / height_cm))
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_xlim(-1.02, 1.02)
        ax.set_ylim(-1.02, 1.02)
        grid: dict[str, Any] = {"color": "#CCCCCC", "linewidth": 0.5, "zorder": 0}
        for fraction in (0.25, 0.5, 0.75, 1.0):
            circle = [2 * math.pi * k / 96 for k in range(97)]
            ax.plot([fraction * math.sin(t) for t in circle], [fraction * math.cos(t) for t in circle], **grid)
        ax.add_collection(LineCollection([[(0, 0), (math.sin(a), math.cos(a))] for a in angles], **grid))
        if count:
            # Scale values between the first two spokes, where no data label sits.
            middle = math.pi / count
            for fraction in (0.25, 0.5, 0.75, 1.0):
                ax.text(fraction * math.sin(middle) + 0.02, fraction * math.cos(middle), format_number(
                    vmax * fraction, language, 0), fontsize=5, color=GREY, va="bottom", ha="left")  # fmt: skip
        if reference is not None:
            ref = [0.0 if v is None else float(v) / vmax for v in reference]
            ax.plot(*xy(ref), color=INK, linewidth=1.0, linestyle=(0, (3, 2)), label=legend[1])
        points = [0.0 if v is None else float(v) / vmax for v in values]
        ax.plot(*xy(points), color=colour, linewidth=1.6, label=legend[0])
        ax.fill(*xy(points), color=colour, alpha=0.18, linewidth=0)
        hollow = [k for k, v in enumerate(values) if v is None]
        ax.scatter([0.0] * len(hollow), [0.0] * len(hollow), facecolors="white", edgecolors=colour, zorder=3)
        for angle, label in zip(angles, axis_labels, strict=True):
            # Labels lean away from the centre: left of the spoke on the left half, right on the right half.
            x, y = math.sin(angle), math.cos(angle)
            align = "center" if abs(x) < 0.2 else "left" if x > 0 else "right"
            vertical = "bottom" if y > 0.5 else "top" if y < -0.5 else "center"
            ax.text(1.1 * x, 1.1 * y, label, ha=align, va=vertical, fontsize=6.5, linespacing=1.1)
        if reference is not None:
            fig.legend(loc="lower center", ncols=1, frameon=False, fontsize=6, handlelength=2.2, borderaxespad=0.2)
        return fig


def tco_figure(
    vendors: Sequence[str],
    parts: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    language: str,
    axis_label: str,
    width_cm: float = WIDTH_CM,
) -> Figure:
    """Horizontal stacked bars of each vendor's total cost of ownership, one segment per part.

    ``parts`` are e.g. the setup cost then each year of the horizon; ``values[v][k]`` is the
    amount of part k for ``vendors[v]``. Totals are printed after the bars (no decimals).
    """
    _check_matrix(values, len(vendors), len(parts), "values")
    cmap = colormaps[SEQUENTIAL]
    labels = [_label(v, 22) for v in vendors]
    part_labels = [_label(part, 18, 2) for part in parts]
    legend_cm = math.ceil(len(parts) / 5) * (0.45 + _text_cm(_lines(part_labels) - 1, 7))
    with mpl.rc_context(_RC):
        fig = _figure(width_cm, 1.8 + len(vendors) * _bar_slot_cm(labels, 0.5) + legend_cm)
        ax = fig.subplots()
        positions = list(range(len(vendors)))
        left = [0.0] * len(vendors)
        for k, part in enumerate(part_labels):
            # The first part (setup) in the accent colour, the years along a light-to-dark ramp.
            colour = PALETTE[5] if k == 0 else cmap(0.25 + 0.7 * (k - 1) / max(len(parts) - 2, 1))
            widths = [float(row[k]) for row in values]
            ax.barh(positions, widths, left=left, height=0.62, color=colour, edgecolor="white", linewidth=0.4,
                    label=part)  # fmt: skip
            left = [a + b for a, b in zip(left, widths, strict=True)]
        top = max(left, default=0.0) or 1.0
        for y, total in zip(positions, left, strict=True):
            ax.text(total + top * 0.01, y, format_number(round(total), language, 0), va="center", fontsize=8)
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.18)
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.set_xlabel(_text(axis_label))
        _number_axis(ax.xaxis, language)
        fig.legend(loc="outside lower center", ncols=min(len(parts), 5), frameon=False, fontsize=7)
        return fig


def shares_figure(
    labels: Sequence[str],
    shares: Sequence[float],
    *,
    language: str,
    axis_label: str,
    highlight: int | None = 0,
    width_cm: float = WIDTH_CM,
) -> Figure:
    """Horizontal bars of fractions (0..1), e.g. each vendor's share of first places; labels printed as %.

    The bar at index ``highlight`` is drawn in the accent colour, the others in grey, and
    each bar carries its percentage, so colour is never the only cue.
    """
    if len(labels) != len(shares):
        raise ValueError("shares_figure needs one share per label")
    bar_labels = [_label(v, 22) for v in labels]
    with mpl.rc_context(_RC):
        fig = _figure(width_cm, 1.3 + len(labels) * _bar_slot_cm(bar_labels, 0.55))
        ax = fig.subplots()
        positions = list(range(len(labels)))
        colours = [PALETTE[0] if k == highlight else GREY for k in positions]
        ax.barh(positions, [float(s) for s in shares], height=0.6, color=colours)
        for y, share in zip(positions, shares, strict=True):
            ax.text(float(share) + 0.01, y, format_percent(float(share), language, 1), va="center", fontsize=8)
        ax.set_yticks(positions, bar_labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.12)
        ax.xaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: format_percent(x, language, 0)))
        ax.set_xlabel(_text(axis_label))
        return fig


def _bar_slot_cm(labels: Sequence[str], least: float) -> float:
    """Height of each bar's slot: ``least``, or more where the labels (8 pt) run on several lines."""
    return max(least, _text_cm(_lines(labels), 8) + 0.15)


def _check_matrix(values: Sequence[Sequence[object]], rows: int, columns: int, name: str) -> None:
    if len(values) != rows or any(len(row) != columns for row in values):
        raise ValueError(f"{name} must have {rows} rows of {columns} values")
