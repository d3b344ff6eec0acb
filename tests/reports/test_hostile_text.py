"""Text that reaches the PDFs (comments, names, titles, file names) stays text: nothing fetched, nothing attached.

Every field a tester or a campaign file can fill carries markup here: images, links, attachments,
objects, style sheets with url() and @import, style and href attributes, broken-out tables and
scripts, CSS-string breakouts for the page headers, template syntax and mathtext. The documents
must show them as typed, hold exactly the elements of a harmless document, ask the URL fetcher
for bundled assets only, and embed no file. A 50,000-character unbroken comment renders fast
and wraps within the page.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import socket
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

import pandas as pd
import pytest
from pypdf import PdfReader

from criteria.catalogue import scale_labels
from criteria.model import Category, CriteriaSet, Criterion, Priority, Scale
from reports import render
from reports.report import COMMENT_CHARS, AuditEntry, ReportParams, render_report_html
from reports.spec import SpecParams, render_spec_html
from vendors.analysis import analyse
from vendors.model import Tester as Pilot  # aliased: pytest would try to collect a class named Test*
from vendors.model import Vendor
from vendors.scoring import ScoringParams, score

ISSUED = dt.date(2027, 4, 2)
ATTACKER = "attacker.invalid"

PAYLOADS = {
    "img": '<img src="file:///etc/passwd">',
    "img remote": f'<img src="http://{ATTACKER}/pixel.png" onerror="alert(1)">',
    "attachment": '<link rel="attachment" href="file:///etc/passwd">',
    "object": f'<object data="file:///etc/shadow"></object><embed src="http://{ATTACKER}/x">',
    "iframe": '<iframe src="file:///etc/passwd"></iframe>',
    "style sheet": f'<style>@import url("http://{ATTACKER}/x.css"); body {{ background: url(file:///etc/passwd) }}</style>',
    "style attribute": "<p style=\"background-image: url('file:///etc/passwd')\">styled</p>",
    "links": f'<a href="file:///etc/passwd">click</a> <a href="http://{ATTACKER}/">here</a>',
    "breakout": "</td></tr></table></li></ol></section><script>alert(1)</script>",
    "svg": '"><svg onload=alert(1)><image href="file:///etc/passwd"/></svg>',
    "template": "{{ 7 * 7 }} {% raw %} ${7*7}",
    "css header": '"; } @page { @top-left { content: url(file:///etc/passwd) } } x { content: "',
    "css escape": '\\"; background: url(file:///etc/passwd); \\',
    "mathtext": "Cost$ $ave \\frac{1}{0}",
}
P = PAYLOADS


@dataclass(frozen=True)
class Data:
    """One campaign's results with a text in every place the report prints."""

    criteria: CriteriaSet
    vendors: tuple[Vendor, ...]
    testers: tuple[Pilot, ...]
    scores: pd.DataFrame
    audit: tuple[AuditEntry, ...]
    params: ReportParams


def data(text: dict[str, str]) -> Data:
    """The same campaign with ``text[key]`` (a payload, or a harmless word) in each printed place."""
    criteria = CriteriaSet(
        (Category("A", text["style sheet"], 60.0), Category("B", text["svg"], 40.0)),
        (
            Criterion("A1", "A", text["style attribute"], text["iframe"], Priority.MUST, 1.0, text["object"]),
            Criterion("A2", "A", text["object"], "", Priority.SHOULD, 1.0),
            Criterion("B1", "B", text["template"], "", Priority.SHOULD, 1.0),
        ),
    )
    vendors = (
        Vendor("V1", text["img"], setup_cost=1000.0, price_per_user_month=2.0),
        Vendor("V2", text["mathtext"], price_per_user_month=1.0),
        Vendor("V3", text["links"], price_per_user_month=1.0),
    )
    testers = (
        Pilot("T1", text["img remote"], groups={"level": text["svg"]}),
        Pilot("T2", text["breakout"], groups={"level": text["svg"]}),
        Pilot("T3", "Cy", groups={"level": text["template"]}),
        Pilot("T4", "Di", groups={"level": text["template"]}),
    )
    grid = {  # B1 of V2 splits the testers (an agenda point with comments); A1 knocks V3 out (evidence).
        "V1": {"A1": (4, 4, 5, 5), "A2": (4, 4, 4, 4), "B1": (3, 3, 3, 3)},
        "V2": {"A1": (3, 3, 3, 3), "A2": (3, 3, 3, 3), "B1": (5, 5, 0, 0)},
        "V3": {"A1": (0, 1, 0, 1), "A2": (5, 5, 5, 5), "B1": (5, 5, 5, 5)},
    }
    comments = {
        ("T1", "V2", "B1"): text["attachment"],
        ("T2", "V2", "B1"): text["style sheet"],
        ("T3", "V2", "B1"): text["links"],
        ("T4", "V2", "B1"): text["css escape"],
        ("T1", "V3", "A1"): text["img"],
        ("T2", "V3", "A1"): text["breakout"],
    }
    rows = [
        (t.id, v, c, float(value), False, comments.get((t.id, v, c), ""))
        for v, by_criterion in grid.items()
        for c, values in by_criterion.items()
        for t, value in zip(testers, values, strict=True)
    ]
    frame = pd.DataFrame(rows, columns=["tester", "vendor", "criterion", "score", "na", "comment"])
    day = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
    audit = (
        AuditEntry(text["iframe"] + ".xlsx", "ab" * 32, "rejected", day, "T1", (text["img"], text["links"])),
        AuditEntry("T2.xlsx", "cd" * 32, "accepted", day, "T2"),
    )
    params = ReportParams(name=text["css header"], organisation=text["css escape"], campaign_id=text["template"])
    return Data(criteria, vendors, testers, frame, audit, params)


