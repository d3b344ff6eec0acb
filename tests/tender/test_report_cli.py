"""`tender report` on a real campaign: workbooks generated, filled, collected, then the committee report checked
against `tender score --format json` (ranking order, figures), its pages, attachments, languages and errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from tender.campaign import Campaign, init_campaign, load_campaign
from tender.cli import cli
from tender.demo import create_demo_campaign, fill_inbox, simulate_answers
from tender.report import REPORT_STEPS, STEP_LABELS
from vendors.ledger import submissions
from vendors.workbook import fill_workbook


def _flat(text: str) -> str:
    # Compare words, not layout: no-break spaces, line ends and hyphenation breaks vary with the text.
    text = text.replace("\u2010\n", "")
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def pdf_pages(path: Path) -> list[str]:
    return [_flat(page.extract_text()) for page in PdfReader(path).pages]


@dataclass(frozen=True)
class Collected:
    root: Path
    campaign: Campaign
    verdict: dict[str, object]


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Collected:
    """The demo campaign with 6 testers through the real commands: sheets, filled workbooks, collect (twice).

    The inbox also holds a file that is not a workbook (rejected), and tester T001 sends a second
    workbook after the first collect (the first one is then superseded).
    """
    root = tmp_path_factory.mktemp("report-cli") / "campaign"
    campaign = create_demo_campaign(root, "en", 6, 0, True)
    runner = CliRunner()
    assert runner.invoke(cli, ["sheets", str(root)]).exit_code == 0
    fill_inbox(campaign, 0, mistakes=False)
    (root / "inbox" / "notes.xlsx").write_bytes(b"this is not a workbook")
    assert runner.invoke(cli, ["collect", str(root)]).exit_code == 1  # one file rejected
    second = simulate_answers(campaign, 1)["T001"]
    fill_workbook(root / "sheets" / "T001.xlsx", root / "inbox" / "T001-again.xlsx", second)
    runner.invoke(cli, ["collect", str(root), str(root / "inbox" / "T001-again.xlsx")])
    result = runner.invoke(cli, ["score", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    return Collected(root, load_campaign(root), json.loads(result.output))


@pytest.fixture(scope="module")
def default_report(collected: Collected) -> tuple[str, Path]:
    result = CliRunner().invoke(cli, ["report", str(collected.root), "--html"])
    assert result.exit_code == 0, result.output
    # Not a terminal: the progress bar is one line per phase on stderr, in order.
    assert result.stderr == "".join(f"{STEP_LABELS['en'][name]}\n" for name in REPORT_STEPS)
    return result.stdout, collected.root / "out" / "report.pdf"


def test_writes_the_default_file_and_says_so(collected: Collected, default_report: tuple[str, Path]) -> None:
    output, pdf = default_report
    pages = len(PdfReader(pdf).pages)
    html = collected.root / "out" / "report.html"
    assert output == f"Report written: {pdf} ({pages} pages)\nHTML written: {html}\n"
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_first_page_ranks_as_tender_score(collected: Collected, default_report: tuple[str, Path]) -> None:
    first = pdf_pages(default_report[1])[0]
    vendors = collected.verdict["vendors"]
    ranked = [v for v in vendors if v["rank"] is not None]
    assert [v["rank"] for v in ranked] == sorted(v["rank"] for v in ranked)
    # Each vendor's row on page 1, in the order of the JSON (ranked first, then eliminated), with its figures.
    rows = [
        f"{v['name']} {v['final_score']:.2f} {v['quality_score']:.2f} {v['price_score']:.2f} €{round(v['tco']):,}"
        for v in vendors
    ]
    positions = [first.index(row) for row in rows]
    assert positions == sorted(positions)
    winner = ranked[0]
    assert f"Recommended vendor: {winner['name']}" in first
    assert f"Final score {winner['final_score']:.2f} out of 100." in first
    margin = winner["final_score"] - ranked[1]["final_score"]
    assert f"It leads {ranked[1]['name']} ({ranked[1]['final_score']:.2f}) by {margin:.2f} points." in first


def test_eliminations_and_participation_on_the_first_page(
    collected: Collected, default_report: tuple[str, Path]
) -> None:
    first = pdf_pages(default_report[1])[0]
    eliminated = [v for v in collected.verdict["vendors"] if v["eliminated"]]
    assert eliminated  # the demo has one knock-out (tender/demo.py KNOCKOUT)
    for vendor in eliminated:
        for ko in vendor["knockouts"]:
            assert f"{vendor['name']} — {ko['criterion']}" in first
            assert f": {ko['score']:.2f}, below the threshold of 1" in first
    assert "Testers who returned a valid workbook: 6 of 6. Workbooks counted: 6;" in first
    assert "Workbooks rejected: 1; replaced by a later one: 1 (see appendix C)." in first


def test_every_workbook_is_in_the_audit_trail(collected: Collected, default_report: tuple[str, Path]) -> None:
    text = " ".join(pdf_pages(default_report[1]))
    trail = submissions(collected.root / ".tender" / "ledger.sqlite")
    assert sorted(s.status for s in trail) == ["accepted"] * 6 + ["rejected", "superseded"]
    for item in trail:
        assert item.sha256[:12] in text
        assert item.name in text
    assert "rejected" in text
    assert "superseded" in text


def test_per_criterion_appendix_matches_the_json(collected: Collected, default_report: tuple[str, Path]) -> None:
    text = " ".join(pdf_pages(default_report[1]))
    vendor = collected.verdict["vendors"][0]
    for cid in ("PRO-01", "SEC-02", "UX-01"):
        cell = vendor["criteria"][cid]
        sd = "–" if cell["sd"] is None else f"{cell['sd']:.2f}"
        assert f"{cell['score']:.2f} · {cell['n']} · {sd}" in text


def test_pdf_a_carries_the_results(collected: Collected, tmp_path: Path) -> None:
    target = tmp_path / "committee.pdf"
    result = CliRunner().invoke(cli, ["report", str(collected.root), "--pdf-variant", "pdf/a-3b", "-o", str(target)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(target)
    assert result.stdout == (
        f"Report written: {target} ({len(reader.pages)} pages)\n"
        "Attached: results.json, scores.csv, scores-criteria.csv, scores-method.txt\n"
    )
    files = {name: data for name, (data,) in reader.attachments.items()}
    assert sorted(files) == ["results.json", "scores-criteria.csv", "scores-method.txt", "scores.csv"]
    attached = json.loads(files["results.json"])
    assert attached["vendors"] == collected.verdict["vendors"]
    assert {"disagreements", "segments", "sensitivity"} <= set(attached)
    csv_text = files["scores.csv"].decode("utf-8-sig")
    assert all(v["name"] in csv_text for v in collected.verdict["vendors"])
    raw = reader.xmp_metadata.stream.get_data()
    assert b'pdfaid:part="3"' in raw or b"<pdfaid:part>3</pdfaid:part>" in raw
    assert {f.name: f.description for f in reader.attachment_list} == {
        "results.json": "Results at full precision (tender score --format json)",
        "scores.csv": "Results per vendor (tender score --format csv)",
        "scores-criteria.csv": "Results per vendor and criterion (tender score --format csv)",
        "scores-method.txt": "Method and formulas (tender score --format csv)",
    }


def score_files(root: Path, folder: Path) -> dict[str, bytes]:
    """What `tender score` writes for the campaign: its JSON, then its CSV files and method."""
    runner = CliRunner()
    result = runner.invoke(cli, ["score", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    files = {"results.json": result.stdout.encode("utf-8")}
    assert runner.invoke(cli, ["score", str(root), "--format", "csv", "-o", str(folder / "scores.csv")]).exit_code == 0
    files.update({path.name: path.read_bytes() for path in folder.iterdir()})
    return files


def test_pdf_a_in_french_attaches_the_campaigns_own_results(collected: Collected, tmp_path: Path) -> None:
    """A French report of an English campaign attaches what `tender score` writes, in English, byte for byte;
    only the descriptions of the attached files are French."""
    target = tmp_path / "rapport.pdf"
    command = ["report", str(collected.root), "--lang", "fr", "--pdf-variant", "pdf/a-3b", "-o", str(target)]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    reader = PdfReader(target)
    files = {name: data for name, (data,) in reader.attachments.items()}
    (tmp_path / "score").mkdir()
    assert files == score_files(collected.root, tmp_path / "score")
    attached = json.loads(files["results.json"])
    assert attached["campaign"]["language"] == "en"
    assert attached == collected.verdict
    assert files["scores.csv"].decode("utf-8-sig").startswith("Rank,Vendor ID,")
    assert {f.name: f.description for f in reader.attachment_list} == {
        "results.json": "Résultats avec toutes leurs décimales (tender score --format json)",
        "scores.csv": "Résultats par fournisseur (tender score --format csv)",
        "scores-criteria.csv": "Résultats par fournisseur et par critère (tender score --format csv)",
        "scores-method.txt": "Méthode et formules (tender score --format csv)",
    }
    assert "Fichiers joints\u00a0: results.json, scores.csv, scores-criteria.csv, scores-method.txt" in result.stdout


def test_language_can_be_overridden(collected: Collected, tmp_path: Path) -> None:
    target = tmp_path / "rapport.pdf"
    result = CliRunner().invoke(cli, ["report", str(collected.root), "--lang", "fr", "-o", str(target)])
    assert result.exit_code == 0, result.output
    pages = pdf_pages(target)
    assert result.stdout == f"Rapport écrit\u00a0: {target} ({len(pages)}\u00a0pages)\n"
    assert result.stderr.splitlines() == [STEP_LABELS["fr"][name] for name in REPORT_STEPS]
    winner = next(v for v in collected.verdict["vendors"] if v["rank"] == 1)
    assert f"Fournisseur recommandé : {winner['name']}" in pages[0]
    assert f"Note finale de {winner['final_score']:.2f} sur 100.".replace(".", ",", 1) in pages[0]
    assert f"page 1 sur {len(pages)}" in pages[0]
    # The campaign itself keeps its language.
    assert load_campaign(collected.root).settings.language == "en"


def test_no_workbook_yet_is_an_error_to_act_on(tmp_path: Path) -> None:
    root = init_campaign(tmp_path / "fresh", language="en").root
    result = CliRunner().invoke(cli, ["report", str(root)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {root / '.tender' / 'ledger.sqlite'}: no accepted workbook yet, so there is nothing to report; "
        f"collect the testers' workbooks first with 'tender collect {root}'\n"
    )
    assert not (root / "out" / "report.pdf").exists()


@pytest.mark.parametrize(
    ("campaign_language", "options"),
    [("fr", ["DIR"]), ("en", ["DIR", "--lang", "fr"]), ("en", ["--lang", "FR", "DIR"])],
    ids=["french campaign", "report in French", "option first"],
)
def test_no_workbook_yet_in_french(tmp_path: Path, campaign_language: str, options: list[str]) -> None:
    """A French campaign, or a report asked in French, says its errors in French."""
    root = init_campaign(tmp_path / "fresh", language=campaign_language).root
    result = CliRunner().invoke(cli, ["report", *(str(root) if o == "DIR" else o for o in options)])
    assert result.exit_code == 1
    assert result.output == (
        f"Erreur : {root / '.tender' / 'ledger.sqlite'}\u00a0: aucun classeur accepté pour l'instant, il n'y a donc "
        f"rien à présenter\u00a0; rassemblez d'abord les classeurs des testeurs avec 'tender collect {root}'\n"
    )


def test_a_missing_campaign_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: campaign folder {tmp_path / 'nowhere'} does not exist; "
        f"create one with 'tender init {tmp_path / 'nowhere'}'\n"
    )


def test_an_unknown_pdf_variant_is_refused(collected: Collected) -> None:
    result = CliRunner().invoke(cli, ["report", str(collected.root), "--pdf-variant", "pdf/x-4"])
    assert result.exit_code == 2
    assert "Invalid value for '--pdf-variant': 'pdf/x-4' is not 'pdf/a-3b'." in result.output
