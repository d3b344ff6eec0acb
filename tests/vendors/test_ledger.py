"""The submission ledger: long-form scores, supersession, no-op re-collection, WAL and write locking."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest

from criteria.errors import DataError
from vendors import ledger
from vendors.intake import Intake, Problem, ScoreRow
from vendors.scoring import SCORE_COLUMNS

T0 = dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.timezone.utc)


def accepted(tester: str, *rows: ScoreRow) -> Intake:
    return Intake(f"{tester}.xlsx", tester, rows)


def rejected(tester: str | None, *problems: Problem) -> Intake:
    return Intake("bad.xlsx", tester, (), problems)


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / ".tender" / "ledger.sqlite"


def test_missing_ledger_reads_as_empty(ledger_path: Path) -> None:
    frame = ledger.current_scores(ledger_path)
    assert list(frame.columns) == list(SCORE_COLUMNS)
    assert len(frame) == 0
    assert frame.dtypes.to_dict() == {
        "tester": pd.StringDtype(na_value=float("nan")),
        "vendor": pd.StringDtype(na_value=float("nan")),
        "criterion": pd.StringDtype(na_value=float("nan")),
        "score": "float64",
        "na": "bool",
        "comment": pd.StringDtype(na_value=float("nan")),
    }
    assert ledger.submissions(ledger_path) == []
    assert not ledger_path.exists()


def test_connection_uses_wal_busy_timeout_and_schema(ledger_path: Path) -> None:
    with closing(ledger.connect(ledger_path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA busy_timeout").fetchone() == (ledger.BUSY_TIMEOUT_MS,)
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(ledger.SCHEMA_VERSION),
        )
    # Opening again keeps what is there.
    with closing(ledger.connect(ledger_path)) as conn:
        assert conn.execute("SELECT count(*) FROM meta").fetchone() == (1,)


def test_accepted_scores_in_long_form(ledger_path: Path) -> None:
    intake = accepted(
        "T001",
        ScoreRow("V1", "PRO-01", 4.0, False, "Easy"),
        ScoreRow("V1", "PRO-02", None, True, ""),
        ScoreRow("V2", "PRO-01", None, False, ""),
        ScoreRow("V2", "PRO-02", 0.0, False, "=1+1"),
    )
    with closing(ledger.connect(ledger_path)) as conn:
        done = ledger.record(conn, "a" * 64, "inbox/T001.xlsx", "a" * 64 + ".xlsx", intake, received=T0)
    assert done == ledger.Recorded("accepted")
    frame = ledger.current_scores(ledger_path)
    expected = pd.DataFrame(
        {
            "tester": ["T001"] * 4,
            "vendor": ["V1", "V1", "V2", "V2"],
            "criterion": ["PRO-01", "PRO-02", "PRO-01", "PRO-02"],
            "score": [4.0, float("nan"), float("nan"), 0.0],
            "na": [False, True, False, False],
            "comment": ["Easy", "", "", "=1+1"],
        }
    ).astype({"tester": "str", "vendor": "str", "criterion": "str", "comment": "str"})
    pd.testing.assert_frame_equal(frame, expected)
    assert ledger.submissions(ledger_path) == [
        ledger.Submission("a" * 64, "inbox/T001.xlsx", "T001", T0, "accepted", (), "a" * 64 + ".xlsx")
    ]


def test_the_scores_view_shows_one_row_per_score_in_workbook_order(ledger_path: Path) -> None:
    rows = [ScoreRow(v, c, 3.0, False, f"{v} {c} é") for v in ("V1", "V2") for c in ("PRO-01", "PRO-02", "PRO-03")]
    with closing(ledger.connect(ledger_path)) as conn:
        ledger.record(conn, "a" * 64, "T001.xlsx", "a.xlsx", accepted("T001", *rows), received=T0)
        # Five vendor sheets make five rows of the table, whatever the number of criteria.
        assert conn.execute("SELECT vendor, first FROM sheets ORDER BY first").fetchall() == [("V1", 0), ("V2", 3)]
    # Read as scripts read it: rse-tender's own connections distrust the schema (PRAGMA trusted_schema = OFF),
    # where SQLite (3.40 at least) counts the view's JSON functions as unsafe.
    with closing(sqlite3.connect(ledger_path)) as script:
        shown = script.execute("SELECT position, vendor, criterion, score, na, comment FROM scores ORDER BY position")
        assert shown.fetchall() == [(i, *row[:3], 0, row.comment) for i, row in enumerate(rows)]


#: A ledger as rse-tender wrote it before schema 2 (one table row per score).
SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE submissions (seq INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, path TEXT NOT NULL,
    archive TEXT NOT NULL, tester TEXT, received TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'superseded')), problems TEXT NOT NULL DEFAULT '[]');
CREATE INDEX submissions_tester ON submissions (tester, status);
CREATE TABLE scores (submission INTEGER NOT NULL REFERENCES submissions (seq), position INTEGER NOT NULL,
    vendor TEXT NOT NULL, criterion TEXT NOT NULL, score REAL, na INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (submission, position)) WITHOUT ROWID;
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO submissions VALUES (1, 'a', 'T001 v1.xlsx', 'a.xlsx', 'T001', '2027-03-01T09:30:00+00:00', 'superseded', '[]');
INSERT INTO submissions VALUES (2, 'b', 'T002.xlsx', 'b.xlsx', 'T002', '2027-03-01T09:31:00+00:00', 'accepted', '[]');
INSERT INTO submissions VALUES (3, 'c', 'T001 v2.xlsx', 'c.xlsx', 'T001', '2027-03-01T09:32:00+00:00', 'accepted', '[]');
INSERT INTO scores VALUES (1, 0, 'V1', 'PRO-01', 1.0, 0, 'old');
INSERT INTO scores VALUES (2, 0, 'V1', 'PRO-01', NULL, 1, '');
INSERT INTO scores VALUES (2, 1, 'V2', 'PRO-01', 2.5, 0, 'ok, "quoted"');
INSERT INTO scores VALUES (3, 1, 'V2', 'PRO-01', 4.0, 0, '');
INSERT INTO scores VALUES (3, 0, 'V1', 'PRO-01', 5.0, 0, 'new');
"""


