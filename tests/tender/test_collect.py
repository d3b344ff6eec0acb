"""tender sheets / collect / status end to end: archive first, accept whole or reject whole, supersede, report."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from tender import collect as collect_module
from tender.campaign import init_campaign, load_campaign
from tender.cli import cli
from tender.collect import collect, find_workbooks, is_lock_file, make_sheets
from vendors import ledger
from vendors.io import write_testers, write_vendors
from vendors.workbook import META_SHEET, fill_workbook

GOOD = {"V1": {"PRO-01": (4, "Easy to find"), "PRO-02": ("3", "")}, "V3": {"PRO-01": ("N/A", "")}}
BAD = {"V1": {"PRO-01": (7, "")}, "V2": {"PRO-02": ("abc", "")}}
#: Valid scores that favour one vendor, as a tester voting twice would give them.
BAD_FREE = {"V1": {"PRO-01": (5, ""), "PRO-02": (5, "")}, "V2": {"PRO-01": (0, "")}}
SCORE_EXPECTED = "a whole number from 0 to 5, N/A or an empty cell"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fill(root: Path, tester: str, answers: dict, name: str | None = None, mtime: int | None = None) -> Path:
    """A tester's filled workbook dropped into the inbox (modification time set to order the batch)."""
    target = fill_workbook(root / "sheets" / f"{tester}.xlsx", root / "inbox" / (name or f"{tester}.xlsx"), answers)
    if mtime is not None:
        os.utime(target, (mtime, mtime))
    return target


