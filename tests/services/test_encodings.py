"""One rule for legacy (Windows-1252) text, whichever way a document comes in."""

from __future__ import annotations

import pytest

from factcheck import ingest
from factcheck.models import Article
from factcheck.services import uploads
from tests.services.test_batches import run

pytestmark = pytest.mark.django_db

# Russian in Windows-1251: read as Windows-1252 every byte is a Western letter except "Ч", which becomes "×",
# a sign of a misread. The upload path once accepted "×" and stored "×àé è êîôå"; the parser refused it.
CYRILLIC = "Чай и кофе на столе. Мама мыла окно, а Миша мыл пол."


def test_a_times_sign_is_a_misread_for_uploads_and_batches_alike():
    data = CYRILLIC.encode("cp1251")
    assert "×" in data.decode("cp1252")
    assert ingest.decode_text(data) == CYRILLIC
    uploaded = uploads.article_create_from_upload(data=data, filename="tea.txt", uploaded_by=None)
    assert "Чай и кофе" in uploaded.body and "×" not in uploaded.body
    other = (CYRILLIC + " Ещё.").encode("cp1251")
    batch = run([("tea.txt", other)])
    imported = Article.objects.get(batch=batch)
    assert "Чай и кофе" in imported.body and "×" not in imported.body


def test_western_text_in_windows_1252_is_still_read_as_such():
    data = "Crêpe café — “naïve” façade, 5 € a piece™.".encode("cp1252")
    article = uploads.article_create_from_upload(data=data, filename="crepe.txt", uploaded_by=None)
    assert "Crêpe café — “naïve” façade, 5 € a piece™." in article.body
