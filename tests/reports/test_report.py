"""The committee report: figures worked out by hand, evidence, segments, audit trail, and the PDF itself.

The campaign of these tests (scale 0-5, 10 users, 1 year, split 70/30, inverse price formula):

    categories A (weight 60), B (weight 40) and C (weight 0: shown, never counted);
    criteria A1 (MUST, w 1), A2 (w 1), B1 (w 3), B2 (w 1), C1 (w 1)
    effective weights e = A1 0.3, A2 0.3, B1 0.3, B2 0.1, C1 0

    scores of testers T1, T2 (level staff) and T3, T4 (level manager):
                A1           A2          B1          B2          C1
    V1 Acme     4 4 5 5      4 4 4 4     5 5 5 5     2 2 2 2     3 3 3 3
    V2 Bolt     3 3 3 3      3 3 3 3     5 5 0 0     3 3 3 3     4 4 4 4
    V3 Cyan     0 1 0 1      5 5 5 5     5 5 5 5     5 5 5 5     2 2 2 2

    V1: Q = 100 (0.3 x 4.5 + 0.3 x 4 + 0.3 x 5 + 0.1 x 2) / 5 = 85; TCO = 1,000 + 12 x 10 x 2 = 1,240
    V2: Q = 100 (0.3 x 3 + 0.3 x 3 + 0.3 x 2.5 + 0.1 x 3) / 5 = 57;  TCO = 12 x 10 x 1 = 120
    V3: A1 = 0.5 < 1 (MUST): eliminated
    P1 = 100 x 120 / 1,240 = 9.677...; P2 = 100
    F1 = 0.7 x 85 + 0.3 x 9.677 = 62.403; F2 = 0.7 x 57 + 0.3 x 100 = 69.9: Bolt first by 7.497 points

    Contributions to F1: A = 0.7 x 100 (0.3 x 4.5 + 0.3 x 4) / 5 = 35.7; B = 0.7 x 100 (0.3 x 5 + 0.1 x 2) / 5 = 23.8;
    price = 0.3 x 9.677 = 2.903.

    Staff only: Q1 = 82, Q2 = 72, F1 = 60.30, F2 = 80.4 (Bolt 1st); managers only: Q1 = 88, Q2 = 42,
    F1 = 64.50, F2 = 59.4 (Acme 1st). Only B1 of Bolt has sd >= 1.5 (sd of 5 5 0 0 = 2.887).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from criteria.model import Category, CriteriaSet, Criterion, Priority
from reports import report as report_module
from reports.i18n_report import REPORT, report_text
from reports.render import Attachment
from reports.report import (
    AuditEntry,
    ReportParams,
    contributions,
    format_amount,
    render_report,
    render_report_html,
    report_context,
)
from vendors.analysis import AnalysisResult, analyse, verdict_text
from vendors.model import Tester as Pilot  # aliased: pytest would try to collect a class named Test*
from vendors.model import Vendor
from vendors.scoring import ScoringParams, ScoringResult, score

ISSUED = dt.date(2027, 4, 2)
UTC = dt.timezone.utc

CRITERIA = CriteriaSet(
    (Category("A", "Alpha things", 60.0), Category("B", "Beta things", 40.0), Category("C", "Care", 0.0)),
    (
        Criterion("A1", "A", "Single sign-on", "", Priority.MUST, 1.0),
        Criterion("A2", "A", "Profiles", "", Priority.SHOULD, 1.0),
        Criterion("B1", "B", "Mobile app", "", Priority.SHOULD, 3.0),
        Criterion("B2", "B", "Search", "", Priority.COULD, 1.0),
        Criterion("C1", "C", "Help desk", "", Priority.COULD, 1.0),
    ),
)
VENDORS = (
    Vendor("V1", "Acme <Social>", setup_cost=1000.0, price_per_user_month=2.0),
    Vendor("V2", "Bolt", price_per_user_month=1.0),
    Vendor("V3", "Cyan", price_per_user_month=1.0),
)
TESTERS = tuple(
    Pilot(f"T{k}", name, groups={"level": level})
    for k, (name, level) in enumerate(
        [("Ann Lee", "staff"), ("Bo Diaz", "staff"), ("Cy Roux", "manager"), ("Di Moss", "manager")], start=1
    )
)
GRID = {
    "V1": {"A1": (4, 4, 5, 5), "A2": (4, 4, 4, 4), "B1": (5, 5, 5, 5), "B2": (2, 2, 2, 2), "C1": (3, 3, 3, 3)},
    "V2": {"A1": (3, 3, 3, 3), "A2": (3, 3, 3, 3), "B1": (5, 5, 0, 0), "B2": (3, 3, 3, 3), "C1": (4, 4, 4, 4)},
    "V3": {"A1": (0, 1, 0, 1), "A2": (5, 5, 5, 5), "B1": (5, 5, 5, 5), "B2": (5, 5, 5, 5), "C1": (2, 2, 2, 2)},
}
COMMENTS = {
    ("T1", "V3", "A1"): "Cannot <b>log in</b> at all",
    ("T3", "V3", "A1"): "Login page times out",
    ("T1", "V2", "B1"): "Great on my phone",
    ("T3", "V2", "B1"): "Crashes on my tablet",
}
PARAMS = ScoringParams(scale_max=5, users=10, horizon_years=1)


def scores_frame() -> pd.DataFrame:
    rows = []
    for vendor, criteria in GRID.items():
        for criterion, values in criteria.items():
            for tester, value in zip(TESTERS, values, strict=True):
                comment = COMMENTS.get((tester.id, vendor, criterion), "")
                rows.append((tester.id, vendor, criterion, float(value), False, comment))
    return pd.DataFrame(rows, columns=["tester", "vendor", "criterion", "score", "na", "comment"])


def audit_trail() -> list[AuditEntry]:
    day = dt.datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    entries = [
        AuditEntry(f"{t.id}.xlsx", f"{k:02d}" * 32, "accepted", day + dt.timedelta(hours=k), t.id)
        for k, t in enumerate(TESTERS, start=1)
    ]
    problems = tuple(f"T2.xlsx, sheet Bolt, cell D{row}: 'lots' is not a score" for row in range(5, 10))
    entries.append(AuditEntry("T2 (old).xlsx", "ab" * 32, "rejected", day - dt.timedelta(days=1), "T2", problems))
    entries.append(AuditEntry("T1-draft.xlsx", "cd" * 32, "superseded", day - dt.timedelta(hours=2), "T1"))
    return entries


@dataclass(frozen=True)
class Results:
    scores: pd.DataFrame
    scoring: ScoringResult
    analysis: AnalysisResult


def results(disagreement_sd: float = 1.5) -> Results:
    frame = scores_frame()
    scoring = score(CRITERIA, VENDORS, frame, PARAMS, TESTERS)
    analysis = analyse(
        CRITERIA,
        VENDORS,
        TESTERS,
        frame,
        PARAMS,
        scoring,
        disagreement_sd=disagreement_sd,
        draws=500,
        delta=0.25,
        seed=0,
    )
    return Results(frame, scoring, analysis)


def context(language: str = "en", disagreement_sd: float = 1.5) -> dict[str, object]:
    r = results(disagreement_sd)
    params = ReportParams(name="Pilot <2027>", organisation="Org & Co", language=language, campaign_id="C-1")
    return report_context(CRITERIA, VENDORS, TESTERS, r.scoring, r.analysis, r.scores, audit_trail(), params, ISSUED)


# -- figures -------------------------------------------------------------------------------------------------


def test_contributions_add_up_to_the_final_score() -> None:
    acme = results().scoring.vendor("V1")
    parts = contributions(CRITERIA, acme, 5, (70, 30))
    assert parts["C"] == 0.0
    assert parts["A"] == pytest.approx(35.7)
    assert parts["B"] == pytest.approx(23.8)
    assert parts[""] == pytest.approx(0.3 * 100 * 120 / 1240)
    assert sum(parts.values()) == pytest.approx(acme.final_score)
    assert acme.final_score == pytest.approx(0.7 * 85 + 0.3 * 100 * 120 / 1240)


def test_contributions_without_price_weight() -> None:
    acme = results().scoring.vendor("V1")
    parts = contributions(CRITERIA, acme, 5, (1, 0))
    assert parts == pytest.approx({"A": 51.0, "B": 34.0, "C": 0.0, "": 0.0})


def test_ranking_rows_in_rank_order_with_fixed_decimals() -> None:
    rows = context()["vendors"]
    assert [(v["name"], v["status"]) for v in rows] == [("Bolt", "1"), ("Acme <Social>", "2"), ("Cyan", "eliminated")]
    bolt, acme = rows[0], rows[1]
    assert (bolt["final"], bolt["quality"], bolt["price"], bolt["tco"]) == ("69.90", "57.00", "100.00", "€120")
    assert (acme["final"], acme["quality"], acme["price"], acme["tco"]) == ("62.40", "85.00", "9.68", "€1,240")
    assert acme["coverage"] == "100%"


def test_summary_names_the_winner_margin_and_participation() -> None:
    summary = context()["summary"]
    assert summary["leaders"] == [{"name": "Bolt", "final": "69.90"}]
    assert summary["runner_up"] == {"name": "Acme <Social>", "final": "62.40"}
    assert summary["margin"] == "7.50"  # 69.9 - 62.403
    assert summary["eliminated"] == [
        {"name": "Cyan", "criteria": [{"id": "A1", "title": "Single sign-on", "score": "0.50"}]}
    ]
    assert summary["testers"] == 4
    assert summary["respondents"] == 4
    assert summary["workbooks"] == {"accepted": 4, "rejected": 1, "superseded": 1}
    assert summary["scores"] == "60"


def test_respondents_are_the_testers_of_the_campaign() -> None:
    """A tester accepted once, then removed from testers.xlsx, is not among those who took part."""
    r = results()
    day = dt.datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    audit = [*audit_trail(), AuditEntry("T9.xlsx", "ef" * 32, "accepted", day, "T9")]
    args = (CRITERIA, VENDORS, TESTERS, r.scoring, r.analysis, r.scores, audit, ReportParams("P"), ISSUED)
    summary = report_context(*args)["summary"]
    assert (summary["respondents"], summary["testers"]) == (4, 4)


def test_percentages_in_a_column_have_the_same_decimals() -> None:
    """'2.1%' above '3.06%' reads as a different precision: table columns write every decimal."""
    ctx = context()
    weights = [row["weight"] for part in ctx["criteria_parts"] for cat in part["categories"] for row in cat["rows"]]
    assert weights
    assert all(re.fullmatch(r"\d+\.\d\d%", w) for w in weights), weights
    flips = [f["weight"] for f in ctx["sensitivity"]["flips"]]
    assert all(re.fullmatch(r"\d+\.\d%", w) for w in flips), flips


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_method_sets_its_symbols_in_the_text_as_in_the_formulas(language: str) -> None:
    r = results()
    params = ReportParams("P", language=language)
    html = render_report_html(CRITERIA, VENDORS, TESTERS, r.scoring, r.analysis, r.scores, (), params, ISSUED)
    assert "<p>TCO<sub>min</sub> " in html
    assert "<var>F</var><sub><var>v</var></sub>" in html
    assert "TCO_min" not in html
    assert "F_v" not in html


def test_summary_in_french() -> None:
    ctx = context("fr")
    assert ctx["summary"]["margin"] == "7,50"
    assert ctx["vendors"][1]["tco"] == "1\u202f240\u00a0€"
    assert ctx["vendors"][2]["status"] == "éliminé"


def test_knock_out_evidence_lists_scores_and_comments() -> None:
    (ko,) = context()["knockouts"]
    assert (ko["vendor"], ko["id"], ko["score"], ko["n"], ko["sd"]) == ("Cyan", "A1", "0.50", 4, "0.58")
    assert ko["counts"] == [{"value": 0.0, "count": 2}, {"value": 1.0, "count": 2}]
    assert ko["comments"] == [
        {"tester": "Ann Lee", "comment": "Cannot <b>log in</b> at all"},
        {"tester": "Cy Roux", "comment": "Login page times out"},
    ]


def test_agenda_holds_the_disputed_pair_with_scores_and_comments() -> None:
    ctx = context()
    (item,) = ctx["agenda"]
    assert (item["vendor"], item["id"], item["n"], item["sd"], item["spread"]) == ("Bolt", "B1", 4, "2.89", "5")
    assert item["counts"] == [{"value": 0.0, "count": 2}, {"value": 5.0, "count": 2}]
    assert [c["tester"] for c in item["comments"]] == ["Ann Lee", "Cy Roux"]
    assert ctx["agenda_total"] == 1


def test_agenda_keeps_the_widest_disagreements_in_meeting_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_module, "AGENDA_LIMIT", 2)
    ctx = context(disagreement_sd=0.5)
    # Flagged: Bolt B1 (sd 2.89), Acme A1 and Cyan A1 (sd 0.58 each); the two widest, Bolt first (it ranks first).
    assert [(i["vendor"], i["id"]) for i in ctx["agenda"]] == [("Bolt", "B1"), ("Acme <Social>", "A1")]
    assert ctx["agenda_total"] == 3


def test_segments_mark_rank_changes_against_the_overall_rank() -> None:
    (table,) = context()["segments"]
    assert table["column"] == "level"
    assert [g["name"] for g in table["groups"]] == ["staff", "manager"]
    cells = {row["name"]: [(c["quality"], c["rank"], c["moved"]) for c in row["cells"]] for row in table["rows"]}
    assert cells["Bolt"] == [("72", "1", ""), ("42", "2", "down")]
    assert cells["Acme <Social>"] == [("82", "2", ""), ("88", "1", "up")]
    # Cyan: A1 = 0.5 in both groups, so eliminated in both; Q = 100 (0.3 x 0.5 + 0.3 x 5 + 0.3 x 5 + 0.1 x 5) / 5.
    assert cells["Cyan"] == [("73", "elim.", ""), ("73", "elim.", "")]
    assert {row["name"]: row["divergent"] for row in table["rows"]} == {
        "Bolt": True,
        "Acme <Social>": True,
        "Cyan": False,
    }


def test_audit_trail_in_order_received_with_problems_cut() -> None:
    rows = context()["audit"]
    assert [(r["name"], r["status"]) for r in rows] == [
        ("T2 (old).xlsx", "rejected"),
        ("T1-draft.xlsx", "superseded"),
        ("T1.xlsx", "accepted"),
        ("T2.xlsx", "accepted"),
        ("T3.xlsx", "accepted"),
        ("T4.xlsx", "accepted"),
    ]
    rejected = rows[0]
    assert rejected["hash"] == "abababababab"
    assert rejected["received"] == "2027-02-28 09:00"
    assert rejected["tester_name"] == "Bo Diaz"
    assert len(rejected["problems"]) == 3
    assert rejected["more_problems"] == 2


def test_flip_weights_and_influence_come_from_the_analysis() -> None:
    r = results()
    ctx = context()
    sens = ctx["sensitivity"]
    assert [f["category"] for f in sens["flips"]] == ["Alpha things", "Beta things", "Care"]
    expected = [f.flip_weight is None for f in r.analysis.sensitivity.weights]
    assert [f["flip"] == "never" for f in sens["flips"]] == expected
    assert sens["loo_testers"] == r.analysis.sensitivity.leave_one_out.testers
    # A robust verdict is said in the analysis' own words, on page 1 and in the robustness chapter.
    assert r.analysis.verdict.robust
    assert ctx["summary"]["verdict_short"] == verdict_text(r.analysis, "en")
    assert ctx["summary"]["verdict_here"] == verdict_text(r.analysis, "en")


def test_amounts_are_whole_units_in_each_language() -> None:
    assert format_amount(654321.49, "EUR", "en") == "€654,321"
    assert format_amount(654321.49, "EUR", "fr") == "654\u202f321\u00a0€"


def test_every_report_message_exists_in_both_languages() -> None:
    assert all(set(texts) == {"en", "fr"} for texts in REPORT.values())
    for key, texts in REPORT.items():
        assert set(re.findall(r"{(\w+)}", texts["en"])) == set(re.findall(r"{(\w+)}", texts["fr"])), key


def test_french_messages_keep_signs_with_their_words() -> None:
    assert report_text("summary.recommended", "fr") == "Fournisseur recommandé\u00a0:"
    assert report_text("evidence.quote", "fr", text="ok") == "«\u00a0ok\u00a0»"
    with pytest.raises(KeyError, match="no en report message for key 'nope'"):
        report_text("nope", "en")


# -- HTML and PDF --------------------------------------------------------------------------------------------


def test_user_text_is_escaped_in_the_html() -> None:
    r = results()
    html = render_report_html(
        CRITERIA, VENDORS, TESTERS, r.scoring, r.analysis, r.scores, audit_trail(), ReportParams("Pilot <2027>"), ISSUED
    )
    assert "Acme &lt;Social&gt;" in html
    assert "<Social>" not in html
    assert "Cannot &lt;b&gt;log in&lt;/b&gt; at all" in html
    assert "<b>log in</b>" not in html
    # Charts are inlined as data: URLs, the only images the locked fetcher lets through.
    # Contributions, heatmap, costs, first places, and one radar per vendor.
    assert len(re.findall(r'<img src="data:image/svg\+xml;base64,', html)) == 4 + len(VENDORS)
    assert 'src="http' not in html
    assert 'src="file' not in html


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass(frozen=True)
class Rendered:
    path: Path
    pages: int
    text: str
    first_page: str
    warnings: tuple[str, ...]
    page_texts: tuple[str, ...] = ()
    landscape: tuple[bool, ...] = ()


def _flat(text: str) -> str:
    text = text.replace("\u2010\n", "")
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


@pytest.fixture(scope="module", params=["en", "fr"])
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The report of the hand-worked campaign, once per language for the module (a render takes a second)."""
    language = request.param
    r = results()
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        out = render_report(
            CRITERIA,
            VENDORS,
            TESTERS,
            r.scoring,
            r.analysis,
            r.scores,
            audit_trail(),
            ReportParams("Pilot 2027", organisation="Org & Co", language=language),
            ISSUED,
            tmp_path_factory.mktemp(f"report-{language}") / "report.pdf",
        )
    finally:
        logger.removeHandler(collect)
    reader = PdfReader(out.path)
    pages = [_flat(page.extract_text()) for page in reader.pages]
    assert len(reader.pages) == out.pages
    landscape = tuple(page.mediabox.width > page.mediabox.height for page in reader.pages)
    return Rendered(out.path, out.pages, " ".join(pages), pages[0], tuple(collect.messages), tuple(pages), landscape)


