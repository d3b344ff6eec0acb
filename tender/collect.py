"""Workbooks out and back: `tender sheets`, `tender collect` (archive, validate, ledger) and `tender status`."""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime as dt
import errno
import gc
import hashlib
import multiprocessing
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from criteria.catalogue import scale_labels
from criteria.errors import CampaignError, TenderError
from criteria.safe import (
    CREATOR,
    UNSAFE_CHARACTERS,
    check_text,
    naming,
    save_workbook,
    set_text,
    sync_folder,
    write_bytes_atomic,
)
from tender.campaign import Campaign, load_campaign
from vendors import ledger
from vendors.intake import (
    MAX_WORKBOOK_BYTES,
    WORKBOOK_SUFFIXES,
    Expected,
    Intake,
    Problem,
    check_workbook,
    file_problem,
    workbook_versions,
)
from vendors.model import Tester
from vendors.workbook import WorkbookSpec, write_workbooks

Progress = Callable[[int], None]

#: Below this many new files, starting worker processes costs more than it saves.
POOL_THRESHOLD = 48
PROBLEMS_FILE = "collect-problems.xlsx"
MAX_SHOWN_PROBLEMS = 10
_LOCK_FILE = re.compile(r"^(~\$.*|\.~lock\..*#)$")
_ARCHIVE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "sheets": "Wrote {count} workbook(s) to {folder} (workbook version {version}).",
        "sheets_next": "Send each tester their file; put the returned files in {inbox} and run: tender collect {root}",
        "sheets_outdated": "{count} workbook(s) in {folder} were made for other criteria or another campaign "
        "({testers}): testers who already have them would send back workbooks that 'tender collect' rejects. "
        "Nothing was written. To replace them, run: tender sheets {root} --force, then send every tester their new "
        "workbook",
        "sheets_replaced": "Replaced {count} workbook(s) made for other criteria or another campaign: send those "
        "testers their new workbook ({testers}).",
        "nothing": "No workbook to collect in {where}.",
        "summary": "{total} file(s): {accepted} accepted, {rejected} rejected, {unchanged} unchanged, "
        "{superseded} superseded.",
        "accepted": "Accepted {file} (tester {tester}).",
        "replaces": "Accepted {file} (tester {tester}), replacing an earlier workbook.",
        "outdated": "Accepted {file} (tester {tester}) as an earlier version: a later workbook stays current.",
        "rejected": "Rejected {file}: {count} problem(s).",
        "more": "  … and {count} more problem(s) in {problems}.",
        "unchanged_rejected": "{count} unchanged file(s) had been rejected before; see 'tender status'.",
        "problems": "Every problem is listed in {problems}; send each tester the lines of their file.",
        "error": "{count} workbook(s) rejected; see {problems}",
        "overtaken": "  A later workbook of {tester} was accepted: nothing to send back for this file.",
        "testers": "Testers: {current} of {total} have a current workbook.",
        "vendors": "Current workbooks with scores, per vendor:",
        "vendor_line": "  {id}  {name}: {count}",
        "missing": "Missing ({count}):",
        "missing_line": "  {id}  {name}{email}{rejected}",
        "missing_rejected": " — {count} rejected file(s)",
        "none_missing": "Nobody is missing.",
        "strangers": "{count} file(s) not linked to a tester of testers.xlsx (tester: {ids}).",
        "unknown": "unknown",
        "writing": "Writing workbooks",
        "collecting": "Collecting workbooks",
    },
    "fr": {
        "sheets": "{count} classeur(s) écrit(s) dans {folder} (version des classeurs {version}).",
        "sheets_next": "Envoyez à chaque testeur son fichier ; déposez les fichiers reçus dans {inbox} puis lancez : "
        "tender collect {root}",
        "sheets_outdated": "{count} classeur(s) de {folder} ont été faits pour d'autres critères ou une autre "
        "campagne ({testers}) : les testeurs qui les ont déjà renverraient des classeurs que « tender collect » "
        "refuse. Rien n'a été écrit. Pour les remplacer, lancez : tender sheets {root} --force, puis envoyez à chaque "
        "testeur son nouveau classeur",
        "sheets_replaced": "{count} classeur(s) faits pour d'autres critères ou une autre campagne remplacés : "
        "envoyez à ces testeurs leur nouveau classeur ({testers}).",
        "nothing": "Aucun classeur à collecter dans {where}.",
        "summary": "{total} fichier(s) : {accepted} accepté(s), {rejected} refusé(s), {unchanged} inchangé(s), "
        "{superseded} remplacé(s).",
        "accepted": "Accepté : {file} (testeur {tester}).",
        "replaces": "Accepté : {file} (testeur {tester}), en remplacement d'un classeur précédent.",
        "outdated": "Accepté : {file} (testeur {tester}) comme version antérieure : un classeur plus récent reste en "
        "cours.",
        "rejected": "Refusé : {file} : {count} problème(s).",
        "more": "  … et {count} autre(s) problème(s) dans {problems}.",
        "unchanged_rejected": "{count} fichier(s) inchangé(s) avaient déjà été refusés ; voir « tender status ».",
        "problems": "Tous les problèmes sont listés dans {problems} ; envoyez à chaque testeur les lignes de son "
        "fichier.",
        "error": "{count} classeur(s) refusé(s) ; voir {problems}",
        "overtaken": "  Un classeur plus récent de {tester} a été accepté : rien à lui renvoyer pour ce fichier.",
        "testers": "Testeurs : {current} sur {total} ont un classeur en cours.",
        "vendors": "Classeurs en cours avec des notes, par fournisseur :",
        "vendor_line": "  {id}  {name} : {count}",
        "missing": "Manquants ({count}) :",
        "missing_line": "  {id}  {name}{email}{rejected}",
        "missing_rejected": " — {count} fichier(s) refusé(s)",
        "none_missing": "Personne ne manque.",
        "strangers": "{count} fichier(s) non rattaché(s) à un testeur de testers.xlsx (testeur : {ids}).",
        "unknown": "inconnu",
        "writing": "Écriture des classeurs",
        "collecting": "Collecte des classeurs",
    },
}


