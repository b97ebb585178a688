"""Query counts that must not grow with the data: the same at a small and a large size, and within a bound.

An exact count breaks on every harmless query added or removed; what a reader notices is a page or a run whose
queries grow with the rows. So an action is counted at two sizes (or more): the counts must be equal, and at most
a bound that says roughly what the action costs.

    with constant_queries(at_most=8) as count:
        for size in (10, 200):
            with rolled_back():
                ...  # `size` rows
                with count(size):
                    action()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


@contextmanager
def constant_queries(*, at_most: int) -> Iterator:
    """Yield `count(size)`, a context that counts its queries; on exit every size's count must be the same and at
    most `at_most`."""
    counts: dict[object, int] = {}
    statements: dict[object, list[str]] = {}

    @contextmanager
    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            yield
        counts[size] = len(ctx.captured_queries)
        statements[size] = [query["sql"] for query in ctx.captured_queries]

    yield count
    assert len(counts) >= 2, "count the action at two sizes at least"
    assert len(set(counts.values())) == 1, f"the queries grow with the data: {counts}"
    assert max(counts.values()) <= at_most, (counts, statements[max(counts, key=counts.get)])


@contextmanager
def rolled_back() -> Iterator[None]:
    """Rows written inside are gone afterwards, so the next size starts from the same database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