def test_pdf_renders_without_warnings(rendered: Rendered) -> None:
    assert rendered.warnings == ()


def test_first_page_holds_the_summary_in_ranking_order(rendered: Rendered) -> None:
    page = rendered.first_page
    summary = "Executive summary" if "Executive summary" in page else "Synthèse"
    assert summary in page
    # Cyan, eliminated, is listed last although its final score (0.7 x 73 + 0.3 x 100 = 81.1) is the highest.
    positions = [page.index(name) for name in ("Bolt 69", "Acme <Social> 62", "Cyan 81")]
    assert positions == sorted(positions)
    final = "69.90" if summary == "Executive summary" else "69,90"
    assert final in page


def test_every_section_is_in_the_pdf(rendered: Rendered) -> None:
    english = "Executive summary" in rendered.first_page
    language = "en" if english else "fr"
    for key in ("sec.ranking", "sec.categories", "sec.costs", "sec.knockouts", "sec.agenda", "sec.segments"):
        assert report_text(key, language) in rendered.text
    for key in ("sec.sensitivity", "sec.method", "sec.criteria", "sec.audit"):
        assert _flat(report_text(key, language)) in rendered.text
    # Evidence, per-criterion appendix and audit trail.
    assert "Cannot <b>log in</b> at all" in rendered.text
    assert ("0.50" if english else "0,50") in rendered.text
    assert "abababababab" in rendered.text
    assert re.search(rf"page 1 (of|sur) {rendered.pages}\b", rendered.text)
    # Both versions are named in the method: the criteria with their weighting, and what the workbooks carry.
    assert f"{_flat(report_text('set.sheet_version', language))} {CRITERIA.sheet_version()}" in rendered.text
    assert f"{_flat(report_text('set.version', language))} {CRITERIA.version()}" in rendered.text


