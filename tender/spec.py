"""Glue from a loaded campaign to the published requirements specification (tender spec)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from criteria.catalogue import scale_labels
from reports.i18n import translate
from reports.render import document_date
from reports.spec import SpecParams, render_spec
from tender.campaign import Campaign, load_campaign
from tender.config import Settings


@dataclass(frozen=True)
class SpecOutput:
    """The files `tender spec` wrote."""

    pdf: Path
    html: Path | None
    pages: int
    language: str


def spec_params(settings: Settings) -> SpecParams:
    """The settings the specification prints, as plain values."""
    return SpecParams(
        name=settings.name,
        users=settings.users,
        organisation=settings.organisation,
        language=settings.language,
        deadline=settings.deadline,
        contact=settings.contact,
        currency=settings.currency,
        quality_weight=settings.quality_weight,
        price_weight=settings.price_weight,
        horizon_years=settings.horizon_years,
        discount_rate=settings.discount_rate,
        price_formula=settings.price_formula,
        knockout_threshold=settings.knockout_threshold,
        aggregation=settings.aggregation,
        balance_groups=settings.balance_groups,
        context=settings.context,
        objectives=settings.objectives,
        instructions=settings.instructions,
    )


def write_spec(
    campaign: Campaign, output: Path | None = None, html: bool = False, variant: str | None = None
) -> SpecOutput:
    """Render the specification of a loaded campaign to ``output`` (default DIR/out/spec.pdf)."""
    settings = campaign.settings
    target = Path(output) if output is not None else campaign.paths.out / "spec.pdf"
    html_target = target.with_suffix(".html") if html else None
    result = render_spec(
        campaign.criteria,
        settings.scale,
        scale_labels(settings.scale, settings.language),
        spec_params(settings),
        document_date(),
        target,
        html_target=html_target,
        variant=variant,
    )
    return SpecOutput(result.path, html_target, result.pages, settings.language)


def build_spec(root: Path, output: Path | None = None, html: bool = False, variant: str | None = None) -> SpecOutput:
    """Load the campaign in ``root`` and render its specification."""
    return write_spec(load_campaign(root), output=output, html=html, variant=variant)


def describe(result: SpecOutput) -> str:
    """What was written, in the campaign's language."""
    lines = [translate("spec.written", result.language, path=result.pdf, pages=result.pages)]
    if result.html is not None:
        lines.append(translate("spec.written_html", result.language, path=result.html))
    return "\n".join(lines)
