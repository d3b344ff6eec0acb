"""Hostile and broken files made on the spot, from bytes, zipfile and openpyxl: no vendored corpus.

Zip surgery (replace, add, duplicate or drop a part, lie about a part's size), XML attacks
(external entities, entity expansion), decompression bombs, OpenDocument spreadsheets written
by hand, and OLE2 compound files (an .xls workbook, an .xlsx saved with a password).
"""

from __future__ import annotations

import io
import math
import re
import struct
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence

XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
SHARED_STRINGS_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"

# -- zip surgery ------------------------------------------------------------------------------------------------


def zip_bytes(members: Mapping[str, bytes | str] | Iterable[tuple[str, bytes | str]]) -> bytes:
    """A zip of ``members`` (name -> content) in order, deflated; duplicate names are written as given."""
    items = members.items() if isinstance(members, Mapping) else members
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about duplicate names: that is the point
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in items:
                method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
                archive.writestr(zipfile.ZipInfo(name, (2027, 1, 1, 0, 0, 0)), content, compress_type=method)
    return buffer.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    """The parts of a zip, in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def replace_member(data: bytes, name: str, content: bytes | str) -> bytes:
    """The same zip with part ``name`` replaced (or added at the end)."""
    members: dict[str, bytes | str] = dict(members_of(data))
    members[name] = content
    return zip_bytes(members)


def without_member(data: bytes, name: str) -> bytes:
    """The same zip without part ``name``."""
    return zip_bytes({k: v for k, v in members_of(data).items() if k != name})


def with_duplicate(data: bytes, name: str, content: bytes | str) -> bytes:
    """The same zip with a second part called ``name`` appended (readers disagree on which one wins)."""
    return zip_bytes([*members_of(data).items(), (name, content)])


def lie_about_size(data: bytes, name: str, declared: int) -> bytes:
    """The same zip with the uncompressed size of ``name`` set to ``declared`` in both headers."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        offset = archive.getinfo(name).header_offset
    struct.pack_into("<I", patched, offset + 22, declared)
    position = patched.find(b"PK\x01\x02")
    while position >= 0:
        length = struct.unpack_from("<H", patched, position + 28)[0]
        if bytes(patched[position + 46 : position + 46 + length]).decode() == name:
            struct.pack_into("<I", patched, position + 24, declared)
        position = patched.find(b"PK\x01\x02", position + 4)
    return bytes(patched)


def flip_bytes(data: bytes, name: str) -> bytes:
    """The same zip with the compressed bytes of part ``name`` damaged in the middle (its CRC no longer matches)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    patched = bytearray(data)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    for i in range(middle, min(middle + 8, start + info.compress_size)):
        patched[i] ^= 0xFF
    return bytes(patched)


def invalid_stream(data: bytes, name: str) -> bytes:
    """The same zip with the compressed bytes of part ``name`` starting with an invalid deflate block (type 3)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    patched = bytearray(data)
    patched[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)] = 0xFF
    return bytes(patched)


def rename_locally(data: bytes, name: str) -> bytes:
    """The same zip with the local header of part ``name`` naming another part than the directory does."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        offset = archive.getinfo(name).header_offset
    patched = bytearray(data)
    patched[offset + 30] ^= 0x20  # the first letter of the name changes case
    return bytes(patched)


def wrong_crc(data: bytes, name: str) -> bytes:
    """The same zip with an intact part ``name`` whose CRC-32 in the central directory is wrong."""
    encoded = name.encode()
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(encoded)] != encoded:
        entry = data.find(b"PK\x01\x02", entry + 4)
    patched = bytearray(data)
    patched[entry + 16] ^= 0xFF
    return bytes(patched)


# -- parts of an xlsx --------------------------------------------------------------------------------------------


def sheet_part(data: bytes, title: str) -> str:
    """The part name of the worksheet titled ``title`` in an xlsx."""
    members = members_of(data)
    workbook = members["xl/workbook.xml"].decode()
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="(rId\d+)"', workbook)
    assert rid is not None, f"no sheet {title!r}"
    target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target is not None
    return target.group(1).lstrip("/")


def edit_part(data: bytes, name: str, old: str, new: str, count: int = 1) -> bytes:
    """The same zip with ``old`` replaced by ``new`` in part ``name`` (the text must be there)."""
    text = members_of(data)[name].decode("utf-8")
    assert old in text, f"{old!r} not in {name}"
    return replace_member(data, name, text.replace(old, new, count))


def add_to_sheet(data: bytes, title: str, rows_xml: str) -> bytes:
    """Append raw <row> elements at the end of a worksheet's sheetData."""
    return edit_part(data, sheet_part(data, title), "</sheetData>", rows_xml + "</sheetData>")


