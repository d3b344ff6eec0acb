"""The verdict as plain data: the JSON of DESIGN.md section 7, tables for CSV/XLSX, and the method in words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from babel.numbers import format_decimal, format_percent

from criteria.model import Category, CriteriaSet
from vendors.model import Vendor
from vendors.scoring import RANK_DECIMALS, TRIM, ScoringParams, ScoringResult, VendorResult

LANGUAGES = ("en", "fr")
# French typography puts a no-break space before ':' ';' '%'.
NBSP = "\u00a0"

#: Formulas of DESIGN.md section 5, language-neutral, as the JSON "method" object states them.
FORMULAS = {
    "effective_weight": "e_i = (W_c / sum_c W_c) * (w_i / sum_{j in c} w_j)",
    "assessed": "A_v = {i : n_{v,i} >= 1}",
    "coverage": "coverage_v = sum_{i in A_v} e_i",
    "quality": "Q_v = 100 * sum_{i in A_v} e_i * s_{v,i} / (S * coverage_v)",
    "category": "C_{v,c} = 100 * sum_{i in A_v, i in c} w_i * s_{v,i} / (S * sum_{i in A_v, i in c} w_i)",
    "knockout": "v is eliminated if some MUST i in A_v has round(s_{v,i}, 9) < knockout_threshold",
    "tco": "TCO_v = setup_cost + sum_{y=1..H} (12 * U * price_per_user_month + annual_fixed_cost) / (1 + r)^(y - 1)",
    "price.inverse": "P_v = 100 * TCO_min / TCO_v",
    "price.linear": "P_v = 100 * max(0, 1 - (TCO_v - TCO_min) / TCO_min)",
    "final": "F_v = (q * Q_v + p * P_v) / (q + p)",
    "rank": "rank_v = 1 + #{u ranked : round(F_u, 9) > round(F_v, 9)}",
}

#: Column labels and words of the tables, per language; the keys are the canonical column names.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "rank": "Rank",
        "vendor": "Vendor ID",
        "name": "Vendor",
        "status": "Status",
        "final_score": "Final score (0-100)",
        "quality_score": "Quality (0-100)",
        "price_score": "Price score (0-100)",
        "tco": "TCO",
        "tco_in": "TCO ({currency})",
        "coverage": "Coverage (share of weight assessed)",
        "knockouts": "Knock-outs",
        "warnings": "Warnings",
        "category": "Category",
        "vendor_name": "Vendor",
        "criterion": "Criterion ID",
        "title": "Criterion",
        "priority": "Priority",
        "weight": "Weight w_i",
        "effective_weight": "Effective weight e_i",
        "assessed": "Assessed",
        "score": "Score s_v,i",
        "n": "Scores (n)",
        "na": "N/A answers",
        "sd": "Standard deviation",
        "knockout": "Knock-out",
        "contribution": "Contribution to quality",
        "status.ranked": "ranked",
        "status.eliminated": "eliminated",
        "status.not_assessed": "not assessed",
        "final": "Final",
        "quality": "Quality",
        "price": "Price",
        "tco_short": "TCO",
        "coverage_short": "Coverage",
        "notes": "Knock-outs and warnings",
        "method": "Method",
        "vendors": "Vendors",
        "criteria": "Criteria",
        "criteria_version": "Criteria version",
    },
    "fr": {
        "rank": "Rang",
        "vendor": "ID fournisseur",
        "name": "Fournisseur",
        "status": "Statut",
        "final_score": "Note finale (0-100)",
        "quality_score": "Qualité (0-100)",
        "price_score": "Note de prix (0-100)",
        "tco": "Coût total (TCO)",
        "tco_in": "Coût total (TCO, {currency})",
        "coverage": "Couverture (part du poids évaluée)",
        "knockouts": "Éliminations",
        "warnings": "Avertissements",
        "category": "Catégorie",
        "vendor_name": "Fournisseur",
        "criterion": "ID critère",
        "title": "Critère",
        "priority": "Priorité",
        "weight": "Poids w_i",
        "effective_weight": "Poids effectif e_i",
        "assessed": "Évalué",
        "score": "Note s_v,i",
        "n": "Nombre de notes (n)",
        "na": "Réponses N/A",
        "sd": "Écart type",
        "knockout": "Éliminatoire non atteint",
        "contribution": "Contribution à la qualité",
        "status.ranked": "classé",
        "status.eliminated": "éliminé",
        "status.not_assessed": "non évalué",
        "final": "Finale",
        "quality": "Qualité",
        "price": "Prix",
        "tco_short": "TCO",
        "coverage_short": "Couverture",
        "notes": "Éliminations et avertissements",
        "method": "Méthode",
        "vendors": "Fournisseurs",
        "criteria": "Critères",
        "criteria_version": "Version des critères",
    },
}

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "weights": "Effective weight of criterion i in category c: e_i = (W_c / ΣW) × (w_i / Σ_(j∈c) w_j), "
        "the category's share of all category weights times the criterion's share of its category.",
        "agg.mean": "Criterion score s_(v,i): the mean of the numeric scores (0 to {S}) that testers gave vendor v "
        "on criterion i in their latest accepted workbook; N/A and blank cells are left out, and n_(v,i) counts "
        "the scores.",
        "agg.median": "Criterion score s_(v,i): the median of the numeric scores (0 to {S}) that testers gave "
        "vendor v on criterion i in their latest accepted workbook (the mean of the two middle scores when their "
        "number is even); N/A and blank cells are left out, and n_(v,i) counts the scores.",
        "agg.trimmed_mean": "Criterion score s_(v,i): the mean of the numeric scores (0 to {S}) that testers gave "
        "vendor v on criterion i in their latest accepted workbook, after dropping the lowest and the highest "
        "{trim} of them (rounded down, so nothing is dropped below 10 scores); N/A and blank cells are left out, "
        "and n_(v,i) counts the scores.",
        "balance": "Scores are balanced over the testers' '{column}' column: the aggregate above is taken within "
        "each group, then s_(v,i) is the plain mean of the group aggregates, so each group counts once whatever "
        "its size; testers with no value form one group.",
        "quality": "Quality on 0-100: Q_v = 100 × Σ_(i∈A_v) e_i s_(v,i) / ({S} × coverage_v), where A_v holds the "
        "criteria with at least one score and coverage_v = Σ_(i∈A_v) e_i. Scores are divided by the scale "
        "maximum {S} and the weights renormalised over the assessed criteria, so a criterion nobody could assess "
        "neither helps nor harms. Category scores use the same formula within one category, with the weights "
        "w_i. A vendor with coverage 0 is not assessed and not ranked.",
        "knockout": "Knock-out: a vendor whose score on an assessed MUST criterion is below {threshold} (compared "
        "at 9 decimals) is eliminated; a MUST criterion nobody assessed is reported as a warning.",
        "tco": "Total cost of ownership over {H} years for {U} users, later years discounted at {r} a year: "
        "TCO_v = setup_cost + Σ_(y=1..{H}) (12 × {U} × price_per_user_month + annual_fixed_cost) / (1 + {rate})^(y−1).",
        "price.inverse": "Price score (inverse formula): P_v = 100 × TCO_min / TCO_v, TCO_min being the lowest TCO "
        "of the vendors not eliminated; an eliminated vendor's price score is capped at 100.",
        "price.linear": "Price score (linear formula): P_v = 100 × max(0, 1 − (TCO_v − TCO_min) / TCO_min), "
        "TCO_min being the lowest TCO of the vendors not eliminated; an eliminated vendor's price score is "
        "capped at 100.",
        "final": "Final score: F_v = ({q} × Q_v + {p} × P_v) / ({q} + {p}): quality counts for {qs} and price "
        "for {ps}.",
        "rank": "Ranking: the vendors neither eliminated nor unassessed are ranked by F_v, highest first, "
        "compared at 9 decimals; equal scores share a rank and the next rank is skipped (1, 2, 2, 4).",
        "knocked": "eliminated: MUST {criterion} scored {score} < {threshold}",
        "not_assessed": "not assessed (no score)",
        "must_missing": "MUST {criteria} not assessed",
        "must_missing.plural": "MUST {criteria} not assessed",
        "unknown_vendors": "Scores for vendors that vendors.xlsx does not list were ignored: {ids}.",
        "unknown_criteria": "Scores for criteria that criteria.xlsx does not list were ignored: {ids}.",
        "ungrouped": "Testers with no value in column '{column}' form one group: {ids}.",
        "unknown_testers": "Workbooks of testers that testers.xlsx no longer lists were left out: {ids}.",
    },
    "fr": {
        "weights": "Poids effectif du critère i de la catégorie c{nb}: e_i = (W_c / ΣW) × (w_i / Σ_(j∈c) w_j), "
        "soit la part de la catégorie dans le poids de toutes les catégories multipliée par la part du critère "
        "dans sa catégorie.",
        "agg.mean": "Note du critère s_(v,i){nb}: moyenne des notes numériques (de 0 à {S}) données par les "
        "testeurs au fournisseur v sur le critère i dans leur dernier classeur accepté{nb}; les cellules N/A ou "
        "vides sont écartées et n_(v,i) compte les notes.",
        "agg.median": "Note du critère s_(v,i){nb}: médiane des notes numériques (de 0 à {S}) données par les "
        "testeurs au fournisseur v sur le critère i dans leur dernier classeur accepté (moyenne des deux notes "
        "centrales quand leur nombre est pair){nb}; les cellules N/A ou vides sont écartées et n_(v,i) compte "
        "les notes.",
        "agg.trimmed_mean": "Note du critère s_(v,i){nb}: moyenne des notes numériques (de 0 à {S}) données par "
        "les testeurs au fournisseur v sur le critère i dans leur dernier classeur accepté, après retrait des "
        "{trim} les plus basses et des {trim} les plus hautes (arrondi à l'entier inférieur{nb}: rien n'est "
        "retiré en dessous de 10 notes){nb}; les cellules N/A ou vides sont écartées et n_(v,i) compte les notes.",
        "balance": "Les notes sont équilibrées selon la colonne «{nb}{column}{nb}» des testeurs{nb}: l'agrégat "
        "ci-dessus est calculé dans chaque groupe, puis s_(v,i) est la moyenne simple des agrégats des groupes, "
        "si bien que chaque groupe compte une fois quelle que soit sa taille{nb}; les testeurs sans valeur "
        "forment un groupe.",
        "quality": "Qualité sur 0-100{nb}: Q_v = 100 × Σ_(i∈A_v) e_i s_(v,i) / ({S} × couverture_v), où A_v "
        "regroupe les critères ayant au moins une note et couverture_v = Σ_(i∈A_v) e_i. Les notes sont divisées "
        "par le maximum de l'échelle ({S}) et les poids renormalisés sur les critères évalués{nb}: un critère "
        "que personne n'a pu évaluer n'avantage ni ne pénalise. Les notes par catégorie suivent la même formule "
        "au sein d'une catégorie, avec les poids w_i. Un fournisseur de couverture nulle n'est pas évalué et "
        "n'est pas classé.",
        "knockout": "Élimination{nb}: un fournisseur dont la note sur un critère MUST évalué est inférieure à "
        "{threshold} (comparaison à 9 décimales) est éliminé{nb}; un critère MUST que personne n'a évalué fait "
        "l'objet d'un avertissement.",
        "tco": "Coût total de possession sur {H}{nb}ans pour {U}{nb}utilisateurs, les années suivantes étant "
        "actualisées au taux de {r} par an{nb}: TCO_v = frais de mise en place + Σ_(y=1..{H}) (12 × {U} × prix "
        "par utilisateur par mois + coût fixe annuel) / (1 + {rate})^(y−1).",
        "price.inverse": "Note de prix (formule inverse){nb}: P_v = 100 × TCO_min / TCO_v, TCO_min étant le plus "
        "bas TCO des fournisseurs non éliminés{nb}; la note de prix d'un fournisseur éliminé est plafonnée à 100.",
        "price.linear": "Note de prix (formule linéaire){nb}: P_v = 100 × max(0, 1 − (TCO_v − TCO_min) / "
        "TCO_min), TCO_min étant le plus bas TCO des fournisseurs non éliminés{nb}; la note de prix d'un "
        "fournisseur éliminé est plafonnée à 100.",
        "final": "Note finale{nb}: F_v = ({q} × Q_v + {p} × P_v) / ({q} + {p}){nb}: la qualité compte pour {qs} "
        "et le prix pour {ps}.",
        "rank": "Classement{nb}: les fournisseurs ni éliminés ni non évalués sont classés par F_v décroissante, "
        "comparée à 9 décimales{nb}; les ex aequo partagent un rang et le rang suivant est sauté (1, 2, 2, 4).",
        "knocked": "éliminé{nb}: MUST {criterion} noté {score} < {threshold}",
        "not_assessed": "non évalué (aucune note)",
        "must_missing": "MUST {criteria} non évalué",
        "must_missing.plural": "MUST {criteria} non évalués",
        "unknown_vendors": "Les notes de fournisseurs absents de vendors.xlsx ont été ignorées{nb}: {ids}.",
        "unknown_criteria": "Les notes de critères absents de criteria.xlsx ont été ignorées{nb}: {ids}.",
        "ungrouped": "Les testeurs sans valeur dans la colonne «{nb}{column}{nb}» forment un groupe{nb}: {ids}.",
        "unknown_testers": "Les classeurs de testeurs que testers.xlsx ne liste plus ont été écartés{nb}: {ids}.",
    },
}


def colon(language: str) -> str:
    """':' as each language writes it (French puts a no-break space before it)."""
    return NBSP + ":" if language == "fr" else ":"


def _text(language: str, key: str, **values: Any) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    return _TEXTS[language][key].format(nb=NBSP, **values)


def number(value: float, language: str, digits: int = 2, fixed: bool = False) -> str:
    """A number for people: grouped thousands, ``digits`` decimals (at most, unless ``fixed``), in ``language``."""
    decimals = ("0" if fixed else "#") * digits
    return format_decimal(value, format="#,##0" + ("." + decimals if digits else ""), locale=language)


def _percent(value: float, language: str) -> str:
    return format_percent(value, locale=language, decimal_quantization=False)


def _method_parts(params: ScoringParams, language: str) -> dict[str, list[str]]:
    """The sentences of the method, grouped by step."""
    scale = number(params.scale_max, language)
    aggregation = [_text(language, f"agg.{params.aggregation}", S=scale, trim=_percent(TRIM, language))]
    if params.balance_groups:
        aggregation.append(_text(language, "balance", column=params.balance_groups))
    cost = _text(
        language,
        "tco",
        H=params.horizon_years,
        U=number(params.users, language),
        r=_percent(params.discount_rate, language),
        rate=number(params.discount_rate, language, digits=6),
    )
    total = params.quality_weight + params.price_weight
    final = _text(
        language,
        "final",
        q=number(params.quality_weight, language),
        p=number(params.price_weight, language),
        qs=_percent(params.quality_weight / total, language),
        ps=_percent(params.price_weight / total, language),
    )
    return {
        "weights": [_text(language, "weights")],
        "aggregation": aggregation,
        "normalisation": [_text(language, "quality", S=scale)],
        "knockout": [_text(language, "knockout", threshold=number(params.knockout_threshold, language))],
        "cost": [cost],
        "price": [_text(language, f"price.{params.price_formula}")],
        "split": [final],
        "rank": [_text(language, "rank")],
    }


def method_text(params: ScoringParams, language: str = "en") -> list[str]:
    """The method in sentences (fr or en), with the campaign's parameters, so a reader can recompute it."""
    return [line for lines in _method_parts(params, language).values() for line in lines]


