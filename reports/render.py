"""Shared HTML-to-PDF machinery: one Jinja environment, fr/en formatting, a locked-down URL fetcher."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import gc
import logging
import mimetypes
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal, parse_pattern
from babel.numbers import format_percent as babel_format_percent
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup
from weasyprint import HTML
from weasyprint import LOGGER as WEASYPRINT_LOGGER
from weasyprint import Attachment as WeasyAttachment
from weasyprint.urls import URLFetcher, URLFetcherResponse

from criteria.errors import TenderError
from criteria.messages import DATE_LOCALES
from criteria.safe import atomic_path
from reports.i18n import LANGUAGES, translate

#: The only scheme under which bundled assets are served: ``rse-static:print.css``.
STATIC_SCHEME = "rse-static"
STATIC_DIR = Path(__file__).resolve().parent / "static"
#: PDF variants a document may be written in (archival PDF/A-3b allows embedded data files).
PDF_VARIANTS = ("pdf/a-3b",)

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9.+-]*):")
_MIME_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


#: Told the name of each long phase as it begins (e.g. "layout", "pdf"), for a progress display.
Step = Callable[[str], None]


class RenderError(TenderError):
    """A document could not be rendered or written."""


#: Why a document could not be written, in each language of the campaigns.
_WRITE_WORDS = {
    "en": {
        "failed": "cannot write {target}: {reason}",
        "folder": "cannot write {target}: it is a folder",
        "parent": "cannot write {target}: {parent} is a file, not a folder",
    },
    "fr": {
        "failed": "impossible d'écrire {target} : {reason}",
        "folder": "impossible d'écrire {target} : c'est un dossier",
        "parent": "impossible d'écrire {target} : {parent} est un fichier, pas un dossier",
    },
}


class WriteError(RenderError):
    """A rendered document (PDF, HTML) could not be written where asked; worded again in the campaign's language."""

    def __init__(self, kind: str, language: str = "en", **values: object) -> None:
        self.kind, self.values = kind, values
        super().__init__(_WRITE_WORDS.get(language, _WRITE_WORDS["en"])[kind].format(**values))

    def localized(self, language: str) -> WriteError:
        return WriteError(self.kind, language, **self.values)


class URLRefusedError(TenderError):
    """A document asked for a resource outside the bundled assets."""


class StaticURLFetcher(URLFetcher):
    """Serve ``rse-static:`` files from the package's static/ folder and ``data:`` URLs; refuse the rest.

    Nothing else is ever opened: no ``file://``, no network, no path outside static/
    (``..`` segments are refused before the disk is touched, symlinks after resolution).
    """

    def __init__(self, static_dir: Path = STATIC_DIR) -> None:
        # The base class opens data: URLs itself; it is never handed any other scheme.
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)
        self.root = Path(static_dir).resolve()

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """Return the bundled asset or the data: payload named by ``url``, or raise URLRefusedError."""
        match = _SCHEME.match(url)
        scheme = match.group(1).lower() if match else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == STATIC_SCHEME:
            path = self.resolve(url[match.end() :] if match else "")
            mime = _MIME_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": mime or "application/octet-stream"}
            )
        raise URLRefusedError(
            f"refused to fetch {_short(url)}: only {STATIC_SCHEME}: assets and data: URLs are allowed"
        )

    def resolve(self, reference: str) -> Path:
        """The file inside static/ that ``reference`` (the part after ``rse-static:``) names."""
        text = unquote(reference.split("#", 1)[0].split("?", 1)[0])
        parts = PurePosixPath(text.lstrip("/")).parts
        bad = not parts or "\\" in text or "\x00" in text or any(p in ("..", ".") for p in parts)
        if not bad:
            candidate = self.root.joinpath(*parts).resolve()
            if candidate.is_relative_to(self.root) and candidate.is_file():
                return candidate
        raise URLRefusedError(f"refused to fetch {STATIC_SCHEME}:{_short(reference)}: no such bundled asset")


