from __future__ import annotations

import pytest
from hypothesis import settings

# No time limit per example: the machines are shared and noisy, and speed is measured in bench/, never asserted.
settings.register_profile("factdesk", deadline=None)
settings.load_profile("factdesk")

# Imports of Django code stay inside fixtures: the pure packages' tests run without Django.


@pytest.fixture
def editor(db):
    from factcheck.permissions import ROLE_EDITORS
    from tests.factories import UserFactory

    return UserFactory(username="ed", role=ROLE_EDITORS)


@pytest.fixture
def checker(db):
    from factcheck.permissions import ROLE_FACT_CHECKERS
    from tests.factories import UserFactory

    return UserFactory(username="ana", role=ROLE_FACT_CHECKERS)


@pytest.fixture
def viewer(db):
    from factcheck.permissions import ROLE_VIEWERS
    from tests.factories import UserFactory

    return UserFactory(username="vic", role=ROLE_VIEWERS)


@pytest.fixture
def outsider(db):
    """Signed in, but in no role: sees nothing."""
    from tests.factories import UserFactory

    return UserFactory(username="olga")


@pytest.fixture
def celery_worker_thread(transactional_db):
    """A real Celery worker consuming from the real Redis, in a thread of this process."""
    from celery.contrib.testing.worker import start_worker

    from newsroom.celery import app

    from tests.workers import wait_until_idle

    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
        # Extraction and matching follow every import: let them finish before the tables are flushed.
        wait_until_idle()