def set_cell(data: bytes, title: str, reference: str, cell_xml: str) -> bytes:
    """Replace the cell ``reference`` of a worksheet (an openpyxl cell, self-closing or not) by ``cell_xml``."""
    part = sheet_part(data, title)
    text = members_of(data)[part].decode("utf-8")
    pattern = re.compile(rf'<c r="{reference}"[^>]*?(?:/>|(?<!/)>.*?</c>)', re.S)
    assert pattern.search(text), f"no cell {reference} in {title}"
    return replace_member(data, part, pattern.sub(lambda _: cell_xml, text, count=1))


def with_shared_strings(data: bytes, sst_xml: str) -> bytes:
    """An xlsx with a shared strings part (declared in the content types and the workbook relationships)."""
    data = edit_part(
        data,
        "[Content_Types].xml",
        "</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_CONTENT}"/></Types>',
    )
    data = edit_part(
        data,
        "xl/_rels/workbook.xml.rels",
        "</Relationships>",
        f'<Relationship Id="rId99" Type="{SHARED_STRINGS_TYPE}" Target="sharedStrings.xml"/></Relationships>',
    )
    return replace_member(data, "xl/sharedStrings.xml", sst_xml)


def sst(strings: Sequence[str], count: int | str | None = None, unique: int | str | None = None) -> str:
    """A shared strings part; ``count`` and ``unique`` default to the truth."""
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    total = len(strings) if count is None else count
    distinct = len(strings) if unique is None else unique
    return f'<sst xmlns="{XLSX_MAIN}" count="{total}" uniqueCount="{distinct}">{items}</sst>'


def tiny_sheet(rows_xml: str) -> str:
    """A worksheet part holding ``rows_xml``."""
    return f'<worksheet xmlns="{XLSX_MAIN}"><sheetData>{rows_xml}</sheetData></worksheet>'


# -- XML attacks -------------------------------------------------------------------------------------------------


def with_doctype(xml: bytes, doctype: str) -> bytes:
    """``xml`` with a document type declaration inserted before its root element."""
    text = xml.decode("utf-8")
    match = re.match(r"\s*(<\?xml[^>]*\?>)?\s*", text)
    assert match is not None
    head = match.group(1) or ""
    return (head + doctype + text[match.end() :]).encode("utf-8")


def root_name(xml: bytes) -> str:
    """The qualified name of the root element."""
    match = re.search(rb"<([A-Za-z_][\w:.-]*)", re.sub(rb"<\?.*?\?>", b"", xml, flags=re.S))
    assert match is not None
    return match.group(1).decode()


def external_entity(root: str, url: str = "file:///etc/passwd") -> str:
    """A DTD declaring an external entity (XXE)."""
    return f'<!DOCTYPE {root} [<!ENTITY leak SYSTEM "{url}">]>'


def external_dtd(root: str, url: str = "http://attacker.invalid/evil.dtd") -> str:
    """A DOCTYPE pointing at an external DTD."""
    return f'<!DOCTYPE {root} SYSTEM "{url}">'


def parameter_entity(root: str, url: str = "file:///etc/passwd") -> str:
    """A DTD pulling an external parameter entity."""
    return f'<!DOCTYPE {root} [<!ENTITY % remote SYSTEM "{url}"> %remote;]>'


def billion_laughs(root: str, depth: int = 9) -> str:
    """Nested entity definitions that expand to 10**depth copies of a word."""
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, depth + 1)]
    return f"<!DOCTYPE {root} [{''.join(entities)}]>"


def quadratic_blowup(root: str, size: int = 50_000) -> str:
    """One long entity meant to be referenced many times (no nesting, so naive limits miss it)."""
    return f'<!DOCTYPE {root} [<!ENTITY big "{"x" * size}">]>'


