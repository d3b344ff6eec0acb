"""The submission ledger: SQLite in WAL mode, one transaction per workbook, safe against two runs at once."""

from __future__ import annotations

import datetime as dt
import errno
import itertools
import json
import operator
import os
import re
import sqlite3
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from criteria.errors import DataError, Location
from vendors.intake import Intake, Problem, ScoreRow

if TYPE_CHECKING:
    import pandas as pd

#: 2 stores the scores of each vendor sheet as one JSON row (sheets), a view (scores) shows them one per row as 1
#: stored them: recording a workbook inserts five rows instead of hundreds. A ledger of schema 1 is converted.
SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 30_000
ACCEPTED, REJECTED, SUPERSEDED = "accepted", "rejected", "superseded"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    seq INTEGER PRIMARY KEY,              -- order of collection: the latest accepted workbook wins
    sha256 TEXT NOT NULL UNIQUE,          -- content hash, also the archive file name
    path TEXT NOT NULL,                   -- the file as it was collected (original name)
    archive TEXT NOT NULL,                -- archive file name under .tender/archive/
    tester TEXT,                          -- tester ID from the workbook's metadata, when readable
    received TEXT NOT NULL,               -- ISO 8601 UTC time of collection
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'superseded')),
    problems TEXT NOT NULL DEFAULT '[]'   -- JSON list of {file, sheet, cell, found, expected}
);
CREATE INDEX IF NOT EXISTS submissions_tester ON submissions (tester, status);
CREATE TABLE IF NOT EXISTS sheets (
    submission INTEGER NOT NULL REFERENCES submissions (seq),
    first INTEGER NOT NULL,               -- position of the sheet's first row among the workbook's rows
    vendor TEXT NOT NULL,
    rows TEXT NOT NULL,                   -- JSON [[criterion, score or null, na true|false, comment], ...]
    PRIMARY KEY (submission, first)
) WITHOUT ROWID;
-- One row per score, as schema 1 stored them: what queries and scripts read.
CREATE VIEW IF NOT EXISTS scores AS
    SELECT h.submission AS submission, h.first + r.key AS position, h.vendor AS vendor,
           json_extract(r.value, '$[0]') AS criterion, json_extract(r.value, '$[1]') AS score,
           json_extract(r.value, '$[2]') AS na, json_extract(r.value, '$[3]') AS comment
    FROM sheets h, json_each(h.rows) r;
"""


@dataclass(frozen=True)
class Submission:
    """One collected file as the ledger remembers it (the audit trail of the report)."""

    sha256: str
    path: str
    tester: str | None
    received: dt.datetime
    status: Literal["accepted", "rejected", "superseded"]
    problems: tuple[Problem, ...] = ()
    archive: str = ""

    @property
    def name(self) -> str:
        """The original file name."""
        return Path(self.path).name


@dataclass(frozen=True)
class Recorded:
    """What recording one workbook did: ``unchanged`` when the same bytes were already in the ledger."""

    status: Literal["accepted", "rejected", "unchanged"]
    previous_status: str | None = None  # the status the same bytes already had ('rejected' when checked again)
    superseded: tuple[str, ...] = ()  # hashes of the earlier workbooks this one replaced
    current: bool = True  # False for a workbook accepted on a second look while a later one of its tester is current


#: SQLite's primary result codes for a disk that refuses a write, and the system error each amounts to.
_STORAGE_CODES = {
    sqlite3.SQLITE_FULL: errno.ENOSPC,
    sqlite3.SQLITE_IOERR: errno.EIO,
    sqlite3.SQLITE_READONLY: errno.EACCES,
    sqlite3.SQLITE_CANTOPEN: errno.EACCES,
}


#: SQLite's primary result codes for a file that is not, or no longer, a readable ledger.
_DAMAGED_CODES = {sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT}


@contextmanager
def storage_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's 'database or disk is full', 'readonly database' and I/O errors into an OSError naming ``path``.

    SQLite words these without the file, and as its own exception: the CLI says which file
    could not be used, as it does for any file the system refuses. A file that is not a
    database, or a damaged one, is a DataError naming it.
    """
    try:
        yield
    except sqlite3.DatabaseError as exc:
        primary = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if primary in _DAMAGED_CODES:
            raise damaged(path, exc) from None
        code = _STORAGE_CODES.get(primary) if isinstance(exc, sqlite3.OperationalError) else None
        if code is None:
            raise
        raise OSError(code, os.strerror(code), str(path)) from exc


