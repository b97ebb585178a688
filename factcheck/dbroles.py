"""The two database roles: the owner, which runs migrations, and the app, which can read and append history only.

The app's role (`DATABASE_URL`) does not own any table, so it can't ALTER a table, disable a trigger or change
`session_replication_role`; on the history tables it may only SELECT and INSERT (and, on `pghistory_context`,
UPDATE, which a trigger allows only in the transaction that created the row). The owner's role
(`MIGRATION_DATABASE_URL`) owns the schema and runs migrations. `grant_app_privileges` runs after every migrate,
so tables added by a migration get the same grants.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections
from psycopg import sql

logger = logging.getLogger(__name__)

HISTORY_TABLES_SQL = (
    "SELECT table_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND column_name = 'pgh_context_id'"
)


def grant_app_privileges(*, using: str) -> None:
    """Grant the app's role what the app needs on every table, and no more on the history.

    Runs on the migrating connection (the owner). Does nothing when the app and the owner are the same role:
    then there is nothing to separate (a warning says so).
    """
    app_role = settings.FACTDESK_APP_DATABASE_ROLE
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [app_role])
        owner, app_exists = cursor.fetchone()
        if not app_role or app_role == owner or not app_exists:
            logger.warning(
                "The app's database role (%s) is not a separate role: history is append-only by trigger only.",
                app_role or "unset",
            )
            return
        cursor.execute(HISTORY_TABLES_SQL)
        history = [row[0] for row in cursor.fetchall()]
        role = sql.Identifier(app_role)
        statements = [
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(role),
            sql.SQL("REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {}").format(role),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(role),
            # Which migrations ran is the owner's to write.
            sql.SQL("REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {}").format(role),
            # Links are written only by the chain's trigger (SECURITY DEFINER, as the owner).
            sql.SQL("REVOKE INSERT, UPDATE, DELETE ON factcheck_historylink FROM {}").format(role),
            sql.SQL("REVOKE DELETE ON pghistory_context FROM {}").format(role),
        ]
        statements += [
            sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), role) for table in history
        ]
        for statement in statements:
            cursor.execute(statement.as_string(connection.connection))


def on_post_migrate(sender, using: str, **kwargs) -> None:
    grant_app_privileges(using=using)