ATTACKS = {
    "external entity": external_entity,
    "external DTD": external_dtd,
    "parameter entity": parameter_entity,
    "billion laughs": billion_laughs,
    "quadratic blowup": quadratic_blowup,
}


# -- OpenDocument spreadsheets -----------------------------------------------------------------------------------

ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_content(tables: Mapping[str, str], prolog: str = "") -> str:
    """content.xml of a spreadsheet whose tables hold the given raw <table:table-row> XML."""
    body = "".join(f'<table:table table:name="{name}">{rows}</table:table>' for name, rows in tables.items())
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {ODS_NAMESPACES} '
        f'office:version="1.3"><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>'
        "</office:document-content>"
    )


def ods_bytes(content: str | bytes, extra: Mapping[str, bytes | str] | None = None) -> bytes:
    """An .ods file: the mimetype first and stored, then content.xml and a manifest."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    members: dict[str, bytes | str] = {"mimetype": ODS_MIMETYPE, "content.xml": content}
    members["META-INF/manifest.xml"] = manifest
    members.update(extra or {})
    return zip_bytes(members)


def ods_cell(value: float | str) -> str:
    """A table cell holding a number or a text."""
    if isinstance(value, str):
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'


def ods_row(*values: float | str, repeat: int = 1) -> str:
    attribute = f' table:number-rows-repeated="{repeat}"' if repeat != 1 else ""
    return f"<table:table-row{attribute}>{''.join(ods_cell(v) for v in values)}</table:table-row>"


# -- OLE2 compound files and BIFF8 -------------------------------------------------------------------------------

_SECTOR = 512
_FREE, _END, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def cfb_bytes(streams: Mapping[str, bytes]) -> bytes:
    """A version 3 OLE2 compound file holding ``streams`` at its root.

    Every stream is padded to the 4096-byte mini-stream cutoff so that all live in
    ordinary sectors; the directory is a valid (right-leaning) tree sorted the way the
    format sorts names.
    """
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    bodies = [streams[n].ljust(max(4096, len(streams[n])), b"\0") for n in names]
    entries = 1 + len(names)
    dir_sectors = math.ceil(entries * 128 / _SECTOR)
    data_sectors = [math.ceil(len(b) / _SECTOR) for b in bodies]
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + dir_sectors + sum(data_sectors):
        fat_sectors += 1
    assert fat_sectors <= 109, "too large for a header-only DIFAT"
    fat = [_FAT_SECTOR] * fat_sectors
    chains: list[int] = []
    for count in (dir_sectors, *data_sectors):
        start = len(fat)
        chains.append(start)
        fat.extend(range(start + 1, start + count))
        fat.append(_END)
    fat.extend([_FREE] * (fat_sectors * 128 - len(fat)))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name.encode("utf-16-le") + b"\0\0") if name else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", _NO_STREAM, right, child)
            + bytes(16 + 4 + 8 + 8)
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1 if names else _NO_STREAM, _NO_STREAM, _END, 0)
    for index, (name, body) in enumerate(zip(names, bodies, strict=True), start=1):
        following = index + 1 if index < len(names) else _NO_STREAM
        directory += entry(name, 2, _NO_STREAM, following, chains[index], len(body))
    directory = directory.ljust(dir_sectors * _SECTOR, b"\0")
    # Unused directory slots are empty entries whose links point nowhere.
    empty = entry("", 0, _NO_STREAM, _NO_STREAM, _FREE, 0)
    slots = [directory[i : i + 128] for i in range(0, len(directory), 128)]
    directory = b"".join(s if i < entries else empty for i, s in enumerate(slots))
    difat = list(range(fat_sectors)) + [_FREE] * (109 - fat_sectors)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, fat_sectors, chains[0], 0, 4096, _END, 0, _END, 0)
        + struct.pack("<109I", *difat)
    )
    assert len(header) == _SECTOR
    body = struct.pack(f"<{len(fat)}I", *fat) + directory
    for chunk in bodies:
        body += chunk.ljust(math.ceil(len(chunk) / _SECTOR) * _SECTOR, b"\0")
    return header + body


def encrypted_xlsx() -> bytes:
    """What Excel writes for an .xlsx saved with a password: an OLE container, not a zip (agile encryption)."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    return cfb_bytes({"EncryptionInfo": info, "EncryptedPackage": struct.pack("<Q", 1024) + bytes(1024)})