def test_a_ledger_of_schema_1_is_converted_without_losing_a_score(ledger_path: Path) -> None:
    ledger_path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(ledger_path)) as old:
        old.executescript(SCHEMA_1)
        before = old.execute("SELECT * FROM scores ORDER BY submission, position").fetchall()
    ledger.connect(ledger_path).close()
    with closing(sqlite3.connect(ledger_path)) as conn:  # as scripts read it (see the test of the view)
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("2",)
        after = conn.execute("SELECT * FROM scores ORDER BY submission, position").fetchall()
        assert conn.execute("SELECT type FROM sqlite_master WHERE name = 'scores'").fetchone() == ("view",)
    assert after == before
    frame = ledger.current_scores(ledger_path)
    # The current workbooks only (T001's second and T002's), in tester and workbook order.
    assert frame[["tester", "vendor", "criterion", "comment"]].values.tolist() == [
        ["T001", "V1", "PRO-01", "new"],
        ["T001", "V2", "PRO-01", ""],
        ["T002", "V1", "PRO-01", ""],
        ["T002", "V2", "PRO-01", 'ok, "quoted"'],
    ]
    assert frame["score"].fillna(-1).tolist() == [5.0, 4.0, -1, 2.5]
    assert frame["na"].tolist() == [False, False, True, False]
    # Opening it again changes nothing.
    ledger.connect(ledger_path).close()
    with closing(sqlite3.connect(ledger_path)) as conn:
        assert conn.execute("SELECT * FROM scores ORDER BY submission, position").fetchall() == before


