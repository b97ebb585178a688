"""Planner settings for one statement, for the few reads whose plan must not depend on the planner's estimates."""

from __future__ import annotations


def fetch_with_settings(cursor, query: str, params, **settings: str) -> list[tuple]:
    """Run `query` with the given planner settings (e.g. enable_seqscan="off") and return its rows.

    Call it inside a transaction: the settings are the transaction's own (set_config(..., true)) and are put back
    before this returns, even when the transaction goes on; a statement that fails takes them back with it.
    """
    names = list(settings)
    reads = ", ".join(f"current_setting('{name}')" for name in names)
    writes = ", ".join(f"set_config('{name}', %s, true)" for name in names)
    cursor.execute(f"SELECT {reads}, {writes}", list(settings.values()))
    previous = cursor.fetchone()[: len(names)]
    cursor.execute(query, params)
    rows = cursor.fetchall()
    cursor.execute(f"SELECT {writes}", list(previous))
    return rows
