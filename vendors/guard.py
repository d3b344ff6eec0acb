"""Pre-parse safety for returned workbooks: sniff, inspect the container and its XML without trusting it, isolate."""

from __future__ import annotations

import copy
import faulthandler
import io
import os
import pickle
import posixpath
import re
import select
import signal
import struct
import sys
import time
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, TypeVar, cast
from xml.etree.ElementTree import ParseError

from zlib_ng import zlib_ng

from criteria.errors import TenderError


class MissingDependencyError(TenderError):
    """A package that keeps hostile input contained is not installed."""


try:
    # A hard dependency, checked when this module loads: without it no workbook is ever read.
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser
except ImportError:
    raise MissingDependencyError(
        "rse-tender needs the Python package 'defusedxml' to read returned workbooks safely; "
        "install it (pip install defusedxml) and run the command again"
    ) from None

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Stream names of an OLE container: an OOXML file saved with a password, and the two BIFF workbook names.
ENCRYPTED_STREAMS = frozenset({"EncryptionInfo", "EncryptedPackage"})
WORKBOOK_STREAMS = frozenset({"Workbook", "Book"})
#: Parts an xlsx cannot be read without (calamine looks for them by these names).
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
ODS_PARTS = ("content.xml",)

_CHUNK = 64 * 1024
#: What reading a damaged member raises (zlib.error for a corrupted deflate stream).
_ZIP_ERRORS = (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError, NotImplementedError, zlib.error)
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_CELL_REF = re.compile(r"\s*([A-Za-z]+)([0-9]+)\s*$")
_COUNT = re.compile(r"\s*[0-9]{1,12}\s*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Limits:
    """What a returned workbook may hold and what reading it may cost; the defaults fit any real score workbook.

    A score workbook is one sheet per vendor of a few hundred rows and six columns:
    every limit is far above that and far below what would hurt the collecting machine.
    """

    file_bytes: int = 20 * 2**20
    unpacked_bytes: int = 200 * 2**20
    member_ratio: int = 100
    members: int = 2_000
    #: sheets (tables of an .ods): the reader allocates every sheet's grid from A1, so many sheets each within
    #: the limits below add up to gigabytes; a score workbook has one sheet per vendor, instructions and metadata.
    sheets: int = 64
    rows: int = 9_999
    columns: int = 26
    cells: int = 1_000_000
    shared_strings: int = 1_000_000
    #: characters of cell text once shared strings and repeated cells are expanded (what the reader allocates).
    text_chars: int = 64_000_000
    #: unpacked size above which the parse runs in a child process (an .xls always does).
    isolate_above: int = 16 * 2**20
    #: memory and processor time a child parse may use.
    memory_bytes: int = 2**30
    seconds: int = 60


LIMITS = Limits()

#: What each refusal says, as (found, expected) templates, in both languages (vendors/intake.py shows them).
MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "suffix": ("a file of type {suffix!r}", "a workbook saved as .xlsx, .xlsm, .ods or .xls"),
        "too_big": ("a file of {size} MiB", "a workbook of at most {limit} MiB"),
        "not_workbook": (
            "a file that is not a readable workbook ({reason})",
            "the workbook you received, saved as .xlsx, .ods or .xls",
        ),
        "encrypted": ("a workbook protected by a password", "the workbook saved without a password"),
        "unreadable": ("a file that cannot be read ({reason})", "a file the collecting account can read"),
        "link": ("a link to another file", "the workbook itself: links are not followed (a link could point anywhere)"),
        "bomb_parts": ("a compressed file of {count} parts", "an ordinary workbook (at most {limit} parts)"),
        "bomb_size": (
            "a compressed file that unpacks to {size} MiB",
            "an ordinary workbook (at most {limit} MiB unpacked)",
        ),
        "bomb_ratio": (
            "a part ({member}) that unpacks to {ratio} times its compressed size",
            "an ordinary workbook (parts unpack to at most {limit} times their size)",
        ),
        # {reference} is the refusal's cell: the problem names it, and its sheet, before what was found.
        "too_wide": (
            "data outside the table of criteria",
            "data only in the table of criteria (at most {rows} rows and {columns} columns)",
        ),
        "bomb_cells": ("more than {limit} cells with data", "an ordinary workbook (at most {limit} cells with data)"),
        "bomb_sheets": ("a workbook of {count} sheets", "an ordinary workbook (at most {limit} sheets)"),
        "bomb_strings": (
            "a table of {count} shared texts",
            "an ordinary workbook (at most {limit} shared texts)",
        ),
        "bomb_text": (
            "cell texts of more than {limit} million characters in all",
            "an ordinary workbook (at most {limit} million characters of text)",
        ),
        "xml_entities": (
            "a part ({member}) that declares a document type or XML entities",
            "a workbook saved by Excel or LibreOffice (they never declare entities); send the original file",
        ),
        "stopped": (
            "a workbook the reader could not finish ({reason})",
            "an ordinary workbook; if it opens normally, save it again as .xlsx and send it again",
        ),
    },
    "fr": {
        "suffix": ("un fichier de type {suffix!r}", "un classeur enregistré en .xlsx, .xlsm, .ods ou .xls"),
        "too_big": ("un fichier de {size} Mio", "un classeur d'au plus {limit} Mio"),
        "not_workbook": (
            "un fichier qui n'est pas un classeur lisible ({reason})",
            "le classeur reçu, enregistré en .xlsx, .ods ou .xls",
        ),
        "encrypted": ("un classeur protégé par un mot de passe", "le classeur enregistré sans mot de passe"),
        "unreadable": ("un fichier illisible ({reason})", "un fichier que le compte qui collecte peut lire"),
        "link": (
            "un lien vers un autre fichier",
            "le classeur lui-même : les liens ne sont pas suivis (un lien pourrait désigner n'importe quel fichier)",
        ),
        "bomb_parts": ("un fichier compressé de {count} parties", "un classeur ordinaire (au plus {limit} parties)"),
        "bomb_size": (
            "un fichier compressé qui se décompresse en {size} Mio",
            "un classeur ordinaire (au plus {limit} Mio décompressé)",
        ),
        "bomb_ratio": (
            "une partie ({member}) qui se décompresse en {ratio} fois sa taille compressée",
            "un classeur ordinaire (parties décompressées à au plus {limit} fois leur taille)",
        ),
        "too_wide": (
            "des données hors du tableau des critères",
            "des données seulement dans le tableau des critères (au plus {rows} lignes et {columns} colonnes)",
        ),
        "bomb_cells": (
            "plus de {limit} cellules remplies",
            "un classeur ordinaire (au plus {limit} cellules remplies)",
        ),
        "bomb_sheets": ("un classeur de {count} feuilles", "un classeur ordinaire (au plus {limit} feuilles)"),
        "bomb_strings": (
            "une table de {count} textes partagés",
            "un classeur ordinaire (au plus {limit} textes partagés)",
        ),
        "bomb_text": (
            "des textes de plus de {limit} millions de caractères au total",
            "un classeur ordinaire (au plus {limit} millions de caractères de texte)",
        ),
        "xml_entities": (
            "une partie ({member}) qui déclare un type de document ou des entités XML",
            "un classeur enregistré par Excel ou LibreOffice (ils ne déclarent jamais d'entités) ; envoyez le "
            "fichier d'origine",
        ),
        "stopped": (
            "un classeur que le lecteur n'a pas pu terminer ({reason})",
            "un classeur ordinaire ; s'il s'ouvre normalement, enregistrez-le de nouveau en .xlsx et renvoyez-le",
        ),
    },
}

