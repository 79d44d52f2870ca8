"""The Python clients: both expose every operation's builder, their types catch misuse, and
docs/API.md lists the methods as the builders define them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bd_trio.client import docs, requests
from bd_trio.client.asyncclient import AsyncClient
from bd_trio.client.blocking import BlockingClient
from bd_trio.client.core import NEED_DATA, BrokenStream, ClientCore
from bd_trio.client.operations import AsyncOperations, BlockingOperations, awaiting, blocking
from bd_trio.errors import BdError
from bd_trio.protocol.envelope import error_response, ok_response, parse_request
from bd_trio.protocol.frames import FrameDecoder, encode_frame

ROOT = Path(__file__).resolve().parent.parent


def methods(cls: type, kind: type) -> dict[str, object]:
    return {name: value.build for name, value in vars(cls).items() if isinstance(value, kind)}


def test_both_clients_have_a_method_for_every_builder() -> None:
    builders = {builder.__name__: builder for builder in requests.BUILDERS}
    assert methods(BlockingOperations, blocking) == builders
    assert methods(AsyncOperations, awaiting) == builders


def test_every_builder_names_an_operation_of_the_table() -> None:
    import inspect

    from bd_trio.ops import OP_MODULES

    daemon_ops = {"ping", "health", "flush", "shutdown"}
    for builder in requests.BUILDERS:
        positional = [
            p
            for p in inspect.signature(builder).parameters.values()
            if p.default is inspect.Parameter.empty and p.kind == p.POSITIONAL_OR_KEYWORD
        ]
        request = builder(*(["x"] * len(positional)))
        assert request.op in OP_MODULES or request.op in daemon_ops, builder.__name__
    assert requests.ready(claim=True).op == "ready_claim"


def test_core_round_trip_without_io() -> None:
    core = ClientCore(actor="a1", timeout=2.0)
    frame = core.request("show", {"id": "bd-1"})
    decoder = FrameDecoder()
    decoder.feed(frame)
    sent = parse_request(decoder.next_event().value)  # type: ignore[union-attr]
    assert (sent.op, sent.args, sent.actor, sent.timeout_ms) == ("show", {"id": "bd-1"}, "a1", 2000)
    answer = encode_frame(ok_response(sent.id, {"id": "bd-1"}))
    assert core.answer() is NEED_DATA
    core.receive(answer[:3])
    assert core.answer() is NEED_DATA
    core.receive(answer[3:])
    assert core.answer() == {"id": "bd-1"}
    core.request("show", {"id": "bd-9"})
    core.receive(encode_frame(error_response(2, BdError("not_found", "issue bd-9 not found"))))
    with pytest.raises(BdError) as info:
        core.answer()
    assert info.value.code == "not_found"
    with pytest.raises(BrokenStream):
        core.receive(b"")


def test_docs_api_lists_the_builders() -> None:
    text = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    assert docs.spliced(text) == text, (
        "docs/API.md is stale: run `python -m bd_trio.client.docs --write docs/API.md`"
    )


MISUSE = """
from bd_trio.client.asyncclient import AsyncClient
from bd_trio.client.blocking import BlockingClient


async def forgot_await(client: AsyncClient) -> str:
    issue = client.create("x")
    return issue["id"]


def wrong_type(client: BlockingClient) -> None:
    client.create("x", priority="high")


def unknown_argument(client: BlockingClient) -> None:
    client.update("bd-1", priorty=1)


async def fine(client: AsyncClient, other: BlockingClient) -> str:
    issue = await client.create("x", priority=1)
    claimed = other.ready(claim=True, lease="15m")
    return issue["id"] + claimed[0]["claim"]["holder"]
"""


def test_mypy_catches_a_missing_await_and_wrong_arguments(tmp_path: Path) -> None:
    source = tmp_path / "agent.py"
    source.write_text(MISUSE)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(source)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    lines = sorted({int(line.split(":")[1]) for line in errors})
    assert lines == [8, 12, 16], run.stdout
    assert 'Maybe you forgot to use "await"?' in run.stdout


def test_clients_are_what_the_package_exports() -> None:
    import bd_trio.client as package

    assert package.BlockingClient is BlockingClient
    assert issubclass(AsyncClient, AsyncOperations)
