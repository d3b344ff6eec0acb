"""What the committee report looks like where the campaign's own words and numbers are at their widest.

Appendix B (scores per criterion) gives each vendor an 18 mm column of an A4 landscape page, ten
vendors to a table. Here every column is as full as it gets: a 0-100 scale (50.95), 120 testers
(three-digit counts), knock-outs (the × of an eliminated MUST cell, in bold) in the last columns,
a 120-character vendor name and an unbroken 60-character one. The positions of the words are read
back from the PDF by poppler's ``pdftotext -bbox``. Emoji in names and comments are drawn from
fonts-noto-color-emoji, which the README and .ci/run install.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import subprocess
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from criteria.model import Category, CriteriaSet, Criterion, Priority
from reports.i18n_report import report_text
from reports.report import HEADER_CHARS, VENDORS_PER_TABLE, ReportParams, column_names, render_report
from vendors.analysis import analyse
from vendors.model import Tester as Pilot  # aliased: pytest would try to collect a class named Test*
from vendors.model import Vendor
from vendors.scoring import ScoringParams, score

ISSUED = dt.date(2027, 4, 2)
MM = 72 / 25.4
#: report.css: the side margins of the landscape pages and the width of a vendor's column in appendix B.
SIDE_MARGIN = 16 * MM
CELL = 18 * MM
#: print.css and report.css: the right margin of the portrait pages and the width of a group's column (section 7).
RIGHT_MARGIN = 18 * MM
GROUP = 20 * MM
#: Slack for the rounding of positions in the PDF (points).
SLACK = 0.3

LONG_NAME = "Very long vendor name " * 5 + "Holding SA"
UNBROKEN = "Supercalifragilisticexpialidocious" + "X" * 26
NAMES = (LONG_NAME, UNBROKEN, *(f"Vendor {k}" for k in range(2, 10)))
#: A group of testers (testers.xlsx) named with one long word: it heads a column of section 7.
LONG_GROUP = "Informationstechnologieabteilungsleitung"
#: Eliminated (A1 and B1 below the threshold), hence listed last: their knocked cells fill the last columns.
KNOCKED_OUT = ("V1", "V8", "V9")

CRITERIA = CriteriaSet(
    (Category("A", "Alpha things", 50.0), Category("B", "Beta things", 50.0)),
    (
        Criterion("A1", "A", "Single sign-on", "", Priority.MUST, 1.0),
        Criterion("A2", "A", "Profiles", "", Priority.SHOULD, 1.0),
        Criterion("B1", "B", "Mobile app", "", Priority.MUST, 1.0),
        Criterion("B2", "B", "Search", "", Priority.COULD, 1.0),
    ),
)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: tuple[Word, ...]


def render(
    target: Path, names: Sequence[str], testers: int, scale: float, language: str = "en", mark: str = ""
) -> Path:
    """The report of a campaign of len(names) vendors, ``testers`` testers and a 0-``scale`` scale.

    Every score is given, spread over the whole scale (standard deviations near scale / 3.5);
    the vendors of KNOCKED_OUT get 0 or 1 % of the scale on the MUST criteria. ``mark`` is added to
    the first tester's name and to the comments of that tester.
    """
    vendors = tuple(
        Vendor(f"V{k}", name, setup_cost=1000.0 * k, price_per_user_month=1.0 + k) for k, name in enumerate(names)
    )
    pilots = tuple(
        Pilot(f"T{k:03d}", f"Tester {k}{mark if k == 0 else ''}", groups={"level": "staff" if k % 2 else LONG_GROUP})
        for k in range(testers)
    )
    rows = []
    for v, vendor in enumerate(vendors):
        for c, crit in enumerate(CRITERIA.criteria):
            for k, pilot in enumerate(pilots):
                if vendor.id in KNOCKED_OUT and crit.priority is Priority.MUST:
                    value = scale / 100 * (k % 2)
                else:
                    value = float(round(scale * ((k * 37 + v * 11 + c * 7) % 101) / 100))
                comment = f"Works{mark}" if k == 0 and mark else ""
                rows.append((pilot.id, vendor.id, crit.id, value, False, comment))
    frame = pd.DataFrame(rows, columns=["tester", "vendor", "criterion", "score", "na", "comment"])
    params = ScoringParams(scale_max=scale, users=100, horizon_years=1, knockout_threshold=scale / 10)
    scoring = score(CRITERIA, vendors, frame, params, pilots)
    assert {v.id for v in scoring.vendors if v.eliminated} == set(KNOCKED_OUT) & {v.id for v in vendors}
    analysis = analyse(
        CRITERIA, vendors, pilots, frame, params, scoring, disagreement_sd=scale, draws=50, delta=0.25, seed=0
    )
    report = ReportParams("Layout", language=language)
    return render_report(CRITERIA, vendors, pilots, scoring, analysis, frame, (), report, ISSUED, target).path


def pages(pdf: Path) -> list[Page]:
    """Every page of ``pdf`` with its words and their boxes (points, y downwards), as poppler reads them."""
    done = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    out = []
    for width, height, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', done.stdout, re.S):
        words = tuple(
            Word(html.unescape(text), float(x0), float(y0), float(x1), float(y1))
            for x0, y0, x1, y1, text in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', body
            )
        )
        out.append(Page(float(width), float(height), words))
    return out


def font_names(pdf: Path) -> set[str]:
    reader = PdfReader(pdf)
    return {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }


@dataclass(frozen=True)
class Appendix:
    """The landscape pages of the report (appendix B) and the PDF they come from."""

    language: str
    pdf: Path
    pages: tuple[Page, ...]
    #: Every page, portrait ones included.
    all_pages: tuple[Page, ...]


@pytest.fixture(
    scope="module",
    # The demo's figures (3.13 · 38 · 0.93: only a knocked-out cell is too long for one line), then the widest.
    params=[("en", 40, 5.0), ("fr", 120, 100.0)],
    ids=["en, 0-5, 40 testers", "fr, 0-100, 120 testers"],
)
def appendix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Appendix:
    language, testers, scale = request.param
    pdf = render(tmp_path_factory.mktemp(f"layout-{language}") / "report.pdf", NAMES, testers, scale, language)
    every = tuple(pages(pdf))
    wide = tuple(page for page in every if page.width > page.height)
    assert wide
    return Appendix(language, pdf, wide, every)


def table_words(page: Page, language: str) -> list[Word]:
    """The words of the vendors' columns of appendix B's table on ``page``, heading included.

    The table starts below the legend (on the appendix' first page) or below the running header,
    and ends above the footer; its vendor columns end at the right margin.
    """
    legend_end = report_text("criteria.legend", language).split()[-1]
    top = max((w.y1 for w in page.words if w.text == legend_end), default=20 * MM)
    right = page.width - SIDE_MARGIN
    left = right - VENDORS_PER_TABLE * CELL
    return [w for w in page.words if w.y0 > top and w.y1 < page.height - 18 * MM and w.x1 > left + SLACK]


def column(x: float, page: Page) -> int:
    """The vendor column (0 = the last one, at the right margin) that the abscissa ``x`` falls in."""
    return int((page.width - SIDE_MARGIN - x) // CELL)


def test_every_word_of_appendix_b_stays_in_its_column(appendix: Appendix) -> None:
    """A knocked-out cell (× 0,44 · 120 · 0,50 in bold), a 0-100 score with a three-digit count or an unbroken
    name wraps inside its 18 mm column: no word runs into the next column or past the table's edge."""
    knocked = 0
    for page in appendix.pages:
        right = page.width - SIDE_MARGIN
        for word in table_words(page, appendix.language):
            assert word.x1 <= right + SLACK, f"{word.text!r} runs {word.x1 - right:.1f} pt past the table"
            first, last = column(word.x0 + SLACK, page), column(word.x1 - SLACK, page)
            assert first == last, f"{word.text!r} runs from column {first} into column {last} (from the right)"
            knocked += word.text.startswith("×")
    # A1 and B1 of the three eliminated vendors.
    assert knocked == 2 * len(KNOCKED_OUT)


def test_long_vendor_names_head_appendix_b_in_a_few_lines(appendix: Appendix) -> None:
    """A 120-character name is cut with an ellipsis to about three lines of its column; the ranking has it whole."""
    sub_heading = report_text("criteria.cell", appendix.language)
    page = appendix.pages[0]
    words = table_words(page, appendix.language)
    bottom = min(w.y1 for w in words if w.text == sub_heading.split()[0])
    heads: defaultdict[int, list[Word]] = defaultdict(list)
    for word in words:
        if word.y1 <= bottom + SLACK:
            heads[column(word.x1 - SLACK, page)].append(word)
    assert len(heads) == VENDORS_PER_TABLE
    # At most three lines of name over the sub-heading (score · n · sd) in every column.
    lines = {k: len({round(w.y0) for w in head}) for k, head in heads.items()}
    assert max(lines.values()) <= 4, lines
    shown = {" ".join(w.text for w in sorted(head, key=lambda w: (round(w.y0), w.x0))) for head in heads.values()}
    assert f"Very long vendor name Very… {sub_heading}" in shown
    # The unbroken name is cut too, then broken across the lines of its column.
    squeezed = {text.replace(" ", "") for text in shown}
    assert UNBROKEN[: HEADER_CHARS - 1] + "…" + sub_heading.replace(" ", "") in squeezed
    portrait = PdfReader(appendix.pdf).pages[:4]
    assert LONG_NAME in " ".join(" ".join(page.extract_text().split()) for page in portrait)


def test_a_long_group_name_breaks_within_its_column(appendix: Appendix) -> None:
    """Section 7 heads a 20 mm column with each group's name: a long word breaks inside it."""
    title = report_text("segments.column", appendix.language, column="level")
    page = next(p for p in appendix.all_pages if title in " ".join(w.text for w in p.words))
    right = page.width - RIGHT_MARGIN
    counts = [w for w in page.words if w.text == "n" and w.x0 > right - 2 * GROUP]
    assert len(counts) == 2
    bottom = max(w.y1 for w in counts)
    top = max(w.y1 for w in page.words if w.text == "level" and w.y1 < bottom)
    head = [w for w in page.words if top < w.y0 and w.y1 <= bottom + SLACK and w.x1 > right - 2 * GROUP + SLACK]
    assert LONG_GROUP[:6] in "".join(w.text for w in head)
    for word in head:
        assert word.x1 <= right + SLACK, f"{word.text!r} runs {word.x1 - right:.1f} pt past the table"
        first, last = ((right - x) // GROUP for x in (word.x0 + SLACK, word.x1 - SLACK))
        assert first == last, f"{word.text!r} runs from one group's column into the next"


def test_header_names_are_cut_with_an_ellipsis_unless_two_would_read_alike() -> None:
    assert column_names(["Colibri Works", "x" * HEADER_CHARS]) == ["Colibri Works", "x" * HEADER_CHARS]
    (cut,) = column_names([LONG_NAME])
    assert cut == "Very long vendor name Very…"  # at a space in the second half
    (unbroken,) = column_names([UNBROKEN])
    assert unbroken == UNBROKEN[: HEADER_CHARS - 1] + "…"
    twins = ["Acme Corporation International Holding North", "Acme Corporation International Holding South"]
    assert column_names([*twins, LONG_NAME]) == [*twins, "Very long vendor name Very…"]


def test_a_report_without_emoji_uses_the_text_fonts_only(appendix: Appendix) -> None:
    """Naming the emoji font in the CSS font stacks would make Pango draw digits with it (they are emoji for
    Unicode, as keycaps): the stacks leave emoji to fontconfig's fallback."""
    fonts = font_names(appendix.pdf)
    assert "Liberation-Sans" in fonts
    assert not [name for name in fonts if "Emoji" in name]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_emoji_in_names_and_comments_are_drawn_in_colour(tmp_path: Path) -> None:
    """Without an emoji font, 🚀 printed as an empty box: fonts-noto-color-emoji (README, .ci/run) draws it.
    The charts keep names as SVG text, which WeasyPrint draws with the same fonts; matplotlib, which cannot
    draw colour emoji, only measures them, without a warning."""
    names = ("Acme 🚀 Social", "Ruche 🐝 Link 👩\u200d💻", "Bolt")
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            pdf = render(tmp_path / "report.pdf", names, 4, 5.0, mark=" 😀 👍")
    finally:
        logger.removeHandler(handler)
    fonts = font_names(pdf)
    assert "Noto-Color-Emoji" in fonts, f"emoji drawn as empty boxes: install fonts-noto-color-emoji ({fonts})"
    assert handler.messages == []  # WeasyPrint names every glyph it has to draw as an empty box
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    for shown in ("Acme 🚀 Social", "Tester 0 😀 👍", "Works 😀 👍"):
        assert shown in text
