"""Rough edges a new user met: the upload message, titles of .txt uploads, stories following a renamed article,
the batch page before its counts arrive, error pages with the layout and a reason, the shortcuts a Viewer is
offered, the favicon."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from factcheck.models import Article, ImportBatch, Story
from factcheck.services import batches
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SEEDS = Path("/work/shared/seeds")
NO_HEADLINE = (
    "American automaker Ford recently held talks with Chinese electric vehicle maker Xiaomi about a possible "
    "partnership that would allow Chinese companies to enter the U.S. market, according to four sources.\n"
    "According to those sources, talks were at an early stage."
)


def test_upload_message_does_not_claim_extraction_is_running(client, editor):
    client.force_login(editor)
    response = client.post(reverse("factcheck:upload"),
                           {"files": SimpleUploadedFile("000_1d607d15b9b927fc.txt", NO_HEADLINE.encode())},
                           follow=True)
    article = Article.objects.get()
    page = response.content.decode()
    assert "being extracted" not in page
    assert f"Uploaded “{article.title}”." in page
    # The live notice says what is happening while it happens (and is gone once the article is ready).
    assert "Claims appear here as soon as extraction is done." in page
    Article.objects.filter(pk=article.pk).update(status=Article.Status.READY)
    assert "extraction" not in client.get(article.get_absolute_url()).content.decode().split('id="main"')[1][:400]


def test_a_txt_without_headline_or_readable_name_is_titled_by_its_opening(client, editor):
    client.force_login(editor)
    client.post(reverse("factcheck:upload"),
                {"files": SimpleUploadedFile("000_1d607d15b9b927fc.txt", NO_HEADLINE.encode())})
    title = Article.objects.get().title
    assert title.startswith("American automaker Ford recently held talks with Chinese electric vehicle maker")
    assert title.endswith("…") and len(title) <= 91 and "000_1d6" not in title


def test_a_txt_with_a_headline_is_titled_by_it(client, editor):
    client.force_login(editor)
    text = "Ford and Xiaomi deny joint venture talks\n\n" + NO_HEADLINE
    client.post(reverse("factcheck:upload"), {"files": SimpleUploadedFile("004_6ca7fd36ef1083aa.txt", text.encode())})
    assert Article.objects.get().title == "Ford and Xiaomi deny joint venture talks"


def test_a_story_named_after_an_article_follows_its_corrected_title(client, editor):
    story = Story.objects.create(title="000_1d607d15b9b927fc")
    article = ArticleFactory(title="000_1d607d15b9b927fc", story=story)
    renamed = Story.objects.create(title="Chosen by a person")
    other = ArticleFactory(title="Old title", story=renamed)
    client.force_login(editor)
    for a, title in ((article, "Ford held talks with Xiaomi"), (other, "New title")):
        response = client.post(reverse("factcheck:article-edit", args=[a.pk]), {"title": title, "source": ""})
        assert response.status_code == 302
    story.refresh_from_db()
    renamed.refresh_from_db()
    assert story.title == "Ford held talks with Xiaomi"
    assert renamed.title == "Chosen by a person"
    page = client.get(reverse("factcheck:story", args=[story.pk])).content.decode()
    assert "<h1>Ford held talks with Xiaomi</h1>" in page and "000_1d607d15b9b927fc" not in page
    assert "Ford held talks with Xiaomi" in client.get(reverse("factcheck:stories")).content.decode()


def test_a_batch_not_yet_read_shows_no_zero_counts(client, editor):
    batch = batches.batch_create(files=[("rows.jsonl", b'{"body": "One sentence here."}\n')], created_by=editor)
    client.force_login(editor)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "the counts appear once its articles are listed" in page
    assert "<dt>Total</dt>" not in page
    batches.batch_expand(batch_id=batch.pk)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert '<dl class="counts">' in page and '<dd id="batch-total">1</dd>' in page
    assert ImportBatch.objects.get(pk=batch.pk).total == 1


def test_404_has_the_layout_a_reason_and_ways_on(client, checker):
    client.force_login(checker)
    response = client.get("/articles/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'class="mainnav"' in page and "No such article." in page
    assert f'href="{reverse("factcheck:inbox")}"' in page and f'href="{reverse("factcheck:queue")}"' in page


def test_403_has_the_layout_and_says_why(client, viewer):
    article = ArticleFactory()
    client.force_login(viewer)
    response = client.post(reverse("factcheck:article-delete", args=[article.pk]), {"confirm": "yes"})
    page = response.content.decode()
    assert response.status_code == 403
    assert 'class="mainnav"' in page and "Only editors can delete articles." in page
    assert "Your role cannot do this" in page and f'href="{reverse("factcheck:inbox")}"' in page
    assert Article.objects.filter(pk=article.pk).exists()


def test_viewers_are_not_offered_review_shortcuts(client, viewer, checker):
    article = ArticleFactory()
    client.force_login(viewer)
    dialog = client.get(article.get_absolute_url()).content.decode().split('id="shortcuts"')[1]
    assert "<kbd>j</kbd>" in dialog and "<kbd>?</kbd>" in dialog
    for key in "vdfuxre":
        assert f"<kbd>{key}</kbd>" not in dialog
    client.force_login(checker)
    dialog = client.get(article.get_absolute_url()).content.decode().split('id="shortcuts"')[1]
    assert all(f"<kbd>{key}</kbd>" in dialog for key in "vdfre")


@pytest.mark.parametrize("role", ["viewer", "checker"])
def test_the_dialog_and_the_script_get_the_same_keys(client, request, role):
    """The shortcuts dialog lists exactly the keys the script acts on (from one list), for each role."""
    from factcheck.presenters import SHORTCUTS

    client.force_login(request.getfixturevalue(role))
    page = client.get(ArticleFactory().get_absolute_url()).content.decode()
    dialog = page.split('id="shortcuts"')[1].split("</dialog>")[0]
    given = json.loads(re.search(r'<script id="shortcut-keys" type="application/json">(.*?)</script>', page).group(1))
    assert re.findall(r"<kbd>(.)</kbd>", dialog) == list(given)
    review_keys = {shortcut.key for shortcut in SHORTCUTS if shortcut.review}
    assert (review_keys & set(given)) == (review_keys if role == "checker" else set())
    # Every action the page can name is one the script handles.
    script = (Path(settings.BASE_DIR) / "static/js/factdesk.js").read_text()
    assert all(f'"{shortcut.action}"' in script for shortcut in SHORTCUTS)


def test_every_page_links_the_svg_favicon(client, checker):
    page = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
    icon = (Path(settings.BASE_DIR) / "static/img/favicon.svg").read_text()
    assert icon.startswith("<svg") and "<script" not in icon and len(icon) < 2000