def connect(path: Path, campaign_id: str | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the ledger in WAL mode with a busy timeout; transactions are explicit.

    With ``campaign_id``, the ledger is that campaign's: a new ledger (or one from before this
    check) records it, and one that holds another campaign's workbooks is refused (see _own).
    """
    _private_folder(path.parent)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    _distrust_schema(conn)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _switch_to_wal(conn)
    # In WAL mode NORMAL never corrupts the ledger; a power cut can lose only the last commits,
    # whose files are already in the archive and are collected again by the next run.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        with _immediate(conn), _schema_read(path):
            version = _version(conn, path)
            _not_newer(version, path)
            if version == SCHEMA_VERSION:
                # Before anything is written: a trigger planted in the file must not run even once.
                _only_own_objects(conn, path)
            if version == 1:
                # Schema 1's table of scores makes way for the view of the same name, then fills the new table.
                conn.execute("ALTER TABLE scores RENAME TO scores_1")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            if version == 1:
                _upgrade_from_1(conn)
            # After the conversion, in its transaction: what it found in the file is refused, and undone.
            _only_own_objects(conn, path, complete=True)
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            if campaign_id is not None:
                _own(conn, path, campaign_id, record=True)
    except BaseException:
        conn.close()
        raise
    return conn


def _own(conn: sqlite3.Connection, path: Path, campaign_id: str, record: bool = False) -> None:
    """Refuse a ledger that holds the workbooks of another campaign than ``campaign_id``.

    `tender init --force` over a campaign, or a changed campaign_id, would otherwise rank the new
    campaign on the old one's scores (tester and vendor IDs often repeat). ``record``: a ledger
    that names no campaign yet takes this one.
    """
    row = conn.execute("SELECT value FROM meta WHERE key = 'campaign_id'").fetchone()
    if row is None:
        if record:
            conn.execute("INSERT INTO meta (key, value) VALUES ('campaign_id', ?)", (campaign_id,))
        return
    if row[0] != campaign_id:
        folder = Path(path).parent
        raise DataError.of("ledger_other_campaign", path=path, recorded=row[0], campaign=campaign_id, folder=folder)


def _version(conn: sqlite3.Connection, path: Path) -> int | None:
    """The schema version of an existing ledger, None for a new one; a version that is not a number is damage."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone() is None:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        return None
    if not (isinstance(row[0], str) and row[0].isascii() and row[0].isdigit()):
        raise damaged(path, f"schema version {row[0]!r} is not a number")
    return int(row[0])


def _not_newer(version: int | None, path: Path) -> None:
    if version is not None and version > SCHEMA_VERSION:
        raise DataError(
            f"the ledger was written by a newer rse-tender (schema {version}, this one reads up to "
            f"{SCHEMA_VERSION}); upgrade rse-tender",
            Location(path),
        )


def damaged(path: Path, reason: object) -> DataError:
    """The error of a ledger that is not as rse-tender writes it: it names the file and the archive of its files."""
    return DataError.of("ledger_damaged", path=path, reason=reason, archive=Path(path).parent / "archive")


#: SQLite's primary result codes for a statement that the file's schema or rows make fail: a table where a
#: view should be, a constraint the stored rows break. Never a full disk, a lock or an I/O error.
_SCHEMA_CODES = {sqlite3.SQLITE_ERROR, sqlite3.SQLITE_CONSTRAINT, sqlite3.SQLITE_MISMATCH}


@contextmanager
def _schema_read(path: Path) -> Iterator[None]:
    """Opening or converting an existing ledger: what the file's schema or values make fail is a damaged ledger.

    The statements are rse-tender's own and fixed, so they fail only on a file that holds
    something else than they expect (a version that is not a number, a view in place of a table).
    """
    try:
        yield
    except (ValueError, TypeError) as exc:
        raise damaged(path, exc) from None
    except (sqlite3.OperationalError, sqlite3.IntegrityError) as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF not in _SCHEMA_CODES:
            raise
        raise damaged(path, exc) from None


def _distrust_schema(conn: sqlite3.Connection) -> None:
    """Functions with side effects may not run from the file's own schema (views, triggers, defaults)."""
    conn.execute("PRAGMA trusted_schema = OFF")