#: The report's parts in order, each opening a page of its own (the summary is the cover page).
PAGE_OPENERS = (
    "sec.summary",
    "toc",
    "sec.ranking",
    "sec.categories",
    "sec.profiles",
    "sec.costs",
    "sec.knockouts",
    "sec.agenda",
    "sec.segments",
    "sec.sensitivity",
    "sec.method",
    "sec.criteria",
    "sec.audit",
)


def test_every_part_opens_its_own_page_and_only_the_method_runs_on(rendered: Rendered) -> None:
    language = "en" if "Executive summary" in rendered.first_page else "fr"
    titles = {key: _flat(report_text(key, language)) for key in PAGE_OPENERS if key != "toc"}
    titles["toc"] = "Contents" if language == "en" else "Sommaire"
    # A page opens a part when the part's title is among its first words (the method's page first lists
    # the symbols of its formulas, which the text extraction puts before the title).
    opened = [next((key for key in PAGE_OPENERS if titles[key] in page[:160]), None) for page in rendered.page_texts]
    parts = [key for key in opened if key is not None]
    assert parts == list(PAGE_OPENERS)
    # Pages that open no part continue the one before: only the method (its formulas take three pages here);
    # anything else would be an overflow or an empty page.
    runs_on = {next(key for key in reversed(opened[:i]) if key) for i, key in enumerate(opened) if key is None}
    assert runs_on <= {"sec.method"}
    assert opened.count(None) <= 2
    # The per-criterion appendix is the one landscape part: its table is as wide as there are vendors.
    assert [opened[i] for i, wide in enumerate(rendered.landscape) if wide] == ["sec.criteria"]


