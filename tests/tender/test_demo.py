"""The demo runs the whole lifecycle end to end, with real files, and tells a story worth reading."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader

from tender.campaign import load_campaign
from tender.cli import cli
from tender.demo import demo_testers, simulate_answers
from vendors import ledger


def test_demo_runs_every_command_and_writes_both_pdfs(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", str(root), "--testers", "8", "--lang", "fr"])
    assert result.exit_code == 0, result.output
    for command in ("spec", "sheets", "collect", "status", "score", "report"):
        assert f"== tender {command} {root}" in result.output
    # The story is told in the campaign's language too.
    assert result.output.startswith(f"== Campagne d'exemple créée dans {root} (8 testeurs simulés)\n")
    assert "   tender collect a signalé des problèmes (code de sortie 1) : 1 classeur(s) refusé(s)" in result.output
    assert result.output.endswith(f"== Terminé. Ouvrez {root / 'out' / 'spec.pdf'} et {root / 'out' / 'report.pdf'}\n")
    expected = [f"T{i:03d}.xlsx" for i in range(1, 9)] + ["T001 (première version).xlsx", "T002 (brouillon).xlsx"]
    assert sorted(p.name for p in (root / "inbox").iterdir()) == sorted(expected)
    # The draft with typing mistakes is rejected, cell by cell; the early version is superseded.
    assert 'T002 (brouillon).xlsx, feuille Agorana, cellule E4 : trouvé "great"' in result.output
    assert "10 fichier(s) : 9 accepté(s), 1 refusé(s), 0 inchangé(s), 1 remplacé(s)." in result.output
    assert (root / "out" / "collect-problems.xlsx").exists()
    spec = PdfReader(root / "out" / "spec.pdf")
    report = PdfReader(root / "out" / "report.pdf")
    assert len(spec.pages) >= 10
    assert len(report.pages) >= 10
    assert "Agorana" in report.pages[0].extract_text()

    scored = CliRunner().invoke(cli, ["score", str(root), "--format", "json"])
    verdict = json.loads(scored.output)
    by_id = {v["id"]: v for v in verdict["vendors"]}
    # The demo is built so that Maillon Suite fails the MUST criterion on EU hosting.
    assert by_id["V5"]["eliminated"] is True
    assert [k["criterion"] for k in by_id["V5"]["knockouts"]] == ["SEC-02"]
    assert sorted(v["rank"] for v in verdict["vendors"] if v["rank"] is not None) == [1, 2, 3, 4]


def test_demo_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    runner = CliRunner()
    root = tmp_path / "demo"
    root.mkdir()
    (root / "tender.yaml").write_text("name: mine\nusers: 3\n")
    result = runner.invoke(cli, ["demo", str(root), "--testers", "4"])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {root} already holds a campaign (tender.yaml); use --force")
    assert (root / "tender.yaml").read_text() == "name: mine\nusers: 3\n"


def test_testers_cover_every_group_evenly() -> None:
    testers = demo_testers(48, "en", seed=0)
    for column, size in (("department", 6), ("level", 4), ("generation", 4)):
        counts: dict[str, int] = {}
        for tester in testers:
            counts[tester.groups[column]] = counts.get(tester.groups[column], 0) + 1
        assert len(counts) == size
        assert max(counts.values()) - min(counts.values()) <= 2, (column, counts)


def test_simulation_is_reproducible_and_uses_the_scale(campaign_dir: Path) -> None:
    campaign = load_campaign(campaign_dir)
    first = simulate_answers(campaign, seed=3)
    assert first == simulate_answers(campaign, seed=3)
    assert first != simulate_answers(campaign, seed=4)
    values = {answer[0] for per_vendor in first.values() for rows in per_vendor.values() for answer in rows.values()}
    assert "N/A" in values
    assert None in values
    numbers = {float(v) for v in values if v not in ("N/A", None)}
    assert numbers <= {0.0, 1.0, 2.0, 3.0, 4.0, 5.0}


def test_demo_again_with_force_in_the_same_folder(tmp_path: Path) -> None:
    """A second demo is another campaign (new ID): its workbooks replace the first demo's, and every step runs."""
    root = tmp_path / "demo"
    first = CliRunner().invoke(cli, ["demo", str(root), "--testers", "4"])
    assert first.exit_code == 0, first.output
    old_id = load_campaign(root).settings.campaign_id
    again = CliRunner().invoke(cli, ["demo", str(root), "--testers", "4", "--force"])
    assert again.exit_code == 0, again.output
    assert load_campaign(root).settings.campaign_id != old_id
    assert "made for other criteria" in again.output  # said, not refused
    assert again.output.startswith(f"== Example campaign created in {root} (4 simulated testers)\n")
    assert "   tender collect reported (exit code 1): 1 workbook(s) rejected" in again.output
    assert "6 file(s): 5 accepted, 1 rejected, 0 unchanged, " in again.output
    # The first demo's ledger and inbox are kept aside, not mixed with the second campaign's.
    (replaced,) = root.glob("replaced-*")
    assert f"   The earlier campaign's ledger and inbox were moved to {replaced}\n" in again.output
    assert sorted(p.name for p in replaced.iterdir()) == [".tender", "inbox"]
    assert len(ledger.submissions(replaced / ".tender" / "ledger.sqlite", old_id)) == 6
    assert "from 4 testers' workbooks" in again.output


def test_demo_with_force_in_a_new_folder_sets_nothing_aside(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", str(root), "--testers", "3", "--force"])
    assert result.exit_code == 0, result.output
    assert "moved to" not in result.output
    assert not list(root.glob("replaced-*"))
