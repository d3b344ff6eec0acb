"""The verdict of a campaign: its settings as scoring parameters, the ledger's scores, and the ranking table."""

from __future__ import annotations

import dataclasses
import textwrap
from dataclasses import dataclass
from typing import Any

import pandas as pd
from babel import Locale
from babel.numbers import format_currency

from tender.campaign import Campaign
from tender.config import Settings
from vendors.analysis import AnalysisResult, analyse, analysis_table, analysis_to_dict
from vendors.export import (
    LABELS,
    method_text,
    number,
    result_notes,
    scoring_to_dict,
    vendor_notes,
    weight_units,
    with_settings,
)
from vendors.scoring import ScoringParams, ScoringResult, score

#: Currency amounts in the table: whole units, symbol placed as each language does.
CURRENCY_PATTERNS = {"en": "¤#,##0", "fr": "#,##0\u00a0¤"}
DASH = "—"

MESSAGES = {
    "en": {
        "title": "{name}: ranking of {vendors} from {testers} (criteria version {version})",
        "vendors.one": "{n} vendor",
        "vendors.other": "{n} vendors",
        "testers.one": "{n} tester's workbook",
        "testers.other": "{n} testers' workbooks",
        "method": "Method:",
        "notes": "Notes:",
        "written": "Written: {path}",
    },
    "fr": {
        "title": "{name}\u00a0: classement de {vendors} d'après {testers} (version des critères {version})",
        "vendors.one": "{n}\u00a0fournisseur",
        "vendors.other": "{n}\u00a0fournisseurs",
        "testers.one": "le classeur de {n}\u00a0testeur",
        "testers.other": "les classeurs de {n}\u00a0testeurs",
        "method": "Méthode\u00a0:",
        "notes": "Remarques\u00a0:",
        "written": "Fichier écrit\u00a0: {path}",
    },
}


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A campaign, the current scores of its testers and the verdict of the method on them."""

    campaign: Campaign
    scores: pd.DataFrame
    result: ScoringResult
    #: disagreement, segments and sensitivity (DESIGN.md section 6), filled by the analysis.
    analysis: AnalysisResult | None = None

    @property
    def language(self) -> str:
        return self.campaign.settings.language


def scoring_params(settings: Settings) -> ScoringParams:
    """The settings the method uses, as plain typed values."""
    return ScoringParams(
        scale_max=settings.scale.max,
        users=settings.users,
        quality_weight=settings.quality_weight,
        price_weight=settings.price_weight,
        horizon_years=settings.horizon_years,
        discount_rate=settings.discount_rate,
        price_formula=settings.price_formula,
        knockout_threshold=settings.knockout_threshold,
        aggregation=settings.aggregation,
        balance_groups=settings.balance_groups,
    )


def load_scores(campaign: Campaign) -> pd.DataFrame:
    """The current scores of the campaign's ledger: the single place that reads it for scoring."""
    from vendors.ledger import current_scores

    return current_scores(campaign.paths.ledger, campaign.settings.campaign_id)


def evaluate(campaign: Campaign) -> Evaluation:
    """Score the campaign's current submissions with DESIGN.md section 5 and analyse them (section 6).

    Only the testers of testers.xlsx count: a workbook accepted before its tester was removed
    from the list is left out of the ranking and of every analysis, and a note says whose.
    """
    scores = load_scores(campaign)
    listed = {t.id for t in campaign.testers}
    unknown = tuple(sorted(set(scores["tester"]) - listed))
    if unknown:
        scores = scores[scores["tester"].isin(listed)].reset_index(drop=True)
    settings, params = campaign.settings, scoring_params(campaign.settings)
    result = score(campaign.criteria, campaign.vendors, scores, params, campaign.testers)
    if unknown:
        result = dataclasses.replace(result, unknown_testers=unknown)
    found = analyse(
        campaign.criteria,
        campaign.vendors,
        campaign.testers,
        scores,
        params,
        result,
        disagreement_sd=settings.disagreement_sd,
        draws=settings.sensitivity.draws,
        delta=settings.sensitivity.delta,
        seed=settings.sensitivity.seed,
    )
    return Evaluation(campaign, scores, result, found)


