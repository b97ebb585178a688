"""The upload page: every format, duplicates, metadata found and corrected, and bad input refused cleanly."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from factcheck.models import Article, ArticleOriginal, ImportBatch, Source, SourceDomain
from tests.builders.documents import make_docx, make_pdf, make_zip
from tests.builders.imports import article_text, make_jsonl

pytestmark = pytest.mark.django_db

UPLOAD = reverse("factcheck:upload")

BODY = (
    "The Riverside Council said on Tuesday that the closure of the Old Mill Bridge will cost £4.2 million.\n\n"
    "Council leader Margaret Okafor said inspectors found corrosion in 40 percent of the steel supports."
)


def post_file(client, name: str, data: bytes, **extra):
    return client.post(UPLOAD, {"files": SimpleUploadedFile(name, data), **extra})


@pytest.fixture
def ed_client(client, editor):
    client.force_login(editor)
    return client


def only_article() -> Article:
    return Article.objects.select_related("original", "source").get()


def test_get_shows_a_labelled_form(ed_client):
    response = ed_client.get(UPLOAD)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    for field in ("files", "text", "url", "title", "byline", "published_at", "article_url", "source", "new_source"):
        assert f'for="id_{field}"' in html, field


@pytest.mark.parametrize(
    "name,data,content_type",
    [
        ("bridge.txt", ("Bridge closure will cost £4.2 million\n\n" + BODY).encode("utf-8"), "text/plain"),
        ("bridge.md", ("# Bridge closure will cost £4.2 million\n\n" + BODY).encode("utf-8"), "text/markdown"),
        (
            "bridge.html",
            (
                "<html><head><title>Bridge closure will cost £4.2 million</title></head><body><article>"
                + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
                + "</article></body></html>"
            ).encode("utf-8"),
            "text/html",
        ),
        ("bridge.htm", b"<p>" + BODY.split("\n\n")[0].encode() + b"</p><p>" + BODY.split("\n\n")[1].encode() + b"</p>",
         "text/html"),
        (
            "bridge.docx",
            make_docx([("Bridge closure will cost £4.2 million", "Title"), *[(p, None) for p in BODY.split("\n\n")]]),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "bridge.pdf",
            make_pdf(["Bridge closure will cost 4.2 million pounds", "", *BODY.replace("£", "GBP ").split("\n\n")]),
            "application/pdf",
        ),
    ],
    ids=["txt", "md", "html", "htm", "docx", "pdf"],
)
def test_each_format_becomes_an_article_with_its_original(ed_client, editor, name, data, content_type):
    response = post_file(ed_client, name, data)
    article = only_article()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert "Okafor" in article.body and "corrosion" in article.body
    assert article.original.data.tobytes() == data if hasattr(article.original.data, "tobytes") else bytes(
        article.original.data) == data
    assert article.original.filename == name and article.original.content_type == content_type
    assert article.original.size == len(data)
    assert article.uploaded_by == editor and article.status == Article.Status.QUEUED
    assert article.title and "\n" not in article.title


def test_metadata_is_extracted_from_the_document(ed_client):
    page = (
        '<html lang="en"><head><title>Bridge closure costs city millions</title>'
        '<meta name="author" content="Jane Reporter">'
        '<meta property="article:published_time" content="2026-01-06T09:30:00+00:00">'
        '<link rel="canonical" href="https://riverside-gazette.example/news/bridge"></head>'
        "<body><article><h1>Bridge closure costs city millions</h1>"
        + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
        + "</article></body></html>"
    ).encode()
    gazette = Source.objects.create(name="Riverside Gazette")
    SourceDomain.objects.create(source=gazette, domain="riverside-gazette.example")
    post_file(ed_client, "bridge.html", page)
    article = only_article()
    assert article.title == "Bridge closure costs city millions"
    assert article.byline == "Jane Reporter"
    assert article.published_at.isoformat() == "2026-01-06T09:30:00+00:00"
    assert article.url == "https://riverside-gazette.example/news/bridge"
    assert article.source == gazette  # matched by the address's domain
    assert article.language == "en"


def test_editor_corrects_metadata_and_names_a_new_publisher(ed_client):
    response = post_file(
        ed_client, "notes.txt", BODY.encode(),
        title="Old Mill Bridge: the real cost", byline="Sam Editor", published_at="2026-01-07T08:15",
        article_url="https://valley-news.example/bridge", new_source="Valley News",
    )
    assert response.status_code == 302
    article = only_article()
    assert article.title == "Old Mill Bridge: the real cost"
    assert article.byline == "Sam Editor"
    assert article.published_at.isoformat().startswith("2026-01-07T08:15")
    assert article.url == "https://valley-news.example/bridge"
    assert article.source.name == "Valley News"


def test_editor_picks_an_existing_publisher_over_the_domain_match(ed_client):
    wire = Source.objects.create(name="Wire Service", kind=Source.Kind.WIRE)
    other = Source.objects.create(name="Gazette")
    SourceDomain.objects.create(source=other, domain="gazette.example")
    post_file(ed_client, "a.txt", BODY.encode(), article_url="https://gazette.example/x", source=str(wire.pk))
    assert only_article().source == wire


def test_pasted_text(ed_client):
    response = ed_client.post(UPLOAD, {"text": "Bridge closure will cost £4.2 million\n\n" + BODY})
    article = only_article()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert article.title == "Bridge closure will cost £4.2 million"
    assert bytes(article.original.data).decode() == "Bridge closure will cost £4.2 million\n\n" + BODY


def test_duplicate_upload_tells_the_user_and_goes_to_the_existing_article(ed_client):
    post_file(ed_client, "first.txt", BODY.encode())
    existing = only_article()
    # The same text, re-wrapped and re-cased, as a different file type.
    again = BODY.upper().replace(". ", ".\n").encode("utf-16")
    response = post_file(ed_client, "again.txt", again, new_source="Should Not Exist")
    assert response.status_code == 302 and response["Location"] == existing.get_absolute_url()
    assert Article.objects.count() == 1 and ArticleOriginal.objects.count() == 1
    assert not Source.objects.filter(name="Should Not Exist").exists()  # nothing half-written
    followed = ed_client.get(response["Location"])
    shown = [str(m) for m in followed.context["messages"]] if followed.context else []
    assert any("already in Factdesk" in m for m in shown) or "already in Factdesk" in followed.content.decode()


def test_duplicate_pasted_text(ed_client):
    ed_client.post(UPLOAD, {"text": BODY})
    response = ed_client.post(UPLOAD, {"text": "  " + BODY.replace("\n\n", "\n\n\n") + "  "})
    assert response.status_code == 302 and response["Location"] == only_article().get_absolute_url()


def test_utf16_and_cp1252_files_are_read_correctly(ed_client):
    text = "Café owners on the Quai said the “closure” cost them €3,000 a week.\n\nOkafor’s office disagreed."
    post_file(ed_client, "utf16.txt", text.encode("utf-16"))
    post_file(ed_client, "cp1252.txt", text.replace("Café", "Crêpe").encode("cp1252"))
    bodies = sorted(Article.objects.values_list("body", flat=True))
    assert any("Café owners" in b and "“closure”" in b and "€3,000" in b for b in bodies)
    assert any("Crêpe owners" in b and "Okafor’s" in b for b in bodies)


def test_malformed_html_is_read(ed_client):
    html = b"<html><body><p>" + BODY.split("\n\n")[0].encode() + b"<p><b>Okafor said the <i>supports</b> failed.</div>"
    response = post_file(ed_client, "broken.html", html)
    assert response.status_code == 302
    assert "Old Mill Bridge" in only_article().body


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("empty.txt", b"", "empty"),
        ("junk.txt", bytes(range(256)) * 40, "binary"),
        ("fake.docx", make_zip({"word.txt": b"not a word document"}), "not a valid Word document"),
        ("secret.pdf", make_pdf(["Top secret budget figures"], user_password="hunter2"), "encrypted"),
        ("slides.pptx", b"PK\x03\x04 whatever", "Unsupported file type"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "Unsupported file type"),
        ("blank.html", b"<html><body>   </body></html>", "No readable text"),
    ],
    ids=["empty", "binary-junk", "docx-other-zip", "encrypted-pdf", "unsupported", "image", "html-no-text"],
)
def test_bad_files_get_a_clear_message_and_nothing_is_written(ed_client, name, data, message):
    response = post_file(ed_client, name, data)
    assert response.status_code == 400
    assert message.lower() in response.content.decode().lower()
    assert 'role="alert"' in response.content.decode()
    assert not Article.objects.exists() and not ArticleOriginal.objects.exists()


def test_htmx_post_with_bad_input_rerenders_with_200(ed_client):
    response = ed_client.post(UPLOAD, {"files": SimpleUploadedFile("e.txt", b"")}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "empty" in response.content.decode()


def test_over_the_size_limit(ed_client, settings):
    settings.FACTDESK_MAX_UPLOAD_BYTES = 1000
    response = post_file(ed_client, "long.txt", (BODY + "\n\n") .encode() * 20)
    assert response.status_code == 400 and "larger than the 1000 bytes limit" in response.content.decode()
    assert not Article.objects.exists()


def test_nothing_given_or_two_things_given(ed_client):
    assert "Choose a file" in ed_client.post(UPLOAD, {}).content.decode()
    response = ed_client.post(UPLOAD, {"text": BODY, "url": "https://example.org/"})
    assert response.status_code == 400 and "one at a time" in response.content.decode()


def test_picking_and_naming_a_publisher_is_refused(ed_client):
    source = Source.objects.create(name="Gazette")
    response = ed_client.post(UPLOAD, {"text": BODY, "source": source.pk, "new_source": "Other"})
    assert response.status_code == 400 and "not both" in response.content.decode()


def test_several_files_start_a_batch(ed_client, editor):
    response = ed_client.post(UPLOAD, {"files": [
        SimpleUploadedFile("one.txt", article_text(1).encode()),
        SimpleUploadedFile("two.txt", article_text(2).encode()),
    ]})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    assert batch.kind == ImportBatch.Kind.FILES and batch.created_by == editor
    assert sorted(batch.uploads.values_list("filename", flat=True)) == ["one.txt", "two.txt"]
    assert not Article.objects.exists()  # the workers import them


def test_a_jsonl_file_on_the_upload_page_starts_a_batch(ed_client):
    response = post_file(ed_client, "rows.jsonl", make_jsonl([{"title": "A", "body": article_text(1)}]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.kind == ImportBatch.Kind.JSONL


def test_viewers_and_checkers_cannot_post(client, viewer, checker, outsider):
    for user, status in ((viewer, 403), (checker, 403), (outsider, 404)):
        client.force_login(user)
        assert client.post(UPLOAD, {"text": BODY}).status_code == status
    assert not Article.objects.exists()


# --- web addresses ------------------------------------------------------------------------------------------


def test_fetch_a_page_from_a_url(ed_client, site, allow_local_fetch):
    site.pages["/news/bridge"] = (200, "text/html; charset=utf-8", (
        "<html><head><title>Bridge closure costs city millions</title></head><body><article>"
        + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n")) + "</article></body></html>").encode())
    response = ed_client.post(UPLOAD, {"url": site.url("/news/bridge")})
    article = only_article()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert article.title == "Bridge closure costs city millions"
    assert article.url == site.url("/news/bridge") and article.origin == site.url("/news/bridge")
    assert "Okafor" in article.body and bytes(article.original.data).startswith(b"<html>")


@pytest.mark.parametrize(
    "url,message",
    [
        ("ftp://example.org/article.txt", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("javascript:alert(1)", "Only http:// and https://"),
        ("http://10.1.2.3/story", "private network"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]/story", "loopback"),
    ],
)
def test_urls_that_are_not_public_http_are_refused(ed_client, url, message):
    response = ed_client.post(UPLOAD, {"url": url})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Article.objects.exists()


def test_loopback_is_refused_before_connecting(ed_client, site):
    site.pages["/story"] = (200, "text/plain", BODY.encode())
    response = ed_client.post(UPLOAD, {"url": site.url("/story")})  # no test allowance here
    assert response.status_code == 400 and "loopback" in response.content.decode()
    assert site.requests == []  # never connected


def test_a_slow_site_times_out_with_a_message(ed_client, site, allow_local_fetch):
    site.pages["/slow"] = (200, "text/plain", BODY.encode())
    site.slow.add("/slow")
    response = ed_client.post(UPLOAD, {"url": site.url("/slow")})
    assert response.status_code == 400 and "did not answer within 2 seconds" in response.content.decode()
    assert not Article.objects.exists()


def test_a_missing_page_reports_the_status(ed_client, site, allow_local_fetch):
    response = ed_client.post(UPLOAD, {"url": site.url("/gone")})
    assert response.status_code == 400 and "404" in response.content.decode()


def test_a_large_word_file_is_read_on_a_worker_not_in_the_request(ed_client, settings):
    from factcheck import selectors
    from factcheck.services import batches

    settings.FACTDESK_PARSE_IN_REQUEST_BYTES = 1000
    data = make_docx([("Bridge closure will cost £4.2 million", "Title"), *[(p, None) for p in BODY.split("\n\n")]])
    assert len(data) > 1000
    response = post_file(ed_client, "bridge.docx", data)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    assert not Article.objects.exists()  # nothing parsed in the request
    batches.batch_expand(batch_id=batch.pk)
    batches.batch_process_items(batch_id=batch.pk, item_ids=selectors.batch_pending_item_ids(batch_id=batch.pk))
    article = only_article()
    assert "Okafor" in article.body and article.original.filename == "bridge.docx"


def test_a_large_word_file_with_corrected_details_is_read_in_the_request(ed_client, settings):
    settings.FACTDESK_PARSE_IN_REQUEST_BYTES = 1000
    data = make_docx([(p, None) for p in BODY.split("\n\n")])
    response = post_file(ed_client, "bridge.docx", data, title="Old Mill Bridge to close")
    article = only_article()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert article.title == "Old Mill Bridge to close"
