"""Glue from a campaign to the committee report (tender report): evaluate, analyse, render, attach the results."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from criteria.errors import TenderError
from reports.i18n_report import report_text
from reports.render import Attachment, Step, document_date
from reports.report import AuditEntry, ReportParams, render_report
from tender.campaign import Campaign, load_campaign
from tender.exports import to_json, write_csv_exports
from tender.results import Evaluation, evaluate, scoring_params
from vendors.analysis import AnalysisResult, analyse
from vendors.ledger import Submission, submissions

#: The archival variant, the one made for PDF files that carry data files.
PDF_A = "pdf/a-3b"

MESSAGES = {
    "en": {
        "written": "Report written: {path} ({pages} pages)",
        "html": "HTML written: {path}",
        "attached": "Attached: {names}",
        "no_scores": "{ledger}: no accepted workbook yet, so there is nothing to report; "
        "collect the testers' workbooks first with 'tender collect {root}'",
    },
    "fr": {
        "written": "Rapport écrit\u00a0: {path} ({pages}\u00a0pages)",
        "html": "HTML écrit\u00a0: {path}",
        "attached": "Fichiers joints\u00a0: {names}",
        "no_scores": "{ledger}\u00a0: aucun classeur accepté pour l'instant, il n'y a donc rien à présenter\u00a0; "
        "rassemblez d'abord les classeurs des testeurs avec 'tender collect {root}'",
    },
}


class NoScoresError(TenderError):
    """The ledger holds no accepted workbook: a report would have nothing to say."""

    exit_code = 1


@dataclass(frozen=True)
class ReportOutput:
    """What `tender report` wrote."""

    pdf: Path
    html: Path | None
    pages: int
    language: str
    attachments: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """What was written, in the report's language."""
        text = MESSAGES[self.language]
        out = [text["written"].format(path=self.pdf, pages=self.pages)]
        if self.html is not None:
            out.append(text["html"].format(path=self.html))
        if self.attachments:
            out.append(text["attached"].format(names=", ".join(self.attachments)))
        return out


def report_params(campaign: Campaign) -> ReportParams:
    """The settings the report prints, as plain values."""
    settings = campaign.settings
    return ReportParams(
        name=settings.name,
        organisation=settings.organisation,
        language=settings.language,
        currency=settings.currency,
        campaign_id=settings.campaign_id,
        scale_step=settings.scale.step,
    )


def audit_entries(items: Sequence[Submission], language: str) -> tuple[AuditEntry, ...]:
    """The ledger's submissions as the audit trail shows them, problems said in ``language``."""
    return tuple(
        AuditEntry(
            name=item.name,
            sha256=item.sha256,
            status=item.status,
            received=item.received,
            tester=item.tester,
            problems=tuple(p.describe(language) for p in item.problems),
        )
        for item in items
    )


def analysis_of(evaluation: Evaluation) -> AnalysisResult:
    """The analysis of DESIGN.md section 6 for an evaluation (computed here if evaluate() did not)."""
    if evaluation.analysis is not None:
        return evaluation.analysis  # type: ignore[no-any-return]
    campaign = evaluation.campaign
    settings = campaign.settings
    return analyse(
        campaign.criteria,
        campaign.vendors,
        campaign.testers,
        evaluation.scores,
        scoring_params(settings),
        evaluation.result,
        disagreement_sd=settings.disagreement_sd,
        draws=settings.sensitivity.draws,
        delta=settings.sensitivity.delta,
        seed=settings.sensitivity.seed,
    )


def result_files(evaluation: Evaluation, analysis: AnalysisResult, language: str | None = None) -> list[Attachment]:
    """The results as `tender score` writes them: JSON, the per-vendor and per-criterion CSV, the method.

    The files are those of the evaluation's campaign, in its language, byte for byte what `tender score` would
    write; only their descriptions, words for people, are in ``language`` (the report's; default the campaign's).
    """
    if evaluation.analysis is None:
        # `tender score --format json` carries the analysis: the attached results carry it too.
        evaluation = dataclasses.replace(evaluation, analysis=analysis)
    described = language or evaluation.language
    files = [Attachment("results.json", to_json(evaluation).encode("utf-8"), report_text("attach.json", described))]
    with tempfile.TemporaryDirectory(prefix="tender-report-") as tmp:
        written = write_csv_exports(evaluation, Path(tmp) / "scores.csv")
        for key, path in zip(("attach.vendors", "attach.criteria", "attach.method"), written, strict=True):
            files.append(Attachment(path.name, path.read_bytes(), report_text(key, described)))
    return files


#: The phases of `tender report`, in order, as ``step`` is told them (the CLI shows them as a progress bar).
REPORT_STEPS = ("evaluate", "analyse", "charts", "layout", "pdf")
STEP_LABELS = {
    "en": {
        "evaluate": "Report: scoring the workbooks",
        "analyse": "Report: agreement and sensitivity",
        "charts": "Report: drawing the charts",
        "layout": "Report: laying out the pages",
        "pdf": "Report: writing the PDF",
    },
    "fr": {
        "evaluate": "Rapport : calcul des notes",
        "analyse": "Rapport : accord entre testeurs et sensibilité",
        "charts": "Rapport : dessin des graphiques",
        "layout": "Rapport : mise en page",
        "pdf": "Rapport : écriture du PDF",
    },
}


def write_report(
    campaign: Campaign,
    output: Path | None = None,
    language: str | None = None,
    variant: str | None = None,
    html: bool = False,
    step: Step | None = None,
) -> ReportOutput:
    """Evaluate a loaded campaign and render its committee report (default DIR/out/report.pdf).

    ``language`` overrides the campaign's; with ``variant="pdf/a-3b"`` the results (JSON and
    CSV) are attached to the PDF. ``step`` is told each phase of REPORT_STEPS as it begins.
    """
    # The attached results are the campaign's own (`tender score`), in its language, whatever the report's.
    scored = campaign
    if language is not None and language != campaign.settings.language:
        campaign = dataclasses.replace(campaign, settings=dataclasses.replace(campaign.settings, language=language))
    language = campaign.settings.language
    trail = submissions(campaign.paths.ledger, campaign.settings.campaign_id)
    # Checked before scoring: with nothing collected, any other complaint (e.g. prices) would come too early.
    if not any(item.status == "accepted" for item in trail):
        raise NoScoresError(
            MESSAGES[language]["no_scores"].format(ledger=campaign.paths.ledger, root=campaign.paths.root)
        )
    if step is not None:
        step("evaluate")
    evaluation = evaluate(campaign)
    if step is not None:
        step("analyse")
    analysis = analysis_of(evaluation)
    attachments = (
        result_files(dataclasses.replace(evaluation, campaign=scored), analysis, language) if variant == PDF_A else []
    )
    target = Path(output) if output is not None else campaign.paths.out / "report.pdf"
    html_target = target.with_suffix(".html") if html else None
    rendered = render_report(
        campaign.criteria,
        campaign.vendors,
        campaign.testers,
        evaluation.result,
        analysis,
        evaluation.scores,
        audit_entries(trail, language),
        report_params(campaign),
        document_date(),
        target,
        html_target=html_target,
        variant=variant,
        attachments=attachments,
        step=step,
    )
    return ReportOutput(rendered.path, html_target, rendered.pages, language, tuple(a.name for a in attachments))


def build_report(
    root: Path,
    output: Path | None = None,
    language: str | None = None,
    variant: str | None = None,
    html: bool = False,
    step: Step | None = None,
) -> ReportOutput:
    """Load the campaign in ``root`` and render its committee report."""
    return write_report(load_campaign(root), output=output, language=language, variant=variant, html=html, step=step)