def resave(source: Path, fmt: str, outdir: Path) -> Path:
    """Re-save with LibreOffice headless, with a profile of its own."""
    profile = Path("/tmp") / f"rse-tender-lo-{uuid.uuid4().hex}"
    try:
        subprocess.run(
            [
                "/usr/bin/soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(outdir),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return outdir / f"{source.stem}.{fmt}"


@pytest.fixture
def root(campaign_dir: Path) -> Path:
    """An English campaign (V1-V3, T001-T004) with its sheets written by the CLI."""
    result = run("sheets", campaign_dir)
    assert result.exit_code == 0, result.output
    return campaign_dir


def test_sheets_writes_one_workbook_per_tester(campaign_dir: Path) -> None:
    result = run("sheets", campaign_dir)
    version = load_campaign(campaign_dir).criteria.sheet_version()
    assert result.exit_code == 0
    assert result.stdout == (
        f"Wrote 4 workbook(s) to {campaign_dir / 'sheets'} (workbook version {version}).\n"
        f"Send each tester their file; put the returned files in {campaign_dir / 'inbox'} and run: "
        f"tender collect {campaign_dir}\n"
    )
    assert sorted(p.name for p in (campaign_dir / "sheets").iterdir()) == [f"T00{i}.xlsx" for i in range(1, 5)]
    meta = openpyxl.load_workbook(campaign_dir / "sheets" / "T004.xlsx")[META_SHEET]
    assert (meta["B2"].value, meta["B5"].value) == (load_campaign(campaign_dir).settings.campaign_id, "T004")


def edit_criteria(root: Path, cell: str, value: object) -> None:
    wb = openpyxl.load_workbook(root / "criteria.xlsx")
    wb["Criteria"][cell] = value
    wb.save(root / "criteria.xlsx")


def test_a_weight_changed_after_the_sheets_went_out_keeps_them_valid(root: Path) -> None:
    """What testers answer did not change: their workbooks are accepted, and 'tender sheets' may run again."""
    sent = fill(root, "T001", GOOD)
    edit_criteria(root, "F2", 9)  # the weight of the first criterion
    assert run("collect", root).exit_code == 0
    assert [s.status for s in ledger.submissions(root / ".tender" / "ledger.sqlite")] == ["accepted"]
    again = run("sheets", root)
    assert again.exit_code == 0, again.output
    assert "made for other criteria" not in again.output
    assert sent.exists()


def test_sheets_will_not_silently_replace_workbooks_made_for_other_criteria(root: Path) -> None:
    before = {p.name: p.read_bytes() for p in (root / "sheets").iterdir()}
    edit_criteria(root, "C2", "A renamed first criterion")  # the title testers read
    refused = run("sheets", root)
    assert refused.exit_code == 1
    assert refused.output.splitlines()[-1] == (
        f"Error: 4 workbook(s) in {root / 'sheets'} were made for other criteria or another campaign (T001, T002, "
        "T003, T004): testers who already have them would send back workbooks that 'tender collect' rejects. Nothing "
        f"was written. To replace them, run: tender sheets {root} --force, then send every tester their new workbook"
    )
    assert {p.name: p.read_bytes() for p in (root / "sheets").iterdir()} == before
    forced = run("sheets", root, "--force")
    assert forced.exit_code == 0, forced.output
    replaced = "Replaced 4 workbook(s) made for other criteria or another campaign: send those testers their new "
    assert replaced + "workbook (T001, T002, T003, T004)." in forced.output
    # The new copies carry the new version.
    version = load_campaign(root).criteria.sheet_version()
    meta = openpyxl.load_workbook(root / "sheets" / "T002.xlsx")[META_SHEET]
    assert meta["B4"].value == version


def test_a_tester_added_later_gets_a_workbook_without_touching_the_others(root: Path) -> None:
    campaign = load_campaign(root)
    testers = [*campaign.testers, dataclasses.replace(campaign.testers[0], id="T005", name="Eve", email="")]
    write_testers(testers, root / "testers.xlsx")
    result = run("sheets", root)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote 5 workbook(s) to {root / 'sheets'} (")
    assert (root / "sheets" / "T005.xlsx").exists()


def test_workbooks_made_before_the_sheet_version_existed_are_still_accepted(root: Path, tmp_path: Path) -> None:
    """Workbooks written by rse-tender 0.1 carry the full criteria hash; the criteria did not change since."""
    campaign = load_campaign(root)
    old = tmp_path / "T003.xlsx"

    wb = openpyxl.load_workbook(root / "sheets" / "T003.xlsx")
    assert wb[META_SHEET]["A4"].value == "criteria_version"
    wb[META_SHEET]["B4"] = campaign.criteria.version()
    wb.save(old)
    fill_workbook(old, root / "inbox" / "T003.xlsx", GOOD)
    assert run("collect", root).exit_code == 0
    assert run("sheets", root).exit_code == 0  # and 'tender sheets' does not take them for other criteria


def test_sheets_to_another_folder(campaign_dir: Path, tmp_path: Path) -> None:
    result = run("sheets", campaign_dir, "-o", tmp_path / "outgoing")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote 4 workbook(s) to {tmp_path / 'outgoing'} (")
    assert len(list((tmp_path / "outgoing").glob("T00?.xlsx"))) == 4
    assert not list((campaign_dir / "sheets").iterdir())


def test_collect_archives_validates_and_reports(root: Path, tmp_path: Path) -> None:
    t1 = fill(root, "T001", GOOD, mtime=1_000)
    t2 = fill(root, "T002", BAD, mtime=2_000)
    t3 = resave(fill_workbook(root / "sheets" / "T003.xlsx", tmp_path / "T003.xlsx", GOOD), "ods", root / "inbox")
    os.utime(t3, (3_000, 3_000))
    (root / "inbox" / "~$T001.xlsx").write_bytes(b"owner lock")
    (root / "inbox" / ".~lock.T001.xlsx#").write_text("lock")
    (root / "inbox" / "readme.txt").write_text("not a workbook")
    result = run("collect", root)
    problems_file = root / "out" / "collect-problems.xlsx"
    assert result.exit_code == 1
    assert result.stdout == (
        "Accepted T001.xlsx (tester T001).\n"
        "Rejected T002.xlsx: 2 problem(s).\n"
        f"  T002.xlsx, sheet Vendor A, cell E4: found 7; expected {SCORE_EXPECTED}\n"
        f'  T002.xlsx, sheet Vendor B, cell E5: found "abc"; expected {SCORE_EXPECTED}\n'
        "Accepted T003.ods (tester T003).\n"
        "3 file(s): 2 accepted, 1 rejected, 0 unchanged, 0 superseded.\n"
        f"Every problem is listed in {problems_file}; send each tester the lines of their file.\n"
    )
    assert result.stderr.endswith(f"Error: 1 workbook(s) rejected; see {problems_file}\n")
    archive = root / ".tender" / "archive"
    assert sorted(p.name for p in archive.iterdir()) == sorted([f"{sha(t1)}.xlsx", f"{sha(t2)}.xlsx", f"{sha(t3)}.ods"])
    assert (archive / f"{sha(t3)}.ods").read_bytes() == t3.read_bytes()
    rows = [tuple(c.value for c in row) for row in openpyxl.load_workbook(problems_file).active.iter_rows()]
    t002 = next(t for t in load_campaign(root).testers if t.id == "T002")
    assert t002.name
    assert t002.email
    assert rows == [
        ("File", "Tester", "Name", "E-mail", "Sheet", "Cell", "Found", "Expected"),
        ("T002.xlsx", "T002", t002.name, t002.email, "Vendor A", "E4", "7", SCORE_EXPECTED),
        ("T002.xlsx", "T002", t002.name, t002.email, "Vendor B", "E5", '"abc"', SCORE_EXPECTED),
    ]
    subs = ledger.submissions(root / ".tender" / "ledger.sqlite")
    assert [(s.path, s.tester, s.status, s.sha256) for s in subs] == [
        ("inbox/T001.xlsx", "T001", "accepted", sha(t1)),
        ("inbox/T002.xlsx", "T002", "rejected", sha(t2)),
        ("inbox/T003.ods", "T003", "accepted", sha(t3)),
    ]
    scores = ledger.current_scores(root / ".tender" / "ledger.sqlite")
    assert scores.groupby("tester").size().to_dict() == {"T001": 195, "T003": 195}
    first = scores[(scores["vendor"] == "V1") & (scores["criterion"].isin(["PRO-01", "PRO-02"]))]
    assert first[["tester", "criterion", "score", "comment"]].values.tolist() == [
        ["T001", "PRO-01", 4.0, "Easy to find"],
        ["T001", "PRO-02", 3.0, ""],
        ["T003", "PRO-01", 4.0, "Easy to find"],
        ["T003", "PRO-02", 3.0, ""],
    ]
    na = scores[(scores["vendor"] == "V3") & (scores["criterion"] == "PRO-01")]
    assert na[["score", "na"]].isna().values.tolist() == [[True, False], [True, False]]
    assert na["na"].tolist() == [True, True]


def test_collecting_again_is_a_no_op_for_accepted_files(root: Path) -> None:
    """An accepted file collected again is unchanged; a rejected one is checked again and its problems listed again."""
    fill(root, "T001", GOOD, mtime=1_000)
    fill(root, "T002", BAD, mtime=2_000)
    first = run("collect", root)
    assert first.exit_code == 1
    subs = ledger.submissions(root / ".tender" / "ledger.sqlite")
    (root / "out" / "collect-problems.xlsx").unlink()
    result = run("collect", root)
    problems_file = root / "out" / "collect-problems.xlsx"
    assert result.exit_code == 1
    assert result.stdout == (
        "Rejected T002.xlsx: 2 problem(s).\n"
        f"  T002.xlsx, sheet Vendor A, cell E4: found 7; expected {SCORE_EXPECTED}\n"
        f'  T002.xlsx, sheet Vendor B, cell E5: found "abc"; expected {SCORE_EXPECTED}\n'
        "2 file(s): 0 accepted, 1 rejected, 1 unchanged, 0 superseded.\n"
        f"Every problem is listed in {problems_file}; send each tester the lines of their file.\n"
    )
    assert problems_file.exists()
    assert ledger.submissions(root / ".tender" / "ledger.sqlite") == subs  # the same rows, received times included
    assert len(list((root / ".tender" / "archive").iterdir())) == 2


def test_latest_workbook_of_a_tester_supersedes(root: Path, tmp_path: Path) -> None:
    fill(root, "T001", {"V1": {"PRO-01": (1, "")}}, name="T001 first.xlsx", mtime=1_000)
    fill(root, "T001", {"V1": {"PRO-01": (2, "")}}, name="T001 second.xlsx", mtime=2_000)
    result = run("collect", root)
    assert result.exit_code == 0
    assert result.stdout == (
        "Accepted T001 first.xlsx (tester T001).\n"
        "Accepted T001 second.xlsx (tester T001), replacing an earlier workbook.\n"
        "2 file(s): 2 accepted, 0 rejected, 0 unchanged, 1 superseded.\n"
    )
    late = fill_workbook(root / "sheets" / "T001.xlsx", tmp_path / "mail" / "T001.xlsx", {"V1": {"PRO-01": (5, "")}})
    result = run("collect", root, late)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "1 file(s): 1 accepted, 0 rejected, 0 unchanged, 1 superseded."
    subs = ledger.submissions(root / ".tender" / "ledger.sqlite")
    assert [(s.name, s.status) for s in subs] == [
        ("T001 first.xlsx", "superseded"),
        ("T001 second.xlsx", "superseded"),
        ("T001.xlsx", "accepted"),
    ]
    assert subs[-1].path == str((tmp_path / "mail" / "T001.xlsx").resolve())
    scores = ledger.current_scores(root / ".tender" / "ledger.sqlite")
    assert scores.loc[(scores["vendor"] == "V1") & (scores["criterion"] == "PRO-01"), "score"].tolist() == [5.0]


def test_workbook_of_another_campaign_is_rejected(root: Path, tmp_path: Path) -> None:
    other = init_campaign(tmp_path / "other", language="en").root
    assert run("sheets", other).exit_code == 0
    stranger = fill_workbook(other / "sheets" / "T001.xlsx", root / "inbox" / "T001.xlsx", GOOD)
    result = run("collect", root)
    ours, theirs = load_campaign(root).settings.campaign_id, load_campaign(other).settings.campaign_id
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "Rejected T001.xlsx: 1 problem(s).",
        f"  T001.xlsx, sheet tender-meta, cell B2: found campaign '{theirs}'; expected campaign '{ours}': this "
        "workbook belongs to another campaign",
    ]
    assert sha(stranger) in {p.stem for p in (root / ".tender" / "archive").iterdir()}


def test_a_draft_replaced_by_an_accepted_workbook_is_not_sent_back(root: Path) -> None:
    """The problems file is for the testers: a draft they already replaced with a good workbook needs nothing."""
    fill(root, "T002", BAD, name="T002 (draft).xlsx", mtime=1_000)
    fill(root, "T002", GOOD, mtime=2_000)
    result = run("collect", root)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    index = lines.index("Rejected T002 (draft).xlsx: 2 problem(s).")
    assert lines[index + 3] == "  A later workbook of T002 was accepted: nothing to send back for this file."
    assert "see " not in result.stdout
    assert not (root / "out" / "collect-problems.xlsx").exists()


def test_a_bad_workbook_sent_after_a_good_one_is_sent_back(root: Path) -> None:
    fill(root, "T002", GOOD, mtime=1_000)
    fill(root, "T002", BAD, name="T002 (again).xlsx", mtime=2_000)
    result = run("collect", root)
    assert result.exit_code == 1
    assert "nothing to send back" not in result.stdout
    sheet = openpyxl.load_workbook(root / "out" / "collect-problems.xlsx").active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"T002 (again).xlsx"}


def test_status_per_tester_per_vendor_and_missing(root: Path) -> None:
    fill(root, "T001", GOOD, mtime=1_000)
    fill(root, "T002", BAD, mtime=2_000)
    fill(root, "T003", {"V1": {"PRO-02": (2, "")}}, mtime=3_000)
    run("collect", root)
    subs = {s.tester: s for s in ledger.submissions(root / ".tender" / "ledger.sqlite")}
    d1, d3 = (subs[t].received.astimezone().strftime("%Y-%m-%d %H:%M") for t in ("T001", "T003"))
    result = run("status", root)
    assert result.exit_code == 0
    assert result.stdout == (
        "Testers: 2 of 4 have a current workbook.\n"
        "\n"
        "Tester  Name            Received  Current file  Date              Rejected\n"
        f"T001    Camille Martin  1         T001.xlsx     {d1}  0\n"
        "T002    Julien Bernard  1         -             -                 1\n"
        f"T003    Nadia Dubois    1         T003.xlsx     {d3}  0\n"
        "T004    Thomas Lefèvre  0         -             -                 0\n"
        "\n"
        "Current workbooks with scores, per vendor:\n"
        "  V1  Vendor A: 2\n"
        "  V2  Vendor B: 0\n"
        "  V3  Vendor C: 0\n"  # T001 answered only N/A for it: no score, as `tender score` says
        "\n"
        "Missing (2):\n"
        "  T002  Julien Bernard <tester2@example.org> — 1 rejected file(s)\n"
        "  T004  Thomas Lefèvre <tester4@example.org>\n"
    )


def test_status_names_files_of_unknown_testers_and_files_that_name_none(root: Path) -> None:
    """A tester removed from testers.xlsx, and a file that is not a workbook: neither counts, both are named."""
    fill(root, "T001", GOOD, mtime=1_000)
    fill(root, "T002", GOOD, mtime=2_000)
    (root / "inbox" / "notes.txt.xlsx").write_bytes(b"not a workbook")
    run("collect", root)
    write_testers([t for t in load_campaign(root).testers if t.id != "T002"], root / "testers.xlsx")
    lines = run("status", root).stdout.splitlines()
    assert "  V1  Vendor A: 1" in lines  # T002's workbook no longer counts, as in `tender score`
    assert lines[-1] == "2 file(s) not linked to a tester of testers.xlsx (tester: T002, unknown)."


def test_status_before_anything_was_collected(campaign_dir: Path) -> None:
    result = run("status", campaign_dir)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Testers: 0 of 4 have a current workbook."
    assert lines[-5:] == [
        "Missing (4):",
        "  T001  Camille Martin <tester1@example.org>",
        "  T002  Julien Bernard <tester2@example.org>",
        "  T003  Nadia Dubois <tester3@example.org>",
        "  T004  Thomas Lefèvre <tester4@example.org>",
    ]
    assert not (campaign_dir / ".tender" / "ledger.sqlite").exists()


def test_nothing_to_collect(root: Path) -> None:
    result = run("collect", root)
    assert result.exit_code == 0
    assert result.stdout == f"No workbook to collect in {root / 'inbox'}.\n"


def test_missing_campaign_is_a_usage_error(tmp_path: Path) -> None:
    for command in ("sheets", "collect", "status"):
        result = run(command, tmp_path / "nowhere")
        assert result.exit_code == 2
        assert result.stderr == (
            f"Error: campaign folder {tmp_path / 'nowhere'} does not exist; create one with "
            f"'tender init {tmp_path / 'nowhere'}'\n"
        )


def test_french_campaign_speaks_french(tmp_path: Path) -> None:
    root = init_campaign(tmp_path / "fr", language="fr").root
    assert run("sheets", root).stdout.startswith("4 classeur(s) écrit(s) dans ")
    fill(root, "T002", {"V2": {"PRO-01": ("4,5", "")}})
    result = run("collect", root)
    problems_file = root / "out" / "collect-problems.xlsx"
    assert result.exit_code == 1
    assert result.stdout == (
        "Refusé : T002.xlsx : 1 problème(s).\n"
        '  T002.xlsx, feuille Fournisseur B, cellule E4 : trouvé "4,5" ; attendu un nombre entier de 0 à 5, N/A ou '
        "une cellule vide\n"
        "1 fichier(s) : 0 accepté(s), 1 refusé(s), 0 inchangé(s), 0 remplacé(s).\n"
        f"Tous les problèmes sont listés dans {problems_file} ; envoyez à chaque testeur les lignes de son fichier.\n"
    )
    assert result.stderr.endswith(f"Erreur : 1 classeur(s) refusé(s) ; voir {problems_file}\n")
    header = [c.value for c in openpyxl.load_workbook(problems_file).active[1]]
    assert header == ["Fichier", "Testeur", "Nom", "Courriel", "Feuille", "Cellule", "Trouvé", "Attendu"]
    assert run("status", root).stdout.startswith("Testeurs : 0 sur 4 ont un classeur en cours.\n")


def test_process_pool_gives_the_serial_result(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(root, "T001", GOOD, mtime=1_000)
    fill(root, "T002", BAD, mtime=2_000)
    fill(root, "T003", {"V2": {"PRO-01": (0, "no")}}, mtime=3_000)
    fill(root, "T004", GOOD, name="T004 v1.xlsx", mtime=4_000)
    fill(root, "T004", {"V2": {"PRO-02": ("N/A", "")}}, name="T004 v2.xlsx", mtime=5_000)
    twin = tmp_path / "twin"
    shutil.copytree(root, twin, copy_function=shutil.copy2)
    monkeypatch.setattr(collect_module, "POOL_THRESHOLD", 2)
    pooled = collect(root, jobs=2)
    serial = collect(twin, jobs=1)
    assert [(c.path.name, c.status, c.tester, c.problems) for c in pooled.files] == [
        (c.path.name, c.status, c.tester, c.problems) for c in serial.files
    ]
    assert [c.status for c in pooled.files] == ["accepted", "rejected", "accepted", "accepted", "accepted"]
    assert pooled.superseded == 1
    pd.testing.assert_frame_equal(
        ledger.current_scores(root / ".tender" / "ledger.sqlite"),
        ledger.current_scores(twin / ".tender" / "ledger.sqlite"),
    )


def test_unreadable_file_does_not_stop_the_batch(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(root, "T001", GOOD, mtime=1_000)
    locked = fill(root, "T002", GOOD, mtime=2_000)
    original = collect_module.archive

    def archive(path: Path, folder: Path, writer: object = None) -> object:
        if path.name == locked.name:
            raise collect_module.UnreadableFileError(PermissionError(13, "Permission denied", str(path)))
        return original(path, folder, writer)

    monkeypatch.setattr(collect_module, "archive", archive)
    result = collect(root)
    assert [(c.path.name, c.status) for c in result.files] == [("T001.xlsx", "accepted"), ("T002.xlsx", "rejected")]
    assert result.files[1].problems[0].found == "a file that cannot be read (Permission denied)"
    assert [s.name for s in ledger.submissions(root / ".tender" / "ledger.sqlite")] == ["T001.xlsx"]


def test_archive_tells_a_file_it_cannot_read_from_a_copy_it_cannot_write(root: Path, tmp_path: Path) -> None:
    with pytest.raises(collect_module.UnreadableFileError) as unreadable:
        collect_module.archive(tmp_path / "gone.xlsx", tmp_path / "archive")
    assert isinstance(unreadable.value.error, FileNotFoundError)
    source = fill(root, "T001", GOOD)
    (tmp_path / "taken").write_text("a file where the archive folder should be")
    with pytest.raises(NotADirectoryError) as unwritable:
        collect_module.archive(source, tmp_path / "taken")
    assert unwritable.value.filename == str(tmp_path / "taken")  # the file in the way of the archive folder


def _worker_context(root: Path) -> collect_module._Context:
    """What a worker process is started with, for the campaign in ``root`` (nothing collected yet)."""
    campaign = load_campaign(root)
    return collect_module._Context(
        campaign.paths.archive, frozenset(), collect_module.expected_of(campaign), root.resolve()
    )


def test_a_batch_is_answered_once_every_archived_copy_is_on_disk(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker's batch: the copies are synced while the next files are checked, and all are on disk by the answer."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    paths = [fill(root, tester, GOOD) for tester in ("T001", "T002", "T003")]
    real_write = collect_module.write_bytes_atomic
    written: list[str] = []

    def slow_write(target: Path, data: bytes, *, sync_name: bool = True) -> Path:
        time.sleep(0.2)  # a disk slower than the checks
        written.append(target.name)
        assert not sync_name  # the batch syncs the folder once
        return real_write(target, data, sync_name=sync_name)

    monkeypatch.setattr(collect_module, "write_bytes_atomic", slow_write)
    with ThreadPoolExecutor(1) as writer:
        taken = collect_module._take_batch(paths, _worker_context(root), writer)
        # Looked at before the writer is shut down (which would wait for it): the batch itself waited.
        assert sorted(written) == sorted(t.archive for t in taken)
        for item, path in zip(taken, paths, strict=True):
            assert (root / ".tender" / "archive" / item.archive).read_bytes() == path.read_bytes()
    assert [t.intake.tester if t.intake else None for t in taken] == ["T001", "T002", "T003"]


def test_a_batch_syncs_the_archive_folder_once_its_copies_are_renamed(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copies' names are durable before the ledger hears of them: the folder is synced after the last rename."""
    from concurrent.futures import ThreadPoolExecutor

    paths = [fill(root, tester, GOOD) for tester in ("T001", "T002", "T003")]
    context = _worker_context(root)
    seen: list[tuple[Path, set[str]]] = []

    def recording_sync(folder: Path) -> None:
        seen.append((folder, {p.name for p in folder.iterdir()}))

    monkeypatch.setattr(collect_module, "sync_folder", recording_sync)
    with ThreadPoolExecutor(1) as writer:
        collect_module._take_batch(paths, context, writer)
    assert seen == [(context.folder, {sha(path) + ".xlsx" for path in paths})]


def test_a_copy_that_cannot_be_written_stops_the_batch_once_the_others_are_written(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import time
    from concurrent.futures import ThreadPoolExecutor

    paths = [fill(root, tester, GOOD) for tester in ("T001", "T002", "T003")]
    doomed = sha(paths[1]) + ".xlsx"
    real_write = collect_module.write_bytes_atomic

    def failing_write(target: Path, data: bytes, *, sync_name: bool = True) -> Path:
        time.sleep(0.1)
        if target.name == doomed:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return real_write(target, data, sync_name=sync_name)

    monkeypatch.setattr(collect_module, "write_bytes_atomic", failing_write)
    with ThreadPoolExecutor(1) as writer:
        with pytest.raises(OSError, match="No space left") as stopped:
            collect_module._take_batch(paths, _worker_context(root), writer)
        # Nothing was left half-done behind the error: the other copies were waited for, not abandoned.
        archived = {p.name for p in (root / ".tender" / "archive").iterdir()}
    assert stopped.value.filename.endswith(doomed)
    assert archived == {sha(paths[0]) + ".xlsx", sha(paths[2]) + ".xlsx"}


HEAP_PROBE = """
import ctypes, sys
from tender.collect import _keep_heap

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Mallinfo2
if sys.argv[1] == "keep":
    _keep_heap()
blocks = [bytearray(100_000) for _ in range(30)]  # what one workbook takes, then frees
del blocks
print(libc.mallinfo2().keepcost)
"""


@pytest.mark.skipif(
    not collect_module._on_glibc(), reason="a setting of glibc's allocator; other C libraries are left alone"
)
def test_workers_keep_the_top_of_their_heap_between_workbooks() -> None:
    """A worker's heap keeps 16 MiB at its top after a workbook's memory is freed, instead of shrinking every time."""

    def kept(mode: str) -> int:
        probe = subprocess.run([sys.executable, "-c", HEAP_PROBE, mode], capture_output=True, text=True, check=True)
        return int(probe.stdout)

    assert kept("keep") >= 16 * 2**20
    assert kept("default") < 4 * 2**20


def test_a_worker_answers_only_once_the_archived_copy_is_on_disk(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    from concurrent.futures import ThreadPoolExecutor

    path = fill(root, "T001", GOOD)
    campaign = load_campaign(root)
    real_write = collect_module.write_bytes_atomic

    def slow_write(target: Path, data: bytes, *, sync_name: bool = True) -> Path:
        time.sleep(0.3)  # a disk slower than the check
        return real_write(target, data, sync_name=sync_name)

    monkeypatch.setattr(collect_module, "write_bytes_atomic", slow_write)
    with ThreadPoolExecutor(1) as writer:
        taken = collect_module._take(path, _worker_context(root), writer)
        # Checked before the writer is shut down (which would wait for it): _take itself waited.
        archived = campaign.paths.archive / taken.archive
        assert archived.read_bytes() == path.read_bytes()
    assert taken.intake is not None
    assert taken.intake.accepted
    assert taken.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # What goes back to the main process: the ledger's path and the scores encoded, not the rows themselves.
    assert taken.shown == "inbox/T001.xlsx"
    assert taken.intake.rows == ()
    assert [vendor for _, vendor, _ in taken.sheets] == [v.id for v in campaign.vendors]


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_archive_that_cannot_be_written_stops_the_run_naming_it(
    root: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """A full disk on the collecting side is nobody's workbook problem: the run stops with one line naming the copy."""
    for number in (1, 2, 3):
        fill(root, f"T00{number}", GOOD, mtime=1_000 * number)

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")  # as os.fsync says it: no file name

    monkeypatch.setattr(collect_module, "POOL_THRESHOLD", 2)
    monkeypatch.setattr("criteria.safe._settle", full_disk)  # inherited by the forked workers
    result = CliRunner().invoke(cli, ["collect", str(root), "--jobs", str(jobs)])
    assert result.exit_code == 2
    archive = root / ".tender" / "archive"
    line = result.output.splitlines()[-1]
    assert line.startswith(f"Error: cannot use {archive}{os.sep}")
    assert line.endswith(".xlsx: No space left on device")
    assert "Traceback" not in result.output
    assert ledger.submissions(root / ".tender" / "ledger.sqlite") == []
    assert not list(archive.iterdir())  # no temporary file left behind either
    assert not (root / "out" / collect_module.PROBLEMS_FILE).exists()  # nothing to send to the testers


def test_a_full_ledger_stops_the_run_and_keeps_what_it_recorded(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for number in (1, 2, 3, 4):
        fill(root, f"T00{number}", GOOD, mtime=1_000 * number)
    connect = ledger.connect

    def small(path: Path, campaign_id: str | None = None) -> sqlite3.Connection:
        conn = connect(path, campaign_id)
        # SQLite's own 'database or disk is full' once the file reaches this many pages, as on a full disk.
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 3}")
        return conn

    monkeypatch.setattr(ledger, "connect", small)
    result = CliRunner().invoke(cli, ["collect", str(root), "--jobs", "1"])
    assert result.exit_code == 2
    ledger_path = root / ".tender" / "ledger.sqlite"
    assert result.output.splitlines()[-1] == f"Error: cannot use {ledger_path}: No space left on device"
    recorded = ledger.submissions(ledger_path)
    assert 0 < len(recorded) < 4  # each workbook is its own transaction: those before the full page stay
    assert [s.tester for s in recorded] == [f"T00{n}" for n in range(1, len(recorded) + 1)]


@pytest.mark.parametrize("command", ["collect", "status", "score", "report"])
def test_a_damaged_ledger_is_one_line_naming_it(root: Path, command: str) -> None:
    fill(root, "T001", GOOD)
    assert run("collect", root).exit_code == 0
    ledger_path = root / ".tender" / "ledger.sqlite"
    ledger_path.write_bytes(b"not a database, overwritten by mistake\n")
    result = run(command, root)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: the ledger {ledger_path} is damaged (file is not a database); the files it recorded are kept in "
        f"{root / '.tender' / 'archive'}"
    )
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["collect", "status", "score", "report"])
def test_another_campaign_id_is_refused_rather_than_ranked_on_the_old_scores(root: Path, command: str) -> None:
    """tender init --force over a campaign, or campaign_id edited: the ledger holds the earlier campaign's workbooks."""
    fill(root, "T001", GOOD)
    assert run("collect", root).exit_code == 0
    config = root / "tender.yaml"
    before = load_campaign(root).settings.campaign_id
    text = config.read_text(encoding="utf-8")
    assert f"campaign_id: {before}\n" in text
    config.write_text(text.replace(f"campaign_id: {before}\n", "campaign_id: C-other\n"), encoding="utf-8")
    result = run(command, root)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1].startswith(
        f"Error: the ledger {root / '.tender' / 'ledger.sqlite'} holds the workbooks of campaign {before!r}, "
        "not of 'C-other'"
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_init_force_sets_the_earlier_ledger_and_inbox_aside(root: Path, language: str) -> None:
    """tender init --force writes a new campaign (new ID): the earlier one's ledger and workbooks go aside, intact."""
    fill(root, "T001", GOOD)
    assert run("collect", root).exit_code == 0
    before = load_campaign(root).settings.campaign_id
    fill(root, "T002", GOOD)  # arrived after the collect: kept with the earlier campaign too
    result = run("init", root, "--force", "--lang", language)
    assert result.exit_code == 0, result.output
    (replaced,) = root.glob("replaced-*")
    moved = {
        "en": f"The earlier campaign's ledger and inbox were moved to {replaced}\n",
        "fr": f"Le registre et la boîte de réception de la campagne précédente ont été déplacés dans {replaced}\n",
    }
    assert moved[language] in result.output
    assert result.output.endswith(
        {"en": "Edit these files, then run: tender check ", "fr": "Modifiez ces fichiers, puis lancez : tender check "}[
            language
        ]
        + f"{root}\n"
    )
    assert sorted(p.name for p in (replaced / "inbox").iterdir()) == ["T001.xlsx", "T002.xlsx"]
    assert [s.tester for s in ledger.submissions(replaced / ".tender" / "ledger.sqlite", before)] == ["T001"]
    assert (root / "inbox").is_dir()
    assert not any((root / "inbox").iterdir())
    # The new campaign starts from an empty ledger instead of being refused as the earlier one's.
    assert load_campaign(root).settings.campaign_id != before
    status = run("status", root)
    assert status.exit_code == 0, status.output
    assert run("collect", root).exit_code == 0


def test_a_tester_removed_from_testers_xlsx_no_longer_counts(root: Path) -> None:
    """Accepted while listed, then removed from testers.xlsx: left out of the ranking, with a note naming them."""
    vendors = [dataclasses.replace(v, price_per_user_month=10.0) for v in load_campaign(root).vendors]
    write_vendors(vendors, root / "vendors.xlsx")  # priced, as `tender score` requires with a price weight
    fill(root, "T001", GOOD, mtime=1_000)
    fill(root, "T002", GOOD, mtime=2_000)
    assert run("collect", root).exit_code == 0
    assert "from 2 testers' workbooks" in run("score", root).output
    write_testers([t for t in load_campaign(root).testers if t.id != "T002"], root / "testers.xlsx")
    table = run("score", root)
    assert table.exit_code == 0
    assert "from 1 tester's workbook" in table.output
    assert "- Workbooks of testers that testers.xlsx no longer lists were left out: T002." in table.output
    data = json.loads(run("score", root, "--format", "json").output)
    assert data["campaign"]["testers_with_scores"] == 1
    assert "Workbooks of testers that testers.xlsx no longer lists were left out: T002." in data["warnings"]


def test_the_problems_file_describes_the_last_run_only(root: Path) -> None:
    bad = fill(root, "T001", {"V1": {c: (9, "") for c in load_campaign(root).criteria.ids[:2]}}, mtime=1_000)
    problems_file = root / "out" / collect_module.PROBLEMS_FILE
    assert run("collect", root).exit_code == 1
    assert problems_file.exists()
    assert run("collect", root).exit_code == 1  # the same file, checked again: the same list
    assert openpyxl.load_workbook(problems_file).active.max_row == 3
    bad.unlink()  # handled: the tester was sent their lines
    fill(root, "T002", GOOD, mtime=2_000)
    result = run("collect", root)
    assert result.exit_code == 0
    assert not problems_file.exists()  # not left over for the team to send again
    assert "collect-problems" not in result.output


def test_a_file_name_with_a_newline_or_an_escape_stays_on_one_line(root: Path) -> None:
    (root / "inbox" / "two\nlines\x1b[31m.xlsx").write_bytes(b"not a workbook")
    result = run("collect", root)
    assert result.exit_code == 1
    rejected = [line for line in result.stdout.splitlines() if line.startswith("Rejected")]
    assert rejected == ["Rejected two[U+000A]lines[U+001B][31m.xlsx: 1 problem(s)."]
    assert "\x1b" not in result.stdout


def test_an_inbox_that_is_a_file_is_a_layout_error_not_a_rejected_workbook(root: Path) -> None:
    shutil.rmtree(root / "inbox")
    (root / "inbox").write_text("a file where the inbox folder should be")
    result = run("collect", root)
    assert result.exit_code == 2
    assert result.output == f"Error: cannot use {root / 'inbox'}: Not a directory\n"
    assert not (root / ".tender" / "ledger.sqlite").exists()


def test_find_workbooks_skips_lock_files_and_other_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "from mail").mkdir(parents=True)
    names = {
        "b.xlsx": 3,
        "a.ods": 1,
        "from mail/c.XLS": 2,
        "from mail/d.xlsm": 4,
        "~$b.xlsx": 5,
        ".~lock.b.xlsx#": 6,
        "notes.txt": 7,
    }
    for name, mtime in names.items():
        (inbox / name).write_bytes(b"x")
        os.utime(inbox / name, (mtime, mtime))
    found = find_workbooks([inbox, inbox / "b.xlsx", tmp_path / "inbox" / "from mail"])
    assert [p.relative_to(inbox).as_posix() for p in found] == [
        "a.ods",
        "from mail/c.XLS",
        "b.xlsx",
        "from mail/d.xlsm",
    ]
    assert is_lock_file(Path("~$T001.xlsx"))
    assert is_lock_file(Path(".~lock.T001.xlsx#"))
    assert not is_lock_file(Path("T001.xlsx"))


def test_make_sheets_reports_progress(campaign_dir: Path) -> None:
    ticks: list[int] = []
    result = make_sheets(load_campaign(campaign_dir), progress=ticks.append)
    assert ticks == [1, 1, 1, 1]
    assert [p.name for p in result.paths] == ["T001.xlsx", "T002.xlsx", "T003.xlsx", "T004.xlsx"]


def test_oversized_file_is_archived_by_streaming_then_rejected(root: Path) -> None:
    huge = root / "inbox" / "huge.xlsx"
    huge.write_bytes(b"PK\x03\x04" + bytes(21 * 2**20))
    result = collect(root)
    (item,) = result.files
    assert (item.status, item.sha256) == ("rejected", sha(huge))
    assert [(p.found, p.expected) for p in item.problems] == [("a file of 21.0 MiB", "a workbook of at most 20 MiB")]
    copy = root / ".tender" / "archive" / f"{sha(huge)}.xlsx"
    assert copy.read_bytes() == huge.read_bytes()
    assert [p.name for p in (root / ".tender" / "archive").iterdir()] == [copy.name]  # no temporary file left


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_streamed_copy_that_cannot_be_written_stops_the_run_naming_the_archive(
    root: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """The copy of a file too large to check is streamed: its name is not known yet, so the error names the folder."""
    huge = root / "inbox" / "huge.xlsx"
    huge.write_bytes(b"PK\x03\x04" + bytes(21 * 2**20))
    real_fsync = os.fsync

    def full_disk(fd: int) -> None:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.ENOSPC, "No space left on device")  # as os.fsync says it: no file name
        real_fsync(fd)

    def failed_rename(source: str, target: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", source, None, target)  # names the temporary file

    if failing == "fsync":
        monkeypatch.setattr(os, "fsync", full_disk)
    else:
        monkeypatch.setattr(os, "replace", failed_rename)
    result = CliRunner().invoke(cli, ["collect", str(root), "--jobs", "1"])
    archive = root / ".tender" / "archive"
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: cannot use {archive}: No space left on device"
    assert "Traceback" not in result.output
    assert not list(archive.iterdir())  # the partial copy is gone
    assert ledger.submissions(root / ".tender" / "ledger.sqlite") == []


def test_campaign_folder_given_as_path_skips_blank_sheets_and_archive(root: Path) -> None:
    fill(root, "T001", GOOD, mtime=1_000)
    assert run("collect", root).exit_code == 0
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.xlsx").write_bytes(b"x")
    result = run("collect", root, root)
    assert result.exit_code == 0
    assert result.stdout == "1 file(s): 0 accepted, 0 rejected, 1 unchanged, 0 superseded.\n"


def test_long_problem_lists_are_cut_on_screen_but_complete_in_the_file(root: Path) -> None:
    fill(root, "T001", {"V1": {c: (9, "") for c in load_campaign(root).criteria.ids[:12]}})
    result = collect(root)
    assert len(result.files[0].problems) == 12
    lines = result.lines()
    assert lines[0] == "Rejected T001.xlsx: 12 problem(s)."
    assert lines[10] == f"  T001.xlsx, sheet Vendor A, cell E13: found 9; expected {SCORE_EXPECTED}"
    assert lines[11] == f"  … and 2 more problem(s) in {root / 'out' / 'collect-problems.xlsx'}."
    sheet = openpyxl.load_workbook(root / "out" / "collect-problems.xlsx").active
    assert sheet.max_row == 13
    assert str(result.error()) == f"1 workbook(s) rejected; see {root / 'out' / 'collect-problems.xlsx'}"


def test_blank_workbook_cannot_replace_a_filled_one(root: Path) -> None:
    """The untouched workbook of 'tender sheets', dropped in the inbox by mistake, is rejected: the filled one stays."""
    filled = fill(root, "T002", GOOD, mtime=1_000)
    assert run("collect", root).exit_code == 0
    shutil.copy(root / "sheets" / "T002.xlsx", root / "inbox" / "blank_T002.xlsx")
    os.utime(root / "inbox" / "blank_T002.xlsx", (2_000, 2_000))
    result = run("collect", root)
    problems_file = root / "out" / "collect-problems.xlsx"
    assert result.exit_code == 1
    assert result.stdout == (
        "Rejected blank_T002.xlsx: 1 problem(s).\n"
        "  blank_T002.xlsx: found no score in the whole workbook (every score cell is empty); expected at least one "
        "score or N/A; is this the filled version of the workbook?\n"
        "2 file(s): 0 accepted, 1 rejected, 1 unchanged, 0 superseded.\n"
        f"Every problem is listed in {problems_file}; send each tester the lines of their file.\n"
    )
    subs = ledger.submissions(root / ".tender" / "ledger.sqlite")
    assert [(s.name, s.tester, s.status) for s in subs] == [
        ("T002.xlsx", "T002", "accepted"),
        ("blank_T002.xlsx", "T002", "rejected"),
    ]
    assert subs[0].sha256 == sha(filled)
    scores = ledger.current_scores(root / ".tender" / "ledger.sqlite")
    assert scores.loc[scores["score"].notna(), ["tester", "vendor", "criterion", "score"]].values.tolist() == [
        ["T002", "V1", "PRO-01", 4.0],
        ["T002", "V1", "PRO-02", 3.0],
    ]


def test_workbook_rejected_for_the_campaign_is_accepted_once_the_campaign_is_fixed(root: Path) -> None:
    """A tester missing from testers.xlsx: rejected, listed again while still missing, accepted once added."""
    testers = root / "testers.xlsx"
    everyone = testers.read_bytes()
    write_testers([t for t in load_campaign(root).testers if t.id != "T004"], testers)
    t4 = fill(root, "T004", GOOD, mtime=1_000)
    unknown = (
        "  T004.xlsx, sheet tender-meta, cell B5: found tester ID 'T004'; expected a tester ID listed in testers.xlsx"
    )
    first = run("collect", root)
    assert first.exit_code == 1
    assert first.stdout.splitlines()[:2] == ["Rejected T004.xlsx: 1 problem(s).", unknown]
    again = run("collect", root, t4)  # given explicitly, still unknown: rejected again, problems listed again
    assert again.exit_code == 1
    assert again.stdout.splitlines()[:3] == [
        "Rejected T004.xlsx: 1 problem(s).",
        unknown,
        "1 file(s): 0 accepted, 1 rejected, 0 unchanged, 0 superseded.",
    ]
    testers.write_bytes(everyone)
    result = run("collect", root)
    assert result.exit_code == 0
    assert result.stdout == (
        "Accepted T004.xlsx (tester T004).\n1 file(s): 1 accepted, 0 rejected, 0 unchanged, 0 superseded.\n"
    )
    subs = ledger.submissions(root / ".tender" / "ledger.sqlite")
    assert [(s.name, s.tester, s.status, s.problems, s.sha256) for s in subs] == [
        ("T004.xlsx", "T004", "accepted", (), sha(t4))
    ]
    scores = ledger.current_scores(root / ".tender" / "ledger.sqlite")
    assert scores.groupby("tester").size().to_dict() == {"T004": 195}
    assert run("collect", root).stdout == "1 file(s): 0 accepted, 0 rejected, 1 unchanged, 0 superseded.\n"


def test_rejected_workbook_accepted_later_does_not_replace_a_newer_one(root: Path, tmp_path: Path) -> None:
    """Order of collection decides: a first version accepted on a second look stays behind the later one."""
    testers = root / "testers.xlsx"
    everyone = testers.read_bytes()
    write_testers([t for t in load_campaign(root).testers if t.id != "T004"], testers)
    fill(root, "T004", {"V1": {"PRO-01": (1, "")}}, name="T004 v1.xlsx", mtime=1_000)
    assert run("collect", root).exit_code == 1
    testers.write_bytes(everyone)
    v2 = fill_workbook(root / "sheets" / "T004.xlsx", tmp_path / "mail" / "T004 v2.xlsx", {"V1": {"PRO-01": (5, "")}})
    assert run("collect", root, v2).exit_code == 0
    result = run("collect", root)
    assert result.exit_code == 0
    assert result.stdout == (
        "Accepted T004 v1.xlsx (tester T004) as an earlier version: a later workbook stays current.\n"
        "1 file(s): 1 accepted, 0 rejected, 0 unchanged, 0 superseded.\n"
    )
    subs = ledger.submissions(root / ".tender" / "ledger.sqlite")
    assert [(s.name, s.status) for s in subs] == [("T004 v1.xlsx", "superseded"), ("T004 v2.xlsx", "accepted")]
    scores = ledger.current_scores(root / ".tender" / "ledger.sqlite")
    assert scores.loc[scores["score"].notna(), "score"].tolist() == [5.0]
    # The first version's scores are kept with it, as for any superseded workbook.
    with closing(sqlite3.connect(root / ".tender" / "ledger.sqlite")) as conn:
        kept = conn.execute(
            "SELECT c.score FROM scores c JOIN submissions s ON s.seq = c.submission "
            "WHERE s.status = 'superseded' AND c.score IS NOT NULL"
        ).fetchall()
    assert kept == [(1.0,)]


def test_links_in_the_inbox_are_rejected_not_followed(root: Path, tmp_path: Path) -> None:
    """A link unpacked from a tester's archive could point at any file the collecting account reads."""
    good = fill(root, "T001", GOOD)
    outside = fill(root, "T002", GOOD, name="T002.xlsx")
    elsewhere = tmp_path / "elsewhere.xlsx"
    outside.rename(elsewhere)  # a genuine workbook, but outside the inbox
    inbox = root / "inbox"
    (inbox / "passwd.xlsx").symlink_to("/etc/passwd")
    (inbox / "T002.xlsx").symlink_to(elsewhere)
    (inbox / "dangling.xlsx").symlink_to(tmp_path / "nothing.xlsx")
    result = run("collect", root)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"Accepted {good.name} (tester T001)." in lines
    for name in ("passwd.xlsx", "T002.xlsx", "dangling.xlsx"):
        index = lines.index(f"Rejected {name}: 1 problem(s).")
        assert lines[index + 1] == (
            f"  {name}: found a link to another file; expected the workbook itself: links are not followed "
            "(a link could point anywhere)"
        )
    # Nothing of what the links point at was copied into the archive.
    archived = [p.read_bytes() for p in (root / ".tender" / "archive").iterdir()]
    assert archived == [good.read_bytes()]


@pytest.mark.parametrize(
    ("command", "sql", "words"),
    [
        ("status", "UPDATE sheets SET rows = 'not json'", "is damaged (submission 1: Expecting value"),
        ("score", "UPDATE submissions SET tester = NULL", "is damaged (submission 1: tester None is not a text)"),
        ("status", "UPDATE submissions SET received = 'garbage'", "is damaged (submission 1: Invalid isoformat"),
        ("collect", "UPDATE meta SET value = 'abc' WHERE key = 'schema_version'", "is damaged (schema version 'abc'"),
        (
            "collect",
            "CREATE TRIGGER quiet BEFORE INSERT ON meta BEGIN UPDATE submissions SET status = 'superseded'; END;",
            "holds the trigger 'quiet', which rse-tender did not create",
        ),
    ],
)
def test_a_tampered_ledger_is_one_line_naming_it(root: Path, command: str, sql: str, words: str) -> None:
    fill(root, "T001", GOOD)
    assert run("collect", root).exit_code == 0
    ledger_path = root / ".tender" / "ledger.sqlite"
    with closing(sqlite3.connect(ledger_path)) as conn:
        conn.executescript(sql)
        before = conn.execute("SELECT * FROM submissions").fetchall()
    fill(root, "T002", GOOD)
    result = run(command, root)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert line.startswith(f"Error: the ledger {ledger_path} {words}")
    assert line.endswith(f"{root / '.tender' / 'archive'}")
    with closing(sqlite3.connect(ledger_path)) as conn:
        assert conn.execute("SELECT * FROM submissions").fetchall() == before  # a planted trigger never ran


def test_a_workbook_sent_in_another_testers_name_does_not_count(root: Path, tmp_path: Path) -> None:
    """A tester edits the hidden tester ID of their own workbook to vote again as a colleague."""
    fill(root, "T001", GOOD, mtime=1_000)
    mine = fill_workbook(root / "sheets" / "T002.xlsx", tmp_path / "mine.xlsx", BAD_FREE)
    book = openpyxl.load_workbook(mine)
    book[META_SHEET]["B5"] = "T001"
    book.save(root / "inbox" / "T001 (again).xlsx")
    os.utime(root / "inbox" / "T001 (again).xlsx", (2_000, 2_000))
    result = run("collect", root)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    index = lines.index("Rejected T001 (again).xlsx: 1 problem(s).")
    assert lines[index + 1].startswith(
        "  T001 (again).xlsx, sheet tender-meta, cell B10: found a workbook that was not issued to tester T001"
    )
    current = {
        s.tester: s.name for s in ledger.submissions(root / ".tender" / "ledger.sqlite") if s.status == "accepted"
    }
    assert current == {"T001": "T001.xlsx"}  # the genuine workbook still counts
