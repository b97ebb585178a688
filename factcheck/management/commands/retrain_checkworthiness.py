"""Retrain the check-worthiness head on reviewers' decisions, or roll back to the previous version."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from factcheck.services import checkworthiness
from factcheck.services.checkworthiness import HeadError, HeadTrigger


class Command(BaseCommand):
    help = (
        "Fit a new check-worthiness head on reviewers' decisions (a verdict is a claim, 'Not a claim' is not) and "
        "the shipped data, measure it on the labels of held-back articles, record it, and switch to it if it is "
        "not worse than the scorer in use; then re-score stored unreviewed claims. --rollback re-activates the "
        "previous version."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--rollback", action="store_true", help="re-activate the previous version and re-score")
        which.add_argument("--no-switch", action="store_true",
                           help="record the new version as a candidate without switching to it")

    def handle(self, *args, rollback: bool, no_switch: bool, **options):
        try:
            if rollback:
                self._rollback()
            else:
                self._retrain(switch=not no_switch)
        except HeadError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        finally:
            if sys.stderr.isatty():
                sys.stderr.write("\n")

    def _retrain(self, *, switch: bool) -> None:
        result = checkworthiness.head_retrain(trigger=HeadTrigger.COMMAND, switch=switch, progress=self._progress)
        head = result.head
        self.stdout.write(
            f"Trained {head.name} on {head.n_shipped:,} shipped rows and {head.n_train:,} reviewer labels "
            f"({head.n_train_positive:,} claims); {head.n_heldout:,} held back ({head.n_heldout_positive:,} claims)."
        )
        for key, label in (("candidate", head.name), ("current", head.compared_with)):
            m = head.metrics.get(key)
            if m:
                self.stdout.write(f"  {label}: F1 {m['f1']:.3f} at {m['threshold']:.2f}, average precision "
                                  f"{m['average_precision']:.3f}, log-loss {m['log_loss']:.3f}")
        if head.status == head.Status.REJECTED:
            self.stdout.write(self.style.WARNING(f"Rejected: {head.reason}"))
        elif result.switched:
            self.stdout.write(self.style.SUCCESS(
                f"Switched to {head.name}; re-scored {result.rescored:,} unreviewed claim(s)."))
        else:
            self.stdout.write(f"Recorded {head.name} as a candidate; activate it in the admin to switch.")

    def _rollback(self) -> None:
        target, rescored = checkworthiness.head_rollback(trigger=HeadTrigger.COMMAND, progress=self._progress)
        now = target.name if target else "the shipped scorer alone"
        self.stdout.write(self.style.SUCCESS(f"Rolled back to {now}; re-scored {rescored:,} unreviewed claim(s)."))

    def _progress(self, done: int, total: int) -> None:
        if sys.stderr.isatty():
            share = done / total if total else 1.0
            bar = "#" * int(30 * share)
            sys.stderr.write(f"\rre-scoring claims [{bar:<30}] {100 * share:3.0f}%")
            sys.stderr.flush()
