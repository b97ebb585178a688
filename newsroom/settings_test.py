"""Test settings: the real PostgreSQL and Redis, with a database and a queue of the test run's own.

Each test run (one pytest process and the worker processes it starts, which inherit FACTDESK_TEST_RUN) gets its own
test database and Celery queue, so runs side by side — or a `make run` worker — never take each other's work.

The test database is created and migrated through "default" as the owner role (which may create databases);
tests/conftest.py then points "default" at the app's role (and sets FACTDESK_TEST_DATABASE_ROLE=app for the worker
processes tests start), so the tests run the app with the database access it has in production. "owner" stays the
owner (the flush between transactional tests runs as the owner).
"""

import os

RUN = os.environ.setdefault("FACTDESK_TEST_RUN", str(os.getpid()))
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DEBUG", "true")  # as a local run: plain static files, no HTTPS redirect
os.environ.setdefault("CELERY_QUEUE", f"factdesk-test-{RUN}")
os.environ.setdefault("TEST_DATABASE_NAME", f"test_factdesk_{RUN}")

from newsroom.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Pings and other control commands of this run reach this run's workers only (as its queue does): `/healthz` and the
# work-status banner in one run never see the workers of a run beside it.
CELERY_CONTROL_EXCHANGE = f"factdesk-test-{RUN}"

FACTDESK_TEST_APP_DATABASE = {"USER": DATABASES["default"]["USER"], "PASSWORD": DATABASES["default"]["PASSWORD"]}
if os.environ.get("FACTDESK_TEST_DATABASE_ROLE") != "app":
    DATABASES["default"] = {
        **DATABASES["default"], "USER": DATABASES["owner"]["USER"], "PASSWORD": DATABASES["owner"]["PASSWORD"]
    }
DATABASES["owner"] = {**DATABASES["owner"], "NAME": DATABASES["default"]["NAME"], "TEST": {"MIRROR": "default"}}