def label(key: str, language: str) -> str:
    """A short text of this module (e.g. a progress-bar label) in ``language``."""
    return TEXTS[language][key]


#: Column titles of the problems file and of the status table.
PROBLEM_HEADERS = {
    "en": ("File", "Tester", "Name", "E-mail", "Sheet", "Cell", "Found", "Expected"),
    "fr": ("Fichier", "Testeur", "Nom", "Courriel", "Feuille", "Cellule", "Trouvé", "Attendu"),
}
STATUS_COLUMNS = {
    "en": ("Tester", "Name", "Received", "Current file", "Date", "Rejected"),
    "fr": ("Testeur", "Nom", "Reçus", "Fichier en cours", "Date", "Refusés"),
}


class OutdatedSheetsError(TenderError):
    """`tender sheets` would replace workbooks made for other criteria, which testers may already have."""

    exit_code = 1


class RejectedWorkbooksError(TenderError):
    """At least one collected workbook was rejected; the testers must send corrected files."""

    exit_code = 1


# ---------------------------------------------------------------------------------------------- tender sheets


def workbook_spec(campaign: Campaign) -> WorkbookSpec:
    """The campaign's settings as the plain parameters of a score workbook."""
    settings = campaign.settings
    return WorkbookSpec(
        campaign_id=settings.campaign_id,
        campaign_name=settings.name,
        criteria=campaign.criteria,
        vendors=campaign.vendors,
        scale=settings.scale,
        scale_labels=scale_labels(settings.scale, settings.language),
        language=settings.language,
        organisation=settings.organisation,
        deadline=settings.deadline,
        tester_instructions=settings.tester_instructions,
        contact=settings.contact,
        secret=campaign_secret(campaign.paths.state, create=True),
    )


#: The campaign's secret, from which each tester's key is computed (vendors.workbook.tester_key).
SECRET_FILE = "secret"


