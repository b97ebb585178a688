from __future__ import annotations

import datetime as dt
import json

import pytest

from factcheck.ingest import IngestError, iter_csv, iter_jsonl

HTML = (
    "<html><head><title>Page title</title><meta name='author' content='Jane Doe'></head><body><article>"
    "<p>Ford denied a Financial Times report that it had held talks with Xiaomi about building electric cars.</p>"
    "</article></body></html>"
)


def jsonl(*rows: object) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows).encode("utf-8")


# --- JSON Lines ---------------------------------------------------------------------------


def test_jsonl_rows_become_documents() -> None:
    data = jsonl(
        {
            "title": "Ford denies talks",
            "body": "Ford denied the report.",
            "url": "https://example.com/a",
            "source": "Example News",
            "author": "Sam Reporter",
            "published_at": "2026-01-31T10:00:00+01:00",
        },
        {"title": "From HTML", "html": HTML},
    )
    first, second = list(iter_jsonl(data, filename="batch.jsonl"))
    assert first.ok and first.line == 1 and first.index == 0
    doc = first.document
    assert doc is not None
    assert (doc.title, doc.text, doc.url, doc.site_name, doc.byline) == (
        "Ford denies talks",
        "Ford denied the report.",
        "https://example.com/a",
        "Example News",
        "Sam Reporter",
    )
    assert doc.published_at == dt.datetime(2026, 1, 31, 9, tzinfo=dt.UTC)
    assert doc.filename == "batch.jsonl"
    html_doc = second.document
    assert html_doc is not None and html_doc.kind == "html"
    assert html_doc.title == "From HTML"  # the row's own title wins over the page's
    assert html_doc.byline == "Jane Doe"  # metadata the row lacks comes from the page
    assert html_doc.text.startswith("Ford denied a Financial Times report")


def test_broken_json_line_is_reported_and_the_rest_continue() -> None:
    data = jsonl({"body": "First."}, '{"body": "Second", oops}', "", {"body": "Fourth."})
    results = list(iter_jsonl(data))
    assert [r.line for r in results] == [1, 2, 4]
    assert [r.index for r in results] == [0, 1, 2]
    assert results[0].ok and results[2].ok
    assert results[1].error is not None and results[1].error.startswith("Line 2: not valid JSON (")


@pytest.mark.parametrize(
    "row, message",
    [
        ('["a", "list"]', "Line 1: expected a JSON object with a 'body' or 'html' field."),
        ({"title": "No body"}, "Line 1: a non-empty 'body' or 'html' value is required."),
        ({"body": "   "}, "Line 1: a non-empty 'body' or 'html' value is required."),
        ({"body": ["not", "text"]}, "Line 1: 'body' must be text."),
        ({"html": "<p></p>"}, "Line 1: No readable text was found in this HTML page."),
    ],
)
def test_row_errors(row: object, message: str) -> None:
    (result,) = iter_jsonl(jsonl(row))
    assert result.error == message and result.document is None


def test_a_line_taken_out_of_a_larger_file_keeps_its_number() -> None:
    (result,) = iter_jsonl(b'{"body": oops}', first_line=42)
    assert result.line == 42
    assert result.error is not None and result.error.startswith("Line 42: not valid JSON")


def test_lenient_dates_and_ignored_values_become_warnings() -> None:
    rows = [
        {"body": "x", "published_at": "Jan 31, 2026"},
        {"body": "x", "published_at": "31 January 2026 10:00 +0000"},
        {"body": "x", "published_at": "next tuesday", "url": "javascript:alert(1)"},
    ]
    first, second, third = list(iter_jsonl(jsonl(*rows)))
    assert first.document.published_at == dt.datetime(2026, 1, 31)  # type: ignore[union-attr]
    utc_ten = dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC)
    assert second.document.published_at == utc_ten  # type: ignore[union-attr]
    assert third.ok and third.document.published_at is None and third.document.url is None  # type: ignore[union-attr]
    assert len(third.warnings) == 2
    assert "the date 'next tuesday' was not understood" in third.warnings[1]


def test_jsonl_in_utf16_with_bom() -> None:
    data = (json.dumps({"body": "Caf\u00e9 \u201cquote\u201d"}, ensure_ascii=False) + "\n").encode("utf-16")
    (result,) = iter_jsonl(data)
    assert result.document.text == "Caf\u00e9 \u201cquote\u201d"  # type: ignore[union-attr]


