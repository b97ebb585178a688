"""Fixtures for importing published fact-checks: a local web server (from the ingest tests) and fetch allowances."""

from tests.ingest_app.conftest import allow_local_fetch, site, worker  # noqa: F401  (fixtures)