def test_a_ledger_of_a_newer_schema_is_refused_untouched(ledger_path: Path) -> None:
    ledger_path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(ledger_path)) as newer:
        newer.executescript(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema_version', '9');"
        )
    with pytest.raises(ledger.DataError, match=r"written by a newer rse-tender \(schema 9, this one reads up to 2\)"):
        ledger.connect(ledger_path)
    with closing(sqlite3.connect(ledger_path)) as newer:
        assert newer.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall() == [
            ("meta",),
            ("sqlite_autoindex_meta_1",),
        ]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda path: path.write_bytes(b"garbage\n"), id="not a database"),
        pytest.param(lambda path: path.write_bytes(path.read_bytes()[:4096] + bytes(8192)), id="cut short"),
    ],
)
def test_a_damaged_ledger_is_named_not_a_traceback(ledger_path: Path, damage: Callable[[Path], object]) -> None:
    with closing(ledger.connect(ledger_path)) as conn:
        ledger.record(
            conn, "a" * 64, "inbox/T001.xlsx", "a.xlsx", accepted("T001", ScoreRow("V1", "C1", 4.0, False, ""))
        )
    damage(ledger_path)
    for read in (ledger.current_scores, ledger.submissions):
        with pytest.raises(DataError) as raised:
            read(ledger_path)
        archive = ledger_path.parent / "archive"
        assert str(raised.value).startswith(f"the ledger {ledger_path} is damaged (")
        assert str(raised.value).endswith(f"); the files it recorded are kept in {archive}")
    with pytest.raises(DataError, match="is damaged"):
        with ledger.storage_errors(ledger_path), closing(ledger.connect(ledger_path)):
            pass


#: Reads the ledger given as argv[1] and prints what it holds: run as a process that may not write its folder.
_READER = """
import sys
from pathlib import Path
from vendors import ledger
path = Path(sys.argv[1])
print(len(ledger.current_scores(path)), [s.tester for s in ledger.submissions(path)])
"""


def _without_write_access(argv: list[str]) -> list[str]:
    """``argv`` run so that file permissions hold: root ignores them unless its capability to do so is dropped."""
    if os.geteuid() != 0:
        return argv
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", *argv]


def test_a_ledger_in_a_read_only_folder_is_read(ledger_path: Path) -> None:
    """An auditor's copy or a read-only share: status, score and report only read the ledger."""
    with closing(ledger.connect(ledger_path)) as conn:
        ledger.record(
            conn, "a" * 64, "inbox/T001.xlsx", "a.xlsx", accepted("T001", ScoreRow("V1", "C1", 4.0, False, ""))
        )
        ledger.record(
            conn, "b" * 64, "inbox/T002.xlsx", "b.xlsx", accepted("T002", ScoreRow("V1", "C1", 2.0, False, ""))
        )
    folder = ledger_path.parent
    assert sorted(p.name for p in folder.iterdir()) == ["ledger.sqlite"]  # the last connection removed -wal, -shm
    folder.chmod(0o555)
    try:
        reader = [sys.executable, "-c", _READER, str(ledger_path)]
        done = subprocess.run(_without_write_access(reader), capture_output=True, text=True, check=False)
        # Without the fallback SQLite says 'attempt to write a readonly database' (it cannot create -shm).
        assert (done.returncode, done.stderr) == (0, "")
        assert done.stdout == "2 ['T001', 'T002']\n"
        assert sorted(p.name for p in folder.iterdir()) == ["ledger.sqlite"]
    finally:
        folder.chmod(0o755)


def test_a_ledger_belongs_to_the_campaign_that_first_collected_into_it(ledger_path: Path) -> None:
    with closing(ledger.connect(ledger_path, "C-2027")) as conn:
        ledger.record(
            conn, "a" * 64, "inbox/T001.xlsx", "a.xlsx", accepted("T001", ScoreRow("V1", "C1", 4.0, False, ""))
        )
    with closing(ledger.connect(ledger_path, "C-2027")):
        pass  # the same campaign again
    assert len(ledger.current_scores(ledger_path, "C-2027")) == 1
    expected = (
        f"the ledger {ledger_path} holds the workbooks of campaign 'C-2027', not of 'C-2028': put back "
        f"campaign_id: C-2027 in tender.yaml, or move {ledger_path.parent} aside to start this campaign afresh"
    )
    for use in (
        lambda: ledger.connect(ledger_path, "C-2028"),
        lambda: ledger.current_scores(ledger_path, "C-2028"),
        lambda: ledger.submissions(ledger_path, "C-2028"),
    ):
        with pytest.raises(DataError) as raised:
            use()
        assert str(raised.value) == expected
        assert str(raised.value.localized("fr")).startswith(f"le registre {ledger_path} contient les classeurs de")
    # Without a campaign to check (scripts, the benchmark), the ledger reads as it is.
    assert len(ledger.current_scores(ledger_path)) == 1