def campaign_secret(state: Path, create: bool = False) -> bytes:
    """The secret of the campaign whose state folder is ``state`` (b"" when there is none and not ``create``).

    Made with the first workbooks (`tender sheets`), readable by the collecting account only: whoever
    holds it can make a workbook for any tester. Workbooks made before a campaign had one carry no key.
    """
    path = state / SECRET_FILE
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(secret) < 16:
            raise ValueError("too short")
        return secret
    except FileNotFoundError:
        if not create:
            return b""
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise CampaignError(
            f"{path} cannot be read as the campaign's secret ({exc}); restore it from a backup"
        ) from None
    state.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = os.urandom(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made meanwhile by another run: that one counts
        return campaign_secret(state)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secret.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    sync_folder(state)
    return secret


@dataclass(frozen=True)
class SheetsResult:
    """The workbooks written by `tender sheets`."""

    folder: Path
    paths: tuple[Path, ...]
    criteria_version: str
    language: str
    root: Path
    #: testers whose earlier workbook, made for other criteria, was replaced (with --force)
    replaced: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """What the CLI prints, in the campaign's language."""
        texts = TEXTS[self.language]
        lines = [texts["sheets"].format(count=len(self.paths), folder=self.folder, version=self.criteria_version)]
        if self.replaced:
            lines.append(texts["sheets_replaced"].format(count=len(self.replaced), testers=_listed(self.replaced)))
        lines.append(texts["sheets_next"].format(inbox=self.root / "inbox", root=self.root))
        return lines


def _listed(ids: Sequence[str], shown: int = 8) -> str:
    """'T001, T002, T003', or the first eight and how many more ('T001, ..., T008, +12')."""
    more = f", +{len(ids) - shown}" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def outdated_sheets(campaign: Campaign, folder: Path) -> tuple[str, ...]:
    """Testers whose workbook in ``folder`` was made for other criteria or another campaign (sent, maybe)."""
    expected = expected_of(campaign)
    outdated = []
    for tester in campaign.testers:
        path = folder / f"{tester.id}.xlsx"
        try:
            data = path.read_bytes() if path.stat().st_size <= MAX_WORKBOOK_BYTES else None
        except FileNotFoundError:
            continue
        versions = workbook_versions(data, ".xlsx") if data is not None else None
        # A file that tells nothing (damaged, not a workbook) cannot have been a useful copy: it is replaced.
        if versions is not None and not (versions[0] == expected.campaign_id and expected.accepts_version(versions[1])):
            outdated.append(tester.id)
    return tuple(outdated)


def make_sheets(
    campaign: Campaign, outdir: Path | None = None, progress: Progress | None = None, force: bool = False
) -> SheetsResult:
    """Write one score workbook per tester of ``campaign`` (default folder: its ``sheets/``).

    A workbook already there for the same questions is rewritten (a weight may have changed: what the tester
    fills is the same). One made for other criteria may be in a tester's hands: unless ``force``, nothing is
    written and :class:`OutdatedSheetsError` names them.
    """
    folder = Path(outdir) if outdir is not None else campaign.paths.sheets
    spec = workbook_spec(campaign)
    language = campaign.settings.language
    outdated = outdated_sheets(campaign, folder) if folder.is_dir() else ()
    if outdated and not force:
        raise OutdatedSheetsError(
            TEXTS[language]["sheets_outdated"].format(
                count=len(outdated), folder=folder, testers=_listed(outdated), root=campaign.paths.root
            )
        )
    paths = write_workbooks(spec, campaign.testers, folder, progress)
    return SheetsResult(folder, paths, spec.criteria_version, language, campaign.paths.root, outdated)


# --------------------------------------------------------------------------------------------- tender collect


def expected_of(campaign: Campaign) -> Expected:
    """What a returned workbook of this campaign must match."""
    settings = campaign.settings
    return Expected(
        campaign_id=settings.campaign_id,
        criteria_version=campaign.criteria.sheet_version(),
        also_accepted=frozenset({campaign.criteria.version()}),
        criteria=campaign.criteria.ids,
        vendors={v.id: v.name for v in campaign.vendors},
        testers=frozenset(t.id for t in campaign.testers),
        scale=settings.scale,
        language=settings.language,
        secret=campaign_secret(campaign.paths.state),
    )


def is_lock_file(path: Path) -> bool:
    """True for the lock files Excel (~$name) and LibreOffice (.~lock.name#) leave beside an open file."""
    return bool(_LOCK_FILE.match(path.name))


def find_workbooks(paths: Sequence[Path], skip: Sequence[Path] = ()) -> list[Path]:
    """The files to collect: given files as they are, folders searched recursively for workbooks.

    Lock files, hidden folders and the files and folders in ``skip`` are left
    out of the search. Order: oldest modification first, so that when a tester's two
    versions arrive together the newer one is recorded last and wins.
    """
    skipped = {Path(s).resolve() for s in skip}
    # A file is under a skipped folder when its resolved path starts with the folder's and a separator: one
    # text comparison per file instead of walking its parents (the listing runs before any worker starts).
    under = tuple(os.path.join(folder, "") for folder in skipped)
    found: dict[Path, Path] = {}
    for given in paths:
        given = Path(given)
        if given.is_dir():
            # A link is listed as itself, wherever it points, so that it is reported rather than followed (archive).
            candidates: Iterator[tuple[Path, Path]] = (
                (p, p.absolute() if p.is_symlink() else p.resolve())
                for p in given.rglob("*")
                if p.suffix.lower() in WORKBOOK_SUFFIXES and (p.is_symlink() or p.is_file()) and not _hidden(p, given)
            )
            candidates = ((p, r) for p, r in candidates if r not in skipped and not str(r).startswith(under))
        else:
            candidates = iter([(given, given.resolve())])
        for path, resolved in candidates:
            if not is_lock_file(path):
                found.setdefault(resolved, path)
    return sorted(found.values(), key=lambda p: (p.lstat().st_mtime_ns, str(p)))


def _hidden(path: Path, top: Path) -> bool:
    """True for a file under a hidden folder (below the folder searched)."""
    return any(part.startswith(".") for part in path.relative_to(top).parts[:-1])


@dataclass(frozen=True)
class CollectPlan:
    """The campaign and the files one `tender collect` run will take in."""

    campaign: Campaign
    files: tuple[Path, ...]
    sources: tuple[Path, ...]


def plan_collect(root: Path, paths: Sequence[Path] = ()) -> CollectPlan:
    """Load the campaign and list the files to collect (``root/inbox`` when no path is given)."""
    campaign = load_campaign(root)
    inbox = campaign.paths.inbox
    if not paths and inbox.exists() and not inbox.is_dir():
        # A file named inbox is the campaign's layout gone wrong, not a workbook to reject.
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(inbox))
    sources = tuple(Path(p) for p in paths) or (inbox,)
    existing = [p for p in sources if p.exists()]
    # The campaign's own files (inputs, blank sheets, archive, outputs) are never collected, even when DIR
    # itself is given.
    own = (*campaign.paths.inputs, campaign.paths.sheets, campaign.paths.state, campaign.paths.out)
    return CollectPlan(campaign, tuple(find_workbooks(existing, skip=own)), sources)


