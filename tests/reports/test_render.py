"""The shared rendering machinery: URL fetcher, autoescape, fr/en formatting, reproducible PDF output."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import socket
import time
from pathlib import Path

import pytest
from jinja2 import UndefinedError
from pypdf import PdfReader

from criteria.model import Category, CriteriaSet, Criterion, Priority, Scale
from reports import render
from reports.i18n import MESSAGES, translate
from reports.render import (
    ENV,
    STATIC_DIR,
    Attachment,
    RenderError,
    StaticURLFetcher,
    URLRefusedError,
    css_string,
    format_date,
    format_money,
    format_number,
    format_percent,
    pdf_bytes,
    write_pdf,
)
from reports.spec import SpecParams, render_spec_html

HOSTILE = '<img src="file:///etc/passwd">'
MINIMAL = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title>
<meta name="dcterms.created" content="2027-03-01T00:00:00Z">{head}</head><body><p>Hello</p>{body}</body></html>"""


@pytest.fixture(autouse=True)
def no_weasyprint_warnings(caplog: pytest.LogCaptureFixture):
    """Fail any test during which WeasyPrint logs a warning or an error (unless the test expects it)."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield caplog
    if getattr(caplog, "expected", False):
        return
    # caplog.records only holds the current phase (teardown here): look at what the test itself logged.
    unexpected = [r.getMessage() for r in caplog.get_records("call") if r.name.startswith("weasyprint")]
    assert unexpected == []


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket fails the test loudly."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# -- URL fetcher ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://example.org/x.css",
        "https://example.org/x.css",
        "ftp://example.org/x.css",
        "//example.org/x.css",
        "print.css",
        "rse-static:",
        "rse-static:../render.py",
        "rse-static:/../render.py",
        "rse-static://../../render.py",
        "rse-static:%2e%2e/render.py",
        "rse-static:..%2Frender.py",
        "rse-static:..\\render.py",
        "rse-static:missing.css",
        "rse-static:/etc/passwd",
    ],
)
def test_fetcher_refuses_everything_but_bundled_assets_and_data(url: str, no_network: None) -> None:
    with pytest.raises(URLRefusedError, match="refused to fetch"):
        StaticURLFetcher().fetch(url)


def test_fetcher_refuses_a_file_url_to_an_existing_file(tmp_path: Path, no_network: None) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    with pytest.raises(URLRefusedError, match="only rse-static: assets and data: URLs are allowed"):
        StaticURLFetcher().fetch(secret.as_uri())


def test_fetcher_refuses_a_symlink_leading_out_of_static(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (tmp_path / "outside.css").write_text("p {}")
    (static / "inside.css").write_text("h1 {}")
    (static / "link.css").symlink_to(tmp_path / "outside.css")
    fetcher = StaticURLFetcher(static)
    assert fetcher.fetch("rse-static:inside.css").read() == b"h1 {}"
    with pytest.raises(URLRefusedError, match="no such bundled asset"):
        fetcher.fetch("rse-static:link.css")


def test_fetcher_serves_bundled_assets_with_their_type(no_network: None) -> None:
    response = StaticURLFetcher().fetch("rse-static:print.css")
    assert response.content_type == "text/css"
    assert response.read() == (STATIC_DIR / "print.css").read_bytes()


def test_fetcher_serves_data_urls(no_network: None) -> None:
    response = StaticURLFetcher().fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


def test_a_refused_image_is_logged_and_left_out(tmp_path: Path, no_weasyprint_warnings, no_network: None) -> None:
    from PIL import Image

    picture = tmp_path / "pixel.png"
    Image.new("RGB", (4, 4), "red").save(picture)
    html = MINIMAL.format(head="", body=f'<img src="{picture.as_uri()}"><img src="rse-static:../render.py">')
    data, pages = pdf_bytes(html)
    no_weasyprint_warnings.expected = True
    messages = [r.getMessage() for r in no_weasyprint_warnings.records]
    assert len(messages) == 2
    assert all("URLRefusedError" in m for m in messages)
    assert pages == 1
    assert b"/Subtype /Image" not in data


def test_a_data_image_is_embedded(no_network: None) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="PNG")
    import base64

    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    data, _ = pdf_bytes(
        MINIMAL.format(head="", body=f'<img src="{url}" alt="a blue square">'), created=dt.date(2027, 3, 1)
    )
    assert b"/Subtype /Image" in data


# -- templates and escaping -----------------------------------------------------------------------


def test_every_template_is_autoescaped() -> None:
    assert ENV.autoescape("spec.html") is True
    assert ENV.autoescape("anything.css") is True
    assert ENV.from_string("{{ x }}").render(x=HOSTILE) == "&lt;img src=&#34;file:///etc/passwd&#34;&gt;"


def test_a_missing_variable_is_an_error() -> None:
    with pytest.raises(UndefinedError):
        ENV.from_string("{{ nothing }}").render()


def test_filters_need_the_document_language() -> None:
    with pytest.raises(RenderError, match="no valid 'lang'"):
        ENV.from_string("{{ 0.5|percent }}").render()
    assert ENV.from_string("{{ 0.5|percent }} {{ 2400|number }}").render(lang="fr") == "50\xa0% 2\u202f400"


def _hostile_criteria() -> CriteriaSet:
    return CriteriaSet(
        (Category("CAT", HOSTILE, 1.0),),
        (
            Criterion("C-01", "CAT", HOSTILE, "<script>alert(1)</script>", Priority.MUST, 1.0, "<b>bold?</b>"),
            Criterion("C-02", "CAT", "Plain", "Plain text", Priority.COULD, 3.0),
        ),
    )


def test_a_hostile_title_renders_as_text_and_nothing_is_fetched(
    monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    fetched: list[str] = []
    original = StaticURLFetcher.fetch

    def spy(self: StaticURLFetcher, url: str, headers: object = None):  # type: ignore[no-untyped-def]
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticURLFetcher, "fetch", spy)
    scale = Scale()
    params = SpecParams(name=HOSTILE, users=10, organisation=HOSTILE, language="en", context=HOSTILE)
    html = render_spec_html(_hostile_criteria(), scale, {v: "x" for v in scale.values}, params, dt.date(2027, 3, 1))
    assert "<img" not in html
    assert "<script" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    data, _ = pdf_bytes(html)
    assert fetched == []
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert HOSTILE in text
    assert "<script>alert(1)</script>" in text


def test_css_string_cannot_break_out() -> None:
    assert css_string('a "b"</style>') == '"a \\22 b\\22 \\3c \\2f style\\3e "'
    assert css_string("Page · 2") == '"Page \\b7  2"'


# -- fr/en formatting -----------------------------------------------------------------------------


def test_numbers_in_french_and_english() -> None:
    assert format_number(2400, "fr") == "2\u202f400"
    assert format_number(2400, "en") == "2,400"
    assert format_number(2.5, "fr") == "2,5"
    assert format_number(5.0, "en") == "5"
    assert format_number(1 / 3, "en", digits=3) == "0.333"


def test_percentages_in_french_and_english() -> None:
    assert format_percent(11 / 100 * 5 / 18, "fr", 2) == "3,06\xa0%"
    assert format_percent(11 / 100 * 5 / 18, "en", 2) == "3.06%"
    assert format_percent(0.11, "fr") == "11\xa0%"
    assert format_percent(5 / 18, "en") == "27.8%"
    assert format_percent(0.02, "fr", 2) == "2\xa0%"
    assert format_percent(0.02, "fr", 2, fixed=True) == "2,00\xa0%"


def test_money_and_dates_in_french_and_english() -> None:
    assert format_money(1200, "EUR", "fr") == "1\u202f200,00\xa0€"
    assert format_money(1200, "EUR", "en") == "€1,200.00"
    assert format_date(dt.date(2027, 3, 1), "fr") == "1 mars 2027"
    assert format_date(dt.date(2027, 3, 1), "en") == "1 March 2027"
    with pytest.raises(ValueError, match="language 'de'"):
        format_number(1, "de")


def test_every_message_exists_in_both_languages() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == {"en", "fr"}, key
        assert all(text.strip() for text in texts.values()), key


def test_french_messages_keep_signs_with_their_words() -> None:
    assert translate("req.how_to_test", "fr") == "Test pilote\xa0:"
    assert translate("req.how_to_test", "en") == "Pilot test:"
    assert translate("answer.contact", "fr", contact="a@b.org") == "Contact pour toute question\xa0: a@b.org."
    with pytest.raises(KeyError, match="no fr message for key 'nope'"):
        translate("nope", "fr")


# -- PDF output -----------------------------------------------------------------------------------


def test_two_renders_with_source_date_epoch_give_identical_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    html = MINIMAL.format(head="", body="")
    first, _ = pdf_bytes(html, attachments=[Attachment("scores.csv", b"a,b\n1,2\n")])
    second, _ = pdf_bytes(html, attachments=[Attachment("scores.csv", b"a,b\n1,2\n")])
    assert first == second
    meta = PdfReader(io.BytesIO(first)).metadata
    assert meta["/CreationDate"] == "D:20231114221320Z"
    assert render.document_date() == dt.date(2023, 11, 14)


def test_without_source_date_epoch_the_date_comes_from_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing in the bytes depends on the clock: not the metadata, not the embedded fonts' own dates."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    html = MINIMAL.format(head="", body="<p><b>Bold</b> <i>italic</i> <code>mono</code></p>")
    first, _ = pdf_bytes(html)
    time.sleep(1.1)  # font files carry a timestamp in seconds
    second, _ = pdf_bytes(html)
    assert first == second
    assert PdfReader(io.BytesIO(first)).metadata["/CreationDate"] == "D:20270301000000Z"
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_a_bad_source_date_epoch_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(
        RenderError, match="SOURCE_DATE_EPOCH must be a number of seconds since 1970 \\(found 'yesterday'\\)"
    ):
        render.document_date()


def test_write_pdf_sets_metadata_and_attachments(tmp_path: Path) -> None:
    target = tmp_path / "out" / "doc.pdf"
    result = write_pdf(
        MINIMAL.format(head="", body='<p style="break-before: page">Two</p>'),
        target,
        title="A title",
        authors=["Groupe Valmeyrac"],
        language="fr",
        attachments=[Attachment("scores.csv", b"a,b\n1,2\n", "Scores")],
    )
    assert result.path == target
    assert result.pages == 2
    assert result.size == target.stat().st_size
    reader = PdfReader(target)
    assert reader.metadata.title == "A title"
    assert reader.metadata.author == "Groupe Valmeyrac"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert reader.attachments == {"scores.csv": [b"a,b\n1,2\n"]}
    assert [p.name for p in target.parent.iterdir()] == ["doc.pdf"]


def test_pdf_a_3b_variant(tmp_path: Path) -> None:
    data, _ = pdf_bytes(MINIMAL.format(head="", body=""), variant="pdf/a-3b")
    assert data.startswith(b"%PDF-1.7")
    xmp = PdfReader(io.BytesIO(data)).xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data()
    assert b'pdfaid:part="3"' in raw or b"<pdfaid:part>3</pdfaid:part>" in raw
    with pytest.raises(RenderError, match="PDF variant 'pdf/x-4' is not one of pdf/a-3b"):
        pdf_bytes(MINIMAL.format(head="", body=""), variant="pdf/x-4")


def test_write_pdf_reports_a_folder_it_cannot_write(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RenderError) as caught:
        write_pdf(MINIMAL.format(head="", body=""), blocker / "doc" / "doc.pdf")
    assert str(caught.value) == f"cannot write {blocker / 'doc' / 'doc.pdf'}: {blocker} is a file, not a folder"
    assert str(caught.value.localized("fr")) == (
        f"impossible d'écrire {blocker / 'doc' / 'doc.pdf'} : {blocker} est un fichier, pas un dossier"
    )
    with pytest.raises(RenderError) as caught:
        write_pdf(MINIMAL.format(head="", body=""), tmp_path)
    assert str(caught.value) == f"cannot write {tmp_path}: it is a folder"
    assert str(caught.value.localized("fr")) == f"impossible d'écrire {tmp_path} : c'est un dossier"


def test_the_cyclic_collector_is_paused_while_weasyprint_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    seen: list[bool] = []
    real_render = render.HTML.render

    def spying_render(self: render.HTML, *args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real_render(self, *args, **kwargs)

    monkeypatch.setattr(render.HTML, "render", spying_render)
    assert gc.isenabled()
    data, pages = pdf_bytes("<html lang=en><body><p>Paused</p></body></html>")
    assert seen == [False]
    assert pages == 1
    assert data.startswith(b"%PDF-")
    assert gc.isenabled(), "the collector must be running again after the rendering"


def test_the_collector_state_is_restored_even_when_rendering_fails() -> None:
    import gc

    with pytest.raises(RenderError):
        pdf_bytes("<p>x</p>", variant="pdf/z")
    assert gc.isenabled()
    inside: list[bool] = []

    def fail() -> None:
        with render.cyclic_collector_paused():
            inside.append(gc.isenabled())
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fail()
    assert inside == [False]
    assert gc.isenabled()


def test_a_collector_the_caller_switched_off_stays_off() -> None:
    import gc

    gc.disable()
    try:
        with render.cyclic_collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_pdfs_are_tagged_for_screen_readers(no_network: None) -> None:
    body = "<h1>Title</h1><p>Text</p><table><tr><th>A</th></tr><tr><td>1</td></tr></table>"
    data, _ = pdf_bytes(MINIMAL.format(head="", body=body), created=dt.date(2027, 3, 1))
    from pypdf import PdfReader

    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    from tests.pdfstructure import structure_of

    kinds, _ = structure_of(data)
    assert {"/H1", "/P", "/Table", "/TH", "/TD"} <= set(kinds)
