"""Concurrent writers on the portfolio tree, each with its own connection: the tree stays valid."""

import threading

import pytest
from django.db import connection

from portfolio.models import PortfolioNode
from tests.portfolio.test_tree import assert_rebuild_changes_nothing, assert_valid_tree

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite lets one writer at a time in, so writers cannot interleave",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 2
ROUNDS = 20


def run_in_lockstep(write):
    """Run write(thread, round) in THREADS threads, released together for each of ROUNDS rounds."""
    barrier = threading.Barrier(THREADS)
    errors = []

    def worker(thread):
        try:
            for round_ in range(ROUNDS):
                barrier.wait(timeout=10)
                write(thread, round_)
        except Exception as error:  # reported by the caller's assertion, not lost in the thread
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(thread,)) for thread in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_new_roots_get_distinct_tree_ids():
    errors = run_in_lockstep(
        lambda thread, round_: PortfolioNode.objects.create(name=f"Root {round_:02} {thread}")
    )

    assert errors == []
    roots = PortfolioNode.objects.filter(parent=None)
    assert roots.count() == THREADS * ROUNDS
    assert len(set(roots.values_list("tree_id", flat=True))) == THREADS * ROUNDS
    assert_valid_tree()
    assert_rebuild_changes_nothing()


def test_concurrent_children_of_one_parent_keep_the_tree_valid():
    parent = PortfolioNode.objects.create(name="Enterprise")

    errors = run_in_lockstep(
        lambda thread, round_: PortfolioNode.objects.create(
            name=f"Unit {round_:02} {thread}", parent_id=parent.pk
        )
    )

    assert errors == []
    assert PortfolioNode.objects.get(pk=parent.pk).get_descendant_count() == THREADS * ROUNDS
    assert_valid_tree()
    assert_rebuild_changes_nothing()


def test_concurrent_moves_keep_the_tree_valid():
    left = PortfolioNode.objects.create(name="Left")
    right = PortfolioNode.objects.create(name="Right")
    for thread in range(THREADS):
        for round_ in range(ROUNDS):
            PortfolioNode.objects.create(name=f"Unit {round_:02} {thread}", parent=left)
    units = {
        (thread, round_): PortfolioNode.objects.get(name=f"Unit {round_:02} {thread}")
        for thread in range(THREADS)
        for round_ in range(ROUNDS)
    }

    def move(thread, round_):
        node = units[thread, round_]  # loaded before any move: stale by the time it moves
        node.parent = right
        node.save()

    errors = run_in_lockstep(move)

    assert errors == []
    assert PortfolioNode.objects.get(pk=right.pk).get_descendant_count() == THREADS * ROUNDS
    assert PortfolioNode.objects.get(pk=left.pk).get_descendant_count() == 0
    assert_valid_tree()
    assert_rebuild_changes_nothing()
