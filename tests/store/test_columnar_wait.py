"""The columnar reads of SQLite wait for a writer as long as the store's writers do
(``Settings.lock_wait``, RISKENGINE_LOCK_WAIT), rather than failing at once: a rescore reads
its facts snapshot on a second connection while the first one may be writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.settings import LOCK_WAIT
from riskengine.store import Store
from riskengine.store.columnar import adbc_connect, arrow_query


@pytest.mark.parametrize("wait", [None, 0.0, 2.5, 90.0])
def test_a_columnar_read_waits_as_long_as_the_writers(tmp_path: Path, wait: float | None
                                                      ) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    Store.open(url).close()
    with adbc_connect(url) if wait is None else adbc_connect(url, wait) as conn:
        found = arrow_query(conn, "PRAGMA busy_timeout").column(0).to_pylist()
    assert found == [int((LOCK_WAIT if wait is None else wait) * 1000)]
