"""Tests of the command line: help everywhere, init/check, one-line errors with exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tender.cli import cli


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_a_summary(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert f"Usage: cli {command}" in result.output
    assert len(cli.commands[command].get_short_help_str()) > 10


def test_group_help_lists_the_lifecycle() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "spec", "sheets", "collect", "status", "score", "report", "demo"):
        assert f"tender {command} " in result.output


def test_init_then_check(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["init", str(tmp_path / "c"), "--lang", "FR"])
    assert result.exit_code == 0, result.output
    assert "tender.yaml" in result.output
    assert "criteria.xlsx" in result.output
    result = runner.invoke(cli, ["check", str(tmp_path / "c")])
    # The template's vendors have no prices yet: check says so, as score would, in the campaign's language.
    assert result.exit_code == 2
    assert result.output == (
        "Erreur : vendors.xlsx : le fournisseur V1 (Fournisseur A) n'a pas de prix par utilisateur par mois ; "
        "le fournisseur V2 (Fournisseur B) n'a pas de prix par utilisateur par mois ; "
        "le fournisseur V3 (Fournisseur C) n'a pas de prix par utilisateur par mois. "
        "Le prix pèse 30 dans la note finale : chaque fournisseur doit donc coûter plus de 0. Remplissez la "
        "colonne « prix par utilisateur par mois » (0 pour une offre forfaitaire) et les autres colonnes de coût, "
        "ou mettez price_weight: 0 dans tender.yaml\n"
    )
    wb = openpyxl.load_workbook(tmp_path / "c" / "vendors.xlsx")
    for row in (2, 3, 4):
        wb.active.cell(row=row, column=4).value = 5.5
    wb.save(tmp_path / "c" / "vendors.xlsx")
    result = runner.invoke(cli, ["check", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        " : 12 catégories, 65 critères, 3 fournisseurs, 4 testeurs. Aucun problème détecté.\n"
    )
    # One vendor is "1 fournisseur": the nouns follow each language's plural rules.
    wb.active.delete_rows(3, 2)
    wb.save(tmp_path / "c" / "vendors.xlsx")
    result = runner.invoke(cli, ["check", str(tmp_path / "c")])
    assert result.output.endswith(" : 12 catégories, 65 critères, 1 fournisseur, 4 testeurs. Aucun problème détecté.\n")


def test_check_counts_in_english_singular_and_plural() -> None:
    from tender.cli import _counted

    assert [_counted(n, "criteria", "en") for n in (0, 1, 2)] == ["0 criteria", "1 criterion", "2 criteria"]
    assert [_counted(n, "vendors", "fr") for n in (0, 1, 2)] == ["0 fournisseur", "1 fournisseur", "2 fournisseurs"]


def test_init_twice_is_refused_without_force(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "c")]).exit_code == 0
    result = runner.invoke(cli, ["init", str(tmp_path / "c")])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {tmp_path / 'c'} already holds a campaign (tender.yaml, criteria.xlsx, vendors.xlsx, "
        "testers.xlsx); use --force to overwrite it\n"
    )
    assert runner.invoke(cli, ["init", str(tmp_path / "c"), "--force"]).exit_code == 0


def test_configuration_error_is_one_line_exit_2(campaign_dir: Path) -> None:
    config = campaign_dir / "tender.yaml"
    config.write_text(config.read_text().replace("users: 2400", "users: lots"))
    result = CliRunner().invoke(cli, ["check", str(campaign_dir)])
    assert result.exit_code == 2
    assert result.output == "Error: tender.yaml: key 'users' must be a whole number (found 'lots')\n"


def test_bad_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["init", "x", "--lang", "de"])
    assert result.exit_code == 2
    assert "Invalid value for '--lang'" in result.output


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tender", "check", str(tmp_path / "missing")], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert (
        done.stderr
        == f"Error: campaign folder {tmp_path / 'missing'} does not exist; create one with 'tender init {tmp_path / 'missing'}'\n"
    )
    assert "Traceback" not in done.stderr


def test_a_file_where_a_folder_is_expected_is_one_line_exit_2(campaign_dir: Path) -> None:
    import shutil

    shutil.rmtree(campaign_dir / "sheets")
    (campaign_dir / "sheets").write_text("not a folder")
    result = CliRunner().invoke(cli, ["sheets", str(campaign_dir)])
    assert result.exit_code == 2
    # The progress bar's label (stderr) comes first; the error is the one last line.
    assert result.output.splitlines()[-1] == f"Error: cannot use {campaign_dir / 'sheets'}: Not a directory"
    assert "Traceback" not in result.output


def run_main(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``tender.cli.main`` in a fresh interpreter, after ``code`` (e.g. registering an exit handler)."""
    script = f"import sys\n{code}\nsys.argv = ['tender', *sys.argv[1:]]\nfrom tender.cli import main\nmain()\n"
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120)


