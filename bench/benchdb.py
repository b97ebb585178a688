"""What the benches share: a PostgreSQL database of their own, created (or dropped and created) on the server."""

from __future__ import annotations


def create_database(server_url: str, name: str, *, fresh: bool) -> None:
    """Create database `name` on the server if it is missing; with `fresh`, drop it first."""
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(server_url: str, name: str) -> None:
    """A fresh database `name` (dropped and created), Django pointed at it and set up, and every migration run."""
    import os

    create_database(server_url, name, fresh=True)
    os.environ["DATABASE_URL"] = f"{server_url}/{name}"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