def _private_folder(folder: Path) -> None:
    """Make ``folder`` (.tender: the ledger and the archive of testers' workbooks, with names and comments) 0700.

    Made 0700 whatever the umask. One that exists loses the permissions of others (other users of
    the machine have no business reading testers' personal data, and one who may write it can
    replace the ledger); its group's are kept, a team may share a campaign through its group. A
    folder of someone else's is left as it is (only its owner may change it).
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        found = folder.stat()  # a file in the way is left to SQLite, which names it when it cannot open the ledger
        if os.name != "nt" and stat.S_ISDIR(found.st_mode) and found.st_mode & 0o007:
            with suppress(PermissionError):
                folder.chmod(stat.S_IMODE(found.st_mode) & ~0o007)
        return
    folder.chmod(0o700)  # a umask that removes the owner's own permissions is undone


#: The statements' text as SQLite stores it in sqlite_master, compared without comments and spacing.
_SQL_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?(?:\*/|$)|\s+|[^'\"\s-]+|-", re.S)
_TIGHT = re.compile(r" ?([(),;]) ?")

#: Tables SQLite itself makes (ANALYZE's statistics): not objects of the ledger's schema.
_SQLITE_TABLES = frozenset({"sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4", "sqlite_sequence"})

SchemaObject = tuple[str, str, str, str | None]


def _normal_sql(sql: str | None) -> str | None:
    if sql is None:
        return None
    tokens = []
    for match in _SQL_TOKEN.finditer(sql):
        token = match.group()
        if token.startswith("--") or token.startswith("/*") or token.isspace():
            tokens.append(" ")
        else:
            tokens.append(token)
    return _TIGHT.sub(r"\1", re.sub(r" +", " ", "".join(tokens))).strip()


def _objects(conn: sqlite3.Connection) -> list[SchemaObject]:
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()
    return [
        (str(kind), str(name), str(table), _normal_sql(sql))
        for kind, name, table, sql in rows
        if not (kind == "table" and name in _SQLITE_TABLES)
    ]


@cache
def _own_objects() -> frozenset[SchemaObject]:
    """The tables, indexes and view of the current schema, as SQLite records them."""
    with closing(sqlite3.connect(":memory:")) as memory:
        memory.executescript(_SCHEMA)
        return frozenset(_objects(memory))


def _only_own_objects(conn: sqlite3.Connection, path: Path, complete: bool = False) -> None:
    """Refuse a ledger that holds a schema object rse-tender did not create, or one of its own changed.

    A trigger planted in the file would run on the next `tender collect` (and could, say, mark
    every workbook superseded); a view in place of a table would show other scores. With
    ``complete``, each object of the schema must be there too. Once per connection: a few rows.
    """
    own = _own_objects()
    found = _objects(conn)
    foreign = next((o for o in found if o not in own), None)
    if foreign is not None:
        kind, name = foreign[0], foreign[1]
        raise DataError.of("ledger_foreign_object", path=path, kind=kind, name=name, archive=path.parent / "archive")
    if complete:
        missing = sorted(own - set(found))
        if missing:
            raise damaged(path, f"{missing[0][0]} {missing[0][1]} is missing")


def _upgrade_from_1(conn: sqlite3.Connection) -> None:
    """Schema 1 -> 2, inside the caller's transaction: each vendor sheet's score rows become one JSON row."""
    rows = conn.execute(
        "SELECT submission, vendor, criterion, score, na, comment FROM scores_1 ORDER BY submission, position"
    )
    # Schema 1 numbered each workbook's rows from 0 in this order, as encode_sheets does.
    for submission, group in itertools.groupby(rows, key=operator.itemgetter(0)):
        scores = tuple(ScoreRow(v, c, score, bool(na), comment) for _, v, c, score, na, comment in group)
        _insert_sheets(conn, submission, encode_sheets(scores))
    conn.execute("DROP TABLE scores_1")


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """PRAGMA journal_mode = WAL, waiting up to the busy timeout for another run doing the same.

    Two runs opening a new ledger at once race to convert it, and SQLite answers 'database is locked'
    to the loser at once instead of calling the busy handler; the mode is kept in the file, so it
    is set once.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT: take the write lock up front so two runs queue instead of failing."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        # SQLite may have rolled back already (a full disk, an I/O error): rolling back again would raise
        # 'no transaction is active' and hide why.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def known(conn: sqlite3.Connection, sha256: str) -> str | None:
    """The status of the submission with this hash, or None if it was never collected."""
    row = conn.execute("SELECT status FROM submissions WHERE sha256 = ?", (sha256,)).fetchone()
    return None if row is None else str(row[0])


