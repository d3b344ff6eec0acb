"""The `tender` command line: parse options, call the core, print. The only module that prints."""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import sys
from pathlib import Path
from typing import Any

import click

from criteria.errors import TenderError

#: Where the language of the command's campaign is kept, for the words around an error.
SPOKEN = "tender.language"


def _note_language(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Remember the campaign's language (--lang, else the folder's tender.yaml) for an error's prefix."""
    if value is not None:
        if param.name == "language":
            ctx.meta[SPOKEN] = str(value).lower()
        elif SPOKEN not in ctx.meta:
            from tender.campaign import Paths
            from tender.config import spoken_language

            ctx.meta[SPOKEN] = spoken_language(Paths(Path(value)).config)
    return value


LANG = click.option(
    "--lang",
    "language",
    type=click.Choice(["en", "fr"], case_sensitive=False),
    default="en",
    show_default=True,
    help="Language of the criteria, workbooks and documents.",
    callback=_note_language,
)
CAMPAIGN_DIR = click.argument("directory", type=click.Path(file_okay=False, path_type=Path), callback=_note_language)


def _progress(length: int, text: str) -> Any:
    """A progress bar on stderr, so that stdout stays clean for pipes and redirections."""
    return click.progressbar(length=length, label=text, file=sys.stderr)


SWEPT = {
    "en": "Removed {count} temporary file(s) left by an interrupted run.",
    "fr": "{count} fichier(s) temporaire(s) laissé(s) par une exécution interrompue supprimé(s).",
}


def _sweep(directory: Path) -> None:
    """Remove what a run killed between writing and renaming left in the campaign's folders; say so on stderr."""
    from criteria.safe import sweep_debris
    from tender.campaign import Paths

    removed = sweep_debris(Paths(directory).written)
    if removed:
        from tender.config import spoken_language

        click.echo(SWEPT[spoken_language(Paths(directory).config)].format(count=len(removed)), err=True)


CHECK_OK = {
    "en": "{name}: {categories}, {criteria}, {vendors}, {testers}. No problem found.",
    "fr": "{name} : {categories}, {criteria}, {vendors}, {testers}. Aucun problème détecté.",
}
#: The things `tender check` counts, in the singular and plural of each language.
COUNTED = {
    "en": {
        "categories": ("category", "categories"),
        "criteria": ("criterion", "criteria"),
        "vendors": ("vendor", "vendors"),
        "testers": ("tester", "testers"),
    },
    "fr": {
        "categories": ("catégorie", "catégories"),
        "criteria": ("critère", "critères"),
        "vendors": ("fournisseur", "fournisseurs"),
        "testers": ("testeur", "testeurs"),
    },
}


def _counted(n: int, thing: str, language: str) -> str:
    """``n`` things with the noun in the form the language's plural rules ask for (French: 0 and 1 are singular)."""
    from babel import Locale

    singular, plural = COUNTED[language][thing]
    return f"{n} {singular if Locale.parse(language).plural_form(n) == 'one' else plural}"


CANNOT_USE = {"en": "cannot use {name}: {reason}", "fr": "impossible d'utiliser {name} : {reason}"}
CANNOT_PRINT = {
    "en": "cannot write the output: {reason}",
    "fr": "impossible d'écrire la sortie : {reason}",
}
#: What a write to a full or failing disk raises (no space, quota, file too large, input/output error).
STORAGE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


class Failure(click.ClickException):
    """An error the user must act on: one line (or one list) on stderr, after "Error:" in the campaign's language."""

    PREFIX = {"en": "Error: ", "fr": "Erreur : "}

    def __init__(self, message: str, exit_code: int, language: str = "en") -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.language = language

    def show(self, file: Any = None) -> None:
        """Print the message with its prefix on stderr (click's own show() always says 'Error:')."""
        prefix = self.PREFIX.get(self.language, self.PREFIX["en"])
        click.echo(prefix + self.format_message(), file=file if file is not None else sys.stderr)