def method_dict(params: ScoringParams, language: str = "en") -> dict[str, Any]:
    """The JSON "method" object: aggregation, normalisation, formulas and split, as values and in words."""
    parts = _method_parts(params, language)
    total = params.quality_weight + params.price_weight
    formulas = {k: f for k, f in FORMULAS.items() if not k.startswith("price.")}
    formulas["price"] = FORMULAS[f"price.{params.price_formula}"]
    return {
        "aggregation": {
            "name": params.aggregation,
            "trim_each_side": TRIM if params.aggregation == "trimmed_mean" else None,
            "balance_groups": params.balance_groups,
            "description": parts["aggregation"],
        },
        "normalisation": {"scale_max": params.scale_max, "range": [0, 100], "description": parts["normalisation"]},
        "knockout": {"threshold": params.knockout_threshold, "description": parts["knockout"]},
        "cost": {
            "users": params.users,
            "horizon_years": params.horizon_years,
            "discount_rate": params.discount_rate,
            "description": parts["cost"],
        },
        "price": {"formula": params.price_formula, "description": parts["price"]},
        "split": {
            "quality_weight": params.quality_weight,
            "price_weight": params.price_weight,
            "quality_share": params.quality_weight / total,
            "price_share": params.price_weight / total,
            "description": parts["split"],
        },
        "rank": {"decimals": RANK_DECIMALS, "description": parts["rank"]},
        "formulas": formulas,
        "text": method_text(params, language),
    }