def test_identical_input_gives_identical_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    r = results()
    paths = []
    for name in ("a.pdf", "b.pdf"):
        out = render_report(
            CRITERIA, VENDORS, TESTERS, r.scoring, r.analysis, r.scores, (), ReportParams("P"), ISSUED, tmp_path / name
        )
        paths.append(out.path)
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_pdf_a_3b_carries_the_attachments(tmp_path: Path) -> None:
    r = results()
    files = [Attachment("results.json", b'{"vendors": []}\n', "Results"), Attachment("scores.csv", b"id;name\n")]
    out = render_report(
        CRITERIA,
        VENDORS,
        TESTERS,
        r.scoring,
        r.analysis,
        r.scores,
        audit_trail(),
        ReportParams("Pilot"),
        ISSUED,
        tmp_path / "report.pdf",
        variant="pdf/a-3b",
        attachments=files,
    )
    reader = PdfReader(out.path)
    assert {name: data for name, (data,) in reader.attachments.items()} == {
        "results.json": b'{"vendors": []}\n',
        "scores.csv": b"id;name\n",
    }
    assert reader.xmp_metadata is not None
    raw = reader.xmp_metadata.stream.get_data()
    assert b'pdfaid:part="3"' in raw or b"<pdfaid:part>3</pdfaid:part>" in raw