class TenderGroup(click.Group):
    """Turn every TenderError into one line on stderr with its exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TenderError as exc:
            language = ctx.meta.get(SPOKEN, "en")
            raise Failure(str(exc.localized(language)), exc.exit_code, language) from None
        except OSError as exc:
            # A file the system refused (read-only folder, a file where a folder is expected,
            # full disk): one sentence naming it. Every file this program writes names itself
            # (criteria/safe.py), so a full disk without a name is the standard output
            # (`tender score > file`). Anything else keeps its traceback.
            language = ctx.meta.get(SPOKEN, "en")
            if exc.filename is not None:
                words = CANNOT_USE.get(language, CANNOT_USE["en"])
                raise Failure(words.format(name=exc.filename, reason=exc.strerror or exc), 2, language) from None
            if exc.errno in STORAGE_ERRORS:
                words = CANNOT_PRINT.get(language, CANNOT_PRINT["en"])
                raise Failure(words.format(reason=exc.strerror or exc), 2, language) from None
            raise


@click.group(cls=TenderGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rse-tender", prog_name="tender")
def cli() -> None:
    """Run the evaluation side of an enterprise social network (RSE) tender.

    \b
    Lifecycle:
      tender init DIR        start a campaign from the bundled RSE catalogue
      tender check DIR       check what you edited: every problem, with its cell
      tender spec DIR        publish the requirements specification (PDF)
      tender sheets DIR      generate one scoring workbook per pilot tester
      tender collect DIR     take back the filled workbooks from DIR/inbox
      tender status DIR      see who is missing
      tender score DIR       the ranking, as a table, JSON, CSV or XLSX
      tender report DIR      the comparative PDF for the steering committee
      tender demo DIR        all of the above on an invented example
    """
    # Checked before any command: without defusedxml no returned workbook can be read safely.
    from vendors import guard  # noqa: F401


@cli.command()
@CAMPAIGN_DIR
@LANG
@click.option("--force", is_flag=True, help="Overwrite the campaign files already in DIR.")
def init(directory: Path, language: str, force: bool) -> None:
    """Create a ready-to-edit campaign in DIRECTORY.

    Writes tender.yaml (every setting, with its default), criteria.xlsx (the
    bundled RSE catalogue), vendors.xlsx and testers.xlsx (examples to
    replace). Edit them, then run 'tender spec'.

    \b
    Example:
      tender init rse-2027 --lang fr
    """
    from tender.campaign import init_campaign, set_aside_earlier_campaign

    paths = init_campaign(directory, language=language, force=force)
    words = INIT_WORDS[language]
    click.echo(words["created"].format(root=paths.root))
    for path in paths.inputs:
        click.echo(f"  {path.name}")
    # The new campaign has a new ID: an earlier one's ledger and workbooks would only be refused by it.
    replaced = set_aside_earlier_campaign(directory) if force else None
    if replaced is not None:
        click.echo(words["replaced"].format(folder=replaced))
    click.echo(words["next"].format(root=paths.root))


INIT_WORDS = {
    "en": {
        "created": "Campaign created in {root}:",
        "replaced": "The earlier campaign's ledger and inbox were moved to {folder}",
        "next": "Edit these files, then run: tender check {root}",
    },
    "fr": {
        "created": "Campagne créée dans {root} :",
        "replaced": "Le registre et la boîte de réception de la campagne précédente ont été déplacés dans {folder}",
        "next": "Modifiez ces fichiers, puis lancez : tender check {root}",
    },
}


@cli.command()
@CAMPAIGN_DIR
def check(directory: Path) -> None:
    """Load every file of the campaign in DIRECTORY and report any problem.

    \b
    Example:
      tender check rse-2027
    """
    from tender.campaign import check_campaign

    campaign = check_campaign(directory)
    language = campaign.settings.language
    sizes = {
        "categories": len(campaign.criteria.categories),
        "criteria": len(campaign.criteria.criteria),
        "vendors": len(campaign.vendors),
        "testers": len(campaign.testers),
    }
    counts = {thing: _counted(n, thing, language) for thing, n in sizes.items()}
    click.echo(CHECK_OK[language].format(name=campaign.settings.name, **counts))


@cli.command()
@CAMPAIGN_DIR
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PDF file to write.  [default: DIRECTORY/out/spec.pdf]",
)
@click.option("--html", "with_html", is_flag=True, help="Also write the HTML the PDF is rendered from, next to it.")
@click.option(
    "--pdf-variant",
    type=click.Choice(["pdf/a-3b"]),
    default=None,
    help="Write an archival PDF/A-3b file instead of a plain PDF.",
)
def spec(directory: Path, output: Path | None, with_html: bool, pdf_variant: str | None) -> None:
    """Render the requirements specification of DIRECTORY to a PDF.

    The document, in the campaign's language, holds the context and
    objectives, every requirement with its priority and published weight,
    the evaluation method and the instructions for answering.

    \b
    Example:
      tender spec rse-2027 --html
    """
    from tender.spec import build_spec, describe

    _sweep(directory)
    result = build_spec(directory, output=output, html=with_html, variant=pdf_variant)
    click.echo(describe(result))


@cli.command()
@CAMPAIGN_DIR
@click.option(
    "-o",
    "--out",
    "outdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the workbooks (default: DIRECTORY/sheets).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Also replace workbooks made for other criteria (testers who have them must get the new ones).",
)
def sheets(directory: Path, outdir: Path | None, force: bool) -> None:
    """Write one scoring workbook per tester into DIRECTORY/sheets.

    Each workbook has an instructions sheet, one locked sheet per vendor
    where only the score and comment cells can be edited, and hidden
    metadata that 'tender collect' checks. Safe to re-run: a tester added to
    testers.xlsx gets a workbook, and a changed weight or priority does not
    make the workbooks already sent invalid. If criteria were added, removed,
    renamed or moved since workbooks were written, nothing is written (exit 1)
    unless --force is given.

    \b
    Examples:
      tender sheets rse-2027
      tender sheets rse-2027 --force      # criteria changed: new workbooks for everyone
    """
    from tender.campaign import load_campaign
    from tender.collect import label, make_sheets

    _sweep(directory)
    campaign = load_campaign(directory)
    with _progress(len(campaign.testers), label("writing", campaign.settings.language)) as bar:
        result = make_sheets(campaign, outdir, bar.update, force=force)
    for line in result.lines():
        click.echo(line)


@cli.command()
@CAMPAIGN_DIR
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: CPUs).")
def collect(directory: Path, paths: tuple[Path, ...], jobs: int | None) -> None:
    """Take back filled workbooks from DIRECTORY/inbox (or PATHS).

    Every file is archived by its hash first; each workbook is then accepted
    whole or rejected with every problem (sheet, cell, found, expected),
    listed in DIRECTORY/out/collect-problems.xlsx. A tester's latest accepted
    workbook replaces the earlier ones. Exits with 1 if any was rejected.

    \b
    Examples:
      tender collect rse-2027
      tender collect rse-2027 ~/Downloads/T012.xlsx mail-attachments/
    """
    from tender.collect import label, plan_collect, run_collect

    _sweep(directory)
    plan = plan_collect(directory, paths)
    with _progress(len(plan.files), label("collecting", plan.campaign.settings.language)) as bar:
        result = run_collect(plan, bar.update, jobs)
    for line in result.lines():
        click.echo(line)
    error = result.error()
    if error is not None:
        raise error


@cli.command()
@CAMPAIGN_DIR
def status(directory: Path) -> None:
    """Show who has returned a workbook and who is missing.

    \b
    Example:
      tender status rse-2027
    """
    from tender.collect import status as status_of

    for line in status_of(directory).lines():
        click.echo(line)


@cli.command()
@CAMPAIGN_DIR
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "xlsx"]),
    default="table",
    show_default=True,
    help="table and json print to stdout; csv and xlsx write files (default DIR/out/scores.*).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead; '-' is standard output (csv: the per-vendor table only; not for xlsx).",
)
def score(directory: Path, fmt: str, output: Path | None) -> None:
    """Rank the vendors from the collected workbooks of DIRECTORY.

    Applies the published method (DESIGN.md section 5) to the latest
    accepted workbook of each tester, and states that method with the
    result. CSV writes three files: FILE (one row per vendor),
    FILE-criteria.csv (one row per vendor and criterion) and
    FILE-method.txt.

    \b
    Examples:
      tender score rse-2027
      tender score rse-2027 --format json -o verdict.json
      tender score rse-2027 --format xlsx
      tender score rse-2027 --format csv -o - | sort -t, -k3
    """
    from tender.campaign import load_campaign
    from tender.exports import is_stdout, score_output
    from tender.results import evaluate

    if fmt == "xlsx" and is_stdout(output):
        raise click.UsageError("--format xlsx writes a workbook: give a file name with -o, not '-'")
    _sweep(directory)
    evaluation = evaluate(load_campaign(directory))
    click.echo(score_output(evaluation, fmt, output), nl=False)


@cli.command()
@CAMPAIGN_DIR
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PDF file to write.  [default: DIRECTORY/out/report.pdf]",
)
@click.option(
    "--lang",
    "language",
    type=click.Choice(["en", "fr"], case_sensitive=False),
    default=None,
    help="Language of the report.  [default: the campaign's language]",
    callback=_note_language,
)
@click.option(
    "--pdf-variant",
    type=click.Choice(["pdf/a-3b"]),
    default=None,
    help="Write an archival PDF/A-3b file with the results (JSON and CSV) attached.",
)
@click.option("--html", "with_html", is_flag=True, help="Also write the HTML the PDF is rendered from, next to it.")
def report(
    directory: Path, output: Path | None, language: str | None, pdf_variant: str | None, with_html: bool
) -> None:
    """Render the comparative report of DIRECTORY for the steering committee.

    From the latest accepted workbook of each tester: the recommended
    vendor and how robust that verdict is, the ranking, categories, costs,
    eliminations with their evidence, the consensus-meeting agenda, results
    by group of testers, the sensitivity of the ranking, the method and the
    audit trail of every workbook.

    \b
    Examples:
      tender report rse-2027
      tender report rse-2027 --lang fr --pdf-variant pdf/a-3b -o comite.pdf
    """
    from tender.report import REPORT_STEPS, STEP_LABELS, build_report

    _sweep(directory)
    labels = STEP_LABELS.get(click.get_current_context().meta.get(SPOKEN, "en"), STEP_LABELS["en"])
    # A few seconds to a minute of work: the bar names the phase under way (on a terminal; elsewhere a line per
    # phase). It appears with the first phase, so that an error found on loading stays the only line.
    with contextlib.ExitStack() as shown:
        bar: Any = None

        def step(name: str) -> None:
            nonlocal bar
            if bar is None:
                bar = shown.enter_context(_progress(len(REPORT_STEPS), labels[name]))
            bar.label = labels[name]
            bar.update(REPORT_STEPS.index(name) - bar.pos)

        result = build_report(
            directory, output=output, language=language, variant=pdf_variant, html=with_html, step=step
        )
        if bar is not None:
            bar.update(len(REPORT_STEPS) - bar.pos)
    for line in result.lines():
        click.echo(line)


@cli.command()
@CAMPAIGN_DIR
@LANG
@click.option(
    "--testers",
    "n_testers",
    type=click.IntRange(2, 5000),
    default=40,
    show_default=True,
    help="Number of simulated pilot testers.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the simulation.")
@click.option("--force", is_flag=True, help="Overwrite a campaign already in DIR.")
@click.pass_context
def demo(ctx: click.Context, directory: Path, language: str, n_testers: int, seed: int, force: bool) -> None:
    """Run a whole example campaign in DIRECTORY, with simulated testers.

    Creates an invented campaign (fictitious vendors, testers spread over
    departments, hierarchy levels and generations), then runs the real
    commands one after the other: spec, sheets, (simulated testers fill their
    workbooks into inbox/), collect, status, score and report.

    \b
    Example:
      tender demo demo-campaign --lang fr --testers 60
    """
    from tender.campaign import set_aside_earlier_campaign
    from tender.demo import create_demo_campaign, fill_inbox

    campaign = create_demo_campaign(directory, language, n_testers, seed, force)
    words = DEMO_WORDS[campaign.settings.language]
    click.echo(words["created"].format(directory=directory, count=len(campaign.testers)))
    # Only once the new campaign is written (create_demo_campaign refuses an existing one without --force).
    replaced = set_aside_earlier_campaign(directory) if force else None
    if replaced is not None:
        # The words of `tender init --force`, indented as the demo's other lines.
        click.echo("   " + INIT_WORDS[campaign.settings.language]["replaced"].format(folder=replaced))
    _demo_step(ctx, "spec", directory=directory)
    # The demo's workbooks are its own: those of an earlier demo in DIR (another campaign ID) are replaced.
    _demo_step(ctx, "sheets", directory=directory, force=True)
    with _progress(len(campaign.testers), words["filling"]) as bar:
        fill_inbox(campaign, seed, bar.update)
    for name in ("collect", "status", "score", "report"):
        _demo_step(ctx, name, directory=directory)
    click.echo(words["done"].format(spec=directory / "out" / "spec.pdf", report=directory / "out" / "report.pdf"))


DEMO_WORDS = {
    "en": {
        "created": "== Example campaign created in {directory} ({count} simulated testers)",
        "filling": "Simulated testers fill their workbooks",
        "reported": "   tender {name} reported (exit code 1): {error}",
        "done": "== Done. Open {spec} and {report}",
    },
    "fr": {
        "created": "== Campagne d'exemple créée dans {directory} ({count} testeurs simulés)",
        "filling": "Les testeurs simulés remplissent leur classeur",
        "reported": "   tender {name} a signalé des problèmes (code de sortie 1) : {error}",
        "done": "== Terminé. Ouvrez {spec} et {report}",
    },
}


def _demo_step(ctx: click.Context, name: str, **params: Any) -> None:
    """Run one real command of the lifecycle, as a user would type it."""
    click.echo(f"== tender {name} {params['directory']}")
    try:
        ctx.invoke(cli.commands[name], **params)
    except TenderError as exc:
        # A step that reports problems the user must act on (exit 1), such as the
        # demo's rejected draft, is part of the story; a configuration error is not.
        if exc.exit_code != 1:
            raise
        language = ctx.meta.get(SPOKEN, "en")
        click.echo(DEMO_WORDS.get(language, DEMO_WORDS["en"])["reported"].format(name=name, error=exc))


def main() -> None:
    """The ``tender`` program (console script and ``python -m tender``): run one command, then end at once.

    Python's orderly shutdown frees every object one at a time. After a report that is
    the few hundred thousand objects WeasyPrint built, 0.6-0.7 s of a 7 s command, spent on
    memory the system takes back anyway. Every file a command writes is complete before it
    returns (written to a temporary file, synced, renamed into place), so what is left is
    to run the exit handlers and flush the standard streams; then the process ends with
    the command's exit code. Tests call ``cli`` and never come here.
    """
    try:
        cli.main(prog_name="tender")
        status = 0
    except SystemExit as exc:
        status = _exit_status(exc.code)
    atexit._run_exitfuncs()
    _flush()
    os._exit(status)


def _exit_status(code: object) -> int:
    """The exit status Python gives ``SystemExit(code)``: None is 0, an int itself, anything else 1 (and printed)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    click.echo(str(code), err=True)
    return 1


def _flush() -> None:
    """Flush stdout and stderr before the process ends.

    click.echo flushes after every message, so a stream that cannot be written has already
    failed inside the command, where click deals with it; what may fail here is a pipe
    whose reader left after the last message (`tender score | head`), which is no error.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