def knockout_reasons(vendor: VendorResult, threshold: float, language: str = "en") -> list[str]:
    """Why a vendor is eliminated, in words: each MUST criterion below the threshold with its score."""
    return [
        _text(
            language,
            "knocked",
            criterion=k.criterion,
            score=number(k.score, language),
            threshold=number(threshold, language),
        )
        for k in vendor.knockouts
    ]


def vendor_warnings(vendor: VendorResult, language: str = "en") -> list[str]:
    """What makes a vendor's verdict doubtful: not assessed at all, or MUST criteria nobody assessed."""
    if not vendor.assessed:
        return [_text(language, "not_assessed")]
    if vendor.unassessed_musts:
        key = "must_missing" if len(vendor.unassessed_musts) == 1 else "must_missing.plural"
        return [_text(language, key, criteria=", ".join(vendor.unassessed_musts))]
    return []


def vendor_notes(vendor: VendorResult, threshold: float, language: str = "en") -> list[str]:
    """Knock-out reasons then warnings, in words (empty for a vendor ranked without reservation)."""
    return knockout_reasons(vendor, threshold, language) + vendor_warnings(vendor, language)


def result_notes(result: ScoringResult, language: str = "en") -> list[str]:
    """Warnings about the scores as a whole (ignored rows, testers without a group), in words."""
    notes = []
    if result.unknown_vendors:
        notes.append(_text(language, "unknown_vendors", ids=", ".join(result.unknown_vendors)))
    if result.unknown_criteria:
        notes.append(_text(language, "unknown_criteria", ids=", ".join(result.unknown_criteria)))
    if result.ungrouped_testers:
        column = result.params.balance_groups or ""
        notes.append(_text(language, "ungrouped", column=column, ids=", ".join(result.ungrouped_testers)))
    if result.unknown_testers:
        notes.append(_text(language, "unknown_testers", ids=", ".join(result.unknown_testers)))
    return notes