def test_same_bytes_twice_is_a_no_op(ledger_path: Path) -> None:
    with closing(ledger.connect(ledger_path)) as conn:
        ledger.record(conn, "b" * 64, "x.xlsx", "b.xlsx", accepted("T001", ScoreRow("V1", "C1", 3.0, False, "")))
        again = ledger.record(conn, "b" * 64, "copy of x.xlsx", "b.xlsx", accepted("T001"))
        assert ledger.known(conn, "b" * 64) == "accepted"
        assert ledger.known(conn, "c" * 64) is None
        assert ledger.hashes(conn) == frozenset({"b" * 64})
    assert again == ledger.Recorded("unchanged", previous_status="accepted")
    assert [s.path for s in ledger.submissions(ledger_path)] == ["x.xlsx"]
    assert ledger.current_scores(ledger_path)["score"].tolist() == [3.0]


def test_latest_accepted_workbook_supersedes_earlier_ones(ledger_path: Path) -> None:
    first = accepted("T001", ScoreRow("V1", "C1", 1.0, False, ""))
    second = accepted("T001", ScoreRow("V1", "C1", 5.0, False, "changed my mind"))
    other = accepted("T002", ScoreRow("V1", "C1", 3.0, False, ""))
    bad = rejected("T001", Problem("bad.xlsx", "Vendor A", "E4", "7", "a score from 0 to 5"))
    with closing(ledger.connect(ledger_path)) as conn:
        assert ledger.record(conn, "1" * 64, "v1.xlsx", "1.xlsx", first, T0).superseded == ()
        ledger.record(conn, "2" * 64, "t2.xlsx", "2.xlsx", other, T0)
        assert ledger.record(conn, "3" * 64, "bad.xlsx", "3.xlsx", bad, T0) == ledger.Recorded("rejected")
        assert ledger.record(conn, "4" * 64, "v2.xlsx", "4.xlsx", second, T0) == ledger.Recorded(
            "accepted", superseded=("1" * 64,)
        )
    assert [(s.path, s.tester, s.status) for s in ledger.submissions(ledger_path)] == [
        ("v1.xlsx", "T001", "superseded"),
        ("t2.xlsx", "T002", "accepted"),
        ("bad.xlsx", "T001", "rejected"),
        ("v2.xlsx", "T001", "accepted"),
    ]
    frame = ledger.current_scores(ledger_path)
    assert frame[["tester", "score", "comment"]].values.tolist() == [
        ["T001", 5.0, "changed my mind"],
        ["T002", 3.0, ""],
    ]


def test_rejected_submission_keeps_every_problem(ledger_path: Path) -> None:
    problems = (
        Problem("bad.xlsx", "Fournisseur A", "E4", "7", "une note de 0 à 5"),
        Problem("bad.xlsx", None, None, "aucune feuille pour le fournisseur V2 (B)", "une feuille par fournisseur"),
    )
    with closing(ledger.connect(ledger_path)) as conn:
        ledger.record(conn, "d" * 64, "bad.xlsx", "d.xlsx", rejected(None, *problems), T0)
    (submission,) = ledger.submissions(ledger_path)
    assert submission.problems == problems
    assert submission.tester is None
    assert submission.status == "rejected"
    assert submission.name == "bad.xlsx"
    assert ledger.current_scores(ledger_path).empty


