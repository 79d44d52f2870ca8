"""Micro-benchmarks, direct vs daemon on the same data (1,000 issues, a realistic graph).

direct: the operation table in-process on the store (what a direct-mode CLI call runs after
start-up). daemon: BlockingClient over the Unix socket to a real daemon process.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from bd_trio.client.blocking import BlockingClient
from harness import Direct, daemon, make_workspace

MODES = ["direct", "daemon"]


@pytest.fixture(scope="module", params=MODES)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    workspace = make_workspace(tmp_path_factory.mktemp(request.param) / "repo", issues=1000)
    if request.param == "direct":
        direct = Direct(workspace)
        yield direct
        direct.close()
        return
    with daemon(workspace), BlockingClient(workspace.socket_path, actor="bench") as client:
        yield client


def test_create(benchmark: Any, backend: Any) -> None:
    counter = itertools.count()
    benchmark(lambda: backend.call("create", {"title": f"bench {next(counter)}"}))


def test_update(benchmark: Any, backend: Any) -> None:
    priorities = itertools.cycle(range(5))
    benchmark(lambda: backend.call("update", {"id": "bd-500", "priority": next(priorities)}))


def test_show(benchmark: Any, backend: Any) -> None:
    benchmark(lambda: backend.call("show", {"id": "bd-500"}))


def test_list(benchmark: Any, backend: Any) -> None:
    result = benchmark(lambda: backend.call("list", {"limit": 0}))
    assert len(result) >= 1000


def test_ready(benchmark: Any, backend: Any) -> None:
    assert benchmark(lambda: backend.call("ready", {"limit": 10}))


# Gas City's call (`ready --include-ephemeral --metadata-field gc.routed_to=X --unassigned
# --exclude-type=epic`) when nothing matches: the metadata filter's worst case, every open
# issue looked at. Read it against test_ready of the same run.
GAS_CITY = {
    "limit": 10,
    "include_ephemeral": True,
    "metadata_fields": {"gc.routed_to": "nobody"},
    "unassigned": True,
    "exclude_types": ["epic"],
}


def test_ready_metadata_filters(benchmark: Any, backend: Any) -> None:
    assert benchmark(lambda: backend.call("ready", GAS_CITY)) == []


# A daemon round trip only: direct mode has nothing to ping.
@pytest.mark.parametrize("backend", ["daemon"], indirect=True)
def test_ping(benchmark: Any, backend: Any) -> None:
    benchmark(lambda: backend.call("ping"))