def test_a_vendor_nobody_assessed_is_listed_unranked() -> None:
    r = results()
    extra = (*VENDORS, Vendor("V4", "Dune", price_per_user_month=1.0))
    scoring = score(CRITERIA, extra, r.scores, PARAMS, TESTERS)
    analysis = analyse(
        CRITERIA, extra, TESTERS, r.scores, PARAMS, scoring, disagreement_sd=1.5, draws=100, delta=0.25, seed=0
    )
    ctx = report_context(CRITERIA, extra, TESTERS, scoring, analysis, r.scores, (), ReportParams("P"), ISSUED)
    assert [(v["name"], v["status"], v["final"]) for v in ctx["vendors"]][-1] == ("Dune", "not assessed", "–")
    assert ctx["summary"]["unassessed"] == ["Dune"]
    assert [radar["name"] for radar in ctx["charts"]["radars"]] == ["Bolt", "Acme <Social>", "Cyan"]
    # Dune's MUST criterion A1 is unassessed like all its criteria: the summary names Dune once, and does not
    # count A1 among "MUST criteria left unassessed (listed in section 5)", which lists assessed vendors only.
    assert scoring.vendor("V4").unassessed_musts == ("A1",)
    assert ctx["missing_musts"] == []
    assert ctx["summary"]["unassessed_musts"] == 0


