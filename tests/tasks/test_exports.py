"""A large export through a real worker: asked for in the browser, progress followed by polling, then downloaded."""

from __future__ import annotations

import csv
import io

import pytest
from django.db.models import F
from django.urls import reverse

from factcheck.models import Claim, ExportChunk, ExportJob
from tests.factories import ArticleFactory, claims_for
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_large_export_runs_on_the_worker_and_downloads(client, settings, celery_worker_thread, checker):
    settings.FACTDESK_EXPORT_SYNC_MAX_CLAIMS = 10
    articles = [ArticleFactory() for _ in range(4)]
    claims = [c for a in articles for c in claims_for(a)]
    Claim.objects.filter(pk=claims[7].pk).update(verdict="false", rationale="=1+1 is not a source.",
                                                 version=F("version") + 1)
    client.force_login(checker)

    response = client.post(reverse("factcheck:export"), {"scope": "all", "format": "csv"})
    assert response.status_code == 303
    job_url = response["Location"]
    page = client.get(job_url).content.decode()
    assert 'hx-get="%s" hx-trigger="every 1s"' % job_url in page  # the page polls while the worker writes

    seen = []

    def finished() -> bool:
        poll = client.get(job_url, HTTP_HX_REQUEST="true")
        seen.append(poll.content.decode())
        return poll.status_code == 286

    assert wait_for(finished, timeout=60, interval=0.2), seen[-1]
    assert "20 of 20 claims written" in seen[-1] and "Download factdesk-all-claims.csv" in seen[-1]
    job = ExportJob.objects.get()
    assert (job.status, job.claims_done, job.records, job.n_chunks) == ("done", 20, 4, 1)

    download = client.get(reverse("factcheck:export-download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8"))))
    assert [int(r["claim_id"]) for r in rows] == [c.pk for c in claims]
    row = rows[7]
    assert (row["text"], row["verdict"], row["rationale"]) == (claims[7].text, "false", "'=1+1 is not a source.")
    assert ExportChunk.objects.filter(job=job).count() == 1
