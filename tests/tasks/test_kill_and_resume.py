"""A worker killed in the middle of a batch: a new worker and the resume service finish it, each item once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from factcheck.models import Article, ImportBatch, ImportItem
from factcheck import tasks
from factcheck.services import batches
from tests.builders.imports import article_text, make_jsonl
from tests.workers import wait_for

pytestmark = [pytest.mark.worker]

ROOT = Path(__file__).resolve().parents[2]
N = 300


def worker_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings_test",
        # The worker must use the test database that this test runs in, not the development one.
        DATABASE_URL=f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
        LOG_LEVEL="WARNING",
    )
    return env


def start_worker(name: str, log: Path) -> subprocess.Popen:
    celery = Path(sys.executable).parent / "celery"
    return subprocess.Popen(
        [str(celery), "-A", "newsroom", "worker", "-P", "prefork", "-c", "1", "--loglevel=WARNING",
         "-n", f"{name}@%h", "--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=ROOT, env=worker_env(), stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )


def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
    process.wait(timeout=30)


def imported(batch_id: int) -> int:
    return ImportBatch.objects.get(pk=batch_id).imported


def test_killed_worker_then_resume_imports_every_item_exactly_once(transactional_db, tmp_path):
    assert settings.DATABASES["default"]["NAME"].startswith("test_")
    rows = make_jsonl([{"title": f"Story {n}", "body": article_text(1000 + n, words=60)} for n in range(N)])
    batch = batches.batch_create(files=[("many.jsonl", rows)], created_by=None)
    tasks.batch_expand.delay(batch.pk)  # as the upload page does: queued for the first worker

    first = start_worker("killtest-1", tmp_path / "worker1.log")
    second = None
    try:
        assert wait_for(lambda: imported(batch.pk) >= 40, timeout=120, interval=0.05), (
            (tmp_path / "worker1.log").read_text()[-3000:])
        kill(first)  # SIGKILL to the whole process group: no clean shutdown, a chunk is cut off
        cut_at = imported(batch.pk)
        assert 0 < cut_at < N, "the worker should have been killed in the middle of the batch"
        assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.RUNNING

        second = start_worker("killtest-2", tmp_path / "worker2.log")
        # What beat's work_resume_stalled does, without waiting for the heartbeat to age.
        assert tasks.batches_resume_stalled(stalled_after=timedelta(0)) == 1
        assert wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE,
                        timeout=240), (tmp_path / "worker2.log").read_text()[-3000:]

        batch.refresh_from_db()
        assert (batch.total, batch.imported, batch.duplicates, batch.failed) == (N, N, 0, 0)
        items = list(batch.items.all())
        assert len(items) == N and {i.status for i in items} == {ImportItem.Status.IMPORTED}
        article_ids = [i.article_id for i in items]
        assert None not in article_ids and len(set(article_ids)) == N  # no item lost or shared
        assert Article.objects.count() == N  # no duplicate article
        assert set(Article.objects.values_list("title", flat=True)) == {f"Story {n}" for n in range(N)}
        assert all(a.original.size > 0 for a in Article.objects.select_related("original"))
        # Articles created before the kill are extracted too (their tasks were queued after commit); the one
        # whose extraction the kill cut off is picked up by the sweep beat runs (here without waiting).
        assert tasks.articles_resume_stalled(stalled_after=timedelta(0)) >= 0
        imports_done = wait_for(
            lambda: not Article.objects.exclude(status__in=[Article.Status.READY, Article.Status.FAILED]).exists(),
            timeout=240,
        )
        assert imports_done
    finally:
        for process in (first, second):
            if process is not None:
                kill(process, signal.SIGTERM if process is second else signal.SIGKILL)
