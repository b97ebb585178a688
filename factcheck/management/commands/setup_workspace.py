"""Prepare a machine for Factdesk: services reachable, roles and database created, migrated, demo data if asked."""

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
    help = (
        "Check PostgreSQL and Redis, create the owner and app database roles and the database if missing, "
        "migrate as the owner, and optionally load demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Create demo accounts and articles if empty.")
        parser.add_argument("--no-logins", action="store_true", help="With --demo: don't print the demo logins.")
        parser.add_argument(
            "--check-only", action="store_true",
            help="Only check that the services answer (and create the database roles if missing).",
        )

    def handle(self, *args, demo: bool = False, check_only: bool = False, no_logins: bool = False, **options):
        db = settings.DATABASES["default"]
        owner = settings.DATABASES.get("owner", db)
        self._check_redis()
        if settings.DATABASE_ADMIN_URL:
            self._ensure_roles_and_database(owner, create_database=not check_only)
        self._check_database(db)
        if check_only:
            return
        call_command("migrate", database="owner" if "owner" in settings.DATABASES else "default",
                     interactive=False, verbosity=0)
        self.stdout.write("Database is migrated.")
        if demo:
            call_command("load_demo", no_logins=no_logins)

    def _fail(self, service: str, where: str, error: Exception) -> None:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        self.stderr.write(f"{service} is not reachable at {where} ({first_line}): {HOW_TO_START[service]}.")
        sys.exit(2)

    def _check_redis(self) -> None:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
        except redis.RedisError as exc:
            self._fail("Redis", settings.REDIS_URL, exc)

    def _check_database(self, db: dict) -> None:
        """The server answers, as the app's role."""
        where = f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432}"
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **_params(db)):
                pass
        except psycopg.OperationalError as exc:
            self._fail("PostgreSQL", where, exc)

    def _ensure_roles_and_database(self, owner: dict, *, create_database: bool) -> None:
        """As the admin (a superuser): the owner role (may create databases: the test runs do), the app role (no
        attributes), and the database owned by the owner, with everything in its schema handed to the owner."""
        admin = psycopg.conninfo.conninfo_to_dict(settings.DATABASE_ADMIN_URL)
        app_role, owner_role = settings.FACTDESK_APP_DATABASE_ROLE, owner["USER"]
        where = f"{admin.get('host') or 'local socket'}:{admin.get('port') or 5432}"
        try:
            with psycopg.connect(**{**admin, "connect_timeout": 3}, autocommit=True) as conn:
                self._ensure_role(conn, owner_role, owner.get("PASSWORD"), "LOGIN CREATEDB")
                if app_role != owner_role:
                    app = settings.DATABASES["default"]
                    self._ensure_role(conn, app_role, app.get("PASSWORD"), "LOGIN NOCREATEDB NOCREATEROLE")
                if not create_database:
                    return
                name = owner["NAME"]
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                if not exists:
                    conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(name), sql.Identifier(owner_role)))
                    self.stdout.write(f"Created database {name}.")
                    return
            with psycopg.connect(**{**admin, "dbname": owner["NAME"], "connect_timeout": 3}, autocommit=True) as conn:
                _hand_over(conn, owner["NAME"], owner_role)
        except psycopg.OperationalError as exc:
            self._fail("PostgreSQL", where, exc)
        except psycopg.Error as exc:
            raise CommandError(f"Could not create the database roles or database: {exc}") from exc

    def _ensure_role(self, conn: psycopg.Connection, role: str, password: str | None, attributes: str) -> None:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            try:
                conn.execute(sql.SQL("CREATE ROLE {} " + attributes).format(sql.Identifier(role)))
                self.stdout.write(f"Created database role {role}.")
            except psycopg.errors.DuplicateObject:
                pass  # another setup created it at the same moment
        if password:
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))


def _hand_over(conn: psycopg.Connection, database: str, owner_role: str) -> None:
    """A database made before the roles were split (owned by the superuser) is handed to the owner role: the
    database, and every table, view, sequence and function in its schema."""
    role = sql.Identifier(owner_role)
    conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), role))
    rows = conn.execute(
        """
        SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                              ELSE 'TABLE' END, c.oid::regclass::text
        FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND pg_get_userbyid(c.relowner) <> %(owner)s
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype IN ('a', 'i', 'e'))
        UNION ALL
        SELECT 'FUNCTION', p.oid::regprocedure::text FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND pg_get_userbyid(p.proowner) <> %(owner)s
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.deptype = 'e')
        """,
        {"owner": owner_role},
    ).fetchall()
    for kind, name in rows:
        conn.execute(sql.SQL("ALTER {} {} OWNER TO {}").format(sql.SQL(kind), sql.SQL(name), role))


def _params(db: dict) -> dict:
    return {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "connect_timeout": 3,
    }
