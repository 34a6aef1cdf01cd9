"""Nested transactions over one connection, the same for both stores.

The outermost ``transaction()`` begins (each store's ``_begin`` takes its write lock) and commits;
inner ones join it; an exception anywhere rolls back everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class NestedTransactions:
    """Mixed into a store that has ``_conn`` (with ``execute``) and ``_begin()``."""

    _depth = 0

    def _begin(self) -> None:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth == 0:
            self._begin()
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self._conn.execute("ROLLBACK")
            raise
        self._depth -= 1
        if self._depth == 0:
            self._conn.execute("COMMIT")