@dataclass(frozen=True)
class Collected:
    """What happened to one file: accepted, rejected or unchanged (already in the ledger)."""

    path: Path
    sha256: str
    status: str
    tester: str | None
    problems: tuple[Problem, ...] = ()
    superseded: tuple[str, ...] = ()
    previous_status: str | None = None
    current: bool = True  # False when accepted on a second look while a later workbook of the tester is current
    #: rejected, but collected before the tester's current (accepted) workbook: nothing left to send back
    overtaken: bool = False


@dataclass(frozen=True)
class CollectResult:
    """The outcome of one `tender collect` run."""

    files: tuple[Collected, ...]
    problems_file: Path | None
    language: str
    sources: tuple[Path, ...] = ()

    def count(self, status: str) -> int:
        """Number of files with this status in this run."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def accepted(self) -> int:
        return self.count(ledger.ACCEPTED)

    @property
    def rejected(self) -> int:
        return self.count(ledger.REJECTED)

    @property
    def to_send_back(self) -> int:
        """Rejected files whose tester has no later accepted workbook: the problems the team must act on."""
        return sum(1 for f in self.files if f.status == ledger.REJECTED and not f.overtaken)

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def superseded(self) -> int:
        """Earlier workbooks replaced by a workbook accepted in this run."""
        return sum(len(f.superseded) for f in self.files)

    def lines(self) -> list[str]:
        """What the CLI prints, in the campaign's language: one line per file, then the summary."""
        texts = TEXTS[self.language]
        if not self.files:
            return [texts["nothing"].format(where=", ".join(str(s) for s in self.sources))]
        lines: list[str] = []
        for item in self.files:
            name = item.path.name
            if item.status == ledger.ACCEPTED:
                key = "replaces" if item.superseded else "accepted" if item.current else "outdated"
                lines.append(texts[key].format(file=name, tester=item.tester))
            elif item.status == ledger.REJECTED:
                lines.append(texts["rejected"].format(file=name, count=len(item.problems)))
                lines.extend("  " + p.describe(self.language) for p in item.problems[:MAX_SHOWN_PROBLEMS])
                hidden = len(item.problems) - MAX_SHOWN_PROBLEMS
                if hidden > 0 and not item.overtaken:
                    lines.append(texts["more"].format(count=hidden, problems=self.problems_file))
                if item.overtaken:
                    lines.append(texts["overtaken"].format(tester=item.tester))
        lines.append(
            texts["summary"].format(
                total=len(self.files),
                accepted=self.accepted,
                rejected=self.rejected,
                unchanged=self.unchanged,
                superseded=self.superseded,
            )
        )
        before = sum(1 for f in self.files if f.status == "unchanged" and f.previous_status == ledger.REJECTED)
        if before:
            lines.append(texts["unchanged_rejected"].format(count=before))
        if self.problems_file is not None:
            lines.append(texts["problems"].format(problems=self.problems_file))
        return [_one_line(line) for line in lines]

    def error(self) -> RejectedWorkbooksError | None:
        """The error that makes the command exit with 1, when a workbook was rejected."""
        if not self.to_send_back:
            return None
        return RejectedWorkbooksError(
            TEXTS[self.language]["error"].format(count=self.to_send_back, problems=self.problems_file)
        )


def _written() -> BaseException | None:
    return None


