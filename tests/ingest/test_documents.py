from __future__ import annotations

import datetime as dt

import pytest

from factcheck.ingest import IngestError, normalise, parse_document
from factcheck.ingest.documents import DOCX_MAX_CHARS, DOCX_MAX_PARAGRAPHS

from tests.builders.documents import make_docx, make_pdf, make_zip

MB = 1024 * 1024


def parse(data: bytes, filename: str, **kwargs: object) -> object:
    return parse_document(data, filename=filename, max_bytes=10 * MB, **kwargs)  # type: ignore[arg-type]


# --- plain text --------------------------------------------------------------------


def test_txt_seed_keeps_text_and_takes_headline_as_title(seeds: dict[str, str]) -> None:
    doc = parse(seeds["001"].encode("utf-8"), "001.txt")
    assert doc.kind == "txt" and doc.content_type == "text/plain"
    assert doc.title == "Xiaomi and Ford Deny Joint EV Venture Amid U.S. Political Scrutiny"
    assert "\u201cThis story is completely false,\u201d Ford stated unequivocally." in doc.text
    assert doc.filename == "001.txt"


def test_txt_without_headline_is_titled_after_the_file(seeds: dict[str, str]) -> None:
    doc = parse(seeds["000"].encode("utf-8"), "ford-xiaomi-talks.txt")
    assert doc.title == "ford-xiaomi-talks"


def test_utf16_txt_is_read() -> None:
    text = "Ford denied the report.\n\nXiaomi said it has \u201cno plans\u201d."
    assert parse(text.encode("utf-16"), "a.txt").text == text


def test_cp1252_txt_is_read() -> None:
    doc = parse(b"Headline\n\nThe \x93caf\xe9\x94 was closed.", "a.txt")
    assert doc.text == "Headline\n\nThe \u201ccaf\u00e9\u201d was closed."


def test_empty_file() -> None:
    with pytest.raises(IngestError) as caught:
        parse(b"", "a.txt")
    assert caught.value.message == "The file is empty."


def test_whitespace_only_file_has_no_text() -> None:
    with pytest.raises(IngestError, match="No readable text"):
        parse(b" \n\t\n ", "a.txt")


def test_binary_junk_renamed_txt() -> None:
    with pytest.raises(IngestError) as caught:
        parse(bytes(range(256)) * 20, "story.txt")
    assert caught.value.message == "This file looks like binary data, not text."


def test_over_the_size_limit() -> None:
    with pytest.raises(IngestError) as caught:
        parse_document(b"x" * (10 * MB + 1), filename="big.txt", max_bytes=10 * MB)
    assert caught.value.message == "The file is larger than the 10 MB limit."


def test_unsupported_type() -> None:
    with pytest.raises(IngestError) as caught:
        parse(b"MZ\x90\x00rest", "tool.exe")
    assert caught.value.message == "Unsupported file type '.exe'. Upload .txt, .md, .html, .docx or .pdf."


# --- markdown ------------------------------------------------------------------------


def test_markdown_markup_is_stripped_lightly() -> None:
    source = (
        b'---\ntitle: "Ford and Xiaomi"\nauthor: Sam Reporter\ndate: 2026-02-01T08:00:00Z\n---\n'
        b"# Ford **denies** talks\n\n"
        b"Ford said the [FT report](https://ft.com/x) was *false*. ![chart](c.png)\n"
        b"It called it `baseless`.\n\n"
        b"- Xiaomi has no US sales\n- BYD declined to comment\n\n"
        b"> A quoted passage.\n"
    )
    doc = parse(source, "story.md")
    assert doc.kind == "md"
    assert doc.title == "Ford and Xiaomi"
    assert doc.byline == "Sam Reporter"
    assert doc.published_at == dt.datetime(2026, 2, 1, 8, tzinfo=dt.UTC)
    body = normalise(doc.text).body
    assert body.split("\n\n") == [
        "Ford denies talks",
        "Ford said the FT report was false. It called it baseless.",
        "Xiaomi has no US sales",
        "BYD declined to comment",
        "A quoted passage.",
    ]


def test_markdown_title_falls_back_to_first_heading() -> None:
    assert parse(b"Intro line.\n\n## Real heading\n\nText.", "a.md").title == "Real heading"