def test_the_margin_is_the_difference_of_the_printed_scores() -> None:
    r = results()
    bolt, acme, cyan = r.scoring.vendors
    scoring = replace(r.scoring, vendors=(replace(bolt, final_score=74.4838), replace(acme, final_score=72.7256), cyan))
    args = (CRITERIA, VENDORS, TESTERS, scoring, r.analysis, r.scores, (), ReportParams("P"), ISSUED)
    summary = report_context(*args)["summary"]
    assert (summary["leaders"][0]["final"], summary["runner_up"]["final"]) == ("74.48", "72.73")
    assert summary["margin"] == "1.75"  # not 1.76, the difference of the unrounded scores


def test_no_radar_below_three_categories() -> None:
    two = CriteriaSet(CRITERIA.categories[:2], CRITERIA.criteria[:4])
    frame = scores_frame()
    frame = frame[frame["criterion"] != "C1"]
    scoring = score(two, VENDORS, frame, PARAMS, TESTERS)
    analysis = analyse(
        two, VENDORS, TESTERS, frame, PARAMS, scoring, disagreement_sd=1.5, draws=100, delta=0.25, seed=0
    )
    ctx = report_context(two, VENDORS, TESTERS, scoring, analysis, frame, (), ReportParams("P"), ISSUED)
    assert ctx["charts"]["radars"] == []
    assert "needs at least three categories; this campaign has 2" in render_report_html(
        two, VENDORS, TESTERS, scoring, analysis, frame, (), ReportParams("P"), ISSUED
    )


