"""The comparative report for the steering committee: its template context, its charts and its PDF.

Everything shown comes from the result objects of the scoring engine and the analysis
(:class:`~vendors.scoring.ScoringResult`, :class:`~vendors.analysis.AnalysisResult`), the scores
frame they were computed from, and plain values (settings, the audit trail): the report never
reads a spreadsheet or the ledger. Figures are computed once here and formatted in the template.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import math
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from babel import Locale
from babel.numbers import format_currency
from matplotlib.figure import Figure

from criteria.model import CriteriaSet, Priority
from reports import charts
from reports.charts import format_fixed
from reports.i18n_report import report_text
from reports.render import (
    Attachment,
    RenderedPdf,
    RenderError,
    Step,
    format_number,
    format_percent,
    render_html,
    write_html,
    write_pdf,
)
from vendors.analysis import AnalysisResult, verdict_text
from vendors.model import Tester, Vendor
from vendors.scoring import ScoringResult, VendorResult

TEMPLATE = "report.html"
LANGUAGES = ("en", "fr")
#: Decimals of the final, quality and price scores, as `tender score` prints them: one decimal would show
#: two vendors 0.03 points apart as equal.
SCORE_DIGITS = 2
#: At most this many points on the consensus agenda (the widest splits); the JSON attachment has them all.
AGENDA_LIMIT = 30
#: At most this many comments quoted per agenda point or knock-out.
COMMENTS_LIMIT = 6
#: At most this many characters of one comment quoted (the results attached and `tender score` keep it whole):
#: laying out one unbroken 50,000-character comment took WeasyPrint over a minute.
COMMENT_CHARS = 600
#: At most this many problems quoted per rejected workbook in the audit trail.
PROBLEMS_LIMIT = 3
#: Characters of the sha256 printed in the audit trail (enough to find the file in the archive).
HASH_PREFIX = 12
#: Group columns of a segment table are split into tables of at most this many groups (A4 width).
GROUPS_PER_TABLE = 6
#: Vendors per table of the per-criterion appendix (the width of an A4 landscape page).
VENDORS_PER_TABLE = 10
#: At most this many characters of a vendor's name head a column of the per-criterion appendix: three lines or so
#: of its 18 mm column (the ranking and the costs give the names whole).
HEADER_CHARS = 32
STATUSES = ("accepted", "rejected", "superseded")
#: Longest cost horizon whose years fit as columns of the breakdown table.
YEARS_IN_TABLE = 4
#: Fewest charts worth drawing in two processes (forking costs a few hundredths of a second).
PARALLEL_FROM = 6
#: Fewest categories for which a radar chart means something.
RADAR_MIN_AXES = 3


@dataclass(frozen=True)
class ReportParams:
    """The campaign settings the report prints, as plain values (DESIGN.md section 3)."""

    name: str
    organisation: str = ""
    language: str = "en"
    currency: str = "EUR"
    campaign_id: str = ""
    scale_step: float = 1.0


@dataclass(frozen=True)
class AuditEntry:
    """One collected workbook as the audit trail shows it (from the ledger, as plain values)."""

    name: str
    sha256: str
    status: str
    received: dt.datetime
    tester: str | None = None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A numbered heading of the report, listed in the table of contents."""

    id: str
    number: str
    title: str
    level: int = 1