# --- HTML ------------------------------------------------------------------------------

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en-GB"><head>
<meta charset="utf-8">
<title>Ford denies Xiaomi talks | The Daily Example</title>
<meta name="author" content="Jane Doe">
<meta property="og:site_name" content="The Daily Example">
<meta property="article:published_time" content="2026-02-01T09:30:00+01:00">
<link rel="canonical" href="https://example.com/news/ford-xiaomi">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article>
<h1>Ford denies Xiaomi talks</h1>
<p>Ford denied a Financial Times report that it had held talks with Xiaomi about a joint venture
to build electric cars in the United States.</p>
<h2>What is known</h2>
<p>The report cited four people familiar with the discussions. Xiaomi said it does not sell
products in the US and is not negotiating to enter the market.</p>
</article>
<footer>Copyright 2026 The Daily Example. All rights reserved.</footer>
</body></html>"""


def test_html_main_text_and_metadata() -> None:
    doc = parse(ARTICLE_HTML.encode("utf-8"), "page.html")
    assert doc.kind == "html"
    assert doc.title == "Ford denies Xiaomi talks"
    assert doc.byline == "Jane Doe"
    assert doc.site_name == "The Daily Example"
    assert doc.url == "https://example.com/news/ford-xiaomi"
    assert doc.language == "en-GB"
    assert doc.published_at == dt.datetime(2026, 2, 1, 8, 30, tzinfo=dt.UTC)
    assert doc.published_at.utcoffset() == dt.timedelta(hours=1)
    assert "Ford denied a Financial Times report" in doc.text
    assert "\n\nThe report cited four people" in doc.text
    assert "Copyright" not in doc.text and "Home" not in doc.text


def test_html_declared_cp1252_charset() -> None:
    html = (
        b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head>'
        b"<body><p>The \x93caf\xe9\x94 story was denied by everyone involved in the matter, "
        b"officials said on Monday.</p>"
        b"</body></html>"
    )
    assert "\u201ccaf\u00e9\u201d" in parse(html, "p.html").text


def test_malformed_html_still_yields_its_text() -> None:
    broken = (
        b"<html><body><div><p>Ford denied the <b>report <i>on Monday</p><p>Xiaomi did not "
        b"respond to a request for comment</div></span></table><p>Unclosed paragraph"
    )
    doc = parse(broken, "broken.html")
    text = " ".join(doc.text.split())
    assert "Ford denied the report on Monday" in text
    assert "Xiaomi did not respond" in text


def test_html_fragment_too_short_for_article_heuristics() -> None:
    assert parse(b"<p>Ford denied it.</p>", "f.html").text == "Ford denied it."


@pytest.mark.parametrize("markup", [b"<html><head><title></title></head><body></body></html>", b"<<<>>>", b"<!-- -->"])
def test_html_without_text_fails_clearly(markup: bytes) -> None:
    with pytest.raises(IngestError, match="readable text|could not be read"):
        parse(markup, "empty.html")


def test_url_passed_in_is_kept_when_page_has_no_canonical() -> None:
    doc = parse(b"<p>Ford denied it.</p>", "f.html", url="https://news.example/a")
    assert doc.url == "https://news.example/a"
    assert parse(b"<p>Ford denied it.</p>", "f.html", url="javascript:alert(1)").url is None


# --- Word --------------------------------------------------------------------------------


def test_docx_text_headings_tables_and_core_properties() -> None:
    data = make_docx(
        [
            ("Ford denies Xiaomi talks", "Title"),
            ("Ford denied the report on Monday.", None),
            ("What is known", "Heading 1"),
            ("Xiaomi did not respond.", None),
        ],
        title="Ford and Xiaomi",
        author="Sam Reporter",
        table=[["Company", "Response"], ["Ford", "Denied"]],
    )
    doc = parse(data, "story.docx")
    assert doc.kind == "docx"
    assert doc.title == "Ford and Xiaomi"
    assert doc.byline == "Sam Reporter"
    assert doc.published_at is not None and doc.published_at.tzinfo is not None
    assert doc.text.split("\n\n") == [
        "Ford denies Xiaomi talks",
        "Ford denied the report on Monday.",
        "What is known",
        "Xiaomi did not respond.",
        "Company | Response",
        "Ford | Denied",
    ]


def test_docx_title_falls_back_to_title_style() -> None:
    data = make_docx([("The headline", "Title"), ("Body text here.", None)])
    assert parse(data, "story.docx").title == "The headline"


def test_docx_that_is_really_another_zip() -> None:
    with pytest.raises(IngestError) as caught:
        parse(make_zip([("notes.txt", b"hello"), ("img.png", b"\x89PNG")]), "story.docx")
    assert caught.value.message == "This .docx file is not a valid Word document."


def test_docx_with_damaged_document_part() -> None:
    data = make_zip(
        [
            (
                "[Content_Types].xml",
                (
                    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
                ),
            ),
            ("word/document.xml", b"<not-xml"),
        ]
    )
    with pytest.raises(IngestError, match="not a valid Word document"):
        parse(data, "story.docx")


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_text_and_metadata() -> None:
    data = make_pdf(
        ["Ford denied the report.", "Xiaomi did not respond."],
        title="Ford and Xiaomi",
        author="Pat Writer",
        created="D:20260131100000+01'00'",
    )
    doc = parse(data, "story.pdf")
    assert doc.kind == "pdf" and doc.content_type == "application/pdf"
    assert doc.title == "Ford and Xiaomi"
    assert doc.byline == "Pat Writer"
    assert doc.published_at == dt.datetime(2026, 1, 31, 9, tzinfo=dt.UTC)
    assert normalise(doc.text).body == "Ford denied the report.\n\nXiaomi did not respond."


def test_encrypted_pdf() -> None:
    with pytest.raises(IngestError) as caught:
        parse(make_pdf(["Secret text."], user_password="hunter2"), "locked.pdf")
    assert caught.value.message == "This PDF is encrypted; remove the password and upload it again."


def test_pdf_with_only_an_owner_password_opens() -> None:
    doc = parse(make_pdf(["Readable text."], user_password=""), "owner-only.pdf")
    assert "Readable text." in doc.text


def test_pdf_without_a_text_layer() -> None:
    with pytest.raises(IngestError, match="no text layer"):
        parse(make_pdf([]), "scan.pdf")


def test_damaged_pdf() -> None:
    with pytest.raises(IngestError, match="could not be read"):
        parse(b"%PDF-1.7\n" + b"garbage " * 200, "broken.pdf")


def _raw_docx(body_xml: str) -> bytes:
    """A minimal Word package around ``body_xml`` (what a hand-made or hostile file looks like)."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    return make_zip([
        ("[Content_Types].xml",
         b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
         b'officedocument.wordprocessingml.document.main+xml"/></Types>'),
        ("word/document.xml", f'<w:document xmlns:w="{w}"><w:body>{body_xml}</w:body></w:document>'.encode()),
    ])


