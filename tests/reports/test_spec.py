"""The requirements specification: every criterion with its published weight, the method, metadata, fr and en."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from criteria.catalogue import catalogue, scale_labels
from criteria.model import Scale
from reports.render import format_number, format_percent
from reports.spec import SpecParams, render_spec, render_spec_html, spec_context
from tender.campaign import Campaign, init_campaign, load_campaign
from tender.spec import spec_params

ISSUED = dt.date(2027, 1, 15)


@dataclass(frozen=True)
class Rendered:
    campaign: Campaign
    pdf: Path
    html: str
    text: str
    reader: PdfReader
    pages: int
    warnings: tuple[str, ...]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _flat(text: str) -> str:
    # The PDF keeps no-break spaces, line ends and the hyphens (U+2010) of words broken across lines:
    # compare words, not layout.
    text = text.replace("\u2010\n", "")
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


@pytest.fixture(scope="module", params=["fr", "en"])
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """One campaign per language, rendered once for the whole module (a render takes about 2 s)."""
    language = request.param
    root = tmp_path_factory.mktemp(f"spec-{language}") / "c"
    init_campaign(
        root, language=language, extra_settings={"deadline": "2027-03-31", "contact": "rse@valmeyrac.example"}
    )
    campaign = load_campaign(root)
    settings = campaign.settings
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        result = render_spec(
            campaign.criteria,
            settings.scale,
            scale_labels(settings.scale, language),
            spec_params(settings),
            ISSUED,
            root / "out" / "spec.pdf",
            html_target=root / "out" / "spec.html",
        )
    finally:
        logger.removeHandler(collect)
    reader = PdfReader(result.path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    html = (root / "out" / "spec.html").read_text(encoding="utf-8")
    return Rendered(campaign, result.path, html, text, reader, result.pages, tuple(collect.messages))


def test_renders_without_any_weasyprint_warning(rendered: Rendered) -> None:
    assert rendered.warnings == ()


def test_page_count_is_sane_and_a4(rendered: Rendered) -> None:
    assert rendered.pages == len(rendered.reader.pages)
    assert 12 <= rendered.pages <= 30
    for page in rendered.reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_metadata_title_author_language(rendered: Rendered) -> None:
    settings = rendered.campaign.settings
    meta = rendered.reader.metadata
    kind = {"fr": "Cahier des charges", "en": "Requirements specification"}[settings.language]
    assert meta.title == f"{kind} — {settings.name}"
    assert meta.author == {"fr": "Groupe Valmeyrac", "en": "Valmeyrac Group"}[settings.language]
    assert meta["/Keywords"] == rendered.campaign.criteria.version()
    assert meta["/CreationDate"] == "D:20270115000000Z"
    assert rendered.reader.trailer["/Root"]["/Lang"] == settings.language


def test_every_criterion_id_with_its_weights(rendered: Rendered) -> None:
    """Each criterion row reads: ID, priority, texts, then weight, share of category, share of quality."""
    language = rendered.campaign.settings.language
    criteria = rendered.campaign.criteria
    text = _flat(rendered.text)
    effective = criteria.effective_weights()
    starts = [text.index(f"{c.id} {c.priority.value}") for c in criteria.criteria]
    assert starts == sorted(starts), "criteria are printed in catalogue order"
    ends = [*starts[1:], len(text)]
    for crit, start, end in zip(criteria.criteria, starts, ends, strict=True):
        inner = sum(c.weight for c in criteria.in_category(crit.category))
        row = _flat(
            f"{format_number(crit.weight, language)} {format_percent(crit.weight / inner, language, 1, fixed=True)} "
            f"{format_percent(effective[crit.id], language, 2, fixed=True)}"
        )
        assert row in text[start:end], crit.id


def test_hand_worked_weights_of_pro_01(rendered: Rendered) -> None:
    """PRO-01 weighs 5 of the 18 points of category PRO, which weighs 11 of 100.

    In category: 5 / 18 = 27.8 %; overall: 0.11 x 5 / 18 = 3.06 %.
    """
    expected = {"fr": "PRO-01 MUST", "en": "PRO-01 MUST"}
    row = {"fr": "5 27,8 % 3,06 %", "en": "5 27.8% 3.06%"}
    language = rendered.campaign.settings.language
    text = _flat(rendered.text)
    start = text.index(expected[language])
    assert row[language] in text[start : text.index("PRO-02", start)]


def test_category_weights_are_published(rendered: Rendered) -> None:
    language = rendered.campaign.settings.language
    criteria = rendered.campaign.criteria
    text = _flat(rendered.text)
    for cat in criteria.categories:
        members = criteria.in_category(cat.id)
        must = sum(1 for c in members if c.priority.value == "MUST")
        line = f"{cat.id} {cat.name} {len(members)} {must} {format_number(cat.weight, language)} "
        line += format_percent(cat.weight / 100, language, 1, fixed=True)
        assert _flat(line) in text, cat.id
    total = {"fr": "Total 65 16 100 100,0 %", "en": "Total 65 16 100 100.0%"}[language]
    assert total in text


def test_cover_and_method_texts(rendered: Rendered) -> None:
    settings = rendered.campaign.settings
    text = _flat(rendered.text)
    version = rendered.campaign.criteria.version()
    if settings.language == "fr":
        expected = [
            "Cahier des charges",
            "Date de publication 15 janvier 2027",
            f"Version des critères {version}",
            "les classeurs de notation ont leur propre version, celle des critères posés aux testeurs",
            "Date limite des notations pilotes 31 mars 2027",
            "Contact rse@valmeyrac.example",
            "65 critères répartis en 12 catégories, dont 16 éliminatoires (MUST)",
            "Sommaire",
            "Échelle de notation",
            "5 Excellent : au-delà de ce qui était attendu",
            "inférieure à 1 (sur l'échelle de 0 à 5)",
            "calculé sur 3 ans pour 2 400 utilisateurs",
            "proportion publiée de 70 % pour la qualité et 30 % pour le prix",
            "moyenne arithmétique",
            f"page 2 sur {rendered.pages}",
            "Modalités de réponse",
        ]
    else:
        expected = [
            "Requirements specification",
            "Issued on 15 January 2027",
            f"Criteria version {version}",
            "the scoring workbooks have their own version, that of the criteria put to the testers",
            "Pilot scoring deadline 31 March 2027",
            "Contact rse@valmeyrac.example",
            "65 criteria in 12 categories, 16 of them eliminatory (MUST)",
            "Contents",
            "Scoring scale",
            "5 Excellent: beyond what was expected",
            "below 1 (on the scale from 0 to 5)",
            "computed over 3 years for 2,400 users",
            "proportion of 70% for quality and 30% for price",
            "arithmetic mean",
            f"page 2 of {rendered.pages}",
            "Instructions for answering",
        ]
    for phrase in expected:
        assert phrase in text, phrase
    assert settings.context.split(".")[0] in text
    assert _flat(settings.objectives.split(".")[0]) in text


def test_table_of_contents_points_at_the_right_pages(rendered: Rendered) -> None:
    """The page number printed in the contents is the page where each chapter heading is."""
    language = rendered.campaign.settings.language
    title = {"fr": "Méthode d'évaluation", "en": "Evaluation method"}[language]
    contents = _flat(rendered.reader.pages[1].extract_text())
    match = re.search(rf"5 {re.escape(title)} \.*\s*(\d+)", contents)
    assert match, contents
    page = int(match.group(1))
    assert _flat(rendered.reader.pages[page - 1].extract_text()).find(f"5 {title}") >= 0


def test_html_is_the_source_of_the_pdf(rendered: Rendered) -> None:
    settings = rendered.campaign.settings
    assert rendered.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{settings.language}">' in rendered.html
    assert "@page" in rendered.html  # the stylesheet is inlined: the HTML stands alone
    for crit in rendered.campaign.criteria.criteria:
        assert f'id="crit-{crit.id}"' in rendered.html


def test_context_counts_and_shares(rendered: Rendered) -> None:
    campaign = rendered.campaign
    settings = campaign.settings
    context = spec_context(
        campaign.criteria,
        settings.scale,
        scale_labels(settings.scale, settings.language),
        spec_params(settings),
        ISSUED,
    )
    assert context["totals"] == {"categories": 12, "criteria": 65, "must": 16, "weight": 100.0}
    assert sum(cat["share"] for cat in context["categories"]) == pytest.approx(1.0)
    shares = [row["overall"] for cat in context["categories"] for row in cat["criteria"]]
    assert sum(shares) == pytest.approx(1.0)
    assert [s.number for s in context["outline"] if s.level == 1] == ["1", "2", "3", "4", "5", "6"]
    assert context["sections"]["tco"].number == "5.5"


def _small_params(**changes: object) -> SpecParams:
    return replace(SpecParams(name="Tender", users=500, language="en"), **changes)  # type: ignore[arg-type]


def test_options_change_the_method_text() -> None:
    criteria = catalogue("en")
    scale = Scale(max=10, step=0.5)
    meanings = scale_labels(scale, "en")
    params = _small_params(
        price_formula="linear", aggregation="trimmed_mean", balance_groups="level", discount_rate=0.05, horizon_years=5
    )
    html = _flat(render_spec_html(criteria, scale, meanings, params, ISSUED))
    assert "on a scale from 0 to 10 in steps of 0.5" in html
    assert "max(0, 1 −" in html
    assert "lowest 10 % and the highest 10 %" in html
    assert "Testers are grouped by their &#39;level&#39;" in html
    assert "yearly discount rate: 5%" in html
    assert "Later years are not discounted" not in html
    assert "number of years counted: 5" in html
    plain = _flat(render_spec_html(criteria, Scale(), scale_labels(Scale(), "en"), _small_params(), ISSUED))
    assert "Later years are not discounted" in plain
    assert "in steps of" not in plain
    assert "Not provided (tender.yaml, key &#39;context&#39;)." in plain