def test_a_failed_workbook_leaves_nothing_behind(ledger_path: Path) -> None:
    # A value that cannot be stored fails the score insert after the submission row was written and the tester's
    # earlier workbook marked superseded.
    broken = accepted("T001", ScoreRow("V1", "C1", 2.0, False, ""), ScoreRow("V1", "C2", object(), False, ""))  # type: ignore[arg-type]
    with closing(ledger.connect(ledger_path)) as conn:
        ledger.record(conn, "e" * 64, "old.xlsx", "e.xlsx", accepted("T001", ScoreRow("V1", "C1", 4.0, False, "")))
        with pytest.raises(TypeError):
            ledger.record(conn, "f" * 64, "new.xlsx", "f.xlsx", broken)
        assert not conn.in_transaction
    assert [(s.path, s.status) for s in ledger.submissions(ledger_path)] == [("old.xlsx", "accepted")]
    assert ledger.current_scores(ledger_path)["score"].tolist() == [4.0]


def test_a_second_writer_waits_for_the_first(ledger_path: Path) -> None:
    intake = accepted("T001", ScoreRow("V1", "C1", 4.0, False, ""))
    outcome: list[ledger.Recorded] = []

    def second_run() -> None:
        with closing(ledger.connect(ledger_path)) as second:
            outcome.append(ledger.record(second, "9" * 64, "a.xlsx", "9.xlsx", intake))

    with closing(ledger.connect(ledger_path)) as first:
        first.execute("BEGIN IMMEDIATE")
        worker = threading.Thread(target=second_run)
        worker.start()
        time.sleep(0.5)
        assert outcome == []  # blocked on the write lock, not failed
        first.execute("COMMIT")
        worker.join(timeout=10)
    assert outcome == [ledger.Recorded("accepted")]
    assert [s.status for s in ledger.submissions(ledger_path)] == ["accepted"]


class _BusyAtFirst:
    """A connection whose first ``busy`` WAL switches fail as SQLite fails them when another run converts the file."""

    def __init__(self, busy: int, error: str = "database is locked") -> None:
        self.busy, self.error, self.calls = busy, error, 0

    def execute(self, sql: str) -> None:
        self.calls += 1
        if self.calls <= self.busy:
            raise sqlite3.OperationalError(self.error)