def status(vendor: VendorResult) -> str:
    """ranked, eliminated or not_assessed."""
    if vendor.eliminated:
        return "eliminated"
    if vendor.rank is None:
        return "not_assessed"
    return "ranked"


def scoring_to_dict(
    result: ScoringResult,
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    campaign: Mapping[str, Any] | None = None,
    language: str = "en",
) -> dict[str, Any]:
    """The "campaign" and "vendors" parts of DESIGN.md section 7, plus "method" and "warnings".

    Numbers keep full precision; undefined values are None. ``campaign`` adds keys (name,
    organisation, currency...) to the "campaign" part; texts are written in ``language``.
    """
    params = result.params
    weights = criteria.effective_weights()
    offers = {v.id: v for v in vendors}
    head: dict[str, Any] = dict(campaign or {})
    head.update(
        {
            "criteria_version": result.criteria_version,
            "scale_max": params.scale_max,
            "quality_weight": params.quality_weight,
            "price_weight": params.price_weight,
            "users": params.users,
            "horizon_years": params.horizon_years,
            "discount_rate": params.discount_rate,
            "price_formula": params.price_formula,
            "knockout_threshold": params.knockout_threshold,
            "aggregation": params.aggregation,
            "balance_groups": params.balance_groups,
            "categories": [{"id": c.id, "name": c.name, "weight": c.weight} for c in criteria.categories],
            "criteria": [
                {
                    "id": c.id,
                    "category": c.category,
                    "title": c.title,
                    "priority": c.priority.value,
                    "weight": c.weight,
                    "effective_weight": weights[c.id],
                }
                for c in criteria.criteria
            ],
        }
    )
    head.setdefault("name", None)
    return {
        "campaign": head,
        "method": method_dict(params, language),
        "vendors": [_vendor_dict(v, offers.get(v.id), params, language) for v in result.vendors],
        "warnings": result_notes(result, language),
    }


