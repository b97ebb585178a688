"""Bring the matching data of stored claims up to date: their blocking keys, and the pinned flags."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from factcheck.services import matching


class Command(BaseCommand):
    help = (
        "Recompute every claim's match keys (needed once for claims stored before they existed, and after the key "
        "recipe changes); with --pins, also pin the claims and articles people placed by hand, from their history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pins", action="store_true", help="also set the pinned flags from the history")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, pins: bool, batch_size: int, **options):
        changed = matching.claims_refresh_match_keys(batch_size=batch_size)
        self.stdout.write(f"{changed} claim(s) got new match keys.")
        if pins:
            claims, articles = matching.pins_from_history()
            self.stdout.write(f"{claims} claim(s) and {articles} article(s) pinned from their history.")
