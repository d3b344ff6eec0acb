"""Crashes and concurrency: kill -9 at any point, two collects at once, a hostile inbox; nothing is lost or half-done.

The commands run as real processes, killed with SIGKILL. Some runs are instrumented by a wrapper
script (WRAPPER below) so that the kill lands exactly inside a ledger transaction, or between
writing a temporary file and renaming it over the target; the others are killed at random points.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from tender.campaign import Campaign, init_campaign, load_campaign
from tender.collect import make_sheets
from tests import hostile
from vendors import model

VENDORS = 3
CRITERIA = 65
ROWS = VENDORS * CRITERIA  # score rows of one accepted workbook
TITLES = {"V1": "Vendor A", "V2": "Vendor B", "V3": "Vendor C"}

#: Runs the CLI after optional instrumentation; SLOW_RECORD pauses inside each ledger transaction and logs it,
#: HANG_ON_FSYNC announces the fsync of an atomic write and then waits to be killed.
WRAPPER = r"""
import contextlib, os, sys, time
mode, log = sys.argv[1], sys.argv[2]
if mode == "SLOW_RECORD":
    from vendors import ledger
    original_record, original_immediate = ledger.record, ledger._immediate

    def record(conn, sha256, *args, **kwargs):
        with open(log, "a") as out:
            out.write(f"begin {sha256}\n")
        done = original_record(conn, sha256, *args, **kwargs)
        with open(log, "a") as out:
            out.write(f"end {sha256}\n")
        return done

    @contextlib.contextmanager
    def immediate(conn):
        with original_immediate(conn) as c:
            yield c
            time.sleep(0.03)  # still inside the transaction: a kill now must roll it back

    ledger.record, ledger._immediate = record, immediate
elif mode == "HANG_ON_FSYNC":
    real_fsync = os.fsync

    def fsync(fd):
        real_fsync(fd)
        with open(log, "a") as out:
            out.write(f"fsync {os.readlink(f'/proc/self/fd/{fd}')}\n")
        time.sleep(60)

    os.fsync = fsync