def with_settings(
    campaign: Mapping[str, Any], *, scale_step: float, disagreement_sd: float, sensitivity: Mapping[str, Any]
) -> dict[str, Any]:
    """The "campaign" part with the settings that scoring_to_dict cannot know, beside the others.

    ``scale_step`` follows ``scale_max``; ``disagreement_sd`` (the threshold of ``disagreements[].flagged``) and
    ``sensitivity_draws``, ``sensitivity_delta``, ``sensitivity_seed`` (``sensitivity`` holds draws, delta and
    seed) follow ``balance_groups``. Keys already there keep their place and value.
    """
    after = {
        "scale_max": {"scale_step": float(scale_step)},
        "balance_groups": {
            "disagreement_sd": float(disagreement_sd),
            "sensitivity_draws": int(sensitivity["draws"]),
            "sensitivity_delta": float(sensitivity["delta"]),
            "sensitivity_seed": int(sensitivity["seed"]),
        },
    }
    out: dict[str, Any] = {}
    for key, value in campaign.items():
        out[key] = value
        out.update({k: v for k, v in after.get(key, {}).items() if k not in campaign})
    for extra in after.values():
        out.update({k: v for k, v in extra.items() if k not in out})
    return out


def weight_units(flips: Sequence[Mapping[str, Any]], categories: Sequence[Category]) -> list[dict[str, Any]]:
    """The ``sensitivity.weights`` items with their weights said in both units, without ambiguity.

    ``weight`` and ``flip_weight`` are shares of the total category weight (kept as they are); ``share`` and
    ``flip_share`` repeat them under names that say so. ``raw_weight`` is the category's weight as
    ``campaign.categories[].weight`` gives it, and ``flip_raw_weight`` the raw weight that, the other categories'
    weights unchanged, gives it the share ``flip_share``: W' = flip_share (sum W - W) / (1 - flip_share), so that
    ``relative_change`` = W' / W - 1 (None where ``flip_share`` is None or 1). Each added key follows the one
    it explains.
    """
    raw = {c.id: float(c.weight) for c in categories}
    total = sum(raw.values())
    out = []
    for item in flips:
        weight = raw.get(item["category"])
        flip = item.get("flip_weight")
        flip_raw = None
        if weight is not None and flip is not None and flip < 1.0:
            flip_raw = flip * (total - weight) / (1.0 - flip)
        added = {
            "weight": {"share": item.get("weight"), "raw_weight": weight},
            "flip_weight": {"flip_share": flip, "flip_raw_weight": flip_raw},
        }
        row: dict[str, Any] = {}
        for key, value in item.items():
            row[key] = value
            for extra, extra_value in added.get(key, {}).items():
                row.setdefault(extra, extra_value)
        out.append(row)
    return out


