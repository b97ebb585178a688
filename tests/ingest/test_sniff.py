from __future__ import annotations

import pytest

from factcheck.ingest import DOCUMENT_KINDS, IngestError, sniff_kind

from tests.builders.documents import make_docx, make_pdf, make_zip


@pytest.mark.parametrize(
    "filename, data, kind",
    [
        ("a.txt", b"Plain words.", "txt"),
        ("A.TXT", b"Plain words.", "txt"),
        ("notes.md", b"# Heading\n\nText", "md"),
        ("page.htm", b"<p>x</p>", "html"),
        ("page.html", b"<p>x</p>", "html"),
        ("rows.jsonl", b'{"body": "x"}\n', "jsonl"),
        ("rows.csv", b"title,body\na,b\n", "csv"),
        ("feed.xml", b"<rss version='2.0'></rss>", "feed"),
    ],
)
def test_extension_decides(filename: str, data: bytes, kind: str) -> None:
    assert sniff_kind(filename, data) == kind


def test_real_docx_pdf_and_zip() -> None:
    assert sniff_kind("story.docx", make_docx([("Text.", None)])) == "docx"
    assert sniff_kind("story.pdf", make_pdf(["Text."])) == "pdf"
    assert sniff_kind("batch.zip", make_zip([("a.txt", b"x")])) == "zip"


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"%PDF-1.4 rest", "pdf"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "html"),
        (b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>", "feed"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "feed"),
        (b"Just some words in a file without a name.", "txt"),
    ],
)
def test_content_decides_without_an_extension(data: bytes, kind: str) -> None:
    assert sniff_kind("upload", data) == kind


def test_docx_without_extension_is_recognised() -> None:
    assert sniff_kind("upload", make_docx([("Text.", None)])) == "docx"
    assert sniff_kind("upload", make_zip([("a.txt", b"x")])) == "zip"


def test_content_type_decides_for_unknown_script_extensions() -> None:
    assert sniff_kind("story.php", b"<p>x</p>", content_type="text/html; charset=utf-8") == "html"
    assert sniff_kind("article", b"%PDF-1.4 rest", content_type="application/pdf") == "pdf"
    # A known extension outranks a misleading content type.
    assert sniff_kind("story.txt", b"words", content_type="text/html") == "txt"


def test_unsupported_extension_message_lists_what_to_upload() -> None:
    with pytest.raises(IngestError) as caught:
        sniff_kind("setup.exe", b"MZ\x90\x00", allowed=DOCUMENT_KINDS)
    assert caught.value.message == "Unsupported file type '.exe'. Upload .txt, .md, .html, .docx or .pdf."


def test_batch_kind_refused_where_only_documents_are_allowed() -> None:
    with pytest.raises(IngestError, match="Unsupported file type '.zip'"):
        sniff_kind("batch.zip", make_zip([("a.txt", b"x")]), allowed=DOCUMENT_KINDS)


def test_docx_that_is_another_zip() -> None:
    with pytest.raises(IngestError) as caught:
        sniff_kind("report.docx", make_zip([("photo.jpg", b"\xff\xd8\xff" + bytes(100))]))
    assert caught.value.message == "This .docx file is not a valid Word document."


def test_docx_that_is_not_a_zip_at_all() -> None:
    with pytest.raises(IngestError, match="not a valid Word document"):
        sniff_kind("report.docx", b"Just text pretending.")


def test_pdf_that_is_not_a_pdf() -> None:
    with pytest.raises(IngestError, match="not a valid PDF"):
        sniff_kind("report.pdf", b"<html>nope</html>")


def test_unknown_binary_without_extension() -> None:
    with pytest.raises(IngestError, match="Unsupported file type"):
        sniff_kind("upload", b"\x00\x01\x02\x03" * 10)
