"""Test settings: the real PostgreSQL and Redis, with a database and a queue of the test run's own.

Each test run (one pytest process and the worker processes it starts, which inherit FACTDESK_TEST_RUN) gets its own
test database and Celery queue, so runs side by side — or a `make run` worker — never take each other's work.
"""

import os

RUN = os.environ.setdefault("FACTDESK_TEST_RUN", str(os.getpid()))
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DEBUG", "true")  # as a local run: plain static files, no HTTPS redirect
os.environ.setdefault("CELERY_QUEUE", f"factdesk-test-{RUN}")
os.environ.setdefault("TEST_DATABASE_NAME", f"test_factdesk_{RUN}")

from newsroom.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