def _short(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# -- formatting, fr/en ----------------------------------------------------------------------------


def _locale(language: str) -> Locale:
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    return Locale.parse(language)


def format_number(value: float, language: str, digits: int = 2) -> str:
    """``value`` with at most ``digits`` decimals and the language's separators (fr: 2 400,5; en: 2,400.5)."""
    locale = _locale(language)
    pattern = copy.copy(parse_pattern(locale.decimal_formats[None]))
    pattern.frac_prec = (0, digits)
    return format_decimal(value, format=pattern, locale=locale)


def format_percent(fraction: float, language: str, digits: int = 1, fixed: bool = False) -> str:
    """A fraction as a percentage with at most ``digits`` decimals (fr: 5,5 %; en: 5.5%).

    ``fixed`` always writes ``digits`` decimals (5,0 %), so that a column of figures lines up.
    """
    locale = _locale(language)
    pattern = copy.copy(parse_pattern(locale.percent_formats[None]))
    pattern.frac_prec = (digits if fixed else 0, digits)
    return babel_format_percent(fraction, format=pattern, locale=locale)


def format_money(amount: float, currency: str, language: str) -> str:
    """An amount in ``currency`` as the language writes it (fr: 1 200,00 €; en: €1,200.00)."""
    return format_currency(amount, currency, locale=_locale(language))


def format_date(value: dt.date, language: str, style: str = "long") -> str:
    """A date as the language writes it (fr: 1 mars 2027; en: 1 March 2027)."""
    _locale(language)  # refuses a language without words
    return babel_format_date(value, format=style, locale=DATE_LOCALES[language])


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, every character but letters, digits and spaces hex-escaped.

    For page headers and footers, which CSS draws: nothing in ``text`` can close the
    string, the rule or the ``<style>`` element.
    """
    out = []
    for char in str(text):
        if char.isalnum() and char.isascii() or char == " ":
            out.append(char)
        else:
            # The space ends the escape and is swallowed by it, so a real space after it survives.
            out.append(f"\\{ord(char):x} ")
    return Markup('"' + "".join(out) + '"')


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of a user text, one paragraph each."""
    return [line.strip() for line in str(text).splitlines() if line.strip()]


# -- the one Jinja environment --------------------------------------------------------------------


def _language(context: Context) -> str:
    language = context.resolve_or_missing("lang")
    if language not in LANGUAGES:
        raise RenderError(f"the template context has no valid 'lang' (found {language!r})")
    return str(language)


@pass_context
def _t(context: Context, key: str, /, **values: Any) -> str:
    return translate(key, _language(context), **values)


@pass_context
def _number(context: Context, value: float, digits: int = 2) -> str:
    return format_number(value, _language(context), digits)


@pass_context
def _percent(context: Context, fraction: float, digits: int = 1, fixed: bool = False) -> str:
    return format_percent(fraction, _language(context), digits, fixed)


@pass_context
def _money(context: Context, amount: float, currency: str) -> str:
    return format_money(amount, currency, _language(context))


@pass_context
def _date(context: Context, value: dt.date, style: str = "long") -> str:
    return format_date(value, _language(context), style)


def inline_static(name: str) -> Markup:
    """The text of a bundled asset (a stylesheet), to inline in a document so that its HTML stands alone."""
    path = StaticURLFetcher().resolve(name)
    return Markup(path.read_text(encoding="utf-8"))


ENV = Environment(
    loader=PackageLoader("reports"),
    # Every template is escaped, whatever its extension: user text only ever arrives as data.
    autoescape=select_autoescape(
        enabled_extensions=("html", "htm", "xml", "svg"), default_for_string=True, default=True
    ),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters.update(
    number=_number, percent=_percent, money=_money, date=_date, css_string=css_string, paragraphs=paragraphs
)
ENV.globals.update(t=_t, inline_static=inline_static, static_scheme=STATIC_SCHEME)


def render_html(template: str, context: Mapping[str, Any]) -> str:
    """Render the template ``template`` (e.g. ``"spec.html"``) with ``context``, which must hold ``lang``."""
    return ENV.get_template(template).render(**context)


# -- dates and PDF --------------------------------------------------------------------------------


def source_date() -> dt.datetime | None:
    """The instant SOURCE_DATE_EPOCH pins (UTC), if it is set (reproducible builds convention)."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return dt.datetime.fromtimestamp(int(raw), tz=dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise RenderError(f"SOURCE_DATE_EPOCH must be a number of seconds since 1970 (found {raw!r})") from None


def document_date(today: dt.date | None = None) -> dt.date:
    """The date printed on a document: SOURCE_DATE_EPOCH's day if set, else today."""
    pinned = source_date()
    if pinned is not None:
        return pinned.date()
    return today or dt.date.today()


def w3c_date(value: dt.date | dt.datetime) -> str:
    """A date as HTML ``<meta name=dcterms.created>`` and the PDF metadata expect it."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T00:00:00Z"


class _FontSubsetNotice(logging.Filter):
    """Drop WeasyPrint's notice that fonts are subset by fontTools because HarfBuzz-Subset is not installed.

    It describes the machine, not the document (the output is correct either way);
    installing the system library libharfbuzz-subset0 makes it moot and rendering faster.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Using fontTools instead of HarfBuzz-Subset")


@contextlib.contextmanager
def _reproducible_fonts(stamp: dt.datetime) -> Iterator[None]:
    """Write the fonts of a PDF the same way every time, and quietly.

    When fontTools subsets the fonts (HarfBuzz-Subset missing), it stamps each one with
    the clock unless SOURCE_DATE_EPOCH is set: for the time of the write, pin it to the
    document's own date so that the same input still gives the same bytes.
    """
    notice = _FontSubsetNotice()
    WEASYPRINT_LOGGER.addFilter(notice)
    pinned = "SOURCE_DATE_EPOCH" not in os.environ
    if pinned:
        os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
    try:
        yield
    finally:
        if pinned:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        WEASYPRINT_LOGGER.removeFilter(notice)


@contextlib.contextmanager
def cyclic_collector_paused() -> Iterator[None]:
    """Hold back Python's cyclic garbage collector for the time of a WeasyPrint rendering.

    WeasyPrint builds hundreds of thousands of objects that refer to one another (boxes and
    their parents, styles, pieces of text) and keeps most of them to the end. Each one ticks
    the collector's counters, and every pass over the oldest generation walks all of them
    again, to find next to nothing. Measured on the benchmark's report (10 vendors x 120
    criteria), evaluation to PDF took 5.6-6.0 s with the collector running and 4.7-4.8 s
    with it paused here; at 2,400 criteria, 40 s against 31 s. The layout's discarded
    copies wait for the collector's return: peak memory grew by 3 % at most. Reference
    counting frees everything else as usual, and the collector's former state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Attachment:
    """A file embedded in a PDF (e.g. the scores as CSV in the report)."""

    name: str
    data: bytes
    description: str = ""
    #: PDF/A-3 relationship of the file to the document: Data, Source, Alternative, Supplement, Unspecified.
    relationship: str = "Data"


@dataclass(frozen=True)
class RenderedPdf:
    """What was written: where, how many pages, how many bytes."""

    path: Path
    pages: int
    size: int


@cyclic_collector_paused()
def pdf_bytes(
    html: str,
    *,
    variant: str | None = None,
    attachments: Sequence[Attachment] = (),
    title: str | None = None,
    authors: Sequence[str] = (),
    description: str | None = None,
    keywords: Sequence[str] = (),
    language: str | None = None,
    created: dt.date | dt.datetime | None = None,
    step: Step | None = None,
) -> tuple[bytes, int]:
    """Render ``html`` to PDF bytes and its page count; identical input gives identical bytes.

    The creation date is SOURCE_DATE_EPOCH if set, else ``created``, else the
    ``dcterms.created`` meta of the HTML (the document's own date), else none:
    never the clock. Metadata arguments override those of the HTML. ``step`` is told
    when the layout (``"layout"``) and the writing of the PDF (``"pdf"``) begin.
    """
    if variant is not None and variant not in PDF_VARIANTS:
        raise RenderError(f"PDF variant {variant!r} is not one of {', '.join(PDF_VARIANTS)}")
    fetcher = StaticURLFetcher()
    if step is not None:
        step("layout")
    document = HTML(string=html, url_fetcher=fetcher, base_url=None).render()
    meta = document.metadata
    pinned = source_date() or created
    if pinned is not None:
        meta.created = meta.modified = w3c_date(pinned)
    elif meta.created and not meta.modified:
        meta.modified = meta.created
    if title is not None:
        meta.title = title
    if authors:
        meta.authors = list(authors)
    if description is not None:
        meta.description = description
    if keywords:
        meta.keywords = list(keywords)
    if language is not None:
        meta.lang = language
    # Attachments default to the clock for their dates; pin them to the document's date.
    stamp = _parse_w3c(meta.created) if meta.created else dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    embedded = [
        WeasyAttachment(
            string=item.data,
            name=item.name,
            description=item.description or None,
            created=stamp,
            modified=stamp,
            relationship=item.relationship,
            url_fetcher=fetcher,
        )
        for item in attachments
    ]
    if step is not None:
        step("pdf")
    with _reproducible_fonts(stamp):
        # Tagged (a structure tree of headings, paragraphs, tables and lists): screen readers and reflow can read
        # the published specification and the report; it costs a few per cent of the rendering time.
        data = document.write_pdf(pdf_variant=variant, attachments=embedded or None, pdf_tags=True)
    return data, len(document.pages)


def _parse_w3c(value: str) -> dt.datetime:
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        parsed = dt.datetime.fromisoformat(text[:10])
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def write_pdf(
    html: str,
    target: Path | str,
    *,
    variant: str | None = None,
    attachments: Sequence[Attachment] = (),
    title: str | None = None,
    authors: Sequence[str] = (),
    description: str | None = None,
    keywords: Sequence[str] = (),
    language: str | None = None,
    created: dt.date | dt.datetime | None = None,
    step: Step | None = None,
) -> RenderedPdf:
    """Render ``html`` to the PDF file ``target``, atomically (see :func:`pdf_bytes`)."""
    data, pages = pdf_bytes(
        html,
        variant=variant,
        attachments=attachments,
        title=title,
        authors=authors,
        description=description,
        keywords=keywords,
        language=language,
        created=created,
        step=step,
    )
    target = Path(target)
    _check_writable(target)
    try:
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)
    except OSError as exc:
        raise WriteError("failed", target=target, reason=exc.strerror or exc) from None
    return RenderedPdf(target, pages, len(data))


def _check_writable(target: Path) -> None:
    """Name the real obstacle before the OS reports a puzzling 'File exists' or 'Not a directory'."""
    if target.is_dir():
        raise WriteError("folder", target=target)
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise WriteError("parent", target=target, parent=parent)
            return


def write_html(html: str, target: Path | str) -> Path:
    """Write the HTML a PDF came from, atomically."""
    target = Path(target)
    _check_writable(target)
    try:
        with atomic_path(target) as tmp:
            tmp.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise WriteError("failed", target=target, reason=exc.strerror or exc) from None
    return target
