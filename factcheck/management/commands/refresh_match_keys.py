"""Bring the matching data of stored claims up to date: their sentence vectors and blocking keys, and the pinned
flags."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from factcheck.services import matching


class Command(BaseCommand):
    help = (
        "Recompute claims' sentence vectors (missing, or made by another encoder) and every claim's match keys "
        "(needed once for claims stored before they existed, and after the key recipe changes); with --pins, also "
        "pin the claims and articles people placed by hand, from their history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pins", action="store_true", help="also set the pinned flags from the history")
        parser.add_argument("--keys-only", action="store_true", help="leave the vectors as they are")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, pins: bool, keys_only: bool, batch_size: int, **options):
        changed = matching.claims_refresh_match_keys(
            batch_size=batch_size, vectors=not keys_only, progress=self._progress
        )
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        self.stdout.write(f"{changed} claim(s) got a new vector or new match keys.")
        if pins:
            claims, articles = matching.pins_from_history()
            self.stdout.write(f"{claims} claim(s) and {articles} article(s) pinned from their history.")

    def _progress(self, done: int, total: int) -> None:
        if sys.stderr.isatty():
            share = f" ({100 * done // total}%)" if total else ""
            sys.stderr.write(f"\rclaims {done}/{total}{share}   ")
            sys.stderr.flush()
