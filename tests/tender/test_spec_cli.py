"""`tender spec`: options, outputs, messages in the campaign's language, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from tender.campaign import init_campaign
from tender.cli import cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_spec_writes_out_spec_pdf_with_a_french_message(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    root = tmp_path / "c"
    init_campaign(root, language="fr")
    result = runner.invoke(cli, ["spec", str(root)])
    assert result.exit_code == 0, result.output
    pdf = root / "out" / "spec.pdf"
    pages = len(PdfReader(pdf).pages)
    assert result.output == f"Cahier des charges enregistré dans {pdf} ({pages} pages).\n"
    assert not (root / "out" / "spec.html").exists()
    assert PdfReader(pdf).metadata["/CreationDate"] == "D:20270115080000Z"
    # Same campaign, same SOURCE_DATE_EPOCH: the same bytes, so re-running is harmless.
    first = pdf.read_bytes()
    assert runner.invoke(cli, ["spec", str(root)]).exit_code == 0
    assert pdf.read_bytes() == first


def test_spec_with_output_html_and_pdf_a(runner: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "c"
    init_campaign(root, language="en")
    target = tmp_path / "published" / "rse-spec.pdf"
    result = runner.invoke(cli, ["spec", str(root), "-o", str(target), "--html", "--pdf-variant", "pdf/a-3b"])
    assert result.exit_code == 0, result.output
    html = target.with_suffix(".html")
    pages = len(PdfReader(target).pages)
    assert result.output == (
        f"Requirements specification written to {target} ({pages} pages).\nThe HTML it was rendered from: {html}\n"
    )
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert target.read_bytes().startswith(b"%PDF-1.7")
    assert b"pdfaid" in target.read_bytes() or PdfReader(target).xmp_metadata is not None
    assert sorted(p.name for p in target.parent.iterdir()) == ["rse-spec.html", "rse-spec.pdf"]


def test_spec_of_a_missing_campaign(runner: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "nowhere"
    result = runner.invoke(cli, ["spec", str(root)])
    assert result.exit_code == 2
    assert result.output == f"Error: campaign folder {root} does not exist; create one with 'tender init {root}'\n"


def test_spec_reports_a_bad_setting_by_key(runner: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "c"
    init_campaign(root, language="en", extra_settings={"price_formula": "cheapest"})
    result = runner.invoke(cli, ["spec", str(root)])
    assert result.exit_code == 2
    assert result.output == (
        "Error: tender.yaml: key 'price_formula' must be one of inverse, linear (found 'cheapest')\n"
    )


def test_spec_refuses_an_unknown_pdf_variant(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["spec", str(tmp_path), "--pdf-variant", "pdf/x-4"])
    assert result.exit_code == 2
    assert "Invalid value for '--pdf-variant': 'pdf/x-4' is not 'pdf/a-3b'." in result.output


def test_spec_cannot_write_into_a_file(runner: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "c"
    init_campaign(root, language="en")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    result = runner.invoke(cli, ["spec", str(root), "-o", str(blocker / "spec.pdf")])
    assert result.exit_code == 2
    assert result.output == f"Error: cannot write {blocker / 'spec.pdf'}: {blocker} is a file, not a folder\n"
    result = runner.invoke(cli, ["spec", str(root), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.endswith(f"Error: Invalid value for '-o' / '--output': File '{tmp_path}' is a directory.\n")


def test_spec_help(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["spec", "--help"])
    assert result.exit_code == 0
    for option in ("-o, --output FILE", "--html", "--pdf-variant [pdf/a-3b]"):
        assert option in result.output