def test_switch_to_wal_waits_for_another_run_but_not_for_other_errors() -> None:
    waiting = _BusyAtFirst(3)
    ledger._switch_to_wal(waiting)  # type: ignore[arg-type]
    assert waiting.calls == 4
    broken = _BusyAtFirst(1, "disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        ledger._switch_to_wal(broken)  # type: ignore[arg-type]
    assert broken.calls == 1


def _open(path: str, barrier: threading.Barrier) -> str:
    barrier.wait()
    try:
        ledger.connect(Path(path)).close()
    except sqlite3.OperationalError as exc:
        return str(exc)
    return ""


def test_runs_opening_a_new_ledger_at_once_all_succeed(tmp_path: Path) -> None:
    """Before the retry, about one round in fifteen failed with 'database is locked' (seen in two collects at once)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with context.Manager() as manager, context.Pool(4) as pool:
        for round_ in range(20):
            barrier = manager.Barrier(4)
            path = str(tmp_path / f"r{round_}" / "ledger.sqlite")
            assert pool.starmap(_open, [(path, barrier)] * 4) == ["", "", "", ""]
            assert ledger.submissions(Path(path)) == []


def _recorded(ledger_path: Path) -> None:
    """A ledger holding T001's accepted workbook and a rejected one."""
    bad = rejected("T002", Problem("bad.xlsx", "Vendor A", "E4", "7", "a score from 0 to 5"))
    with closing(ledger.connect(ledger_path, "C-2027")) as conn:
        ledger.record(conn, "a" * 64, "T001.xlsx", "a.xlsx", accepted("T001", ScoreRow("V1", "C1", 4.0, False, "")))
        ledger.record(conn, "b" * 64, "bad.xlsx", "b.xlsx", bad)


def _tamper(ledger_path: Path, sql: str) -> None:
    with closing(sqlite3.connect(ledger_path)) as conn:
        conn.executescript(sql)


@pytest.mark.parametrize(
    ("sql", "readers"),
    [
        pytest.param("UPDATE meta SET value = 'abc' WHERE key = 'schema_version'", "cs", id="version"),
        pytest.param("UPDATE sheets SET rows = 'not json'", "c", id="rows not JSON"),
        pytest.param("UPDATE sheets SET rows = '{\"a\": 1}'", "c", id="rows not a list"),
        pytest.param('UPDATE sheets SET rows = \'[["C1", "four", false, ""]]\'', "c", id="score not a number"),
        pytest.param("UPDATE submissions SET tester = NULL WHERE status = 'accepted'", "c", id="accepted tester NULL"),
        pytest.param("UPDATE submissions SET received = 'garbage'", "s", id="received"),
        pytest.param("UPDATE submissions SET received = 7", "s", id="received a number"),
        pytest.param("UPDATE submissions SET problems = '{bad'", "s", id="problems not JSON"),
        pytest.param("UPDATE submissions SET problems = '[{\"file\": 1}]'", "s", id="problems not problems"),
    ],
)
def test_tampered_values_are_a_damaged_ledger_not_a_traceback(ledger_path: Path, sql: str, readers: str) -> None:
    _recorded(ledger_path)
    _tamper(ledger_path, sql)
    uses = {"c": ledger.current_scores, "s": ledger.submissions}
    for reader in readers:
        for campaign in (None, "C-2027"):
            with pytest.raises(DataError) as raised:
                uses[reader](ledger_path, campaign)
            assert raised.value.key == "ledger_damaged"
            assert str(raised.value).startswith(f"the ledger {ledger_path} is damaged (")
            assert str(raised.value.localized("fr")).startswith(f"le registre {ledger_path} est endommagé (")
    if readers == "cs":  # a version that is not a number stops collect too
        with pytest.raises(DataError, match="is damaged .schema version 'abc' is not a number"):
            ledger.connect(ledger_path, "C-2027")


def test_rows_left_under_a_rejected_workbook_are_a_damaged_ledger_when_it_is_accepted(ledger_path: Path) -> None:
    _recorded(ledger_path)
    _tamper(ledger_path, "INSERT INTO sheets VALUES (2, 0, 'V1', '[]')")  # scores under the rejected workbook
    with closing(ledger.connect(ledger_path)) as conn:
        with pytest.raises(DataError, match="is damaged .UNIQUE constraint failed"):
            ledger.record(conn, "b" * 64, "bad.xlsx", "b.xlsx", accepted("T002", ScoreRow("V1", "C1", 2.0, False, "")))
        assert not conn.in_transaction
    assert [s.status for s in ledger.submissions(ledger_path)] == ["accepted", "rejected"]


_PLANTED = "CREATE TRIGGER quiet BEFORE INSERT ON meta BEGIN UPDATE submissions SET status = 'superseded'; END;"


@pytest.mark.parametrize(
    ("sql", "kind", "name"),
    [
        pytest.param(_PLANTED, "trigger", "quiet", id="trigger"),
        pytest.param(
            "DROP TABLE sheets; DROP TABLE submissions; CREATE VIEW submissions AS SELECT 1 AS seq, 'x' AS sha256, "
            "'T001.xlsx' AS path, 'x.xlsx' AS archive, 'T001' AS tester, '2027-03-01T00:00:00+00:00' AS received, "
            "'accepted' AS status, '[]' AS problems;",
            "view",
            "submissions",
            id="view in place of a table",
        ),
        pytest.param(
            "DROP VIEW scores; CREATE VIEW scores AS SELECT 1 AS submission;", "view", "scores", id="view changed"
        ),
        pytest.param("CREATE INDEX extra ON sheets (vendor);", "index", "extra", id="index"),
        pytest.param("CREATE TABLE notes (x);", "table", "notes", id="table"),
    ],
)
def test_a_ledger_with_objects_rse_tender_did_not_create_is_refused(
    ledger_path: Path, sql: str, kind: str, name: str
) -> None:
    """A planted trigger would otherwise run on the next ordinary collect and change its results silently."""
    _recorded(ledger_path)
    _tamper(ledger_path, sql)
    with closing(sqlite3.connect(ledger_path)) as conn:
        before = conn.execute("SELECT * FROM sqlite_master ORDER BY name").fetchall()
        statuses = conn.execute("SELECT * FROM submissions ORDER BY seq").fetchall()
    expected = (
        f"the ledger {ledger_path} holds the {kind} {name!r}, which rse-tender did not create (the file was changed "
        f"by hand or tampered with), so it is not used: restore it from a backup, or move it aside and collect again "
        f"the files kept in {ledger_path.parent / 'archive'}"
    )
    for use in (
        lambda: ledger.connect(ledger_path, "C-2027"),
        lambda: ledger.connect(ledger_path),
        lambda: ledger.current_scores(ledger_path, "C-2027"),
        lambda: ledger.submissions(ledger_path),
    ):
        with pytest.raises(DataError) as raised:
            use()
        assert str(raised.value) == expected
        assert str(raised.value.localized("fr")).startswith(f"le registre {ledger_path} contient l'objet {name!r}")
    with closing(sqlite3.connect(ledger_path)) as conn:  # nothing ran, nothing changed
        assert conn.execute("SELECT * FROM sqlite_master ORDER BY name").fetchall() == before
        assert conn.execute("SELECT * FROM submissions ORDER BY seq").fetchall() == statuses


def test_a_trigger_planted_in_a_ledger_of_schema_1_is_refused_and_the_conversion_undone(ledger_path: Path) -> None:
    ledger_path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(ledger_path)) as old:
        old.executescript(SCHEMA_1 + _PLANTED)
    with pytest.raises(DataError, match="holds the trigger 'quiet'"):
        ledger.connect(ledger_path)
    with closing(sqlite3.connect(ledger_path)) as old:
        assert old.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
        assert old.execute("SELECT type FROM sqlite_master WHERE name = 'scores'").fetchone() == ("table",)