def _vendor_dict(v: VendorResult, offer: Vendor | None, params: ScoringParams, language: str) -> dict[str, Any]:
    return {
        "id": v.id,
        "name": v.name,
        "rank": v.rank,
        "eliminated": v.eliminated,
        "assessed": v.assessed,
        "status": status(v),
        "knockouts": [{"criterion": k.criterion, "score": k.score} for k in v.knockouts],
        "final_score": v.final_score,
        "quality_score": v.quality_score,
        "price_score": v.price_score,
        "tco": v.tco,
        "tco_by_year": list(v.tco_by_year),
        "coverage": v.coverage,
        "offer": None
        if offer is None
        else {
            "setup_cost": offer.setup_cost,
            "price_per_user_month": offer.price_per_user_month,
            "annual_fixed_cost": offer.annual_fixed_cost,
        },
        "categories": dict(v.categories),
        "criteria": {cid: {"score": c.score, "n": c.n, "sd": c.sd, "na": c.na} for cid, c in v.criteria.items()},
        "unassessed_musts": list(v.unassessed_musts),
        "notes": vendor_notes(v, params.knockout_threshold, language),
    }


def vendor_table(result: ScoringResult, language: str | None = None) -> pd.DataFrame:
    """One row per vendor, in rank order: the figures of the verdict and the category scores.

    With ``language`` None the columns have canonical names (``final_score``, ``category:PRO``...)
    and status codes; with ``fr`` or ``en`` they are labelled and worded for people.
    """
    rows = []
    for v in result.vendors:
        row: dict[str, Any] = {
            "rank": v.rank,
            "vendor": v.id,
            "name": v.name,
            "status": status(v),
            "final_score": v.final_score,
            "quality_score": v.quality_score,
            "price_score": v.price_score,
            "tco": v.tco,
            "coverage": v.coverage,
            "knockouts": "; ".join(f"{k.criterion} ({k.score!r})" for k in v.knockouts),
            "warnings": ", ".join(v.unassessed_musts),
        }
        row.update({f"category:{cid}": value for cid, value in v.categories.items()})
        rows.append(row)
    columns = ["rank", "vendor", "name", "status", "final_score", "quality_score", "price_score", "tco", "coverage"]
    columns += ["knockouts", "warnings"]
    frame = pd.DataFrame(rows, columns=columns + [k for k in (rows[0] if rows else {}) if k.startswith("category:")])
    frame["rank"] = frame["rank"].astype("Int64")
    frame = _numeric(frame, ["final_score", "quality_score", "price_score", "tco", "coverage"])
    frame = _numeric(frame, [c for c in frame.columns if c.startswith("category:")])
    if language is None:
        return frame
    threshold = result.params.knockout_threshold
    frame["status"] = [LABELS[language][f"status.{s}"] for s in frame["status"]]
    frame["knockouts"] = ["; ".join(knockout_reasons(v, threshold, language)) for v in result.vendors]
    frame["warnings"] = ["; ".join(vendor_warnings(v, language)) for v in result.vendors]
    return frame.rename(columns=lambda c: _label(c, language))