from tender.cli import cli
cli(sys.argv[3:], prog_name="tender")
"""


def tender(*args: str | Path, mode: str = "PLAIN", log: Path | None = None) -> subprocess.Popen[str]:
    """Start a real `tender` process (instrumented by WRAPPER when ``mode`` says so)."""
    command = [sys.executable, "-c", WRAPPER, mode, str(log or os.devnull), *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL


def wait_for(log: Path, predicate, timeout: float = 120) -> list[str]:  # type: ignore[no-untyped-def]
    """Poll the instrumentation log until ``predicate(lines)`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines() if log.exists() else []
        if predicate(lines):
            return lines
        time.sleep(0.005)
    raise AssertionError(f"{log.name}: timed out; log holds {log.read_text() if log.exists() else 'nothing'}")


def make_campaign(root: Path, testers: int) -> Campaign:
    people = tuple(model.Tester(f"T{i:03d}", f"Tester {i}", f"t{i}@example.org", {}) for i in range(1, testers + 1))
    offers = tuple(model.Vendor(vendor, title, 1000.0 * k, 2.0 + k) for k, (vendor, title) in enumerate(TITLES.items()))
    init_campaign(root, vendors=offers, testers=people, extra_settings={"sensitivity": {"draws": 200}})
    campaign = load_campaign(root)
    make_sheets(campaign)
    return campaign


def scored(root: Path, tester: str, value: int, name: str | None = None, mtime: int = 0) -> Path:
    """Tester's workbook with ``value`` as the score of PRO-01 and PRO-02 for every vendor, dropped in the inbox."""
    data = (root / "sheets" / f"{tester}.xlsx").read_bytes()
    for title in TITLES.values():
        for reference in ("E4", "E5"):
            data = hostile.set_cell(data, title, reference, f'<c r="{reference}"><v>{value}</v></c>')
    target = root / "inbox" / (name or f"{tester}.xlsx")
    target.write_bytes(data)
    os.utime(target, (mtime, mtime))
    return target


def broken(root: Path, tester: str, mtime: int) -> Path:
    """A workbook rejected for a score off the scale."""
    data = hostile.set_cell(
        (root / "sheets" / f"{tester}.xlsx").read_bytes(), "Vendor A", "E4", '<c r="E4"><v>9</v></c>'
    )
    target = root / "inbox" / f"{tester} (bad).xlsx"
    target.write_bytes(data)
    os.utime(target, (mtime, mtime))
    return target


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ledger_rows(root: Path) -> dict[str, tuple[str, str | None, int]]:
    """sha256 -> (status, tester, number of score rows), after checking the database itself."""
    path = root / ".tender" / "ledger.sqlite"
    if not path.exists():
        return {}
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute(
            "SELECT s.sha256, s.status, s.tester, COUNT(c.position) FROM submissions s "
            "LEFT JOIN scores c ON c.submission = s.seq GROUP BY s.seq"
        ).fetchall()
    return {sha: (status, tester, count) for sha, status, tester, count in rows}


def assert_whole(root: Path) -> dict[str, tuple[str, str | None, int]]:
    """Every recorded workbook is whole: accepted and superseded ones with all their rows, rejected with none,
    at most one current workbook per tester, and its bytes in the archive."""
    rows = ledger_rows(root)
    for digest, (status, _, count) in rows.items():
        assert count == (0 if status == "rejected" else ROWS), (digest, status, count)
        (archived,) = (root / ".tender" / "archive").glob(f"{digest}.*")
        assert sha(archived) == digest
    current = [tester for status, tester, _ in rows.values() if status == "accepted"]
    assert len(current) == len(set(current))
    return rows


def current_scores(root: Path) -> dict[str, float]:
    """Tester -> the score of PRO-01 for V1 in their current workbook."""
    with closing(sqlite3.connect(root / ".tender" / "ledger.sqlite")) as conn:
        rows = conn.execute(
            "SELECT s.tester, c.score FROM scores c JOIN submissions s ON s.seq = c.submission "
            "WHERE s.status = 'accepted' AND c.vendor = 'V1' AND c.criterion = 'PRO-01'"
        ).fetchall()
    return dict(rows)


# -------------------------------------------------------------------------------------------- kill -9 in collect


@pytest.fixture(scope="module")
def inbox_of_twenty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A campaign of 16 testers: 16 good workbooks, 2 newer versions and 2 rejected ones in the inbox."""
    root = tmp_path_factory.mktemp("kill") / "c"
    make_campaign(root, 16)
    for i in range(1, 17):
        scored(root, f"T{i:03d}", i % 6, mtime=1_000 + i)
    scored(root, "T003", 5, "T003 v2.xlsx", mtime=2_000)
    scored(root, "T007", 4, "T007 v2.xlsx", mtime=2_001)
    broken(root, "T010", mtime=1_500)
    broken(root, "T011", mtime=1_501)
    return root


def test_kill_9_during_collect_leaves_each_workbook_whole_and_loses_nothing(inbox_of_twenty: Path) -> None:
    """Killed inside a ledger transaction again and again, then run to the end: every workbook exactly once."""
    root = inbox_of_twenty
    rng = random.Random(8)
    files = sorted((root / "inbox").iterdir())
    before: dict[str, tuple[str, str | None, int]] = {}
    rolled_back = 0
    for round_ in range(5):
        log = root.parent / f"round{round_}.log"
        process = tender("collect", root, mode="SLOW_RECORD", log=log)
        # Kill while recording the k-th new workbook of this run, inside its transaction.
        k = rng.randint(1, 3)
        lines = wait_for(log, lambda lines, k=k: sum(line.startswith("begin") for line in lines) >= k)
        kill(process)
        lines = log.read_text().splitlines()
        open_ = {line.split()[1] for line in lines if line.startswith("begin")} - {
            line.split()[1] for line in lines if line.startswith("end")
        }
        after = assert_whole(root)
        # Nothing recorded is ever lost; the workbook whose transaction was open is absent (rolled back) or whole
        # (the kill came just after its COMMIT), never half there: assert_whole checked every row count.
        assert set(before) <= set(after)
        assert len(open_) == 1
        rolled_back += sum(digest not in after for digest in open_)
        before = after
    assert rolled_back >= 1, "no kill landed inside a transaction"
    code, out, err = finish(tender("collect", root))
    assert "Traceback" not in out + err
    final = assert_whole(root)
    assert sorted(final) == sorted(sha(p) for p in files)  # every file of the inbox, exactly once
    statuses = sorted(status for status, _, _ in final.values())
    assert statuses == ["accepted"] * 16 + ["rejected"] * 2 + ["superseded"] * 2
    assert current_scores(root) == {f"T{i:03d}": float(i % 6) for i in range(1, 17)} | {"T003": 5.0, "T007": 4.0}
    rejected_now = [digest for digest, (status, _, _) in final.items() if status == "rejected" and digest not in before]
    assert code == (1 if rejected_now else 0)


def test_kill_9_at_random_points_of_collect(tmp_path: Path) -> None:
    """Uninstrumented runs killed at random moments: the ledger is always consistent, and a last run completes it."""
    root = tmp_path / "c"
    make_campaign(root, 8)
    files = [scored(root, f"T{i:03d}", i % 6, mtime=1_000 + i) for i in range(1, 9)]
    rng = random.Random(1)
    for _ in range(4):
        process = tender("collect", root)
        time.sleep(rng.uniform(0.2, 1.5))
        if process.poll() is None:
            kill(process)
        else:
            process.communicate()
        assert_whole(root)
    code, out, _ = finish(tender("collect", root))
    assert code == 0, out
    assert sorted(assert_whole(root)) == sorted(sha(p) for p in files)


# ------------------------------------------------------------------------------------- kill -9 during a write


def test_kill_9_between_writing_and_renaming_keeps_the_previous_pdf(tmp_path: Path) -> None:
    """`tender spec` killed after its PDF is written to a temporary file, before the rename: the old PDF stays."""
    root = init_campaign(tmp_path / "c").root
    target = root / "out" / "spec.pdf"
    code, out, err = finish(tender("spec", root))
    assert code == 0, err
    previous = target.read_bytes()
    (root / "tender.yaml").write_text(
        (root / "tender.yaml").read_text(encoding="utf-8").replace("users: 2400", "users: 2500"), encoding="utf-8"
    )
    log = tmp_path / "fsync.log"
    process = tender("spec", root, mode="HANG_ON_FSYNC", log=log)
    (line,) = wait_for(log, lambda lines: any("spec.pdf" in line for line in lines))[-1:]
    temporary = Path(line.split(" ", 1)[1])
    assert temporary.parent == target.parent
    assert temporary.name.startswith(".spec.pdf.")
    assert temporary.stat().st_size > 0
    kill(process)
    assert target.read_bytes() == previous
    # The temporary file stays behind; once it is an hour old, the next command of the campaign removes it.
    assert temporary.exists()
    os.utime(temporary, (time.time() - 7200, time.time() - 7200))
    code, out, err = finish(tender("spec", root))
    assert code == 0, err
    assert "Removed 1 temporary file(s) left by an interrupted run." in err
    assert not temporary.exists()


#: Writes two alternating PDFs over the same target as fast as it can, until killed.
PDF_LOOP = r"""
import sys
from reports.render import write_pdf
target = sys.argv[1]
pages = ["<p>one</p>" * 40, "<h1>two</h1>" + "<p>second version</p>" * 400]
print("ready", flush=True)
i = 0
while True:
    write_pdf(f"<html><body>{pages[i % 2]}</body></html>", target)
    i += 1
"""


def test_kill_9_at_random_points_of_a_pdf_write(tmp_path: Path) -> None:
    """Killed at random moments of back-to-back writes, the PDF is always a complete one, never a torn file."""
    target = tmp_path / "out" / "doc.pdf"
    rng = random.Random(3)
    for _ in range(3):
        process = subprocess.Popen(
            [sys.executable, "-c", PDF_LOOP, str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.3, 1.2))
        kill(process)
        data = target.read_bytes()
        assert data.startswith(b"%PDF-")
        assert data.rstrip().endswith(b"%%EOF")
        first = PdfReader(io.BytesIO(data)).pages[0].extract_text()
        assert first.startswith(("one", "two")), first[:40]
    assert [p.name for p in target.parent.iterdir() if not p.name.startswith(".")] == ["doc.pdf"]


def test_kill_9_during_an_xlsx_export_keeps_the_previous_file(tmp_path: Path) -> None:
    root = tmp_path / "c"
    make_campaign(root, 3)
    for i in range(1, 4):
        scored(root, f"T{i:03d}", i + 1, mtime=1_000 + i)
    assert finish(tender("collect", root))[0] == 0
    target = tmp_path / "verdict.xlsx"
    code, _, err = finish(tender("score", root, "--format", "xlsx", "-o", target))
    assert code == 0, err
    previous = target.read_bytes()
    openpyxl.load_workbook(target)  # a complete workbook
    log = tmp_path / "fsync.log"
    scored(root, "T003", 0, "T003 v2.xlsx", mtime=3_000)  # a new verdict to write
    assert finish(tender("collect", root))[0] == 0
    process = tender("score", root, "--format", "xlsx", "-o", target, mode="HANG_ON_FSYNC", log=log)
    wait_for(log, lambda lines: any("verdict.xlsx" in line for line in lines))
    kill(process)
    assert target.read_bytes() == previous
    openpyxl.load_workbook(target)


# ------------------------------------------------------------------------------------------- two collects at once


def test_two_collects_at_once_ingest_each_workbook_exactly_once(tmp_path: Path) -> None:
    root = tmp_path / "c"
    make_campaign(root, 40)
    files = [scored(root, f"T{i:03d}", i % 6, mtime=1_000 + i) for i in range(1, 41)]
    files += [scored(root, f"T{i:03d}", 5 - i % 6, f"T{i:03d} v2.xlsx", mtime=2_000 + i) for i in (5, 10, 15)]
    # Each run pauses inside every ledger transaction, so that both are recording at the same time.
    logs = (tmp_path / "first.log", tmp_path / "second.log")
    first, second = (tender("collect", root, mode="SLOW_RECORD", log=log) for log in logs)
    (code1, out1, err1), (code2, out2, err2) = finish(first), finish(second)
    assert (code1, code2) == (0, 0), err1 + err2
    assert "Traceback" not in err1 + err2
    assert all(log.read_text().startswith("begin ") for log in logs)  # both tried to record workbooks
    one = {line for line in out1.splitlines() if line.startswith("Accepted ")}
    two = {line for line in out2.splitlines() if line.startswith("Accepted ")}
    assert not one & two  # no workbook accepted by both runs
    names = sorted(line.split(" ", 1)[1].rsplit(" (tester", 1)[0] for line in one | two)
    assert names == sorted(p.name for p in files)
    final = assert_whole(root)
    assert sorted(final) == sorted(sha(p) for p in files)
    assert sorted(status for status, _, _ in final.values()) == ["accepted"] * 40 + ["superseded"] * 3
    assert current_scores(root) == {f"T{i:03d}": float(i % 6) for i in range(1, 41)} | {
        f"T{i:03d}": float(5 - i % 6) for i in (5, 10, 15)
    }


# -------------------------------------------------------------------------------------------- a hostile inbox


def test_a_hostile_inbox_is_rejected_file_by_file_without_a_traceback(tmp_path: Path) -> None:
    """Every kind of bad file at once: each rejected in its own lines, the good ones accepted, no traceback."""
    root = tmp_path / "c"
    make_campaign(root, 3)
    good = scored(root, "T001", 4, mtime=1_000)
    template = (root / "sheets" / "T002.xlsx").read_bytes()
    inbox = root / "inbox"
    bad = {
        "empty.xlsx": b"",
        "notes.xlsx": b"just text\n",
        "truncated.xlsx": template[: len(template) // 3],
        "secret.xlsx": hostile.encrypted_xlsx(),
        "word.xls": hostile.word_document(),
        "xxe.xlsx": hostile.replace_member(
            template,
            "xl/workbook.xml",
            hostile.with_doctype(hostile.members_of(template)["xl/workbook.xml"], hostile.billion_laughs("workbook")),
        ),
        "far.xlsx": hostile.add_to_sheet(template, "Vendor A", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
        "strings.xlsx": hostile.with_shared_strings(template, hostile.sst(["x"], count=4_000_000_000)),
        "terabytes.xls": hostile.xls_bytes({"S": [["x"]]}, dimensions={"S": (4_000_000_000, 60_000)}),
        "rows.ods": hostile.ods_bytes(hostile.ods_content({"S": hostile.ods_row(1, repeat=1_000_000)})),
    }
    for name, data in bad.items():
        (inbox / name).write_bytes(data)
    code, out, err = finish(tender("collect", root))
    assert code == 1
    assert "Traceback" not in out + err
    assert err.strip().startswith("Collecting workbooks")
    assert "memory allocation" not in err  # the native reader's abort stayed in its child process
    assert "panicked" not in err
    lines = out.splitlines()
    assert f"Accepted {good.name} (tester T001)." in lines
    # Data beyond the table is placed in its sheet and cell; the other refusals are about the whole file.
    placed = {"far.xlsx": ", sheet Vendor A, cell XFD1048576", "rows.ods": ", sheet S, cell A10000"}
    for name in bad:
        index = lines.index(f"Rejected {name}: 1 problem(s).")
        assert lines[index + 1].startswith(f"  {name}{placed.get(name, '')}: found ")
    assert lines[-2] == "11 file(s): 1 accepted, 10 rejected, 0 unchanged, 0 superseded."
    rows = assert_whole(root)
    assert sorted(status for status, _, _ in rows.values()) == ["accepted"] + ["rejected"] * 10
    # Rejected files are archived and recorded too: nothing collected is ever lost.
    assert sorted(rows) == sorted(sha(inbox / n) for n in [*bad, good.name])


def test_worker_processes_contain_a_crashing_reader_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With enough files, collect checks them in a process pool; a reader's abort there ends its own child only."""
    from tender import collect as collect_module

    root = tmp_path / "c"
    make_campaign(root, 4)
    good = [scored(root, f"T{i:03d}", i, mtime=1_000 + i) for i in range(1, 5)]
    bomb = root / "inbox" / "terabytes.xls"
    bomb.write_bytes(hostile.xls_bytes({"S": [["x"]]}, dimensions={"S": (4_000_000_000, 60_000)}))
    monkeypatch.setattr(collect_module, "POOL_THRESHOLD", 2)
    result = collect_module.collect(root, jobs=2)
    assert [(c.path.name, c.status) for c in result.files if c.status == "accepted"] == [
        (p.name, "accepted") for p in good
    ]
    (rejected,) = [c for c in result.files if c.status == "rejected"]
    assert rejected.path == bomb
    assert (
        rejected.problems[0].found == "a workbook the reader could not finish (it needs more than 1024 MiB of memory)"
    )