def test_statistics_of_analyze_and_a_new_empty_file_are_not_foreign(ledger_path: Path) -> None:
    _recorded(ledger_path)
    _tamper(ledger_path, "ANALYZE;")
    ledger.connect(ledger_path, "C-2027").close()
    assert len(ledger.current_scores(ledger_path, "C-2027")) == 1
    empty = ledger_path.with_name("empty.sqlite")
    empty.touch()
    assert ledger.submissions(empty) == []
    assert ledger.current_scores(empty).empty


def test_every_connection_distrusts_the_schema(ledger_path: Path) -> None:
    """Functions with side effects may not run from views, triggers or defaults stored in the file."""
    with closing(ledger.connect(ledger_path)) as conn:
        assert conn.execute("PRAGMA trusted_schema").fetchone() == (0,)
    reader = ledger._read(ledger_path)
    assert reader is not None
    with closing(reader):
        assert reader.execute("PRAGMA trusted_schema").fetchone() == (0,)


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_the_state_folder_is_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    """The ledger and the archive hold testers' names and comments: no other user may read or replace them."""
    path = tmp_path / "campaign" / ".tender" / "ledger.sqlite"
    old = os.umask(umask)
    try:
        ledger.connect(path).close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_an_existing_state_folder_loses_the_permissions_of_others_but_keeps_its_groups(ledger_path: Path) -> None:
    ledger_path.parent.mkdir(parents=True)
    ledger_path.parent.chmod(0o777)  # made by an earlier rse-tender under umask 000
    ledger.connect(ledger_path).close()
    assert stat.S_IMODE(ledger_path.parent.stat().st_mode) == 0o770
    ledger_path.parent.chmod(0o750)  # a team sharing the campaign through its group
    ledger.connect(ledger_path).close()
    assert stat.S_IMODE(ledger_path.parent.stat().st_mode) == 0o750