def criteria_table(result: ScoringResult, criteria: CriteriaSet, language: str | None = None) -> pd.DataFrame:
    """One row per (vendor, criterion): weights, aggregate, n, N/A, sd, knock-out and contribution to Q_v.

    ``contribution`` is 100 e_i s_{v,i} / (S coverage_v): a vendor's contributions add up to its quality.
    """
    weights = criteria.effective_weights()
    scale = result.params.scale_max
    rows = []
    for v in result.vendors:
        knocked = {k.criterion for k in v.knockouts}
        for crit in criteria.criteria:
            c = v.criteria[crit.id]
            contribution = None
            if c.score is not None and v.coverage > 0:
                contribution = 100 * weights[crit.id] * c.score / (scale * v.coverage)
            rows.append(
                {
                    "vendor": v.id,
                    "vendor_name": v.name,
                    "criterion": crit.id,
                    "title": crit.title,
                    "category": crit.category,
                    "priority": crit.priority.value,
                    "weight": crit.weight,
                    "effective_weight": weights[crit.id],
                    "assessed": c.assessed,
                    "score": c.score,
                    "n": c.n,
                    "na": c.na,
                    "sd": c.sd,
                    "knockout": crit.id in knocked,
                    "contribution": contribution,
                }
            )
    columns = ["vendor", "vendor_name", "criterion", "title", "category", "priority", "weight", "effective_weight"]
    columns += ["assessed", "score", "n", "na", "sd", "knockout", "contribution"]
    frame = _numeric(pd.DataFrame(rows, columns=columns), ["weight", "effective_weight", "score", "sd", "contribution"])
    if language is None:
        return frame
    return frame.rename(columns=lambda c: _label(c, language))


def _numeric(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Float columns with NaN for None, so that exports write numbers, not objects."""
    for column in columns:
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    return frame


def _label(column: str, language: str) -> str:
    if column.startswith("category:"):
        return f"{LABELS[language]['category']} {column.split(':', 1)[1]}"
    return LABELS[language][column]