#: Why a file is not a workbook, or why a reader stopped, as the {reason} of a message.
REASONS: dict[str, dict[str, str]] = {
    "en": {
        "format": "unknown format",
        "odf": "not a spreadsheet document",
        "ooxml": "not an Office document",
        "empty": "an empty file",
        "pdf": "a PDF document",
        "image": "an image",
        "html": "a web page",
        "ole": "an Office file that is not a workbook, such as a Word document",
        "twice": "the part {member} appears twice",
        "unsafe_name": "a part named {member}",
        "method": "the part {member} is compressed in a way workbooks never are",
        "missing": "the part {member} is missing",
        "damaged": "the part {member} is damaged",
        "memory": "it needs more than {limit} MiB of memory",
        "time": "it takes more than {limit} s to read",
        "crash": "the reader stopped abruptly",
    },
    "fr": {
        "format": "format inconnu",
        "odf": "document qui n'est pas un tableur",
        "ooxml": "pas un document Office",
        "empty": "un fichier vide",
        "pdf": "un document PDF",
        "image": "une image",
        "html": "une page web",
        "ole": "un fichier Office qui n'est pas un classeur, comme un document Word",
        "twice": "la partie {member} apparaît deux fois",
        "unsafe_name": "une partie nommée {member}",
        "method": "la partie {member} est compressée d'une façon que les classeurs n'utilisent jamais",
        "missing": "la partie {member} manque",
        "damaged": "la partie {member} est endommagée",
        "memory": "il demande plus de {limit} Mio de mémoire",
        "time": "sa lecture prend plus de {limit} s",
        "crash": "le lecteur s'est arrêté brutalement",
    },
}


@dataclass(frozen=True)
class Refusal:
    """Why a file is not handed to a parser: a code of MESSAGES with its values (``reason`` a code of REASONS)."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)
    #: the REASONS code and its values, when the message has a {reason}.
    reason: str | None = None
    reason_values: Mapping[str, Any] = field(default_factory=dict)
    #: where the refused data lies, when one sheet holds it: the sheet's name as the tester sees it (the tab of an
    #: .xlsx, the table:name of an .ods), and a cell with that data (too_wide: one beyond the limits).
    sheet: str | None = None
    cell: str | None = None

    def words(self, language: str) -> dict[str, Any]:
        """The values of the message, its reason put in words in ``language``."""
        values = dict(self.values)
        if self.reason is not None:
            values["reason"] = REASONS[language][self.reason].format(**self.reason_values)
        return values

    def describe(self, language: str) -> tuple[str, str]:
        """(found, expected) in ``language``."""
        found, expected = MESSAGES[language][self.code]
        values = self.words(language)
        return found.format(**values), expected.format(**values)


@dataclass(frozen=True)
class Inspection:
    """A file the guard let through: its format and how to parse it."""

    kind: Literal["xlsx", "ods", "xls"]
    #: parse in a child process with resource limits (a format the guard cannot bound, or a large file).
    isolate: bool = False
    #: cells the reader shows as empty although they hold something: (sheet name, cell, what), ``what``
    #: being an error value such as '#DIV/0!', or '' for a formula saved without its computed value.
    hidden: frozenset[tuple[str, str, str]] = frozenset()
    #: the workbook to hand the reader instead of the file's bytes (None: the file's bytes); see _reader_copy.
    content: bytes | None = field(default=None, repr=False, compare=False)


class _RefusalError(Exception):
    """Raised deep inside an inspection (e.g. from an XML handler) to stop it at the first refusal."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.code)
        self.refusal = refusal


def _refuse(code: str, **values: Any) -> _RefusalError:
    return _RefusalError(Refusal(code, values))


def _not_workbook(reason: str, **values: Any) -> _RefusalError:
    return _RefusalError(Refusal("not_workbook", reason=reason, reason_values=values))


def inspect_workbook(
    data: bytes | None, suffix: str, size: int | None = None, limits: Limits = LIMITS
) -> Inspection | Refusal:
    """Decide whether the bytes of a file may reach a workbook parser, before any parser sees them.

    ``data`` is None for a file too large to be read, whose ``size`` is then given.
    Never raises for a bad file: the answer is an :class:`Inspection` or a :class:`Refusal`.
    """
    try:
        return _inspect(data, suffix.lower(), len(data) if data is not None else size or 0, limits)
    except _RefusalError as refused:
        return refused.refusal


def explain(data: bytes, limits: Limits = LIMITS) -> Refusal | None:
    """Why a reader failed on a file the guard let through, when a thorough look can tell (else None).

    The usual inspection reads worksheets at a glance and only the prolog of other parts;
    this one parses every XML part whole, so that a damaged part is named instead of
    quoting the reader's terse error.
    """
    try:
        _inspect(data, ".xlsx", len(data), limits, thorough=True)
    except _RefusalError as refused:
        return refused.refusal
    return None