def test_main_keeps_exit_codes_output_and_exit_handlers(tmp_path: Path) -> None:
    # main() ends the process with os._exit: the streams must still be flushed and atexit handlers run.
    handler = "import atexit; atexit.register(lambda: print('handler ran', file=sys.stderr))"
    done = run_main(handler, "--version")
    assert done.returncode == 0
    assert done.stdout.startswith("tender, version ")
    assert done.stderr == "handler ran\n"

    missing = tmp_path / "missing"
    done = run_main(handler, "check", str(missing))
    assert done.returncode == 2
    assert done.stderr.startswith(f"Error: campaign folder {missing} does not exist")
    assert done.stderr.endswith("handler ran\n")

    done = run_main("", "no-such-command")
    assert done.returncode == 2
    assert "No such command 'no-such-command'" in done.stderr


def test_main_is_quiet_when_the_reader_stops_early() -> None:
    # `tender --help | head -c 1`: the pipe closes before the output is written. click answers
    # with exit code 1 and no message; the end of main() must not add Python's "Exception ignored".
    process = subprocess.Popen(
        [sys.executable, "-m", "tender", "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert error == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full, a device that is always full")
@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "Error: cannot write the output: No space left on device\n"),
        ("fr", "Erreur : impossible d'écrire la sortie : No space left on device\n"),
    ],
)
def test_output_to_a_full_disk_is_one_line_not_a_traceback(tmp_path: Path, language: str, line: str) -> None:
    command = [sys.executable, "-m", "tender", "init", str(tmp_path / "c"), "--lang", language]
    with open("/dev/full", "w") as full:
        done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True)
    assert (done.returncode, done.stderr) == (2, line)
    assert (tmp_path / "c" / "criteria.xlsx").is_file()  # the campaign itself was written


def test_a_french_campaign_gets_its_errors_in_french(tmp_path: Path) -> None:
    from tender.campaign import init_campaign

    root = init_campaign(tmp_path / "campagne", language="fr").root
    wb = openpyxl.load_workbook(root / "criteria.xlsx")
    wb["Critères"]["F3"] = "lourd"
    wb.save(root / "criteria.xlsx")
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 2
    assert result.output == (
        "Erreur : le poids 'lourd' n'est pas un nombre >= 0 (criteria.xlsx, feuille Critères, cellule F3)\n"
    )

    (root / "testers.xlsx").unlink()
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 2
    assert result.output == (
        f"Erreur : {root} n'est pas une campagne complète : il manque testers.xlsx ; "
        "créez-en une avec « tender init »\n"
    )

    result = CliRunner().invoke(cli, ["init", str(root), "--lang", "fr"])
    assert result.exit_code == 2
    assert result.output.startswith(f"Erreur : {root} contient déjà une campagne (tender.yaml, criteria.xlsx")
    # The same folder asked for in English gets English words.
    result = CliRunner().invoke(cli, ["init", str(root)])
    assert result.output.startswith(f"Error: {root} already holds a campaign")


def test_the_lifecycle_in_help_lists_every_command() -> None:
    text = CliRunner().invoke(cli, ["--help"]).output
    lifecycle = text.split("Lifecycle:")[1].split("Options:")[0]
    assert sorted(line.split()[1] for line in lifecycle.strip().splitlines()) == sorted(cli.commands)


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "Error: name contains a control character (U+001B); remove it (vendors.xlsx, sheet Vendors, cell B2)\n"),
        (
            "fr",
            "Erreur : nom contient un caractère de contrôle (U+001B) ; supprimez-le "
            "(vendors.xlsx, feuille Fournisseurs, cellule B2)\n",
        ),
    ],
)
def test_check_refuses_a_vendor_name_with_a_control_character(tmp_path: Path, language: str, line: str) -> None:
    """`Evil_x001B_]0;PWNED_x0007_` passed check, then score printed the escape sequence (it sets a window title)."""
    from tender.campaign import init_campaign

    root = init_campaign(tmp_path / "c", language=language).root
    wb = openpyxl.load_workbook(root / "vendors.xlsx")
    for row in (2, 3, 4):
        wb.active.cell(row=row, column=4).value = 5.5
    # The file carries the escape; the reader decodes it to ESC and BEL (openpyxl refuses the real characters).
    wb.active["B2"] = "Evil_x001B_]0;PWNED_x0007_"
    wb.save(root / "vendors.xlsx")
    for command in ("check", "score", "sheets"):
        result = CliRunner().invoke(cli, [command, str(root)])
        assert (result.exit_code, result.output) == (2, line), command
    assert not (root / "sheets").exists() or not any((root / "sheets").iterdir())
