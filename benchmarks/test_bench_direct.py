"""Direct-mode micro-benchmarks (the daemon comparison arrives with the daemon).

Run with `nox -s bench`; each benchmark uses a real SQLite file in a temporary directory.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from bd_trio.ops import OpContext, get_op
from bd_trio.store import Store


class Direct:
    def __init__(self, path: Path) -> None:
        self.store = Store(path)

    def __call__(self, op: str, **args: Any) -> Any:
        spec = get_op(op)
        parsed = spec.parse_args(args)
        ctx = OpContext(actor="bench", prefix="bd")
        if spec.writes:
            with self.store.transaction() as conn:
                return spec.run(conn, parsed, ctx)
        with self.store.read() as conn:
            return spec.run(conn, parsed, ctx)


@pytest.fixture
def direct(tmp_path: Path) -> Direct:
    runner = Direct(tmp_path / "bench.db")
    for i in range(1000):
        runner("create", title=f"seed {i}", priority=i % 5)
    for i in range(2, 1000, 3):
        runner("dep_add", issue_id=f"bd-{i}", depends_on_id=f"bd-{i - 1}")
    return runner


def test_create(benchmark: Any, direct: Direct) -> None:
    counter = itertools.count()
    benchmark(lambda: direct("create", title=f"bench {next(counter)}"))


def test_update(benchmark: Any, direct: Direct) -> None:
    priorities = itertools.cycle(range(5))
    benchmark(lambda: direct("update", id="bd-500", priority=next(priorities)))


def test_show(benchmark: Any, direct: Direct) -> None:
    benchmark(lambda: direct("show", id="bd-500"))


def test_list_1k(benchmark: Any, direct: Direct) -> None:
    assert len(benchmark(lambda: direct("list", limit=0))) == 1000


def test_ready_1k(benchmark: Any, direct: Direct) -> None:
    benchmark(lambda: direct("ready", limit=10))