def campaign_info(campaign: Campaign) -> dict[str, Any]:
    """The campaign keys of the JSON output besides the method's parameters."""
    settings = campaign.settings
    return {
        "name": settings.name,
        "organisation": settings.organisation,
        "campaign_id": settings.campaign_id,
        "language": settings.language,
        "currency": settings.currency,
        "deadline": settings.deadline.isoformat() if settings.deadline else None,
    }


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """The JSON document of `tender score --format json` (DESIGN.md section 7)."""
    campaign = evaluation.campaign
    data = scoring_to_dict(
        evaluation.result, campaign.criteria, campaign.vendors, campaign_info(campaign), evaluation.language
    )
    settings = campaign.settings
    # Every setting behind a figure, beside those the scoring states: the scale step, the disagreement
    # threshold and the Monte Carlo settings (keys are only ever added, DESIGN.md section 7).
    data["campaign"] = with_settings(
        data["campaign"],
        scale_step=settings.scale.step,
        disagreement_sd=settings.disagreement_sd,
        sensitivity=dataclasses.asdict(settings.sensitivity),
    )
    data["campaign"]["testers_with_scores"] = _testers(evaluation)
    # The version the workbooks carry (what testers answer, without the weighting), beside criteria_version.
    data["campaign"]["workbook_version"] = campaign.criteria.sheet_version()
    if evaluation.analysis is not None:
        data.update(analysis_to_dict(evaluation.analysis, evaluation.language))
        sensitivity = data.get("sensitivity")
        if isinstance(sensitivity, dict) and "weights" in sensitivity:
            # The category weights in both units: shares (as analysis gives them) and raw weights.
            sensitivity["weights"] = weight_units(sensitivity["weights"], campaign.criteria.categories)
    return data


def _testers(evaluation: Evaluation) -> int:
    return int(evaluation.scores["tester"].nunique()) if len(evaluation.scores) else 0


def _counted(messages: dict[str, str], key: str, n: int, language: str) -> str:
    """``n`` things in the singular or plural form of the language (CLDR rules: French 0 and 1 are singular)."""
    form = "one" if Locale.parse(language).plural_form(n) == "one" else "other"
    return messages[f"{key}.{form}"].format(n=n)


def ranking_table(evaluation: Evaluation, width: int = 100) -> str:
    """The readable ranking: rank, vendor, final, quality, price, TCO, coverage and notes, then the method."""
    language, result = evaluation.language, evaluation.result
    labels, messages = LABELS[language], MESSAGES[language]
    currency = evaluation.campaign.settings.currency

    def score_text(value: float | None) -> str:
        return DASH if value is None else number(value, language, 2, fixed=True)

    header = [labels[k] for k in ("rank", "name", "final", "quality", "price", "tco_short", "coverage_short", "notes")]
    rows = []
    for v in result.vendors:
        tco = (
            DASH
            if v.tco is None
            else format_currency(v.tco, currency, CURRENCY_PATTERNS[language], locale=language, currency_digits=False)
        )
        coverage = number(100 * v.coverage, language, 1) + ("\u00a0%" if language == "fr" else "%")
        remarks = "; ".join(vendor_notes(v, result.params.knockout_threshold, language))
        rank = DASH if v.rank is None else str(v.rank)
        score_cells = (score_text(v.final_score), score_text(v.quality_score), score_text(v.price_score))
        rows.append([rank, f"{v.name} ({v.id})", *score_cells, tco, coverage, remarks])
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    right = {0, 2, 3, 4, 5, 6}

    def line(cells: list[str]) -> str:
        parts = [c.rjust(w) if k in right else c.ljust(w) for k, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    version = result.criteria_version
    title = messages["title"].format(
        name=evaluation.campaign.settings.name,
        vendors=_counted(messages, "vendors", len(result.vendors), language),
        testers=_counted(messages, "testers", _testers(evaluation), language),
        version=version,
    )
    out = [title, "", line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    notes = result_notes(result, language)
    if notes:
        out += ["", messages["notes"]] + [
            textwrap.fill(n, width, initial_indent="- ", subsequent_indent="  ") for n in notes
        ]
    out += ["", messages["method"]]
    out += [
        textwrap.fill(s, width, initial_indent="- ", subsequent_indent="  ")
        for s in method_text(result.params, language)
    ]
    if evaluation.analysis is not None:
        out += ["", *analysis_table(evaluation.analysis, language, width)]
    return "\n".join(out) + "\n"
