"""Data built once for a module (or a class) of tests instead of once per test.

A fixture of a wider scope builds the data inside an outer transaction; every test then runs
with the usual ``db`` fixture, whose transaction becomes a savepoint inside the outer one. What
a test changes is rolled back after it, and the shared data itself is rolled back when the
module (or class) is done. This works the same on SQLite and PostgreSQL::

    @pytest.fixture(scope="module")
    def demo(django_db_setup, django_db_blocker):
        yield from built_once(django_db_blocker, load_the_demo)

Mind:

- Never for tests marked ``django_db(transaction=True)``: their flush would run inside the
  outer transaction. Keep them out of a module (or class) that uses such a fixture.
- A module-scoped fixture stays alive until the module ends, so every later test of the module
  sees its data, whether it asks for the fixture or not. Tests that must not see it belong in
  another module, or the data in a class-scoped fixture around the tests that use it.
- Model instances returned by the fixture are shared: a test that changes one in memory (or
  calls ``refresh_from_db`` after changing its row) changes it for the tests after it. Return
  ids, or hand each test its own copy (``copy.deepcopy``), which matches the database again
  once the test's savepoint is rolled back.
- The data is built outside the suite's per-test English override, so the builder runs under
  English here, as it would inside a test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import transaction
from django.utils import translation

T = TypeVar("T")


def built_once(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """For a module- or class-scoped fixture: ``yield from built_once(django_db_blocker, build)``
    yields what ``build()`` returns, with its rows kept for the fixture's scope and rolled back
    after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with translation.override("en"):
            data = build()
        yield data
        transaction.set_rollback(True)