def test_charts_drawn_in_two_processes_are_the_ones_drawn_in_one(monkeypatch: pytest.MonkeyPatch) -> None:
    r = results()
    params = ReportParams("P")
    args = (CRITERIA, VENDORS, TESTERS, r.scoring, r.analysis, r.scores, (), params, ISSUED)
    monkeypatch.setattr(report_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(report_module, "_cores", lambda: 2)
    forked = report_context(*args)["charts"]
    monkeypatch.setattr(report_module, "_cores", lambda: 1)
    single = report_context(*args)["charts"]
    assert forked == single
    assert [radar["name"] for radar in single["radars"]] == ["Bolt", "Acme <Social>", "Cyan"]


def test_a_tie_gives_a_short_fragile_verdict_on_page_one() -> None:
    twins = (VENDORS[0], replace(VENDORS[0], id="V2", name="Bolt"), VENDORS[2])
    frame = scores_frame()
    acme = frame[frame["vendor"] == "V1"]
    frame = pd.concat([acme, acme.assign(vendor="V2"), frame[frame["vendor"] == "V3"]], ignore_index=True)
    scoring = score(CRITERIA, twins, frame, PARAMS, TESTERS)
    analysis = analyse(
        CRITERIA, twins, TESTERS, frame, PARAMS, scoring, disagreement_sd=1.5, draws=200, delta=0.25, seed=0
    )
    assert not analysis.verdict.robust
    summary = report_context(CRITERIA, twins, TESTERS, scoring, analysis, frame, (), ReportParams("P"), ISSUED)[
        "summary"
    ]
    assert [leader["name"] for leader in summary["leaders"]] == ["Acme <Social>", "Bolt"]
    assert summary["margin"] == "0.00"  # the second is tied with the first: no lead over it
    assert summary["verdict_short"].startswith("No robust winner: Acme <Social>, Bolt tie for first place")
    assert summary["verdict_short"].endswith(". Details in section 8.")
    assert summary["verdict_here"] == summary["verdict_short"].removesuffix(" Details in section 8.")
    html = " ".join(
        render_report_html(CRITERIA, twins, TESTERS, scoring, analysis, frame, (), ReportParams("P"), ISSUED).split()
    )
    # Section 8 says why there is no single winner's share and no weight that changes "the" winner.
    assert (
        "Acme &lt;Social&gt;, Bolt share the first place, so no single winner&#39;s share can be given. "
        "A first place shared in a draw counts for each vendor holding it, so the shares add up to more than 100%."
    ) in html
    assert "Not computed: the first place is already shared" in html
    assert "comes first in" not in html
    assert ">never<" not in html


def test_with_no_ranked_vendor_section_8_computes_nothing_about_a_winner() -> None:
    frame = scores_frame()
    strict = replace(PARAMS, knockout_threshold=5.0)  # every vendor scored below 5 on its MUST criterion
    scoring = score(CRITERIA, VENDORS, frame, strict, TESTERS)
    assert all(v.eliminated for v in scoring.vendors)
    analysis = analyse(
        CRITERIA, VENDORS, TESTERS, frame, strict, scoring, disagreement_sd=1.5, draws=100, delta=0.25, seed=0
    )
    html = " ".join(
        render_report_html(CRITERIA, VENDORS, TESTERS, scoring, analysis, frame, (), ReportParams("P"), ISSUED).split()
    )
    assert "<p>Not computed: no vendor is ranked.</p>" in html
    assert "Not computed: no vendor is ranked, so leaving a tester out cannot change a winner." in html
    assert "No single tester changes the winner" not in html
    assert ">never<" not in html


def test_no_elimination_is_not_said_of_must_criteria_nobody_assessed() -> None:
    frame = scores_frame()
    frame = frame[frame["criterion"] != "A1"]  # the one MUST criterion, left blank by every tester
    scoring = score(CRITERIA, VENDORS, frame, PARAMS, TESTERS)
    assert not any(v.eliminated for v in scoring.vendors)
    analysis = analyse(
        CRITERIA, VENDORS, TESTERS, frame, PARAMS, scoring, disagreement_sd=1.5, draws=100, delta=0.25, seed=0
    )
    ctx = report_context(CRITERIA, VENDORS, TESTERS, scoring, analysis, frame, (), ReportParams("P"), ISSUED)
    assert ctx["summary"]["unassessed_musts"] == 3  # A1, for each of the three vendors
    html = " ".join(
        render_report_html(CRITERIA, VENDORS, TESTERS, scoring, analysis, frame, (), ReportParams("P"), ISSUED).split()
    )
    assert "every MUST criterion that testers assessed reached the threshold" in html
    assert "every MUST criterion reached the threshold" not in html
    assert "MUST criteria left unassessed for some vendors: 3 (listed in section 5)." in html


def test_long_names_are_cut_in_the_profile_key_and_captions_but_whole_in_the_tables() -> None:
    """A 200-character category or vendor name would run off the page in the one-line key and under a radar."""
    long_category = "Collaboration " * 14 + "end"
    long_vendor = "Vendor " * 28 + "end"
    first = CRITERIA.categories[0]
    criteria = CriteriaSet((replace(first, name=long_category), *CRITERIA.categories[1:]), CRITERIA.criteria)
    vendors = (replace(VENDORS[0], name=long_vendor), *VENDORS[1:])
    frame = scores_frame()
    scoring = score(criteria, vendors, frame, PARAMS, TESTERS)
    analysis = analyse(
        criteria, vendors, TESTERS, frame, PARAMS, scoring, disagreement_sd=1.5, draws=100, delta=0.25, seed=0
    )
    html = render_report_html(criteria, vendors, TESTERS, scoring, analysis, frame, (), ReportParams("P"), ISSUED)
    keys = re.findall(r'<span class="key-item"><b class="mono">[^<]*</b> ([^<]*)</span>', html)
    captions = re.findall(r"<figcaption>([^<]*)</figcaption>", html)
    assert keys[0].endswith("…")
    assert len(keys[0]) <= 61
    assert any(c.endswith("…") and c.startswith("Vendor Vendor") and len(c) <= 61 for c in captions)
    # The tables keep them whole.
    assert long_category in html
    assert long_vendor in html


def test_a_vendor_without_a_price_is_named_in_the_costs_section() -> None:
    """With no price weight, a vendor may have no price: it is left out of the cost chart and tables, and said so."""
    quality_only = replace(PARAMS, price_weight=0)
    vendors = (*VENDORS[:2], replace(VENDORS[2], price_per_user_month=None, setup_cost=0.0, annual_fixed_cost=0.0))
    frame = scores_frame()
    scoring = score(CRITERIA, vendors, frame, quality_only, TESTERS)
    assert scoring.vendor(VENDORS[2].id).tco is None
    analysis = analyse(
        CRITERIA, vendors, TESTERS, frame, quality_only, scoring, disagreement_sd=1.5, draws=100, delta=0.25, seed=0
    )
    html = render_report_html(CRITERIA, vendors, TESTERS, scoring, analysis, frame, (), ReportParams("P"), ISSUED)
    assert "Without a price in vendors.xlsx, hence not compared here: Cyan." in html


def test_without_group_columns_the_chapters_are_renumbered() -> None:
    r = results()
    plain = tuple(replace(t, groups={}) for t in TESTERS)
    analysis = analyse(
        CRITERIA, VENDORS, plain, r.scores, PARAMS, r.scoring, disagreement_sd=1.5, draws=100, delta=0.25, seed=0
    )
    ctx = report_context(CRITERIA, VENDORS, plain, r.scoring, analysis, r.scores, (), ReportParams("P"), ISSUED)
    assert [(s.id, s.number) for s in ctx["outline"]] == [
        ("summary", "1"),
        ("ranking", "2"),
        ("categories", "3"),
        ("profiles", "3.1"),
        ("costs", "4"),
        ("knockouts", "5"),
        ("agenda", "6"),
        ("sensitivity", "7"),
        ("montecarlo", "7.1"),
        ("flips", "7.2"),
        ("influence", "7.3"),
        ("method", "A"),
        ("criteria", "B"),
        ("audit", "C"),
    ]
    assert ctx["segments"] == []
    assert "Results by group of testers" not in render_report_html(
        CRITERIA, VENDORS, plain, r.scoring, analysis, r.scores, (), ReportParams("P"), ISSUED
    )


def test_cost_breakdown_by_year_fits_short_horizons_only() -> None:
    # One year for 10 users: Acme 1,000 setup + 12 x 10 x 2 = 240 in year 1.
    costs = {c["name"]: (c["setup"], c["years"], c["tco"]) for c in context()["costs"]}
    assert costs["Acme <Social>"] == ("€1,000", ["€240"], "€1,240")
    assert costs["Bolt"] == ("€0", ["€120"], "€120")
    assert context()["cost_years"] == ["Year 1"]
    r = results()
    long = replace(PARAMS, horizon_years=5, discount_rate=0.1)
    scoring = score(CRITERIA, VENDORS, r.scores, long, TESTERS)
    ctx = report_context(CRITERIA, VENDORS, TESTERS, scoring, r.analysis, r.scores, (), ReportParams("P"), ISSUED)
    assert ctx["cost_years"] == []
    # Year 5 of Bolt: 120 / 1.1^4 = 81.96.
    assert next(c for c in ctx["costs"] if c["name"] == "Bolt")["years"][-1] == "€82"


def test_the_report_is_tagged_and_its_charts_have_alternative_texts(rendered: Rendered) -> None:
    from tests.pdfstructure import structure_of

    kinds, alts = structure_of(rendered.path.read_bytes())
    assert kinds["/H1"] >= 8
    assert kinds["/Table"] >= 5
    # Every chart is a figure a screen reader announces by its alternative text.
    assert kinds["/Figure"] == len(alts) >= 5
    assert all(alt.strip() for alt in alts)