def test_docx_with_too_many_paragraphs_is_refused_with_a_message() -> None:
    data = _raw_docx("<w:p><w:r><w:t>Council spent £1m.</w:t></w:r></w:p>" * (DOCX_MAX_PARAGRAPHS + 1))
    assert len(data) < 100_000  # small on disk, many paragraphs inside
    with pytest.raises(IngestError) as caught:
        parse(data, "story.docx")
    assert caught.value.message == (
        f"This .docx file has more than {DOCX_MAX_PARAGRAPHS:,} paragraphs; split it into smaller documents.")


def test_docx_with_too_much_text_is_refused_with_a_message() -> None:
    chunk = "x" * 10_000
    data = _raw_docx(f"<w:p><w:r><w:t>{chunk}</w:t></w:r></w:p>" * (DOCX_MAX_CHARS // len(chunk) + 1))
    with pytest.raises(IngestError, match=f"more than {DOCX_MAX_CHARS:,} characters"):
        parse(data, "story.docx")


def test_docx_many_runs_in_one_paragraph_are_bounded() -> None:
    data = _raw_docx("<w:p>" + "<w:r><w:rPr><w:b/></w:rPr></w:r>" * 400_000 + "</w:p>")
    with pytest.raises(IngestError, match="too complex"):
        parse(data, "story.docx")


def test_docx_streamed_reading_keeps_tabs_breaks_styles_and_cells() -> None:
    data = _raw_docx(
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Budget</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>A</w:t><w:tab/><w:t>B</w:t><w:br/><w:t>C</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Year</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>Spend</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    doc = parse(data, "story.docx")
    assert doc.title == "Budget"
    assert doc.text.split("\n\n") == ["Budget", "A\tB\nC", "Year | Spend"]


@pytest.mark.parametrize(("filename", "expected"), [
    ("000_1d607d15b9b927fc.txt", "American automaker Ford recently held talks with Chinese electric vehicle maker Xiaomi…"),
    ("IMG_2041.txt", "American automaker Ford recently held talks with Chinese electric vehicle maker Xiaomi…"),
    ("ford-xiaomi-talks.txt", "ford-xiaomi-talks"),
    ("budget.txt", "budget"),
])
def test_txt_without_headline_takes_a_readable_file_name_else_its_opening(seeds, filename, expected) -> None:
    assert parse(seeds["000"].encode("utf-8"), filename).title == expected


def test_a_short_first_sentence_is_the_title_but_stays_in_the_body() -> None:
    doc = parse(b"Ford denied the report on Tuesday.\nXiaomi did not respond.", "0001.txt")
    assert doc.title == "Ford denied the report on Tuesday"
    assert normalise(doc.text, title=doc.title).body.startswith("Ford denied the report on Tuesday.")
    doc = parse(b"eBay shares fell 5% on Tuesday\n\nThe company did not comment.", "0002.txt")
    assert doc.title == "eBay shares fell 5% on Tuesday\u2026"
    assert normalise(doc.text, title=doc.title).body.startswith("eBay shares fell 5% on Tuesday")