def _inspect(data: bytes | None, suffix: str, size: int, limits: Limits, thorough: bool = False) -> Inspection:
    if suffix not in WORKBOOK_SUFFIXES:
        raise _refuse("suffix", suffix=suffix or "(none)")
    if data is None or size > limits.file_bytes:
        raise _refuse("too_big", size=f"{size / 2**20:.1f}", limit=limits.file_bytes // 2**20)
    if not data:
        raise _not_workbook("empty")
    if data.startswith(OLE_MAGIC):
        # An .xls renamed .xlsx is still read for what it is: the content decides, not the name.
        streams = ole_streams(data)
        if streams is None:
            # The directory walk is strict and the reader tolerates more: name what the bytes show,
            # else let the reader decide, in its child process.
            if any(name.encode("utf-16-le") in data for name in ENCRYPTED_STREAMS):
                raise _refuse("encrypted")
        elif streams & ENCRYPTED_STREAMS:
            raise _refuse("encrypted")
        elif not streams & WORKBOOK_STREAMS:
            raise _not_workbook("ole")
        elif _biff_password(data):
            raise _refuse("encrypted")
        # BIFF records cannot be bounded without parsing them: the reader works in a child process.
        return Inspection("xls", isolate=True)
    if data.startswith(ZIP_MAGIC):
        return _inspect_zip(data, limits, thorough)
    raise _not_workbook(_sniff(data))


def _sniff(data: bytes) -> str:
    """What a file that is neither a zip nor an OLE container looks like, for the message."""
    head = data[:512].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "pdf"
    if head.startswith((b"\x89png", b"\xff\xd8\xff", b"gif8")):
        return "image"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "format"


# -- OLE2 compound files (.xls, and .xlsx saved with a password) ------------------------------------------------

_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_BIFF_BOF, _BIFF_FILEPASS = 0x0809, 0x002F


def ole_streams(data: bytes) -> frozenset[str] | None:
    """Names of the streams and storages of an OLE2 compound file, read from its directory without trusting it.

    None when the header, the allocation table or the directory chain points outside
    the file or loops.
    """
    try:
        return frozenset(_Compound(data).directory())
    except (struct.error, ValueError, IndexError):
        return None


def _biff_password(data: bytes) -> bool:
    """True when the workbook stream of an .xls starts with FILEPASS: it was saved with a password."""
    try:
        compound = _Compound(data)
        for name, (start, size) in compound.directory().items():
            # Streams below the 4096-byte cutoff live in the mini stream; a workbook never is that small.
            if name in WORKBOOK_STREAMS and size >= 4096:
                head = data[compound.offset(start) : compound.offset(start) + compound.sector]
                kind, length = struct.unpack_from("<HH", head, 0)
                if kind == _BIFF_BOF and struct.unpack_from("<H", head, 4 + length)[0] == _BIFF_FILEPASS:
                    return True
    except (struct.error, ValueError, IndexError):
        return False
    return False


class _Compound:
    """The directory of an OLE2 compound file, every pointer checked against the file before use."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise ValueError("truncated header")
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12):
            raise ValueError("sector size")
        self.data = data
        self.sector = 1 << shift
        self.sectors = (len(data) - self.sector) // self.sector + (1 if len(data) % self.sector else 0)
        fat_count, self.first_directory = struct.unpack_from("<II", data, 44)
        first_difat, difat_count = struct.unpack_from("<II", data, 68)
        if fat_count > self.sectors:
            raise ValueError("allocation table larger than the file")
        fat = [n for n in struct.unpack_from("<109I", data, 76) if n != _FREE]
        seen: set[int] = set()
        current = first_difat
        for _ in range(difat_count):
            if current in seen or current in (_FREE, _END_OF_CHAIN):
                break
            seen.add(current)
            entries = struct.unpack_from(f"<{self.sector // 4}I", data, self.offset(current))
            fat.extend(n for n in entries[:-1] if n != _FREE)
            current = entries[-1]
        self.fat = fat[:fat_count]

    def offset(self, number: int) -> int:
        """Where sector ``number`` starts (the header takes the first sector's place)."""
        if number >= self.sectors:
            raise ValueError("sector outside the file")
        return (number + 1) * self.sector

    def following(self, number: int) -> int:
        per_sector = self.sector // 4
        index, position = divmod(number, per_sector)
        return int(struct.unpack_from("<I", self.data, self.offset(self.fat[index]) + 4 * position)[0])

    def directory(self) -> dict[str, tuple[int, int]]:
        """Name -> (first sector, size) of every stream and storage."""
        found: dict[str, tuple[int, int]] = {}
        visited: set[int] = set()
        current = self.first_directory
        while current != _END_OF_CHAIN:
            if current in visited or len(visited) > self.sectors:
                raise ValueError("directory chain loops")
            visited.add(current)
            start = self.offset(current)
            for entry in range(start, start + self.sector, 128):
                length, kind = struct.unpack_from("<HB", self.data, entry + 64)
                if kind in (1, 2) and 2 <= length <= 64:  # a storage or a stream
                    name = self.data[entry : entry + length - 2].decode("utf-16-le", errors="replace")
                    found[name] = struct.unpack_from("<IQ", self.data, entry + 116)
            current = self.following(current)
        return found


# -- zip containers (.xlsx, .xlsm, .ods) --------------------------------------------------------------------------


class _Container(zipfile.ZipFile):
    """A zip read from bytes in memory, which keeps them: small parts are inflated straight from them (_whole)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.data = data
        #: whether _whole keeps what it unpacks, for _reader_copy (not when the reader is handed the file itself)
        self.keep = False
        #: the compressed parts _whole read whole, as they unpacked, when ``keep``
        self.unpacked: dict[str, bytes] = {}


def _inspect_zip(data: bytes, limits: Limits, thorough: bool = False) -> Inspection:
    try:
        with _Container(data) as archive:
            return _inspect_archive(archive, limits, thorough)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        # Python's words for a broken zip (e.g. 'File is not a zip file') are the clearest reason available.
        raise _RefusalError(Refusal("not_workbook", {"reason": _short(str(exc) or type(exc).__name__)})) from None


def _inspect_archive(archive: zipfile.ZipFile, limits: Limits, thorough: bool = False) -> Inspection:
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise _refuse("bomb_parts", count=len(infos), limit=limits.members)
    names: set[str] = set()
    for info in infos:
        name = info.filename
        if name in names:
            # The guard and the reader could each read a different copy of the part.
            raise _not_workbook("twice", member=_short(name, 60))
        names.add(name)
        if _unsafe_name(info.orig_filename):
            raise _not_workbook("unsafe_name", member=repr(_short(info.orig_filename, 60)))
    total = sum(i.file_size for i in infos)
    if total > limits.unpacked_bytes:
        raise _refuse("bomb_size", size=f"{total / 2**20:.0f}", limit=limits.unpacked_bytes // 2**20)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        # Small parts are left alone: a short run of identical XML legitimately shrinks a lot.
        if info.file_size > 2**20 and ratio > limits.member_ratio:
            raise _refuse("bomb_ratio", member=info.filename, ratio=int(ratio), limit=limits.member_ratio)
    if any(i.flag_bits & 0x1 for i in infos):
        raise _refuse("encrypted")
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _not_workbook("method", member=_short(info.filename, 60))
    isolate = total > limits.isolate_above
    if "mimetype" in names:
        if _MANIFEST in names and _ods_encrypted(archive):
            # Its parts are ciphertext: read as XML they would only look damaged.
            raise _refuse("encrypted")
        _check_prologs(archive, infos, frozenset(), thorough)
        if archive.read("mimetype").strip() != ODS_MIMETYPE:
            raise _not_workbook("odf")
        _require(names, ODS_PARTS)
        return Inspection("ods", isolate, _scan_ods(archive, archive.getinfo("content.xml"), limits))
    if "[Content_Types].xml" not in names:
        _check_prologs(archive, infos, frozenset(), thorough)
        raise _not_workbook("ooxml")
    _require(names, XLSX_PARTS)
    copied = archive if isinstance(archive, _Container) and not (isolate or thorough) else None
    if copied is not None:
        # Only then are the unpacked parts kept: a large file's parts are still unpacked one at a time.
        copied.keep = True
    # The workbook and its relationships are parsed whole here, with the defused parser.
    sheets, strings = _sheets(archive, names)
    if len(sheets) > limits.sheets:
        raise _refuse("bomb_sheets", count=len(sheets), limit=limits.sheets)
    # Worksheets and shared strings are read whole by _scan_xlsx, which checks their prologs then.
    read_whole = frozenset((*XLSX_PARTS[1:], *strings, *(part for _, part in sheets)))
    _check_prologs(archive, infos, frozenset() if thorough else read_whole, thorough)
    hidden = _scan_xlsx(archive, sheets, strings, limits, thorough)
    return Inspection("xlsx", isolate, hidden, _reader_copy(copied) if copied is not None else None)


def _check_prologs(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], skip: frozenset[str], thorough: bool
) -> None:
    """The prolog of every XML part but those in ``skip`` (whole parts, when ``thorough``)."""
    for info in infos:
        if info.filename.lower().endswith(_XML_SUFFIXES) and info.filename not in skip:
            _check_prolog(archive, info, whole=thorough)


def _unsafe_name(name: str) -> bool:
    """A member name that could escape a folder if extracted, or that hides characters."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return True
    if _CONTROL.search(name):
        return True
    return any(part in ("..", ".") for part in name.split("/"))


def _require(names: set[str], parts: tuple[str, ...]) -> None:
    for part in parts:
        if part not in names:
            raise _not_workbook("missing", member=part)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- XML, always through defusedxml --------------------------------------------------------------------------------


class _NoTarget:
    """An ElementTree target that builds nothing: handlers are installed on the expat parser directly."""

    def close(self) -> None:
        return None


class _PrologEndError(Exception):
    """The prolog is over: no document type declaration can follow."""


def _parser(forbid_dtd: bool = True) -> tuple[DefusedXMLParser, Any]:
    """A defusedxml parser (no entity declarations, no external references) and its expat parser.

    ElementTree routes every token without a handler through a Python function; removing
    it lets expat run at C speed. Expat still rejects an undefined entity on its own.
    """
    outer = DefusedXMLParser(target=_NoTarget(), forbid_dtd=forbid_dtd)
    raw = outer.parser
    raw.DefaultHandlerExpand = None
    return outer, raw


def _xml_failure(member: str, exc: Exception) -> _RefusalError:
    if isinstance(exc, DefusedXmlException):
        return _refuse("xml_entities", member=_short(member, 60))
    return _not_workbook("damaged", member=_short(member, 60))


#: How much of a part is read to see its prolog without a parser.
_PROLOG_PEEK = 512
#: The prolog as every spreadsheet program writes it: maybe a byte-order mark, maybe an XML declaration for
#: UTF-8, then at once the root element. Nothing else (a comment, a processing instruction, a document type,
#: another encoding) matches: such a part gets the defused parser.
_PLAIN_PROLOG = re.compile(
    rb"(?:\xef\xbb\xbf)?"
    rb"(?:<\?xml version=([\"'])1\.[0-9]\1"
    rb"(?: encoding=([\"'])[Uu][Tt][Ff]-?8\2)?(?: standalone=([\"'])(?:yes|no)\3)? ?\?>)?"
    rb"[ \t\r\n]*+<[A-Za-z_]"
)


def _check_prolog(archive: zipfile.ZipFile, info: zipfile.ZipInfo, whole: bool = False) -> None:
    """Refuse a part that declares a document type or entities (external entities, entity expansion).

    Only the prolog is read (unless ``whole``): a declaration cannot come after the root
    element, and without one expat refuses any entity but the five predefined ones.
    """
    if not whole:
        head = _whole(archive, info, _PROLOG_PEEK)
        if head is None:
            try:
                with archive.open(info) as stream:
                    head = stream.read(_PROLOG_PEEK)
            except _ZIP_ERRORS:
                raise _not_workbook("damaged", member=_short(info.filename, 60)) from None
        if _PLAIN_PROLOG.match(head):
            return  # the root element comes right after the declaration: no room for a declaration of anything
    # Old OpenOffice manifests carry a harmless DOCTYPE; entities stay forbidden there too.
    outer, raw = _parser(forbid_dtd=info.filename != _MANIFEST)

    def start(name: str, attributes: list[str]) -> None:
        raise _PrologEndError

    if not whole:
        raw.StartElementHandler = start
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(4096):
                outer.feed(chunk)
            outer.close()
    except _PrologEndError:
        return
    except (ParseError, DefusedXmlException) as exc:
        raise _xml_failure(info.filename, exc) from None
    except _ZIP_ERRORS:
        raise _not_workbook("damaged", member=_short(info.filename, 60)) from None


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The bytes of a part, refusing it if it unpacks to more than it declares (the reader would trust that size)."""
    bigger = copy.copy(info)
    bigger.file_size = info.file_size + 1
    read = 0
    try:
        with archive.open(bigger) as stream:
            while chunk := stream.read(_CHUNK):
                read += len(chunk)
                if read > info.file_size:
                    raise _not_workbook("damaged", member=_short(info.filename, 60))
                yield chunk
    except _ZIP_ERRORS:
        raise _not_workbook("damaged", member=_short(info.filename, 60)) from None


#: What zlib-ng raises for a stream it cannot inflate (its type stub declares an instance, not the class).
_INFLATE_ERROR = cast(type[Exception], zlib_ng.error)
#: Local file header: signature, then (at byte 26) the lengths of the name and of the extra field.
_LOCAL_HEADER = struct.Struct("<4s22xHH")
#: Parts up to this size are inflated in one call (_whole); larger ones are streamed in chunks.
_WHOLE_BYTES = 16 * 2**20


def _whole(archive: zipfile.ZipFile, info: zipfile.ZipInfo, peek: int | None = None) -> bytes | None:
    """The bytes of a part of a :class:`_Container` (only the first ``peek`` bytes if given), in one zlib call.

    zipfile's reader works in small steps through Python code, which cost as much as the
    inflating itself for the few dozen kilobytes of a worksheet. This reads the part straight
    from the container's bytes. None whenever anything differs from the plain case (another
    container, a large part, a local header that does not match the directory, a damaged or
    overlong stream): the caller then reads through zipfile, which words the refusal.
    """
    size = info.file_size if peek is None else min(peek, info.file_size)
    if not isinstance(archive, _Container) or size > _WHOLE_BYTES:
        return None
    payload = _payload(archive, info)
    if payload is None:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        content = payload[: size + (peek is None)]
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        # zlib-ng inflates twice as fast as the zlib Python is built with: it was a tenth of the processor time of
        # `tender collect` (every part is inflated here, then again by the reader).
        inflater = zlib_ng.decompressobj(-15)
        try:
            # One byte more than the part declares when reading it whole: a part that unpacks to more is damaged.
            content = inflater.decompress(payload, size + (peek is None))
        except _INFLATE_ERROR:
            return None
    else:
        return None
    if peek is not None:
        return content if len(content) == size else None
    if len(content) != info.file_size or zlib_ng.crc32(content) != info.CRC:
        return None
    if archive.keep and info.compress_type == zipfile.ZIP_DEFLATED:
        archive.unpacked[info.filename] = content
    return content


def _payload(archive: _Container, info: zipfile.ZipInfo) -> bytes | None:
    """The stored bytes of a part, found through its local header; None when the header does not name the part."""
    data, start = archive.data, info.header_offset
    try:
        signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, start)
        name_start = start + _LOCAL_HEADER.size
        if signature != ZIP_MAGIC or data[name_start : name_start + name_length] != _raw_name(info):
            return None
    except (struct.error, UnicodeEncodeError):
        return None
    payload_start = name_start + name_length + extra_length
    payload = data[payload_start : payload_start + info.compress_size]
    return payload if len(payload) == info.compress_size else None


def _raw_name(info: zipfile.ZipInfo) -> bytes:
    """A part's name as its headers hold it: UTF-8 when flagged so, else code page 437."""
    return info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")


#: A local file header and a central directory entry without extra fields, dated 1980-01-01 00:00.
_LOCAL_ENTRY = struct.Struct("<4s5H3L2H")
_CENTRAL_ENTRY = struct.Struct("<4s6H3L5H2L")
_DIRECTORY_END = struct.Struct("<4s4H2LH")
_DOS_DATE = (1 << 5) | 1


def _reader_copy(archive: _Container) -> bytes | None:
    """The workbook rebuilt for the reader: the parts the guard unpacked stored as such, the others as they were.

    The reader then parses exactly the bytes the guard bounded, whatever its own zip code would
    make of an odd container, and does not inflate the worksheets a second time (a sixth of its
    time). None when a part cannot be found through its local header (the reader gets the
    file's bytes, and fails or not on its own).
    """
    entries: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for info in archive.infolist():
        content = archive.unpacked.get(info.filename)
        if content is None:
            content = _payload(archive, info)
            if content is None:
                return None
            method, packed = info.compress_type, info.compress_size
        else:
            method, packed = zipfile.ZIP_STORED, info.file_size
        name = _raw_name(info)
        flags = info.flag_bits & 0x800  # only the name's encoding: no data descriptor, no encryption
        fields = (20, flags, method, 0, _DOS_DATE, info.CRC, packed, info.file_size, len(name))
        header = _LOCAL_ENTRY.pack(ZIP_MAGIC, *fields, 0)
        entries += (header, name, content)
        directory.append(_CENTRAL_ENTRY.pack(b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + name)
        offset += len(header) + len(name) + len(content)
    listing = b"".join(directory)
    end = _DIRECTORY_END.pack(b"PK\x05\x06", 0, 0, len(directory), len(directory), len(listing), offset, 0)
    return b"".join((*entries, listing, end))


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, outer: DefusedXMLParser) -> None:
    """Feed a whole part to a parser whose handlers are installed, chunk by chunk (memory stays bounded)."""
    try:
        content = _whole(archive, info) if info.file_size <= _CHUNK * 4 else None
        for chunk in (content,) if content is not None else _chunks(archive, info):
            outer.feed(chunk)
        outer.close()
    except (ParseError, DefusedXmlException) as exc:
        raise _xml_failure(info.filename, exc) from None
    except _ZIP_ERRORS:
        raise _not_workbook("damaged", member=_short(info.filename, 60)) from None


def _local(name: str) -> str:
    """An expat name without its namespace (``uri}local``): hostile files may use any prefix."""
    return name.rpartition("}")[2]


def _attributes(pairs: list[str]) -> dict[str, str]:
    """Ordered expat attributes as a dict keyed by local name."""
    return {_local(pairs[i]): pairs[i + 1] for i in range(0, len(pairs) - 1, 2)}


def column_letters(number: int) -> str:
    """The letters of a 1-based column number (1 -> A, 27 -> AA)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper()[:4]:  # XFD is the last Excel column: four letters are already far beyond
        number = number * 26 + ord(char) - 64
    return number if len(letters) <= 4 else 26**4


class _Extent:
    """Cells with data of one workbook: that each lies within the table, how many, how much text once expanded."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells = 0
        self.text = 0
        #: the name of the sheet being scanned (the tab of an .xlsx, the table:name of an .ods), for refusals
        self.sheet = ""
        self.hidden: set[tuple[str, str, str]] = set()

    def add(self, row: int, column: int, count: int = 1, text: int = 0) -> None:
        """Count ``count`` cells with data and ``text`` characters of the current sheet.

        ``row``, ``column`` is the first of these cells the scan meets beyond the table if
        any lies there (then the sheet is refused: the reader allocates every cell up to
        the farthest), else any cell within it (0, 0 when the caller only counts).
        """
        limits = self.limits
        if row > limits.rows or column > limits.columns:
            reference = f"{column_letters(column)}{row}"
            raise self.refuse("too_wide", reference, reference=reference, rows=limits.rows, columns=limits.columns)
        self.cells += count
        self.text += text
        if self.cells > limits.cells:
            raise self.refuse("bomb_cells", limit=limits.cells)
        if self.text > limits.text_chars:
            raise self.refuse("bomb_text", limit=limits.text_chars // 10**6)

    def refuse(self, code: str, cell: str | None = None, **values: Any) -> _RefusalError:
        """A refusal about the current sheet (the one whose cells took the workbook past a limit) and ``cell``."""
        name = self.sheet
        shown = name if len(name) <= 60 and name.isprintable() else _short(name, 60)
        return _RefusalError(Refusal(code, values, sheet=shown or None, cell=cell))


# -- xlsx --------------------------------------------------------------------------------------------------------


def _read_small(
    archive: zipfile.ZipFile, name: str, on_start: Callable[[str, dict[str, str]], None], forbid_dtd: bool = True
) -> None:
    """Stream a small part (workbook, relationships), calling ``on_start(local name, attributes)``."""
    outer, raw = _parser(forbid_dtd)
    raw.StartElementHandler = lambda name, pairs: on_start(_local(name), _attributes(pairs))
    _stream(archive, archive.getinfo(name), outer)


_MANIFEST = "META-INF/manifest.xml"


def _ods_encrypted(archive: zipfile.ZipFile) -> bool:
    """True when the manifest of an OpenDocument file gives its parts encryption data (saved with a password)."""
    found = False

    def on_start(name: str, attributes: dict[str, str]) -> None:
        nonlocal found
        found = found or name == "encryption-data"

    # Old OpenOffice manifests carry a harmless DOCTYPE (see _check_prolog); entities stay forbidden.
    _read_small(archive, _MANIFEST, on_start, forbid_dtd=False)
    return found


def _sheets(archive: zipfile.ZipFile, names: set[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(sheet name, part) of every worksheet in workbook order, and the shared strings parts."""
    listed: list[tuple[str, str]] = []

    def on_workbook(name: str, attributes: dict[str, str]) -> None:
        if name == "sheet":
            listed.append((attributes.get("name", ""), attributes.get("id", "")))

    _read_small(archive, "xl/workbook.xml", on_workbook)
    targets: dict[str, tuple[str, str, bool]] = {}

    def on_rels(name: str, attributes: dict[str, str]) -> None:
        if name == "Relationship":
            external = attributes.get("TargetMode", "").lower() == "external"
            targets[attributes.get("Id", "")] = (attributes.get("Type", ""), attributes.get("Target", ""), external)

    _read_small(archive, "xl/_rels/workbook.xml.rels", on_rels)
    sheets: list[tuple[str, str]] = []
    for sheet, rid in listed:
        if rid not in targets:
            continue  # the reader refuses a sheet without a relationship: nothing of it is parsed
        # Whatever the relationship's type says (a chart sheet holds no cells), the reader parses the part.
        _, target, external = targets[rid]
        parts = [part for part in _parts(target) if part in names]
        if external or not parts:
            raise _not_workbook("missing", member=_short(_parts(target)[0] if target else rid or sheet, 60))
        sheets.extend((sheet, part) for part in parts)
    strings = {p for kind, t, ext in targets.values() if kind.endswith("/sharedStrings") and not ext for p in _parts(t)}
    if "xl/sharedStrings.xml" in names:
        strings.add("xl/sharedStrings.xml")
    return sheets, sorted(s for s in strings if s in names)


def _parts(target: str) -> list[str]:
    """The member a relationship target of xl/workbook.xml names: as the reader resolves it (no '..'
    resolution), and as the packaging rules do; both are inspected when they differ."""
    literal = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else "xl/" + target
    normal = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target))
    return [literal] if normal == literal else [literal, normal]


def _scan_xlsx(
    archive: zipfile.ZipFile,
    sheets: list[tuple[str, str]],
    string_parts: list[str],
    limits: Limits,
    thorough: bool = False,
) -> frozenset[tuple[str, str, str]]:
    """Bound the shared strings and every worksheet (their prologs included); the cells the reader shows empty."""
    lengths: array[int] | None = array("I")
    longest = 0
    string_info = None
    for part in string_parts:  # every one is bounded; the lengths of the last one count, as before
        string_info = archive.getinfo(part)
        glanced = None if thorough else _strings_at_a_glance(archive, string_info, limits)
        if glanced is None:
            lengths = _scan_shared_strings(archive, string_info, limits)
            longest = max(lengths, default=0)
        else:
            lengths, longest = None, glanced  # each string's length is read only if a sheet needs the exact scan
    extent = _Extent(limits)
    for sheet, part in sheets:
        extent.sheet = sheet
        info = archive.getinfo(part)
        # A part not named .xml, a large one, or one the glance cannot bound gets the exact (defused) scan.
        exact = thorough or not part.endswith(".xml") or info.file_size > _FAST_SHEET_BYTES
        if not exact:
            data = _whole(archive, info) or b"".join(_chunks(archive, info))
            if not _PLAIN_PROLOG.match(data):
                _check_prolog(archive, info)
            exact = not _sheet_at_a_glance(data, longest, extent)
        if exact:
            if lengths is None:
                assert string_info is not None
                lengths = _scan_shared_strings(archive, string_info, limits)
            _scan_sheet(archive, info, sheet, lengths, extent)
    return frozenset(extent.hidden)


#: What only the exact scan of shared strings reads right: a prefixed tag, phonetic guides (not part of the
#: text), a comment or a CDATA section (which may hide markup from a count).
_STRINGS_SUSPECT = re.compile(rb":(?:si|t|sst)[\s/>]|<rPh|<!")
_SST_TAG = re.compile(rb'<sst(?: xmlns(?::[a-z]+)?="[^"<>]*")*(?: (?:count|uniqueCount)="([0-9]{1,12})")*\s*/?>')


def _strings_at_a_glance(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> int | None:
    """An upper bound of the longest shared string, read at C speed; None when only the exact scan can tell.

    Holds for what Excel and LibreOffice write: the declared counts within the limits, and
    no more ``<si`` tags than the limit allows. The bound is the largest span of bytes
    between two ``<si`` tags (UTF-8 needs at least a byte per character, and markup only
    adds bytes).
    """
    if info.file_size > _FAST_SHEET_BYTES:
        return None
    data = _whole(archive, info) or b"".join(_chunks(archive, info))
    prolog = _PLAIN_PROLOG.match(data)
    if not prolog or _STRINGS_SUSPECT.search(data):
        return None
    tag = _SST_TAG.match(data, prolog.end() - 2)
    if tag is None or any(int(n) > limits.shared_strings for n in re.findall(rb'[cC]ount="([0-9]+)"', tag.group())):
        return None
    if data.count(b"<si") > limits.shared_strings:
        return None
    return max(map(len, data.split(b"<si")[1:]), default=0)


#: A worksheet up to this size is first read at a glance with regular expressions; see _sheet_at_a_glance.
_FAST_SHEET_BYTES = 16 * 2**20
#: The fewest bytes a cell tag takes (<c r="A1"/>), and a shared-string cell with a value (<c r="A1" t="s"><v/></c>).
_CELL_BYTES, _SHARED_CELL_BYTES = 11, 24
_UTF8_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*[\"']utf-?8[\"']", re.IGNORECASE)


#: A prefixed cell or formula tag (<x:c>, <x:f>); ':' is rare in a sheet, so this search is quick.
_PREFIXED = re.compile(rb":[cf]")


@lru_cache(maxsize=8)
def _suspect(limits: Limits) -> re.Pattern[bytes] | None:
    """What else sends a worksheet to the exact scan, searched once over the sheet's bytes.

    It finds a formula (``<f>``) or a cell tag that is not in the canonical form Excel,
    LibreOffice and openpyxl write (``r``, then ``s``, then ``t``, double-quoted, maybe
    self-closing), holds an error value (``t="e"``) or has a reference beyond ``limits``: so
    when it finds nothing (and _PREFIXED neither), every cell the reader sees lies within the
    limits, and no tag needs to be converted. Every alternative starts with '<', which the
    regular-expression engine looks for at C speed. None when the limits are too narrow to be
    written as a pattern (fewer than 26 columns or 9 rows): then every sheet gets the exact scan.
    """
    letters = next((n for n in (3, 2, 1) if limits.columns >= _column_number("Z" * n)), 0)
    digits = next((n for n in range(7, 0, -1) if limits.rows >= 10**n - 1), 0)
    if not letters or not digits:
        return None
    # Possessive quantifiers: each part is followed by text it cannot match, so they accept exactly what the
    # plain pattern accepts, without backtracking.
    canonical = (
        rf'r="[A-Z]{{1,{letters}}}+[0-9]{{1,{digits}}}+"(?: s="[0-9]{{1,6}}+")?+(?: t="(?!e")[a-zA-Z]{{1,9}}+")?+ ?/?>'
    )
    return re.compile(rb"<(?:c(?=[\s/>])(?! " + canonical.encode() + rb")|f[\s/>])")


def _sheet_at_a_glance(data: bytes, longest: int, extent: _Extent) -> bool:
    """Bound a worksheet's cells from its bytes at C speed; False when only the exact scan can tell.

    Holds for what Excel, LibreOffice and openpyxl write (UTF-8, no prefix on cells, every
    cell tag in canonical form) and leans to caution: the cell count and the shared text are
    upper bounds drawn from the size of the sheet, and a tag seen here that the reader would
    not see only sends the sheet to the exact scan. Anything else (another encoding, prefixed
    names, a cell tag in another form or beyond the limits, a formula, an error value, a sheet
    whose bounds come near a limit) goes to the exact scan, which also words any refusal.
    """
    head = data[:200]
    if not (_UTF8_DECLARATION.match(head) or (head.startswith(b"<") and not head.startswith(b"<?xml"))):
        return False
    limits = extent.limits
    suspect = _suspect(limits)
    if suspect is None or _PREFIXED.search(data) or suspect.search(data):
        return False
    # No tag was converted: the bounds come from the size, and from a count only when the size is not enough.
    cells = len(data) // _CELL_BYTES
    if extent.cells + cells > limits.cells:
        return False
    shared = 0
    if longest:
        shared = len(data) // _SHARED_CELL_BYTES * longest
        if extent.text + shared > limits.text_chars:
            shared = data.count(b' t="s"') * longest
            if extent.text + shared > limits.text_chars:
                return False
    extent.add(0, 0, cells, shared)
    return True


def _scan_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> array[int]:
    """The length of every shared string; refuses a declared count the reader would allocate blindly."""
    lengths = array("I")
    local_names: dict[str, str] = {}
    phonetic = 0  # phonetic guides (<rPh>) are not part of the cell's text

    def start(name: str, pairs: list[str]) -> None:
        nonlocal phonetic
        local = local_names.get(name) or local_names.setdefault(name, _local(name))
        if local == "si":
            lengths.append(0)
            if len(lengths) > limits.shared_strings:
                raise _refuse("bomb_strings", count=f"{len(lengths)}+", limit=limits.shared_strings)
        elif local == "rPh":
            phonetic += 1
        elif local == "sst":
            attributes = _attributes(pairs)
            for key in ("count", "uniqueCount"):
                declared = attributes.get(key, "0")
                if not _COUNT.match(declared) or int(declared) > limits.shared_strings:
                    raise _refuse("bomb_strings", count=_short(declared, 20), limit=limits.shared_strings)

    def end(name: str) -> None:
        nonlocal phonetic
        if phonetic and _local(name) == "rPh":
            phonetic -= 1

    def data(text: str) -> None:
        if lengths and not phonetic:
            lengths[-1] = min(lengths[-1] + len(text), 2**32 - 1)

    outer, raw = _parser()
    raw.StartElementHandler, raw.EndElementHandler, raw.CharacterDataHandler = start, end, data
    _stream(archive, info, outer)
    return lengths


def _scan_sheet(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str, lengths: array[int], extent: _Extent
) -> None:
    """Every cell with data of a worksheet, where the reader puts it (a cell without ``r`` follows the previous one).

    Only start tags are handled (a cell is settled when the next one starts): this runs on
    every returned workbook, and each handler is a Python call per element.
    """
    local_names: dict[str, str] = {}
    row = column = 0
    kind = ""
    has_value = has_formula = False
    value: list[str] = []  # the text of a shared-string or error cell's <v>, collected by expat itself
    outer, raw = _parser()

    def settle() -> None:
        nonlocal has_value, has_formula
        raw.CharacterDataHandler = None
        if has_formula and has_value and not "".join(value).strip():
            has_value = False  # openpyxl writes <v></v> for a formula it could not compute
        if has_value:
            text = 0
            if kind == "s":
                number = "".join(value).strip()
                # An index out of range is the reader's error to report; it allocates nothing for it.
                if number.isdigit() and len(number) < 10 and int(number) < len(lengths):
                    text = lengths[int(number)]
            elif kind == "e":
                extent.hidden.add((sheet, f"{column_letters(column)}{row}", _short("".join(value), 20)))
            extent.add(row, column, text=text)
        elif has_formula:
            extent.hidden.add((sheet, f"{column_letters(column)}{row}", ""))
        has_value = has_formula = False

    def start(name: str, pairs: list[str]) -> None:
        nonlocal row, column, kind, has_value, has_formula
        local = local_names.get(name) or local_names.setdefault(name, _local(name))
        if local == "c":
            settle()
            reference = kind = ""
            for i in range(0, len(pairs) - 1, 2):
                if pairs[i] == "r":
                    reference = pairs[i + 1]
                elif pairs[i] == "t":
                    kind = pairs[i + 1]
            match = _CELL_REF.match(reference)
            if match:
                row, column = int(match.group(2)[:12]), _column_number(match.group(1))
            else:
                column += 1
        elif local == "v":
            has_value = True
            value.clear()
            if kind in ("s", "e") or has_formula:
                raw.CharacterDataHandler = value.append
        elif local == "is":
            has_value = True
        elif local == "f":
            has_formula = True
        elif local == "row":
            settle()
            reference = next((pairs[i + 1] for i in range(0, len(pairs) - 1, 2) if pairs[i] == "r"), "").strip()
            row = int(reference[:12]) if reference.isdigit() else row + 1
            column = 0
        else:
            raw.CharacterDataHandler = None

    raw.StartElementHandler = start
    _stream(archive, info, outer)
    settle()


# -- ods ---------------------------------------------------------------------------------------------------------


def _scan_ods(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> frozenset[tuple[str, str, str]]:
    """Every table of content.xml with repeated rows, columns and spaces counted as the reader expands them.

    Empty rows and cells repeated after the last data are free (LibreOffice writes a million of
    them); data repeated, or data after empty repeats, counts in full.
    """
    extent = _Extent(limits)
    table = _OdsTable()
    local_names: dict[str, str] = {}
    tables = 0

    def attribute(pairs: list[str], key: str, default: str = "") -> str:
        for i in range(0, len(pairs) - 1, 2):
            name = pairs[i]
            if (local_names.get(name) or local_names.setdefault(name, _local(name))) == key:
                return pairs[i + 1]
        return default

    def start(name: str, pairs: list[str]) -> None:
        nonlocal tables
        local = local_names.get(name) or local_names.setdefault(name, _local(name))
        cell = table.cell
        if cell is not None:
            # Any element inside a cell (a paragraph, an annotation) gives it data; <text:s c="n"/> is n spaces.
            cell.depth += 1
            cell.data = True
            if local == "s":
                cell.text += _repeat(attribute(pairs, "c", "1"))
            return
        if local == "table-cell" or local == "covered-table-cell":
            repeat, has_value, formula, error = 1, False, False, False
            for i in range(0, len(pairs) - 1, 2):
                key = pairs[i]
                key = local_names.get(key) or local_names.setdefault(key, _local(key))
                if key == "number-columns-repeated":
                    repeat = _repeat(pairs[i + 1])
                elif key == "value-type":
                    # office:value-type, and LibreOffice's calcext:value-type="error" for #DIV/0! and the like.
                    has_value = True
                    error = error or pairs[i + 1] == "error"
                elif key == "formula":
                    formula = True
            table.cell = _OdsCell(repeat, has_value, formula, [] if error else None)
        elif local == "table-row":
            table.start_row(_repeat(attribute(pairs, "number-rows-repeated", "1")))
        elif local == "table":
            tables += 1
            if tables > limits.sheets:
                raise _refuse("bomb_sheets", count=f"{tables}+", limit=limits.sheets)
            table.name, table.rows = attribute(pairs, "name"), 0
            extent.sheet = table.name

    def data(text: str) -> None:
        cell = table.cell
        if cell is not None:
            cell.text += len(text)
            cell.data = cell.data or not text.isspace()
            if cell.error is not None and len(cell.error) < 8:
                cell.error.append(text)

    def end(name: str) -> None:
        cell = table.cell
        if cell is not None:
            if cell.depth:
                cell.depth -= 1
                return
            table.cell = None
            first, table.columns = table.columns + 1, table.columns + cell.repeat
            if cell.error is not None:
                extent.hidden.add(
                    (table.name, f"{column_letters(first)}{table.rows + 1}", _short("".join(cell.error), 20))
                )
            if cell.data:
                if table.columns > limits.columns or table.rows >= limits.rows:
                    # Data beyond the table in the first copy of the row: add refuses its first cell there.
                    extent.add(table.rows + 1, first if table.rows >= limits.rows else max(first, limits.columns + 1))
                table.first = table.first or first
                table.row_cells += cell.repeat
                table.row_text += cell.text * cell.repeat
            elif cell.formula:
                extent.hidden.add((table.name, f"{column_letters(first)}{table.rows + 1}", ""))
            return
        local = local_names.get(name) or local_names.setdefault(name, _local(name))
        if local == "table-row":
            times = table.row_repeat
            if table.row_cells:
                # Past the last row, the first data cell of the first copy there (add refuses it), if a copy lies there.
                row = min(table.rows + times, limits.rows + 1)
                extent.add(row, table.first, table.row_cells * times, table.row_text * times)
            table.rows += times

    outer, raw = _parser()
    raw.StartElementHandler, raw.EndElementHandler, raw.CharacterDataHandler = start, end, data
    _stream(archive, info, outer)
    return frozenset(extent.hidden)


def _repeat(value: str) -> int:
    """A repeat count of content.xml (rows, columns, spaces); a count that is not a number is damage."""
    if not _COUNT.match(value):
        raise _not_workbook("damaged", member="content.xml")
    return max(1, int(value))


@dataclass(slots=True)
class _OdsCell:
    """The cell being read: its repeat count, whether it has data or a formula, its text length."""

    repeat: int
    data: bool
    formula: bool
    error: list[str] | None = None  # the text of an error value (#DIV/0!), when the cell holds one
    text: int = 0
    depth: int = 0


@dataclass(slots=True)
class _OdsTable:
    """Where the scan is in a table: rows so far, and the current row's columns, cells and text with data."""

    name: str = ""
    rows: int = 0
    row_repeat: int = 1
    columns: int = 0
    first: int = 0  # the first column with data of the current row (0: none yet)
    row_cells: int = 0
    row_text: int = 0
    cell: _OdsCell | None = None

    def start_row(self, repeat: int) -> None:
        self.row_repeat, self.columns, self.first, self.row_cells, self.row_text = repeat, 0, 0, 0, 0


# -- parsing in a child process ------------------------------------------------------------------------------------

T = TypeVar("T")


@dataclass(frozen=True)
class Stopped:
    """A child parse that did not finish: ``reason`` is a code of REASONS (memory, time, crash)."""

    reason: str
    limit: int | None = None

    def refusal(self) -> Refusal:
        """The problem to report for the file."""
        values = {"limit": self.limit} if self.limit is not None else {}
        return Refusal("stopped", reason=self.reason, reason_values=values)


def can_isolate() -> bool:
    """True where a parse can run in a forked child with resource limits (Linux, macOS)."""
    return hasattr(os, "fork") and sys.platform != "win32"


def run_isolated(function: Callable[..., T], *args: Any, limits: Limits = LIMITS) -> T | Stopped:
    """``function(*args)`` in a forked child limited in memory and processor time.

    Whatever the reader does there (a native crash, an allocation of terabytes, an endless
    loop) ends the child only: the answer is then a :class:`Stopped`. The child's
    standard error is captured, so that a native reader's backtrace never reaches the user.
    Runs in this process where fork is not available.
    """
    if not can_isolate():
        return function(*args)
    result_read, result_write = os.pipe()
    error_read, error_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        _child(result_write, error_write, (result_read, error_read), function, args, limits)
    os.close(result_write)
    os.close(error_write)
    chunks: dict[int, list[bytes]] = {result_read: [], error_read: []}
    deadline = time.monotonic() + limits.seconds + 5
    timed_out = False
    try:
        open_fds = [result_read, error_read]
        while open_fds:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                os.kill(pid, signal.SIGKILL)
                break
            ready, _, _ = select.select(open_fds, [], [], left)
            for fd in ready:
                chunk = os.read(fd, _CHUNK)
                if chunk:
                    chunks[fd].append(chunk)
                else:
                    open_fds.remove(fd)
    finally:
        os.close(result_read)
        os.close(error_read)
        _, status = os.waitpid(pid, 0)
    errors = b"".join(chunks[error_read])
    payload = b"".join(chunks[result_read])
    if timed_out or (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU):
        return Stopped("time", limits.seconds)
    if b"memory allocation of" in errors or b"MemoryError" in errors:
        return Stopped("memory", limits.memory_bytes // 2**20)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and payload:
        outcome: T = pickle.loads(payload)
        return outcome
    return Stopped("crash")


def _child(
    result: int,
    errors: int,
    parent_ends: tuple[int, int],
    function: Callable[..., Any],
    args: tuple[Any, ...],
    limits: Limits,
) -> None:
    """Body of the forked child: limit, run, send the pickled result, exit without running the parent's cleanup."""
    code = 1
    try:
        for fd in parent_ends:
            os.close(fd)
        os.dup2(errors, 2)
        os.environ["RUST_BACKTRACE"] = "0"
        # A crash here is reported by the parent as a refusal; no traceback of the child may reach the user.
        faulthandler.disable()
        _limit(limits)
        payload = pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(payload)
        while view:
            view = view[os.write(result, view) :]
        code = 0
    except MemoryError:
        os.write(errors, b"MemoryError")
    except BaseException as exc:
        os.write(errors, f"{type(exc).__name__}: {exc}"[:2000].encode("utf-8", "replace"))
    finally:
        os._exit(code)


def _limit(limits: Limits) -> None:
    """Cap the child's address space (above what it inherited) and its processor time."""
    import resource

    try:
        with open("/proc/self/statm", "rb") as statm:
            inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        inherited = None  # not Linux: the address space cannot be measured (macOS does not enforce the limit)
    if inherited is not None:
        memory = inherited + limits.memory_bytes
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or memory < hard:
            resource.setrlimit(resource.RLIMIT_AS, (memory, hard))
    used = resource.getrusage(resource.RUSAGE_SELF)
    seconds = int(used.ru_utime + used.ru_stime) + limits.seconds
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or seconds < hard:
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, hard))