HARMLESS = {key: f"plain {key}" for key in PAYLOADS}
PARAMS = ScoringParams(scale_max=5, users=10, horizon_years=1)


def report_html(d: Data) -> str:
    scoring = score(d.criteria, d.vendors, d.scores, PARAMS, d.testers)
    analysis = analyse(
        d.criteria, d.vendors, d.testers, d.scores, PARAMS, scoring, disagreement_sd=1.5, draws=200, delta=0.25, seed=0
    )
    return render_report_html(d.criteria, d.vendors, d.testers, scoring, analysis, d.scores, d.audit, d.params, ISSUED)


def spec_html(text: dict[str, str]) -> str:
    d = data(text)
    scale = Scale()
    params = SpecParams(
        name=text["css header"],
        users=10,
        organisation=text["css escape"],
        contact=text["links"],
        context=text["attachment"] + "\n" + text["style sheet"],
        objectives=text["img remote"],
        instructions=text["breakout"],
    )
    return render_spec_html(d.criteria, scale, scale_labels(scale, "en"), params, ISSUED)


class _Elements(HTMLParser):
    """Every element of a document, with the URLs it points at (attributes, and url() in CSS)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in ("src", "href", "data", "srcset", "action", "background", "poster"):
                self.urls.append(value)
            if name == "style":
                self.urls.extend(_css_urls(value))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls.extend(_css_urls(data))


def _css_urls(css: str) -> Iterator[str]:
    for match in re.finditer(r"url\(\s*['\"]?([^'\")]*)|@import\s+['\"]([^'\"]*)", css):
        yield match.group(1) or match.group(2)


def elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def assert_only_bundled(urls: list[str]) -> None:
    """Every URL is a bundled asset, inline data or an anchor of the document."""
    strange = [u for u in urls if not u.startswith((render.STATIC_SCHEME + ":", "data:", "#"))]
    assert strange == []


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket fails the test loudly."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A spy on the URL fetcher of every render: the URLs it was asked for, in order."""
    asked: list[str] = []
    original = render.StaticURLFetcher.fetch

    def spy(self: render.StaticURLFetcher, url: str, headers: object = None) -> object:
        asked.append(url)
        return original(self, url, headers)  # type: ignore[arg-type]

    monkeypatch.setattr(render.StaticURLFetcher, "fetch", spy)
    return asked


def pdf_facts(data: bytes) -> tuple[str, list[str], set[str]]:
    """(text, link targets, names in the document catalogue) of a PDF."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    links: list[str] = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            links.append(str(annotation.get("/Subtype")))
            action = annotation.get("/A")
            if action is not None and "/URI" in action:
                links.append(str(action["/URI"]))
    catalogue = set(reader.trailer["/Root"].keys()) | set((reader.trailer["/Root"].get("/Names") or {}).keys())
    return text, links, catalogue


def squeeze(text: str) -> str:
    """Text without white space nor the hyphens of words hyphenated at a line end."""
    return re.sub(r"[\s\u2010\u00ad]+", "", text)


def kinds(urls: list[str]) -> list[str]:
    """URLs with inline data reduced to its media type (charts embed names, which differ)."""
    return sorted(url.split(",", 1)[0] if url.startswith("data:") else url for url in urls)


def masked(css: list[str]) -> list[str]:
    """Style sheets with the criteria version (a hash of the criteria, whose titles differ) masked."""
    return [re.sub(r"\b[0-9a-f]{12}\b", "<version>", block) for block in css]


# ----------------------------------------------------------------------------------------------------- the report


@pytest.fixture(scope="module")
def hostile_report() -> str:
    return report_html(data(PAYLOADS))


def test_report_text_adds_no_element_and_no_url(hostile_report: str) -> None:
    """The hostile report has the elements of the harmless one (names sort differently), and only bundled URLs."""
    hostile, harmless = elements(hostile_report), elements(report_html(data(HARMLESS)))
    assert Counter(hostile.tags) == Counter(harmless.tags)
    assert "script" not in hostile.tags
    assert_only_bundled(hostile.urls)
    assert kinds(hostile.urls) == kinds(harmless.urls)


def test_report_shows_every_payload_as_typed(hostile_report: str) -> None:
    """Autoescaped: each payload is in the HTML as text (its markup escaped), mathtext and template syntax too."""
    from markupsafe import escape

    for key in ("img", "attachment", "links", "breakout", "style sheet", "css escape", "mathtext", "template"):
        assert str(escape(PAYLOADS[key])) in hostile_report, key
    assert "{{ 7 * 7 }} {% raw %} ${7*7}" in hostile_report  # template syntax in data is never evaluated


def styles(html: str) -> list[str]:
    return re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S)


def test_user_text_never_reaches_the_style_sheets(hostile_report: str) -> None:
    """Page headers and footers are drawn by CSS: they carry no user text, so the CSS is the harmless one's."""
    assert masked(styles(hostile_report)) == masked(styles(report_html(data(HARMLESS))))
    assert masked(styles(spec_html(PAYLOADS))) == masked(styles(spec_html(HARMLESS)))


