"""Prove that no history event was changed or removed since it was written: recompute the hash chain."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from factcheck.services.history_chain import history_verify


class Command(BaseCommand):
    help = "Recompute the hash chain over every history event; name the first broken link. Exit 1 if broken."

    def handle(self, *args, **options):
        result = history_verify()
        if not result.ok:
            raise CommandError(f"History is broken: {result.problem}", returncode=1)
        self.stdout.write(
            f"History verified at {result.checked_at:%Y-%m-%d %H:%M:%S} UTC: {result.events} events, "
            f"head {result.head_seq} {result.head_hash}"
        )
