"""Prepare a machine for Factdesk: services reachable, database created and migrated, demo data if asked."""

from __future__ import annotations

import sys

import psycopg
import redis
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

HOW_TO_START = {
    "PostgreSQL": "start it (pg_ctlcluster <version> main start) or run `docker compose up`",
    "Redis": "start it (redis-server --daemonize yes) or run `docker compose up`",
}


class Command(BaseCommand):
    help = "Check PostgreSQL and Redis, create the database if missing, migrate, and optionally load demo data."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Create demo accounts and articles if empty.")
        parser.add_argument("--check-only", action="store_true", help="Only check that the services answer.")

    def handle(self, *args, demo: bool = False, check_only: bool = False, **options):
        db = settings.DATABASES["default"]
        self._check_redis()
        self._ensure_database(db, create=not check_only)
        if check_only:
            return
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database is migrated.")
        if demo:
            call_command("load_demo")

    def _fail(self, service: str, where: str, error: Exception) -> None:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        self.stderr.write(f"{service} is not reachable at {where} ({first_line}): {HOW_TO_START[service]}.")
        sys.exit(2)

    def _check_redis(self) -> None:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
        except redis.RedisError as exc:
            self._fail("Redis", settings.REDIS_URL, exc)

    def _ensure_database(self, db: dict, *, create: bool) -> None:
        params = {
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "connect_timeout": 3,
        }
        where = f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432}"
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
                if not exists and create:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                    self.stdout.write(f"Created database {db['NAME']}.")
        except psycopg.OperationalError as exc:
            self._fail("PostgreSQL", where, exc)
        except psycopg.Error as exc:
            raise CommandError(f"Could not create database {db['NAME']}: {exc}") from exc