def hashes(conn: sqlite3.Connection) -> frozenset[str]:
    """The hashes of every file ever collected."""
    return frozenset(str(r[0]) for r in conn.execute("SELECT sha256 FROM submissions"))


def settled(conn: sqlite3.Connection) -> frozenset[str]:
    """The hashes of the files accepted once (now current or superseded): re-collecting one of them is a no-op.

    Rejected files are not settled: the campaign may have changed since (a tester added to testers.xlsx),
    so they are checked again whenever they are collected.
    """
    rows = conn.execute("SELECT sha256 FROM submissions WHERE status != ?", (REJECTED,))
    return frozenset(str(r[0]) for r in rows)


def record(
    conn: sqlite3.Connection,
    sha256: str,
    path: str,
    archive: str,
    intake: Intake,
    received: dt.datetime | None = None,
    sheets: Sequence[EncodedSheet] | None = None,
) -> Recorded:
    """Record one workbook in one transaction: the submission, its scores, and what it supersedes.

    The same bytes recorded twice are a no-op (``unchanged``), unless they were
    rejected: then this new check replaces the old one in the same row, which
    keeps its place in the order of collection. An accepted workbook supersedes
    the tester's earlier accepted ones, which stay in the ledger with the status
    ``superseded``; one accepted on a second look while a later workbook of its
    tester is current is recorded as ``superseded`` at once (``current`` False).
    The scores are ``sheets`` when given (:func:`encode_sheets` of the intake's rows,
    done elsewhere), else the intake's rows.
    """
    when = (received or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    problems = json.dumps([p.as_dict() for p in intake.problems], ensure_ascii=False)
    with _immediate(conn), _stored_rows(conn):
        # Checked inside the write transaction: another run may have recorded it a moment ago.
        row = conn.execute("SELECT seq, status FROM submissions WHERE sha256 = ?", (sha256,)).fetchone()
        if row is not None and row[1] != REJECTED:
            return Recorded("unchanged", previous_status=str(row[1]))
        previous = None if row is None else REJECTED
        if not intake.accepted:
            if row is None:
                conn.execute(
                    "INSERT INTO submissions (sha256, path, archive, tester, received, status, problems) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (sha256, path, archive, intake.tester, when.isoformat(timespec="seconds"), REJECTED, problems),
                )
            else:
                conn.execute(
                    "UPDATE submissions SET tester = ?, problems = ? WHERE seq = ?", (intake.tester, problems, row[0])
                )
            return Recorded("rejected", previous_status=previous)
        if row is None:
            seq = conn.execute(
                "INSERT INTO submissions (sha256, path, archive, tester, received, status, problems) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sha256, path, archive, intake.tester, when.isoformat(timespec="seconds"), ACCEPTED, problems),
            ).lastrowid
            assert seq is not None, "an INSERT always sets lastrowid"
        else:
            seq = int(row[0])
        # Order of collection decides: only the tester's workbooks collected before this one are replaced.
        later = conn.execute(
            "SELECT 1 FROM submissions WHERE tester = ? AND status = ? AND seq > ?", (intake.tester, ACCEPTED, seq)
        ).fetchone()
        superseded: list[str] = []
        if later is None:
            rows = conn.execute(
                "SELECT sha256 FROM submissions WHERE tester = ? AND status = ? AND seq < ? ORDER BY seq",
                (intake.tester, ACCEPTED, seq),
            ).fetchall()
            superseded = [str(r[0]) for r in rows]
            conn.execute(
                "UPDATE submissions SET status = ? WHERE tester = ? AND status = ? AND seq < ?",
                (SUPERSEDED, intake.tester, ACCEPTED, seq),
            )
        if row is not None:
            conn.execute(
                "UPDATE submissions SET tester = ?, status = ?, problems = ? WHERE seq = ?",
                (intake.tester, ACCEPTED if later is None else SUPERSEDED, problems, seq),
            )
        _insert_sheets(conn, seq, encode_sheets(intake.rows) if sheets is None else sheets)
    return Recorded("accepted", previous_status=previous, superseded=tuple(superseded), current=later is None)


@contextmanager
def _stored_rows(conn: sqlite3.Connection) -> Iterator[None]:
    """Writing a workbook: a constraint that rows already in the file break (scores left under a rejected
    workbook, by hand) is a damaged ledger. The schema itself was checked when the ledger was opened."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        path = Path(conn.execute("PRAGMA database_list").fetchone()[2])
        raise damaged(path, exc) from None


#: One vendor sheet of a workbook as the ledger stores it: the position of its first row, the vendor, the rows as JSON.
EncodedSheet = tuple[int, str, str]


def _insert_sheets(conn: sqlite3.Connection, submission: int, sheets: Sequence[EncodedSheet]) -> None:
    conn.executemany(
        "INSERT INTO sheets (submission, first, vendor, rows) VALUES (?, ?, ?, ?)",
        [(submission, first, vendor, text) for first, vendor, text in sheets],
    )


def encode_sheets(rows: Sequence[ScoreRow]) -> tuple[EncodedSheet, ...]:
    """A workbook's score rows as the ledger stores them: one JSON text per vendor sheet, grouped, in order.

    Apart from :func:`record` so that `tender collect`'s worker processes do this work, not
    the one process that writes the ledger.
    """
    sheets = []
    position = 0
    for vendor, group in itertools.groupby(rows, key=operator.itemgetter(0)):
        scores = [row[1:] for row in group]
        sheets.append((position, vendor, json.dumps(scores, ensure_ascii=False)))
        position += len(scores)
    return tuple(sheets)


def _read(ledger_path: Path) -> sqlite3.Connection | None:
    """A connection to an existing ledger, or None when there is none yet (nothing collected).

    Reading a ledger in WAL mode creates its index file (``-shm``) beside it: in a folder this
    process may not write (a campaign on a read-only share, an auditor's copy) SQLite refuses.
    The ledger is then read as an immutable file, which is exact as long as no commit waits in
    its write-ahead log; one that does cannot be read without writing, and the error says so.
    """
    path = Path(ledger_path)
    if not path.exists():
        return None
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        _distrust_schema(conn)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # opens the WAL index, if it can
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        primary = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        wal = path.with_name(path.name + "-wal")
        if primary not in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN) or (wal.exists() and wal.stat().st_size):
            raise
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    _distrust_schema(conn)
    return conn


@contextmanager
def _reading(ledger_path: Path, campaign_id: str | None) -> Iterator[sqlite3.Connection | None]:
    """The ledger opened for reading, or None when there is none yet (nothing collected).

    With ``campaign_id``, a ledger of another campaign is refused (see _own); a damaged or
    refused file is named (see storage_errors), and so is one that holds objects rse-tender did
    not create (see _only_own_objects) or values it does not write (see _DECODING).
    """
    with storage_errors(ledger_path):
        conn = _read(ledger_path)
        if conn is None:
            yield None
            return
        with closing(conn):
            with _schema_read(ledger_path):
                version = _version(conn, ledger_path)
                _not_newer(version, ledger_path)
                # An empty file (nothing was ever recorded in it) reads as no ledger.
                empty = version is None and conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None
                if version == SCHEMA_VERSION:
                    _only_own_objects(conn, ledger_path, complete=True)
                elif version is None and not empty:
                    raise damaged(ledger_path, "no schema version")
                if campaign_id is not None and not empty:
                    _own(conn, ledger_path, campaign_id)
            yield None if empty else conn


#: What decoding a value the ledger did not write raises (json's errors are ValueErrors).
_DECODING = (ValueError, TypeError, KeyError, AttributeError)


def _text(value: object, name: str, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} {value!r} is not a text")
    return value


#: The types of a score row's values as :func:`encode_sheets` writes them: criterion, score, N/A flag, comment.
_COLUMN_TYPES = (frozenset({str}), frozenset({type(None), int, float}), frozenset({bool}), frozenset({str, type(None)}))


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a score")


def _score_rows(tester: object, vendor: object, text: object) -> list[tuple[object, ...]]:
    """One vendor sheet of a current workbook as rows of the scores frame (ValueError when not as recorded)."""
    tester = _text(tester, "tester")
    vendor = _text(vendor, "vendor")
    rows = json.loads(_text(text, "rows") or "", parse_constant=_no_constant)
    if not isinstance(rows, list):
        raise ValueError("rows are not a list")
    if rows:
        # The types of each column at C speed, not a test per value: current_scores reads every score of the
        # campaign. Rows of different lengths fail to transpose (ValueError), values that are not rows too.
        columns = list(zip(*rows, strict=True))
        if len(columns) != len(_COLUMN_TYPES) or not all(
            set(map(type, column)) <= types for column, types in zip(columns, _COLUMN_TYPES, strict=True)
        ):
            raise ValueError("score rows are not [criterion, score or null, N/A true or false, comment]")
    return [(tester, vendor, *row) for row in rows]


def _submission(
    sha: object, path: object, tester: object, received: object, status: object, problems: object, archive: object
) -> Submission:
    """One row of submissions (ValueError, TypeError or KeyError when not as recorded)."""
    if status not in (ACCEPTED, REJECTED, SUPERSEDED):
        raise ValueError(f"status {status!r} is not one of {ACCEPTED}, {REJECTED}, {SUPERSEDED}")
    found = json.loads(_text(problems, "problems") or "")
    if not (isinstance(found, list) and all(isinstance(p, dict) for p in found)):
        raise ValueError("problems are not a list of problems")
    listed = tuple(Problem.from_dict(p) for p in found)
    for problem in listed:
        for name in ("file", "found", "expected"):
            _text(getattr(problem, name), f"problem {name}")
        for name in ("sheet", "cell"):
            _text(getattr(problem, name), f"problem {name}", optional=True)
    return Submission(
        sha256=_text(sha, "sha256") or "",
        path=_text(path, "path") or "",
        tester=_text(tester, "tester", optional=True),
        received=dt.datetime.fromisoformat(_text(received, "received") or ""),
        status=cast(Literal["accepted", "rejected", "superseded"], status),
        problems=listed,
        archive=_text(archive, "archive") or "",
    )


def current_scores(ledger_path: Path, campaign_id: str | None = None) -> pd.DataFrame:
    """The scores frame of vendors/scoring.py: one row per (tester, vendor, criterion) of current workbooks.

    With ``campaign_id``, a ledger of another campaign is refused (see _own).
    """
    with _reading(ledger_path, campaign_id) as conn:
        if conn is None:
            return _scores_frame([])
        sheets = conn.execute(
            "SELECT s.seq, s.tester, h.vendor, h.rows FROM sheets h JOIN submissions s ON s.seq = h.submission "
            "WHERE s.status = ? ORDER BY s.tester, s.seq, h.first",
            (ACCEPTED,),
        ).fetchall()
    rows: list[tuple[object, ...]] = []
    seq = None
    try:
        for sheet in sheets:
            seq = sheet[0]
            rows.extend(_score_rows(*sheet[1:]))
    except _DECODING as exc:
        # A row not as rse-tender writes it (by hand, by an attacker) is a damaged ledger, not a traceback.
        raise damaged(ledger_path, f"submission {seq}: {exc}") from None
    return _scores_frame(rows)


def _scores_frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    # Imported here: `tender collect` never builds a frame and starts faster without pandas.
    import pandas as pd

    from vendors.scoring import SCORE_COLUMNS

    frame = pd.DataFrame.from_records(rows, columns=list(SCORE_COLUMNS))
    # "str" is pandas' own string dtype from pandas 3 (object before), as the contract says.
    dtypes = {"tester": "str", "vendor": "str", "criterion": "str", "score": "float64", "na": "bool", "comment": "str"}
    return frame.astype(dtypes).reset_index(drop=True)


def submissions(ledger_path: Path, campaign_id: str | None = None) -> list[Submission]:
    """Every collected file, in the order of collection; with ``campaign_id``, refuses another campaign's ledger."""
    with _reading(ledger_path, campaign_id) as conn:
        if conn is None:
            return []
        rows = conn.execute(
            "SELECT seq, sha256, path, tester, received, status, problems, archive FROM submissions ORDER BY seq"
        ).fetchall()
    found: list[Submission] = []
    seq = None
    try:
        for row in rows:
            seq = row[0]
            found.append(_submission(*row[1:]))
    except _DECODING as exc:
        raise damaged(ledger_path, f"submission {seq}: {exc}") from None
    return found
