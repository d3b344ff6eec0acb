"""The published requirements specification (cahier des charges): its template context and its PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from criteria.model import CriteriaSet, Priority, Scale
from reports.i18n import LANGUAGES, translate
from reports.render import RenderedPdf, RenderError, render_html, write_html, write_pdf

TEMPLATE = "spec.html"


@dataclass(frozen=True)
class SpecParams:
    """The campaign settings the specification prints, as plain values (DESIGN.md section 3)."""

    name: str
    users: int
    organisation: str = ""
    language: str = "en"
    deadline: dt.date | None = None
    contact: str = ""
    currency: str = "EUR"
    quality_weight: float = 70.0
    price_weight: float = 30.0
    horizon_years: int = 3
    discount_rate: float = 0.0
    price_formula: str = "inverse"
    knockout_threshold: float = 1.0
    aggregation: str = "mean"
    balance_groups: str | None = None
    context: str = ""
    objectives: str = ""
    instructions: str = ""


@dataclass(frozen=True)
class Section:
    """A numbered heading of the document, listed in the table of contents."""

    id: str
    number: str
    title: str
    level: int = 1


def _outline(criteria: CriteriaSet, language: str) -> tuple[Section, ...]:
    def t(key: str) -> str:
        return translate(key, language)

    sections = [
        Section("context", "1", t("sec.context")),
        Section("objectives", "2", t("sec.objectives")),
        Section("weighting", "3", t("sec.weighting")),
        Section("requirements", "4", t("sec.requirements")),
    ]
    for k, cat in enumerate(criteria.categories, start=1):
        sections.append(Section(f"cat-{cat.id}", f"4.{k}", f"{cat.id} — {cat.name}", 2))
    sections.append(Section("method", "5", t("sec.method")))
    for k, key in enumerate(("scale", "pilot", "quality", "knockout", "tco", "price", "final"), start=1):
        sections.append(Section(key, f"5.{k}", t(f"sec.{key}"), 2))
    sections.append(Section("answering", "6", t("sec.answering")))
    return tuple(sections)


def spec_context(
    criteria: CriteriaSet,
    scale: Scale,
    scale_meanings: Mapping[float, str],
    params: SpecParams,
    issued: dt.date,
    version: str | None = None,
) -> dict[str, Any]:
    """Everything the spec template shows, computed once: shares, counts, outline, texts.

    Parameters
    ----------
    criteria
        The validated criteria tree.
    scale, scale_meanings
        The testers' scale and the meaning of each of its values
        (``criteria.catalogue.scale_labels``).
    params
        The campaign settings, as plain values.
    issued
        The date printed on the cover.
    version
        The criteria version; defaults to ``criteria.version()``.
    """
    if params.language not in LANGUAGES:
        raise RenderError(f"language {params.language!r} is not one of {', '.join(LANGUAGES)}")
    effective = criteria.effective_weights()
    total_weight = sum(cat.weight for cat in criteria.categories)
    categories = []
    for cat in criteria.categories:
        members = criteria.in_category(cat.id)
        inner = sum(c.weight for c in members)
        rows = [
            {
                "id": c.id,
                "title": c.title,
                "description": c.description,
                "how_to_test": c.how_to_test,
                "priority": c.priority.value,
                "weight": c.weight,
                "in_category": c.weight / inner if inner else 0.0,
                "overall": effective[c.id],
            }
            for c in members
        ]
        categories.append(
            {
                "id": cat.id,
                "name": cat.name,
                "weight": cat.weight,
                "share": cat.weight / total_weight if total_weight else 0.0,
                "count": len(members),
                "must": sum(1 for c in members if c.priority is Priority.MUST),
                "criteria": rows,
            }
        )
    split = params.quality_weight + params.price_weight
    outline = _outline(criteria, params.language)
    return {
        "lang": params.language,
        "doc": {
            "kind": translate("spec.kind", params.language),
            "name": params.name,
            "organisation": params.organisation,
            "issued": issued,
            "version": version or criteria.version(),
            "deadline": params.deadline,
            "contact": params.contact,
            "created": f"{issued.isoformat()}T00:00:00Z",
        },
        "texts": {"context": params.context, "objectives": params.objectives, "instructions": params.instructions},
        "categories": categories,
        "totals": {
            "categories": len(criteria.categories),
            "criteria": len(criteria.criteria),
            "must": sum(1 for c in criteria.criteria if c.priority is Priority.MUST),
            "weight": total_weight,
        },
        "must_ids": [c.id for c in criteria.criteria if c.priority is Priority.MUST],
        "priorities": [p.value for p in Priority],
        "scale": {
            "max": scale.max,
            "step": scale.step,
            "rows": [{"value": v, "label": Scale.label(v), "meaning": scale_meanings[v]} for v in scale.values],
        },
        "method": {
            "users": params.users,
            "currency": params.currency,
            "horizon_years": params.horizon_years,
            "discount_rate": params.discount_rate,
            "price_formula": params.price_formula,
            "knockout_threshold": params.knockout_threshold,
            "aggregation": params.aggregation,
            "balance_groups": params.balance_groups,
            "quality_weight": params.quality_weight,
            "price_weight": params.price_weight,
            "quality_share": params.quality_weight / split,
            "price_share": params.price_weight / split,
        },
        "outline": outline,
        "sections": {s.id: s for s in outline},
    }


def render_spec_html(
    criteria: CriteriaSet,
    scale: Scale,
    scale_meanings: Mapping[float, str],
    params: SpecParams,
    issued: dt.date,
) -> str:
    """The specification as a standalone HTML document (stylesheet inlined)."""
    return render_html(TEMPLATE, spec_context(criteria, scale, scale_meanings, params, issued))


def render_spec(
    criteria: CriteriaSet,
    scale: Scale,
    scale_meanings: Mapping[float, str],
    params: SpecParams,
    issued: dt.date,
    target: Path,
    *,
    html_target: Path | None = None,
    variant: str | None = None,
) -> RenderedPdf:
    """Write the specification PDF to ``target`` (and its HTML to ``html_target`` if given)."""
    html = render_spec_html(criteria, scale, scale_meanings, params, issued)
    language = params.language
    kind = translate("spec.kind", language)
    result = write_pdf(
        html,
        target,
        variant=variant,
        title=f"{kind} — {params.name}",
        authors=[params.organisation] if params.organisation else (),
        description=translate("spec.subject", language),
        keywords=[criteria.version()],
        language=language,
    )
    if html_target is not None:
        write_html(html, html_target)
    return result