class UnreadableFileError(Exception):
    """A file to collect could not be read (its own problem, reported for it); wraps the OSError."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


def archive(
    path: Path, folder: Path, writer: Executor | None = None
) -> tuple[str, Path, bytes | None, Callable[[], BaseException | None]]:
    """Copy ``path`` to ``folder/<sha256><suffix>`` unless the same bytes are already there.

    Returns the hash, the archived copy, the bytes (None for a file too large to be
    checked, which is streamed instead of read into memory) and a function that waits
    until the copy is on disk and returns what stopped it (None when all went well). The
    hash is taken from the very bytes written, so the archive holds what is checked even
    if the original changes. With a ``writer``, the copy of a file read whole is written,
    synced and renamed in the writer's thread, while the caller checks the bytes.

    Raises :class:`UnreadableFileError` when ``path`` cannot be read (that file's problem),
    and an OSError naming the archive when the copy cannot be written (the collecting
    side's problem: a full disk, a read-only folder).
    """
    suffix = path.suffix.lower() if _ARCHIVE_SUFFIX.match(path.suffix.lower()) else ".bin"
    with _reading():
        # Never through a symbolic link: one unpacked from a tester's archive, or planted in a shared inbox, could
        # point at any file the collecting account can read (/etc/passwd, another campaign), which would be copied
        # into the archive. Such a link is rejected as one ("links are not followed").
        source = os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)), "rb")
    with source:
        # Read at most one byte more than a workbook may hold: the size is known without a second look.
        data = _read(source, MAX_WORKBOOK_BYTES + 1)
        if len(data) <= MAX_WORKBOOK_BYTES:
            sha = hashlib.sha256(data).hexdigest()
            target = folder / f"{sha}{suffix}"
            if not os.path.exists(target):
                # The folder is synced once per batch (_take_batch), not after each copy.
                if writer is not None:
                    future = writer.submit(write_bytes_atomic, target, data, sync_name=False)
                    return sha, target, data, future.exception
                write_bytes_atomic(target, data, sync_name=False)
            return sha, target, data, _written
        del data
        with _reading():
            source.seek(0)
        # The copy's name (the hash) is known only once it is written: an error names the folder.
        with naming(folder, os.path.join(folder, ".incoming.")):
            folder.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            out = tempfile.NamedTemporaryFile(dir=folder, prefix=".incoming.", delete=False)
            try:
                with out:
                    while chunk := _read(source, 2**20):
                        digest.update(chunk)
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                target = folder / f"{digest.hexdigest()}{suffix}"
                if not target.exists():
                    os.replace(out.name, target)
            finally:
                # Whatever stopped the copy, no partial file stays (after the rename, there is nothing to remove).
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(out.name)
    return digest.hexdigest(), target, None, _written


@contextmanager
def _reading() -> Iterator[None]:
    """Reading a file being collected: a failure is that file's problem (UnreadableFileError)."""
    try:
        yield
    except OSError as exc:
        raise UnreadableFileError(exc) from exc


def _read(source: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes of a file being collected (see _reading)."""
    with _reading():
        return source.read(size)


@dataclass(frozen=True)
class _Taken:
    """One file after archiving: its checked content, or None when the ledger already has these bytes."""

    sha256: str
    archive: str
    intake: Intake | None  # without its rows, which travel as ``sheets``
    problem: Problem | None = None  # the file could not be read at all
    #: the path the ledger records (see _shown_path) and the scores as the ledger stores them
    shown: str = ""
    sheets: tuple[ledger.EncodedSheet, ...] = ()


@dataclass(frozen=True)
class _Context:
    """What every check needs, sent once to each worker process."""

    folder: Path
    known: frozenset[str]
    expected: Expected
    root: Path  # the campaign folder, resolved


def _take(path: Path, context: _Context, writer: Executor | None = None) -> _Taken:
    """Archive one file, then check it unless the same bytes were accepted before (rejected ones are checked again).

    Archiving comes first for every file: whatever happens next, its bytes are kept. With a
    ``writer`` thread, the check runs while the archived copy is synced to disk, and nothing
    is answered before the copy is on disk.
    """
    return _take_batch([path], context, writer)[0]


def _take_batch(paths: Sequence[Path], context: _Context, writer: Executor | None = None) -> list[_Taken]:
    """:func:`_take` for several files, answered together once every archived copy of the batch is on disk.

    The sync is mostly waiting for the disk. Waited for after each file, it left the worker
    idle whenever the disk was slower than the check (0.1 s of processor time over the
    benchmark's 1,000 workbooks); waited for once per batch, it overlaps the next checks.
    On disk means the copies and their names: the archive folder is synced once per batch.
    """
    taken: list[_Taken] = []
    waits: list[Callable[[], BaseException | None]] = []
    language = context.expected.language
    try:
        for path in paths:
            name = path.name
            try:
                sha, target, data, written = archive(path, context.folder, writer)
            except UnreadableFileError as exc:
                taken.append(_Taken("", "", None, _unreadable(name, language, exc.error)))
                continue
            waits.append(written)
            size = len(data) if data is not None else target.stat().st_size
            if sha in context.known:
                taken.append(_Taken(sha, target.name, None))
                continue
            intake = check_workbook(data, path.suffix, context.expected, name, size)
            # The worker encodes the scores and names the file, not the one process that writes the ledger.
            sheets = ledger.encode_sheets(intake.rows)
            intake = dataclasses.replace(intake, rows=())
            taken.append(_Taken(sha, target.name, intake, None, _shown_path(path, context.root), sheets))
    finally:
        # Every copy is waited for (a list, not a lazy generator): none is still being written behind an error.
        failed = next((error for error in [wait() for wait in waits] if error is not None), None)
    if failed is not None:
        # An archived copy could not be written (a full disk, a read-only folder): not that file's problem,
        # and every file after it would fail the same way. The run stops; what it recorded stays recorded.
        raise failed
    if waits:
        # The copies' new names are made durable before the ledger, told of them by this answer, records them.
        sync_folder(context.folder)
    return taken


def _unreadable(name: str, language: str, exc: OSError) -> Problem:
    if exc.errno == errno.ELOOP:
        return file_problem(name, language, "link")  # opened with O_NOFOLLOW: see archive()
    return file_problem(name, language, "unreadable", reason=exc.strerror or type(exc).__name__)


_CONTEXT: _Context | None = None
#: Each worker process's thread that writes the archived copies (threads do not survive a fork: made in the worker).
_WRITER: ThreadPoolExecutor | None = None


def _init_worker(context: _Context) -> None:
    global _CONTEXT, _WRITER
    _CONTEXT = context
    _WRITER = ThreadPoolExecutor(1, thread_name_prefix="archive")
    _keep_heap()


#: glibc's mallopt parameter for the memory kept at the top of the heap when it grows or shrinks.
_M_TOP_PAD = -2
_TOP_PAD_BYTES = 16 * 2**20


def _keep_heap() -> None:
    """Have glibc keep 16 MiB at the top of this process's heap instead of returning it after every workbook.

    Each workbook takes and frees a few hundred kilobytes (its bytes, its unpacked parts, the
    reader's buffers): by default the heap shrinks after each one and grows again for the next,
    and the fresh pages cost a page fault each. With the padding, a worker took 20,000 page
    faults instead of 36,000 over the benchmark's 1,000 workbooks. Elsewhere than glibc, nothing.
    """
    if _on_glibc():
        try:
            ctypes.CDLL(None).mallopt(_M_TOP_PAD, _TOP_PAD_BYTES)
        except (OSError, AttributeError):
            pass  # no mallopt after all: the default behaviour is only slower


def _on_glibc() -> bool:
    """True when this process runs on glibc (whose allocator _keep_heap tunes)."""
    try:
        return "CS_GNU_LIBC_VERSION" in os.confstr_names and bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (OSError, ValueError):
        return False


def _take_in_worker(paths: Sequence[Path]) -> list[_Taken]:
    assert _CONTEXT is not None, "worker started without its context"
    return _take_batch(paths, _CONTEXT, _WRITER)


def _taken(files: Sequence[Path], context: _Context, workers: int) -> Iterator[_Taken]:
    """Archive and check in order; with enough files, over a small process pool (parsing is CPU-bound)."""
    if workers <= 1 or len(files) < POOL_THRESHOLD:
        for path in files:
            yield _take(path, context)
        return
    methods = multiprocessing.get_all_start_methods()
    mp_context = multiprocessing.get_context("fork" if "fork" in methods else None)
    size = max(1, min(32, len(files) // (workers * 4)))
    batches = [files[start : start + size] for start in range(0, len(files), size)]
    # Forked workers share the parent's memory copy-on-write; a garbage collection walking the
    # inherited objects would copy it page by page, so they are frozen out of the collector.
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=mp_context, initializer=_init_worker, initargs=(context,)) as pool:
            try:
                for batch in pool.map(_take_in_worker, batches):
                    yield from batch
            except BaseException:
                # The run stops (an archive that cannot be written, Ctrl+C, the caller's error): the files
                # not yet started are not taken; the pool still waits for those in hand.
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    finally:
        gc.unfreeze()


def default_workers() -> int:
    """Worker processes for validation: the CPUs this process may use, at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(8, cpus))


def run_collect(plan: CollectPlan, progress: Progress | None = None, jobs: int | None = None) -> CollectResult:
    """Archive every file, check the new ones and record each in its own ledger transaction.

    Files are taken in the plan's order (oldest first), so that a tester's latest
    workbook is recorded last and supersedes the earlier ones.
    """
    campaign = plan.campaign
    paths = campaign.paths
    language = campaign.settings.language
    results: list[Collected] = []
    root = paths.root.resolve()
    with (
        ledger.storage_errors(paths.ledger),
        closing(ledger.connect(paths.ledger, campaign.settings.campaign_id)) as conn,
    ):
        # Files rejected before are checked again: the campaign may have changed since (testers.xlsx fixed).
        context = _Context(paths.archive, ledger.settled(conn), expected_of(campaign), root)
        workers = jobs if jobs is not None else default_workers()
        for path, taken in zip(plan.files, _taken(plan.files, context, workers), strict=True):
            if taken.problem is not None:
                results.append(Collected(path, "", ledger.REJECTED, None, (taken.problem,)))
            elif taken.intake is None:
                previous = ledger.known(conn, taken.sha256)
                results.append(Collected(path, taken.sha256, "unchanged", None, previous_status=previous))
            else:
                intake = taken.intake
                done = ledger.record(conn, taken.sha256, taken.shown, taken.archive, intake, sheets=taken.sheets)
                problems = intake.problems if done.status == ledger.REJECTED else ()
                results.append(
                    Collected(
                        path,
                        taken.sha256,
                        done.status,
                        intake.tester,
                        problems,
                        done.superseded,
                        done.previous_status,
                        done.current,
                    )
                )
            if progress is not None:
                progress(1)
    results = _mark_overtaken(results, paths.ledger, campaign.settings.campaign_id)
    # A rejected file the tester has since replaced with an accepted one is not sent back to them.
    rejected = [c for c in results if c.status == ledger.REJECTED and not c.overtaken]
    testers = {t.id: t for t in campaign.testers}
    problems_file = write_problems(rejected, paths.out / PROBLEMS_FILE, language, testers) if rejected else None
    if problems_file is None:
        # The file describes the last run's rejections: one left from an earlier run would be taken for this one's.
        # Every problem stays in the ledger ('tender status'), and files still in the inbox are checked again.
        with contextlib.suppress(FileNotFoundError):
            (paths.out / PROBLEMS_FILE).unlink()
    return CollectResult(tuple(results), problems_file, language, plan.sources)


def _mark_overtaken(results: list[Collected], ledger_path: Path, campaign_id: str) -> list[Collected]:
    """``results``, each rejected file collected before its tester's current (accepted) workbook marked overtaken.

    The ledger's order of collection decides, across runs: a draft sent before the good
    workbook needs nothing more, while a bad file sent after it is the tester's latest word.
    """
    if not any(c.status == ledger.REJECTED and c.tester for c in results):
        return results
    order: dict[str, int] = {}
    current: dict[str, int] = {}
    for seq, submission in enumerate(ledger.submissions(ledger_path, campaign_id)):
        order[submission.sha256] = seq
        if submission.status == ledger.ACCEPTED and submission.tester:
            current[submission.tester] = seq
    return [
        dataclasses.replace(c, overtaken=True)
        if c.status == ledger.REJECTED and c.tester in current and order.get(c.sha256, -1) < current[c.tester]
        else c
        for c in results
    ]


def collect(
    root: Path, paths: Sequence[Path] = (), progress: Progress | None = None, jobs: int | None = None
) -> CollectResult:
    """`tender collect` as one call: plan, then run."""
    return run_collect(plan_collect(root, paths), progress, jobs)


def _shown_path(path: Path, root: Path) -> str:
    """The path recorded in the ledger: relative to the campaign (``root``, resolved) when inside it."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(root))
    except ValueError:
        return str(resolved)


def write_problems(
    rejected: Sequence[Collected], target: Path, language: str, testers: Mapping[str, Tester] | None = None
) -> Path:
    """Write every problem of the rejected files to an xlsx the team can send back, atomically.

    With ``testers`` (testers.xlsx by ID), each line also gives the tester's name and e-mail, ready for a mail merge.
    """
    # openpyxl is imported only when a file was rejected: a clean collect never pays for it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.properties.creator = CREATOR
    wb.properties.title = (
        "Rejected workbooks: problems to fix" if language == "en" else "Classeurs refusés\u00a0: problèmes à corriger"
    )
    ws = wb.active
    ws.title = "Problems" if language == "en" else "Problèmes"
    widths = (28, 12, 22, 28, 22, 9, 50, 70)
    for column, (title, width) in enumerate(zip(PROBLEM_HEADERS[language], widths, strict=True), start=1):
        cell = set_text(ws.cell(row=1, column=column), title)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
        ws.column_dimensions[cell.column_letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    row = 2
    for item in rejected:
        for problem in item.problems:
            who = (testers or {}).get(item.tester or "")
            name, email = (who.name, who.email) if who is not None else ("", "")
            values = (item.path.name, item.tester or "", name, email, problem.sheet or "", problem.cell or "")
            for column, value in enumerate((*values, problem.found, problem.expected), start=1):
                # Texts come from returned workbooks: written as plain strings, never formulas.
                cell = set_text(ws.cell(row=row, column=column), _printable(value))
                cell.alignment = wrap
            row += 1
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:H{max(row - 1, 1)}"
    save_workbook(wb, target)
    return target


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _one_line(text: str) -> str:
    """A line of output as one line: a control character (a newline or an escape in a file name) spelled out."""
    return _CONTROL_CHARACTERS.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def _printable(value: str) -> str:
    """Text fit for a cell: control characters from a hostile file are replaced, not written."""
    try:
        return check_text(value, "problem")
    except TenderError:
        return UNSAFE_CHARACTERS.sub("\ufffd", value)


# ---------------------------------------------------------------------------------------------- tender status


@dataclass(frozen=True)
class TesterStatus:
    """One tester's returns: files received, the current (accepted) one, rejected files."""

    id: str
    name: str
    email: str
    received: int
    current: str | None
    date: dt.datetime | None
    rejected: int


@dataclass(frozen=True)
class VendorStatus:
    """How many current workbooks give this vendor at least one score (N/A is not one)."""

    id: str
    name: str
    workbooks: int


@dataclass(frozen=True)
class StatusReport:
    """Who returned what, per tester and per vendor, and who is missing."""

    testers: tuple[TesterStatus, ...]
    vendors: tuple[VendorStatus, ...]
    strangers: tuple[str, ...]  # testers named by collected files but absent from testers.xlsx
    stranger_files: int
    language: str
    unidentified: int = 0  # of those files, the ones that name no tester at all (unreadable, not a workbook)

    @property
    def missing(self) -> tuple[TesterStatus, ...]:
        """Testers without a current (accepted) workbook."""
        return tuple(t for t in self.testers if t.current is None)

    def lines(self) -> list[str]:
        """The status as a plain-text table, in the campaign's language."""
        texts = TEXTS[self.language]
        current = sum(1 for t in self.testers if t.current is not None)
        lines = [texts["testers"].format(current=current, total=len(self.testers)), ""]
        table: list[tuple[str, ...]] = [STATUS_COLUMNS[self.language]]
        for t in self.testers:
            date = t.date.astimezone().strftime("%Y-%m-%d %H:%M") if t.date else "-"
            table.append((t.id, t.name, str(t.received), t.current or "-", date, str(t.rejected)))
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        lines.extend("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in table)
        lines += ["", texts["vendors"]]
        lines.extend(texts["vendor_line"].format(id=v.id, name=v.name, count=v.workbooks) for v in self.vendors)
        lines.append("")
        if self.missing:
            lines.append(texts["missing"].format(count=len(self.missing)))
            for t in self.missing:
                email = f" <{t.email}>" if t.email else ""
                rejected = texts["missing_rejected"].format(count=t.rejected) if t.rejected else ""
                lines.append(texts["missing_line"].format(id=t.id, name=t.name, email=email, rejected=rejected))
        else:
            lines.append(texts["none_missing"])
        if self.stranger_files:
            ids = ", ".join([*self.strangers, *([texts["unknown"]] if self.unidentified else [])])
            lines.append(texts["strangers"].format(count=self.stranger_files, ids=ids))
        return [_one_line(line) for line in lines]


def status(root: Path) -> StatusReport:
    """The state of returns of the campaign in ``root``, from its ledger."""
    campaign = load_campaign(root)
    subs = ledger.submissions(campaign.paths.ledger, campaign.settings.campaign_id)
    known_ids = {t.id for t in campaign.testers}
    testers = []
    for tester in campaign.testers:
        own = [s for s in subs if s.tester == tester.id]
        current = next((s for s in reversed(own) if s.status == ledger.ACCEPTED), None)
        testers.append(
            TesterStatus(
                id=tester.id,
                name=tester.name,
                email=tester.email,
                received=len(own),
                current=current.name if current else None,
                date=current.received if current else None,
                rejected=sum(1 for s in own if s.status == ledger.REJECTED),
            )
        )
    scores = ledger.current_scores(campaign.paths.ledger, campaign.settings.campaign_id)
    # As `tender score` counts them: only the testers of testers.xlsx.
    # A vendor answered only N/A has no score, as `tender score` says ("not assessed").
    answered = scores[scores["score"].notna() & scores["tester"].isin(known_ids)]
    per_vendor = answered.groupby("vendor")["tester"].nunique().to_dict() if len(answered) else {}
    vendors = tuple(VendorStatus(v.id, v.name, int(per_vendor.get(v.id, 0))) for v in campaign.vendors)
    stranger_subs = [s for s in subs if s.tester not in known_ids]
    strangers = tuple(sorted({s.tester for s in stranger_subs if s.tester}))
    unidentified = sum(1 for s in stranger_subs if not s.tester)
    language = campaign.settings.language
    return StatusReport(tuple(testers), vendors, strangers, len(stranger_subs), language, unidentified)
