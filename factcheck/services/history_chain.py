"""Verifying the history: every event is where the hash chain says it is, unchanged, and nothing is missing.

The chain is written by the database (migration 0018): when a transaction commits, each event it wrote gets a
link in `factcheck_historylink` with SHA-256 over the event row and over the previous link. Here the chain is
recomputed from the event rows as they are now, so a change made even by a database superuser (an edited or
deleted event, an edited, deleted or inserted link, events written with the chain's trigger off) shows as the
first broken link. What a superuser could still do undetected is rewrite every event, link and verification
record after the edit consistently; the head printed by each run (`head_seq`, `head_hash`), kept somewhere else,
rules that out too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from factcheck.models import HistoryVerification

# The same output settings as the chain's trigger, so an event row reads as the same JSON.
_ROW_SETTINGS = "SET LOCAL timezone = 'UTC'; SET LOCAL extra_float_digits = 1; SET LOCAL bytea_output = 'hex'"
_ROW_HASH = "encode(sha256(convert_to(jsonb_strip_nulls(to_jsonb(e))::text, 'UTF8')), 'hex')"


@dataclass(frozen=True)
class Break:
    seq: int  # the first link that does not hold (0 for an event outside the chain)
    message: str


def history_event_tables() -> list[str]:
    """Every history event table (those with a pghistory context column)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'pgh_context_id' ORDER BY table_name"
        )
        return [row[0] for row in cursor.fetchall()]


def chain_hash(previous: str, table: str, pgh_id: int, row_hash: str) -> str:
    return hashlib.sha256(f"{previous}|{table}|{pgh_id}|{row_hash}".encode()).hexdigest()


def _first_chain_break() -> tuple[Break | None, int, str]:
    """Walk the links in order: each seq follows the last and each chain hash follows from the previous one.

    Read through a server-side cursor, a few thousand links at a time, whatever the length of the chain.
    """
    previous, expected = "", 1
    with connection.chunked_cursor() as cursor:
        cursor.execute("SELECT seq, event_table, pgh_id, row_hash, chain_hash FROM factcheck_historylink ORDER BY seq")
        while rows := cursor.fetchmany(5000):
            for seq, table, pgh_id, row_hash, stored in rows:
                if seq != expected:
                    missing = f"link {expected} is missing: the chain goes from {expected - 1} to {seq}"
                    return Break(expected, missing), 0, ""
                if chain_hash(previous, table, pgh_id, row_hash) != stored:
                    changed = f"link {seq} ({table} #{pgh_id}) does not follow from link {seq - 1}: a link was changed"
                    return Break(seq, changed), 0, ""
                previous, expected = stored, expected + 1
    return None, expected - 1, previous


def _first_event_break(cursor, tables: list[str]) -> Break | None:
    """The first link whose event was changed or removed, or that names a table that is gone."""
    found: list[Break] = []
    for table in tables:
        cursor.execute(
            sql.SQL(
                "SELECT l.seq, l.pgh_id, e.pgh_id IS NULL FROM factcheck_historylink l "
                "LEFT JOIN {table} e ON e.pgh_id = l.pgh_id "
                "WHERE l.event_table = %s AND (e.pgh_id IS NULL OR " + _ROW_HASH + " <> l.row_hash) "
                "ORDER BY l.seq LIMIT 1"
            ).format(table=sql.Identifier(table)),
            [table],
        )
        if row := cursor.fetchone():
            seq, pgh_id, removed = row
            what = "was removed" if removed else "was changed after it was written"
            found.append(Break(seq, f"link {seq}: event {table} #{pgh_id} {what}"))
    cursor.execute(
        "SELECT seq, event_table, pgh_id FROM factcheck_historylink WHERE NOT (event_table = ANY(%s)) "
        "ORDER BY seq LIMIT 1",
        [tables],
    )
    if row := cursor.fetchone():
        found.append(Break(row[0], f"link {row[0]}: event {row[1]} #{row[2]} was removed with its table"))
    return min(found, key=lambda b: b.seq) if found else None


def _first_unlinked_event(cursor, tables: list[str]) -> Break | None:
    for table in tables:
        cursor.execute(
            sql.SQL(
                "SELECT min(e.pgh_id) FROM {table} e WHERE NOT EXISTS ("
                "SELECT 1 FROM factcheck_historylink l WHERE l.event_table = %s AND l.pgh_id = e.pgh_id)"
            ).format(table=sql.Identifier(table)),
            [table],
        )
        if (pgh_id := cursor.fetchone()[0]) is not None:
            return Break(0, f"event {table} #{pgh_id} is not in the chain: it was written with the chain's trigger off")
    return None


def history_verify() -> HistoryVerification:
    """Recompute the hash chain from the event rows and store the result (the admin shows the latest).

    Guarantees: one consistent snapshot of events and links (a repeatable-read, read-only transaction);
    `problem` names the first link that does not hold (lowest position in the chain), else an event outside the
    chain, else a chain shorter than, or different from, the one the last good run saw.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            if outermost:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute(_ROW_SETTINGS)
            tables = history_event_tables()
            chain_break, head_seq, head_hash = _first_chain_break()
            event_break = _first_event_break(cursor, tables)
            breaks = [b for b in (chain_break, event_break) if b is not None]
            problem = min(breaks, key=lambda b: b.seq) if breaks else _first_unlinked_event(cursor, tables)
            if problem is None:
                problem = _rewound_since_last_good(cursor)
    return HistoryVerification.objects.create(
        checked_at=timezone.now(),
        ok=problem is None,
        events=head_seq,
        head_seq=head_seq,
        head_hash=head_hash,
        problem=problem.message if problem else "",
    )


def _rewound_since_last_good(cursor) -> Break | None:
    last = HistoryVerification.objects.filter(ok=True, head_seq__gt=0).order_by("-checked_at", "-id").first()
    if last is None:
        return None
    cursor.execute("SELECT chain_hash FROM factcheck_historylink WHERE seq = %s", [last.head_seq])
    row = cursor.fetchone()
    if row is None or row[0] != last.head_hash:
        return Break(
            last.head_seq,
            f"link {last.head_seq}, the head verified at {last.checked_at:%Y-%m-%d %H:%M:%S} UTC, "
            + ("is gone: the chain was cut back" if row is None else "has changed: the chain was rewritten"),
        )
    return None