@pytest.mark.parametrize("data", [b"", b"\n\n  \n"])
def test_jsonl_without_rows(data: bytes) -> None:
    with pytest.raises(IngestError):
        iter_jsonl(data)


# --- CSV ------------------------------------------------------------------------------------


def test_csv_rows_become_documents() -> None:
    data = (
        b"title,body,url,source,author,published_at,extra\r\n"
        b'Ford denies talks,"Ford denied the report.\n\nXiaomi did not respond.",https://example.com/a,'
        b"Example News,Sam Reporter,2026-01-31,ignored\r\n"
        b"Second,Another body.,,,,,\r\n"
    )
    first, second = list(iter_csv(data))
    assert first.line == 2 and second.line == 5  # the first row's body spans three lines
    assert first.document.text == "Ford denied the report.\n\nXiaomi did not respond."  # type: ignore[union-attr]
    assert first.document.published_at == dt.datetime(2026, 1, 31)  # type: ignore[union-attr]
    assert second.document.title == "Second" and second.document.url is None  # type: ignore[union-attr]


def test_csv_with_html_column_runs_extraction() -> None:
    data = ("title,html\nFrom HTML," + '"' + HTML.replace('"', '""') + '"\n').encode()
    (result,) = iter_csv(data)
    assert result.document.kind == "html"  # type: ignore[union-attr]
    assert result.document.text.startswith("Ford denied a Financial Times report")  # type: ignore[union-attr]


def test_csv_missing_body_column_fails_the_whole_file() -> None:
    with pytest.raises(IngestError) as caught:
        iter_csv(b"title,text,url\nA,Some text,https://x.test\n")
    assert caught.value.message == (
        "The CSV file needs a 'body' or 'html' column; its columns are: 'title', 'text', 'url'."
    )


def test_formula_cells_are_kept_as_text_and_flagged() -> None:
    data = b'title,body,author\n"=HYPERLINK(""http://evil.test"",""click"")",Ford denied it.,@SUM(A1)\n'
    (result,) = iter_csv(data)
    assert result.document.title == '=HYPERLINK("http://evil.test","click")'  # type: ignore[union-attr]
    assert result.document.byline == "@SUM(A1)"  # type: ignore[union-attr]
    assert result.warnings == [
        "Line 2: the 'title' cell starts with '=' and is kept as plain text, never as a formula.",
        "Line 2: the 'author' cell starts with '@' and is kept as plain text, never as a formula.",
    ]


def test_csv_semicolons_cp1252_and_header_case() -> None:
    data = b"Title;Body\r\nCaf\xe9;The \x93caf\xe9\x94 was closed.\r\n"
    (result,) = iter_csv(data)
    assert result.document.title == "Caf\u00e9"  # type: ignore[union-attr]
    assert result.document.text == "The \u201ccaf\u00e9\u201d was closed."  # type: ignore[union-attr]


def test_csv_row_errors_do_not_stop_the_file() -> None:
    results = list(iter_csv(b"title,body\nA,\n\nB,Text of B.\n"))
    assert [r.ok for r in results] == [False, True]
    assert results[0].error == "Line 2: a non-empty 'body' or 'html' value is required."
    assert results[1].line == 4


def test_csv_cells_longer_than_the_csv_module_default() -> None:
    body = "Ford denied the report. " * 20000  # ~480 KB, over csv's 128 KiB field limit
    (result,) = iter_csv(("title,body\nLong," + body + "\n").encode())
    assert result.document.text == body.strip()  # type: ignore[union-attr]


def test_csv_binary_junk_is_refused() -> None:
    with pytest.raises(IngestError, match="binary data"):
        iter_csv(bytes(range(256)) * 10)


def test_jsonl_error_names_the_column_once() -> None:
    # The decoder's own message for a raw control character ends in "at" already.
    (result,) = iter_jsonl(b'{"title": "T", "body": "a\tb"}\n')
    assert result.error == "Line 1: not valid JSON (Invalid control character at column 26)."
    (result,) = iter_jsonl(b'{"title": "T", "body": }\n')
    assert result.error == "Line 1: not valid JSON (Expecting value at column 24)."