def format_amount(amount: float, currency: str, language: str) -> str:
    """An amount in whole units of ``currency`` as the language writes it (fr: 654 321 €; en: €654,321)."""
    locale = Locale.parse(language)
    pattern = copy.copy(locale.currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    return format_currency(amount, currency, format=pattern, locale=locale, currency_digits=False)


def svg_data_uri(svg: str) -> str:
    """An SVG document as a ``data:`` URL, the only kind of image the locked fetcher lets through."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def contributions(
    criteria: CriteriaSet, result: VendorResult, scale_max: float, split: tuple[float, float]
) -> dict[str, float]:
    """Points of a vendor's final score drawn from each category and from the price (key ``""``).

    With e_i the effective weights, A the assessed criteria and q, p the split, category c gives
    q/(q+p) * 100 * sum over i in A and c of e_i s_i / (S * coverage), and the price p/(q+p) * P;
    the parts add up to the final score F (DESIGN.md section 5).
    """
    q, p = split
    weights = criteria.effective_weights()
    parts = {cat.id: 0.0 for cat in criteria.categories}
    if result.coverage > 0:
        for crit in criteria.criteria:
            value = result.criteria.get(crit.id)
            if value is not None and value.score is not None:
                parts[crit.category] += 100 * weights[crit.id] * value.score / (scale_max * result.coverage)
    for key in parts:
        parts[key] *= q / (q + p)
    parts[""] = p / (q + p) * (result.price_score or 0.0) if p else 0.0
    return parts


def _score_counts(values: Sequence[float]) -> list[dict[str, Any]]:
    """How many testers gave each score, lowest score first."""
    counts = Counter(float(v) for v in values)
    return [{"value": value, "count": counts[value]} for value in sorted(counts)]


def _outline(has_segments: bool, r: Callable[..., str]) -> tuple[Section, ...]:
    """The numbered headings: chapters 1, 2, ... (segments only when testers.xlsx has group columns),
    their sub-sections 3.1 and so on, then appendices A, B, C."""
    chapters: list[tuple[str, tuple[str, ...]]] = [
        ("summary", ()),
        ("ranking", ()),
        ("categories", ("profiles",)),
        ("costs", ()),
        ("knockouts", ()),
        ("agenda", ()),
        *([("segments", ())] if has_segments else []),
        ("sensitivity", ("montecarlo", "flips", "influence")),
    ]
    sections = []
    for number, (key, subs) in enumerate(chapters, start=1):
        sections.append(Section(key, str(number), r(f"sec.{key}")))
        sections += [Section(sub, f"{number}.{k}", r(f"sec.{sub}"), 2) for k, sub in enumerate(subs, start=1)]
    for letter, key in zip("ABC", ("method", "criteria", "audit"), strict=True):
        sections.append(Section(key, letter, r(f"sec.{key}")))
    return tuple(sections)


def report_context(
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    testers: Sequence[Tester],
    scoring: ScoringResult,
    analysis: AnalysisResult,
    scores: pd.DataFrame,
    audit: Sequence[AuditEntry],
    params: ReportParams,
    issued: dt.date,
) -> dict[str, Any]:
    """Everything the report template shows: figures, charts (as data: URLs), texts, outline.

    Parameters
    ----------
    criteria, vendors, testers
        The campaign the results were computed for (names, offers, tester groups).
    scoring, analysis
        The verdict (DESIGN.md section 5) and its analysis (section 6) for the current submissions.
    scores
        The scores frame both were computed from (columns of :mod:`vendors.scoring`): the
        evidence of knock-outs and the participation figures.
    audit
        Every workbook collected, accepted, rejected or superseded.
    params
        The campaign settings, as plain values.
    issued
        The date printed on the first page.
    """
    language = params.language
    if language not in LANGUAGES:
        raise RenderError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")

    def r(key: str, **values: Any) -> str:
        return report_text(key, language, **values)

    sp = scoring.params
    split = (sp.quality_weight, sp.price_weight)
    outline = _outline(any(seg.groups for seg in analysis.segments), r)
    numbers = {section.id: section.number for section in outline}
    category_names = {cat.id: cat.name for cat in criteria.categories}
    vendor_names = {v.id: v.name for v in scoring.vendors}
    tester_names = {t.id: t.name for t in testers}
    offers = {v.id: v for v in vendors}
    results = list(scoring.vendors)

    def number(value: float | None, digits: int = 1) -> str:
        return "–" if value is None else format_fixed(value, language, digits)

    def plain(value: float) -> str:
        return format_number(value, language, 2)

    def money(value: float | None) -> str:
        return "–" if value is None else format_amount(value, params.currency, language)

    def percent(value: float | None, digits: int = 1, fixed: bool = False) -> str:
        return "–" if value is None else format_percent(value, language, digits, fixed)

    def column_percent(value: float | None, digits: int = 1) -> str:
        """A percentage in a column of them: always ``digits`` decimals, so that the figures line up."""
        return percent(value, digits, fixed=True)

    def status(result: VendorResult) -> str:
        if result.rank is not None:
            return str(result.rank)
        return r("status.eliminated") if result.eliminated else r("status.unassessed")

    rows = [
        {
            "id": v.id,
            "name": v.name,
            "rank": v.rank,
            "status": status(v),
            "eliminated": v.eliminated,
            "assessed": v.assessed,
            "final": number(v.final_score, SCORE_DIGITS),
            "quality": number(v.quality_score, SCORE_DIGITS),
            "price": number(v.price_score, SCORE_DIGITS),
            "tco": money(v.tco),
            "coverage": percent(v.coverage, 0),
        }
        for v in results
    ]

    # -- executive summary -----------------------------------------------------------------------
    ranked = [v for v in results if v.rank is not None]
    leaders = [v for v in ranked if v.rank == 1]
    runner_up = next((v for v in ranked if v.rank != 1), None)
    margin = None
    if len(leaders) > 1:
        margin = 0.0  # the second is tied with the first
    elif leaders and runner_up is not None:
        # From the scores as printed: a reader subtracting them must find the same margin.
        margin = round(leaders[0].final_score or 0.0, SCORE_DIGITS) - round(runner_up.final_score or 0.0, SCORE_DIGITS)
    mc = analysis.sensitivity.monte_carlo
    accepted = [e for e in audit if e.status == "accepted"]
    status_counts = Counter(e.status for e in audit)
    numeric = scores[scores["score"].notna()] if len(scores) else scores
    coverages = [v.coverage for v in results]
    eliminated = [
        {
            "name": v.name,
            "criteria": [
                {"id": k.criterion, "title": criteria.criterion(k.criterion).title, "score": number(k.score, 2)}
                for k in v.knockouts
            ],
        }
        for v in results
        if v.eliminated
    ]
    summary = {
        "leaders": [{"name": v.name, "final": number(v.final_score, SCORE_DIGITS)} for v in leaders],
        "runner_up": None
        if runner_up is None
        else {"name": runner_up.name, "final": number(runner_up.final_score, SCORE_DIGITS)},
        "margin": None if margin is None else number(margin, SCORE_DIGITS),
        "robust": analysis.verdict.robust,
        # Page 1 holds one short sentence; the full reasons, which can list every category, go to section 8.
        "verdict_short": _short_verdict(analysis, vendor_names, language, r, numbers["sensitivity"]),
        "verdict_here": _short_verdict(analysis, vendor_names, language, r, None),
        "winner_share": percent(mc.winner_share),
        "draws": format_number(mc.draws, language, 0),
        "eliminated": eliminated,
        "unassessed": [v.name for v in results if not v.assessed],
        "testers": len(testers),
        # Testers since removed from testers.xlsx do not count (their scores are left out of the ranking too).
        "respondents": len({e.tester for e in accepted if e.tester} & {t.id for t in testers}),
        "workbooks": {s: status_counts.get(s, 0) for s in STATUSES},
        "scores": format_number(len(numeric), language, 0),
        "coverage_min": percent(min(coverages, default=0.0), 0),
        "coverage_max": percent(max(coverages, default=0.0), 0),
        # As section 5 lists them: a vendor nobody assessed is named once above, not once per MUST criterion.
        "unassessed_musts": sum(len(v.unassessed_musts) for v in results if v.assessed),
    }

    # -- ranking and contributions ---------------------------------------------------------------
    charted = [v for v in results if v.final_score is not None]
    segment_labels = [*category_names.values(), r("chart.price")]
    contribution_rows = []
    for v in charted:
        parts = contributions(criteria, v, sp.scale_max, split)
        contribution_rows.append([parts[c] for c in category_names] + [parts[""]])
    # Charts are listed here and drawn together at the end, two at a time where the machine allows.
    jobs: dict[str, ChartJob] = {}
    if charted:
        jobs["contributions"] = ChartJob(
            charts.contributions_figure,
            ([_chart_name(v, r) for v in charted], segment_labels, contribution_rows),
            {"language": language, "axis_label": r("chart.points")},
        )

    # -- categories --------------------------------------------------------------------------------
    jobs["heatmap"] = ChartJob(
        charts.heatmap_figure,
        (
            list(category_names.values()),
            [_chart_name(v, r) for v in results],
            [[v.categories.get(c) for v in results] for c in category_names],
        ),
        {"language": language},
    )
    averages: list[float | None] = []
    for c in category_names:
        values = [v.categories[c] for v in results if v.categories.get(c) is not None]
        averages.append(sum(values) / len(values) if values else None)  # type: ignore[arg-type]
    # A radar of one or two axes is a line: the heatmap says it better.
    profiled = [v for v in results if v.assessed and len(category_names) >= RADAR_MIN_AXES]
    for k, v in enumerate(profiled):
        jobs[f"radar-{k}"] = ChartJob(
            charts.radar_figure,
            # Category IDs: three radars fit in a row, and the table of section 3 names them.
            (list(category_names), [v.categories.get(c) for c in category_names]),
            {"language": language, "name": v.name, "reference": averages, "reference_name": r("chart.average")},
        )

    # -- costs --------------------------------------------------------------------------------------
    horizon = sp.horizon_years
    horizon_text = r("set.year") if horizon == 1 else r("set.years", years=horizon)
    costed = [v for v in results if v.tco is not None]
    cost_parts = [r("cost.setup"), *(r("cost.year", year=y) for y in range(1, horizon + 1))]
    cost_rows = []
    for v in costed:
        setup = offers[v.id].setup_cost if v.id in offers else 0.0
        years = list(v.tco_by_year)
        years[0] -= setup  # tco_by_year counts the setup cost in year 1; the chart shows it apart
        cost_rows.append([setup, *years])
    if costed:
        jobs["tco"] = ChartJob(
            charts.tco_figure,
            ([_chart_name(v, r) for v in costed], cost_parts, cost_rows),
            {"language": language, "axis_label": r("chart.cost", currency=params.currency)},
        )
    costs = [
        {
            "name": v.name,
            "setup": money(row[0]),
            "per_user": "–"
            if offers.get(v.id) is None or offers[v.id].price_per_user_month is None
            else format_currency(offers[v.id].price_per_user_month, params.currency, locale=language),  # type: ignore[arg-type]
            "fixed": money(offers[v.id].annual_fixed_cost) if v.id in offers else "–",
            "tco": money(v.tco),
            "price": number(v.price_score, SCORE_DIGITS),
            "years": [money(x) for x in row[1:]],
        }
        for v, row in zip(costed, cost_rows, strict=True)
    ]

    # -- knock-outs with their evidence -----------------------------------------------------------------
    knockouts = []
    for v in results:
        for ko in v.knockouts:
            cell = scores[(scores["vendor"] == v.id) & (scores["criterion"] == ko.criterion)]
            given = [float(x) for x in cell["score"] if not math.isnan(x)]
            said = [
                {"tester": tester_names.get(t, t), "comment": _quote(c)}
                for t, c in zip(cell["tester"], cell["comment"], strict=True)
                if isinstance(c, str) and c.strip()
            ]
            crit = v.criteria[ko.criterion]
            knockouts.append(
                {
                    "vendor": v.name,
                    "id": ko.criterion,
                    "title": criteria.criterion(ko.criterion).title,
                    "score": number(ko.score, 2),
                    "n": crit.n,
                    "sd": number(crit.sd, 2),
                    "na": crit.na,
                    "counts": _score_counts(given),
                    "comments": said[:COMMENTS_LIMIT],
                    "more_comments": max(0, len(said) - COMMENTS_LIMIT),
                }
            )
    missing_musts = [
        {"vendor": v.name, "ids": list(v.unassessed_musts)} for v in results if v.unassessed_musts and v.assessed
    ]

    # -- consensus agenda ---------------------------------------------------------------------------------------
    widest = sorted(range(len(analysis.agenda)), key=lambda k: -analysis.agenda[k].sd)[:AGENDA_LIMIT]
    agenda = []
    for k in sorted(widest):
        item = analysis.agenda[k]
        agenda.append(
            {
                "vendor": vendor_names.get(item.vendor, item.vendor),
                "id": item.criterion,
                "title": criteria.criterion(item.criterion).title,
                "n": item.n,
                "mean": number(item.mean, 2),
                "sd": number(item.sd, 2),
                "spread": number(item.spread, 0),
                "counts": _score_counts([s for _, s in item.scores]),
                "comments": [
                    {"tester": tester_names.get(t, t), "comment": _quote(c)} for t, c in item.comments[:COMMENTS_LIMIT]
                ],
                "more_comments": max(0, len(item.comments) - COMMENTS_LIMIT),
            }
        )
    flagged_by_vendor = Counter(d.vendor for d in analysis.disagreements if d.flagged)
    reliability = [
        {
            "name": v.name,
            "alpha": number(analysis.reliability.get(v.id), 2),
            "flagged": flagged_by_vendor.get(v.id, 0),
            "pairs": sum(1 for d in analysis.disagreements if d.vendor == v.id),
        }
        for v in results
    ]

    # -- segments ---------------------------------------------------------------------------------------------
    segment_tables = []
    for seg in analysis.segments:
        divergent = set(seg.divergent)
        for start in range(0, len(seg.groups), GROUPS_PER_TABLE):
            groups = seg.groups[start : start + GROUPS_PER_TABLE]
            table_rows = []
            for v in results:
                cells = []
                for g in groups:
                    s = g.vendors.get(v.id)
                    group_rank = None if s is None else s.rank
                    moved = ""
                    if v.rank is not None and group_rank is not None and group_rank != v.rank:
                        moved = "up" if group_rank < v.rank else "down"
                    elif v.rank is not None and s is not None and s.eliminated:
                        moved = "down"
                    cells.append(
                        {
                            "quality": number(None if s is None else s.quality_score, 0),
                            "rank": "–"
                            if s is None or s.quality_score is None
                            else (str(group_rank) if group_rank is not None else r("status.eliminated_short")),
                            "moved": moved,
                        }
                    )
                table_rows.append({"name": v.name, "rank": status(v), "divergent": v.id in divergent, "cells": cells})
            segment_tables.append(
                {
                    "column": seg.column,
                    "part": start // GROUPS_PER_TABLE + 1,
                    "groups": [{"name": g.group, "testers": g.testers} for g in groups],
                    "rows": table_rows,
                    "divergent": [vendor_names.get(vid, vid) for vid in seg.divergent],
                }
            )

    # -- sensitivity ---------------------------------------------------------------------------------------
    sens = analysis.sensitivity
    share_vendors = [v for v in results if v.id in mc.first_place_share]
    winner_index = next((k for k, v in enumerate(share_vendors) if v.rank == 1), None)
    if share_vendors:
        jobs["shares"] = ChartJob(
            charts.shares_figure,
            ([v.name for v in share_vendors], [mc.first_place_share[v.id] for v in share_vendors]),
            {
                "language": language,
                "axis_label": r("chart.first_places", draws=format_number(mc.draws, language, 0)),
                "highlight": winner_index,
            },
        )
    flips = [
        {
            "category": category_names.get(f.category, f.category),
            "weight": column_percent(f.weight),
            "flip": column_percent(f.flip_weight) if f.flip_weight is not None else r("flip.none"),
            "change": "–" if f.relative_change is None else _signed_percent(f.relative_change, language),
            "winners": ", ".join(vendor_names.get(w, w) for w in f.new_winners) or "–",
            "within": f.within_delta,
        }
        for f in sens.weights
    ]
    testers_by_id = {t.id: t for t in testers}
    influence = [
        {
            "id": change.tester,
            "name": tester_names.get(change.tester, ""),
            "groups": ", ".join(str(x) for x in testers_by_id[change.tester].groups.values() if str(x).strip())
            if change.tester in testers_by_id
            else "",
            "winners": ", ".join(vendor_names.get(w, w) for w in change.winners) or "–",
        }
        for change in sens.leave_one_out.changes
    ]
    sensitivity = {
        "draws": format_number(mc.draws, language, 0),
        "delta": percent(mc.delta, 0),
        "seed": mc.seed,
        "winner_share": percent(mc.winner_share),
        "winners": [vendor_names.get(w, w) for w in sens.winners],
        "shares": [{"name": v.name, "share": column_percent(mc.first_place_share[v.id])} for v in share_vendors],
        # A first place shared in a draw counts for each vendor holding it: the shares may add up to more than 100 %.
        "shared_first": sum(mc.first_place_share.values()) > 1 + 1e-9,
        "flips": flips,
        "loo_testers": sens.leave_one_out.testers,
        "loo_method": sens.leave_one_out.method,
        "influence": influence,
    }

    # -- appendices ------------------------------------------------------------------------------------------
    effective = criteria.effective_weights()
    headers = column_names([v.name for v in results])
    criteria_parts = []
    for start in range(0, len(results), VENDORS_PER_TABLE):
        chunk = results[start : start + VENDORS_PER_TABLE]
        part_categories = []
        for cat in criteria.categories:
            part_rows = []
            for definition in criteria.in_category(cat.id):
                row_cells: list[dict[str, Any]] = []
                for v in chunk:
                    value = v.criteria[definition.id]
                    row_cells.append(
                        {
                            "score": number(value.score, 2),
                            "n": value.n,
                            "sd": number(value.sd, 2),
                            "knocked": any(ko.criterion == definition.id for ko in v.knockouts),
                        }
                    )
                part_rows.append(
                    {
                        "id": definition.id,
                        "title": definition.title,
                        "must": definition.priority is Priority.MUST,
                        "weight": column_percent(effective[definition.id], 2),
                        "cells": row_cells,
                    }
                )
            part_categories.append({"id": cat.id, "name": cat.name, "rows": part_rows})
        criteria_parts.append({"vendors": headers[start : start + VENDORS_PER_TABLE], "categories": part_categories})
    split_total = sp.quality_weight + sp.price_weight
    settings = [
        (r("set.scale"), r("set.scale_value", max=plain(sp.scale_max), step=plain(params.scale_step))),
        (r("set.aggregation"), r(f"agg.{sp.aggregation}")),
        (r("set.balance"), sp.balance_groups or r("set.none")),
        (r("set.split"), f"{percent(sp.quality_weight / split_total)} / {percent(sp.price_weight / split_total)}"),
        (r("set.users"), format_number(sp.users, language, 0)),
        (r("set.horizon"), horizon_text),
        (r("set.discount"), percent(sp.discount_rate, 2)),
        (r("set.price_formula"), r(f"price.{sp.price_formula}")),
        (r("set.knockout"), plain(sp.knockout_threshold)),
        (r("set.disagreement"), plain(analysis.disagreement_sd)),
        (r("set.montecarlo"), r("set.mc_value", draws=sensitivity["draws"], delta=sensitivity["delta"], seed=mc.seed)),
        (r("set.currency"), params.currency),
        (r("set.version"), scoring.criteria_version),
        # What the workbooks carry: the questions without their weighting (a weight changed later keeps them valid).
        (r("set.sheet_version"), criteria.sheet_version()),
    ]
    audit_rows = [
        {
            "received": e.received.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
            if e.received.tzinfo
            else e.received.strftime("%Y-%m-%d %H:%M"),
            "name": e.name,
            "tester": e.tester or "–",
            "tester_name": tester_names.get(e.tester or "", ""),
            "hash": e.sha256[:HASH_PREFIX],
            "status": e.status,
            "status_text": r(f"audit.{e.status}"),
            "problems": list(e.problems[:PROBLEMS_LIMIT]),
            "more_problems": max(0, len(e.problems) - PROBLEMS_LIMIT),
        }
        for e in sorted(audit, key=lambda e: (_utc(e.received), e.name, e.sha256))
    ]

    drawn = {name: svg_data_uri(svg) for name, svg in draw_charts(jobs).items()}
    chart_uris: dict[str, Any] = {
        key: drawn[key] for key in ("contributions", "heatmap", "tco", "shares") if key in drawn
    }
    chart_uris["radars"] = [{"name": v.name, "uri": drawn[f"radar-{k}"]} for k, v in enumerate(profiled)]

    return {
        "lang": language,
        "r": r,
        "doc": {
            "kind": r("doc.kind"),
            "name": params.name,
            "organisation": params.organisation,
            "issued": issued,
            "version": scoring.criteria_version,
            "campaign_id": params.campaign_id,
            "created": f"{issued.isoformat()}T00:00:00Z",
        },
        "outline": outline,
        "sections": {s.id: s for s in outline},
        "summary": summary,
        "vendors": rows,
        "categories": [
            {"id": cat.id, "name": cat.name, "share": percent(cat.weight / sum(c.weight for c in criteria.categories))}
            for cat in criteria.categories
        ],
        "charts": chart_uris,
        "costs": costs,
        "uncosted": [v.name for v in results if v.tco is None],
        # One column per year fits the page up to this horizon; beyond it the chart alone shows the years.
        "cost_years": cost_parts[1:] if horizon <= YEARS_IN_TABLE else [],
        "knockouts": knockouts,
        "missing_musts": missing_musts,
        "threshold": plain(sp.knockout_threshold),
        "agenda": agenda,
        "agenda_total": len(analysis.agenda),
        "disagreement_sd": plain(analysis.disagreement_sd),
        "reliability": reliability,
        "segments": segment_tables,
        "sensitivity": sensitivity,
        "method": {
            "settings": settings,
            "quality_share": percent(sp.quality_weight / split_total),
            "price_share": percent(sp.price_weight / split_total),
            "scale_max": plain(sp.scale_max),
            "threshold": plain(sp.knockout_threshold),
            "aggregation": sp.aggregation,
            "balance_groups": sp.balance_groups,
            "price_formula": sp.price_formula,
            "horizon": horizon_text,
            "users": format_number(sp.users, language, 0),
            "discount": percent(sp.discount_rate, 2),
        },
        "criteria_parts": criteria_parts,
        "audit": audit_rows,
        "audit_counts": summary["workbooks"],
    }


def _short_verdict(
    analysis: AnalysisResult, names: Mapping[str, str], language: str, r: Callable[..., str], section: str | None
) -> str:
    """The verdict in one sentence of bounded length: the full text when robust, else one clause per reason
    (``verdict_text`` names every category that flips the winner; the report's tables already do)."""
    if analysis.verdict.robust:
        return verdict_text(analysis, language)
    sens = analysis.sensitivity
    mc = sens.monte_carlo
    delta = format_percent(mc.delta, language, 0)
    clauses = []
    for reason in analysis.verdict.reasons:
        if reason == "no_ranked":
            clauses.append(r("verdict.no_ranked"))
        elif reason == "tie":
            clauses.append(r("verdict.tie", names=", ".join(names.get(w, w) for w in sens.winners)))
        elif reason == "monte_carlo":
            clauses.append(
                r(
                    "verdict.monte_carlo",
                    winner=names.get(analysis.verdict.winner or "", analysis.verdict.winner or ""),
                    share=format_percent(mc.winner_share or 0.0, language, 1),
                    draws=format_number(mc.draws, language, 0),
                )
            )
        elif reason == "weights":
            count = sum(1 for f in sens.weights if f.within_delta and f.flip_weight is not None)
            clauses.append(r("verdict.weights", delta=delta, count=count))
        elif reason == "testers":
            clauses.append(r("verdict.testers", count=len(sens.leave_one_out.changes)))
    if section is None:
        return r("verdict.fragile_here", reasons="; ".join(clauses))
    return r("verdict.fragile", reasons="; ".join(clauses), section=section)


class ChartJob(NamedTuple):
    """One chart to draw: a ``*_figure`` function of :mod:`reports.charts` and its arguments."""

    function: Callable[..., Figure]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


def _draw(job: ChartJob) -> str:
    return charts.to_svg(job.function(*job.args, **job.kwargs))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def draw_charts(jobs: Mapping[str, ChartJob]) -> dict[str, str]:
    """Every chart as SVG text, by name.

    The charts are pure functions of their arguments, so where the platform forks and has a
    second core, two processes share them (about half a second saved on a report of 10
    vendors); the output is the same either way.
    """
    names = list(jobs)
    if len(names) >= PARALLEL_FROM and _cores() > 1 and "fork" in multiprocessing.get_all_start_methods():
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
            return dict(zip(names, pool.map(_draw, [jobs[n] for n in names]), strict=True))
    return {name: _draw(jobs[name]) for name in names}


def _quote(comment: object) -> str:
    """A tester's comment as the report quotes it: at most COMMENT_CHARS characters."""
    text = str(comment).strip()
    return text if len(text) <= COMMENT_CHARS else text[: COMMENT_CHARS - 1].rstrip() + "…"


def column_names(names: Sequence[str], limit: int = HEADER_CHARS) -> list[str]:
    """Vendor names as the per-criterion appendix heads its columns: at most ``limit`` characters.

    A longer name is cut with an ellipsis, at a space if one falls in its second half. Names
    that would then read alike (they differ only further on) are kept whole, so that no two
    columns look the same: the header wraps them within the column instead.
    """
    cut = [_cut(name, limit) for name in names]
    seen = Counter(cut)
    return [short if seen[short] == 1 else name for name, short in zip(names, cut, strict=True)]


def _cut(name: str, limit: int) -> str:
    text = " ".join(str(name).split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space >= limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:-–—·") + "…"


def _chart_name(result: VendorResult, r: Callable[..., str]) -> str:
    """A vendor's name as charts print it: eliminated vendors say so, since charts have no colour for it."""
    return f"{result.name} ({r('status.eliminated_short')})" if result.eliminated else result.name


def _signed_percent(value: float, language: str) -> str:
    text = format_percent(abs(value), language, 0)
    return ("+" if value >= 0 else "−") + text


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.timezone.utc) if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def render_report_html(
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    testers: Sequence[Tester],
    scoring: ScoringResult,
    analysis: AnalysisResult,
    scores: pd.DataFrame,
    audit: Sequence[AuditEntry],
    params: ReportParams,
    issued: dt.date,
) -> str:
    """The report as a standalone HTML document (stylesheets and charts inlined)."""
    context = report_context(criteria, vendors, testers, scoring, analysis, scores, audit, params, issued)
    return render_html(TEMPLATE, context)


def render_report(
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    testers: Sequence[Tester],
    scoring: ScoringResult,
    analysis: AnalysisResult,
    scores: pd.DataFrame,
    audit: Sequence[AuditEntry],
    params: ReportParams,
    issued: dt.date,
    target: Path,
    *,
    html_target: Path | None = None,
    variant: str | None = None,
    attachments: Sequence[Attachment] = (),
    step: Step | None = None,
) -> RenderedPdf:
    """Write the report PDF to ``target`` (and its HTML to ``html_target`` if given).

    ``attachments`` (e.g. the results as JSON and CSV) are embedded in the PDF; PDF/A-3b
    (``variant="pdf/a-3b"``) is the archival variant made for such embedded data files.
    ``step`` is told when the charts (``"charts"``), the layout and the PDF begin.
    """
    if step is not None:
        step("charts")
    html = render_report_html(criteria, vendors, testers, scoring, analysis, scores, audit, params, issued)
    language = params.language
    result = write_pdf(
        html,
        target,
        variant=variant,
        attachments=attachments,
        title=f"{report_text('doc.kind', language)} — {params.name}",
        authors=[params.organisation] if params.organisation else (),
        description=report_text("doc.subject", language),
        keywords=[scoring.criteria_version],
        language=language,
        step=step,
    )
    if html_target is not None:
        write_html(html, html_target)
    return result