def word_document() -> bytes:
    """An OLE container that is not a workbook (a Word 97 document has a WordDocument stream)."""
    return cfb_bytes({"WordDocument": b"\xec\xa5" + bytes(510), "1Table": bytes(512)})


def _record(kind: int, payload: bytes) -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def _short_text(text: str) -> bytes:
    return struct.pack("<BB", len(text), 1) + text.encode("utf-16-le")


def _text(text: str) -> bytes:
    return struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")


Cell = str | float | bool | None


def biff8(
    sheets: Mapping[str, Sequence[Sequence[Cell]]],
    hidden: Iterable[str] = (),
    dimensions: Mapping[str, tuple[int, int]] | None = None,
    password: bool = False,
) -> bytes:
    """A BIFF8 workbook stream: one worksheet per entry, cells as labels, numbers and booleans.

    ``dimensions`` overrides the (last row, last column) a sheet declares; ``password``
    adds the FILEPASS record of a workbook saved with a password.
    """
    hidden = set(hidden)
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    sheet_bof = struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x06)
    streams = []
    for name, rows in sheets.items():
        width = max((len(r) for r in rows), default=0)
        last_row, last_column = (dimensions or {}).get(name, (len(rows), width))
        body = _record(0x0809, sheet_bof)
        body += _record(0x0200, struct.pack("<IIHHH", 0, last_row, 0, last_column, 0))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    body += _record(0x0205, struct.pack("<HHHBB", r, c, 0, int(value), 0))
                elif isinstance(value, int | float):
                    body += _record(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
                else:
                    body += _record(0x0204, struct.pack("<HHH", r, c, 0) + _text(value))
        streams.append(body + _record(0x000A, b""))
    globals_ = _record(0x0809, bof)
    if password:
        globals_ += _record(0x002F, struct.pack("<H", 1) + bytes(52))
    globals_ += _record(0x0042, struct.pack("<H", 1200))
    boundsheet_sizes = [4 + 6 + 2 + 2 * len(n) for n in sheets]
    offset = len(globals_) + sum(boundsheet_sizes) + 4
    for (name, _), body in zip(sheets.items(), streams, strict=True):
        state = 1 if name in hidden else 0
        globals_ += _record(0x0085, struct.pack("<IBB", offset, state, 0) + _short_text(name))
        offset += len(body)
    globals_ += _record(0x000A, b"")
    return globals_ + b"".join(streams)


def xls_bytes(sheets: Mapping[str, Sequence[Sequence[Cell]]], **options: object) -> bytes:
    """An .xls file (BIFF8 in an OLE2 container) holding ``sheets``."""
    return cfb_bytes({"Workbook": biff8(sheets, **options)})  # type: ignore[arg-type]


# -- the same workbook in other formats --------------------------------------------------------------------------


def grids_of(data: bytes) -> dict[str, list[list[Cell]]]:
    """Every sheet of a workbook as a grid of values, as the reader sees it."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in workbook.sheet_names}


def ods_from_grids(grids: Mapping[str, Sequence[Sequence[Cell]]]) -> bytes:
    """An .ods holding ``grids``, with the million empty rows and columns LibreOffice writes after the data."""
    from xml.sax.saxutils import escape, quoteattr

    tables = {}
    for name, grid in grids.items():
        rows = []
        for row in grid:
            cells = []
            for value in row:
                if value is None or value == "":
                    cells.append("<table:table-cell/>")
                elif isinstance(value, bool | int | float):
                    cells.append(ods_cell(float(value)))
                else:
                    cells.append(ods_cell(escape(str(value))))
            filler = f'<table:table-cell table:number-columns-repeated="{16384 - len(row)}"/>'
            rows.append(f"<table:table-row>{''.join(cells)}{filler}</table:table-row>")
        rows.append(
            f'<table:table-row table:number-rows-repeated="{1048576 - len(grid)}">'
            '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        )
        tables[quoteattr(name)[1:-1]] = "".join(rows)
    return ods_bytes(ods_content(tables))


def xls_from_grids(grids: Mapping[str, Sequence[Sequence[Cell]]], hidden: Iterable[str] = ()) -> bytes:
    """An .xls (BIFF8) holding ``grids``."""
    return xls_bytes(grids, hidden=tuple(hidden))