def test_report_pdf_fetches_nothing_and_attaches_nothing(
    hostile_report: str, fetched: list[str], no_network: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="weasyprint")
    pdf, _ = render.pdf_bytes(hostile_report)
    assert_only_bundled(fetched)
    assert [r.getMessage() for r in caplog.records if "refused" in r.getMessage()] == []
    text, links, catalogue = pdf_facts(pdf)
    assert "/EmbeddedFiles" not in catalogue
    assert "/AF" not in catalogue
    assert not [link for link in links if "FileAttachment" in link or "file:" in link or ATTACKER in link]
    flat = squeeze(text)
    for key in ("img", "attachment", "links", "breakout", "mathtext"):
        assert squeeze(PAYLOADS[key]) in flat, key


def test_the_spy_sees_what_a_document_asks_for(
    fetched: list[str], no_network: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A positive control: real markup (not user text) does reach the fetcher, which refuses it."""
    caplog.set_level(logging.ERROR, logger="weasyprint")
    html = '<html><body><img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/hosts"></body></html>'
    pdf, _ = render.pdf_bytes(html)
    assert sorted(fetched) == ["file:///etc/hosts", "file:///etc/passwd"]
    assert b"/EmbeddedFile" not in pdf


# -------------------------------------------------------------------------------------------- the specification


def test_spec_text_adds_no_element_and_no_url() -> None:
    hostile, harmless = elements(spec_html(PAYLOADS)), elements(spec_html(HARMLESS))
    assert Counter(hostile.tags) == Counter(harmless.tags)
    assert "script" not in hostile.tags
    assert_only_bundled(hostile.urls)
    assert kinds(hostile.urls) == kinds(harmless.urls)


def test_spec_pdf_fetches_nothing_and_attaches_nothing(fetched: list[str], no_network: None) -> None:
    html = spec_html(PAYLOADS)
    pdf, _ = render.pdf_bytes(html)
    assert_only_bundled(fetched)
    text, links, catalogue = pdf_facts(pdf)
    assert "/EmbeddedFiles" not in catalogue
    assert not [link for link in links if "file:" in link or ATTACKER in link]
    assert squeeze(PAYLOADS["attachment"]) in squeeze(text)


# ------------------------------------------------------------------------------------------- a very long comment


def test_a_50000_character_unbroken_comment_renders_fast_and_wraps(fetched: list[str]) -> None:
    word = f"https://{ATTACKER}/" + "A" * 50_000
    text = dict(HARMLESS)
    text["attachment"] = word  # the comment of T1 on the disputed pair, shown on the agenda
    d = data(text)
    html = report_html(d)
    start = time.monotonic()
    pdf, _ = render.pdf_bytes(html)
    elapsed = time.monotonic() - start
    assert elapsed < 20, f"rendering took {elapsed:.1f} s"
    quoted = word[: COMMENT_CHARS - 1] + "…"
    assert quoted in html
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert squeeze(quoted) in squeeze("\n".join(page.extract_text() for page in pages))
    lines: list[str] = []
    for page in pages:
        page.extract_text(visitor_text=lambda chunk, *_: lines.append(chunk) if "AAAA" in chunk else None)
    # The quoted part is all there, cut into lines that fit the page (an A4 line holds far fewer than 150).
    assert sum(line.count("A") for line in lines) == quoted.count("A")
    assert len(lines) >= 5
    assert max(len(chunk) for chunk in lines) < 150
    assert_only_bundled(fetched)
