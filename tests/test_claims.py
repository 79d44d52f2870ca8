"""Claims: the compare-and-set, leases, heartbeats, fencing, release and `stale`.

Operations run on a real SQLite file (`ops`); CLI tests run against both backends (`bd`), so
direct mode and the daemon are held to the same behaviour. Races between real processes are in
tests/test_claim_races.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bd_trio.client.blocking import BlockingClient
from bd_trio.errors import BdError
from bd_trio.model.durations import DEFAULT_LEASE, DEFAULT_LEASE_S, lease_seconds, parse_duration
from conftest import BdRunner, DaemonThread, OpRunner, _in_process, jsonl_lines


def as_actor(ops: OpRunner, actor: str) -> OpRunner:
    ops.actor = actor
    return ops


def refused(ops: OpRunner, op: str, code: str = "conflict", **args: object) -> BdError:
    """Run an operation that must fail with `code` and change nothing."""
    before = ops.snapshot()
    with pytest.raises(BdError) as info:
        ops(op, **args)
    assert info.value.code == code, info.value
    assert ops.snapshot() == before
    return info.value


# --- lease lengths ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("15m", 900),
        ("4h", 14400),
        ("1h30m", 5400),
        ("2d", 172800),
        ("0", 0),
        ("500ms", 0.5),
        ("1.5h", 5400),
        (" 10S ", 10),
    ],
)
def test_lease_lengths(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["5x", "", "h", "10", "-5m", "1h-", "1..5s", "400d", "s5"])
def test_bad_lease_lengths(text: str) -> None:
    assert parse_duration(text) is None
    with pytest.raises(BdError) as info:
        lease_seconds(text)
    assert info.value.code == "validation" and "lease" in info.value.message


def test_default_lease_constant_matches_its_text() -> None:
    assert parse_duration(DEFAULT_LEASE) == DEFAULT_LEASE_S


# --- the compare-and-set ----------------------------------------------------------------------


def test_claim_sets_status_assignee_and_a_claim(ops: OpRunner) -> None:
    ops("create", title="A")
    issue = as_actor(ops, "w1")("claim", id="bd-1", lease="15m")
    assert issue["status"] == "in_progress" and issue["assignee"] == "w1"
    claim = issue["claim"]
    assert claim["holder"] == "w1" and claim["token"] == 1
    assert claim["expires_at"] > claim["claimed_at"]
    assert [e["event_type"] for e in ops("events", id="bd-1")] == ["created", "claimed"]


def test_second_claimer_is_told_who_holds_it_and_nothing_changes(ops: OpRunner) -> None:
    ops("create", title="A")
    as_actor(ops, "w1")("claim", id="bd-1", lease="15m")
    error = refused(as_actor(ops, "w2"), "claim", id="bd-1")
    assert error.message.startswith("bd-1 is claimed by w1 until ")
    assert error.details["holder"] == "w1"


def test_claiming_again_is_idempotent_and_renews(ops: OpRunner) -> None:
    ops("create", title="A")
    first = as_actor(ops, "w1")("claim", id="bd-1", lease="1m")["claim"]
    again = ops("claim", id="bd-1", lease="2h")["claim"]
    assert again["token"] == first["token"] and again["claimed_at"] == first["claimed_at"]
    assert again["expires_at"] > first["expires_at"]
    events = [e["event_type"] for e in ops("events", id="bd-1")]
    assert events.count("claimed") == 1


def test_claim_refusals_name_the_reason(ops: OpRunner) -> None:
    ops("create", title="Closed one")
    ops("close", id="bd-1")
    ops("create", title="Bob's", assignee="bob")
    ops("create", title="Stuck")
    ops("update", id="bd-3", status="in_progress")
    as_actor(ops, "w1")
    assert "is closed" in refused(ops, "claim", id="bd-1").message
    assert "assigned to bob" in refused(ops, "claim", id="bd-2").message
    assert "in_progress with no assignee" in refused(ops, "claim", id="bd-3").message
    assert "bd-9 not found" in refused(ops, "claim", code="not_found", id="bd-9").message
    refused(ops, "claim", code="validation", id="bd-1", lease="5x")
    # The assignee may claim an issue assigned to it.
    assert as_actor(ops, "bob")("claim", id="bd-2")["claim"]["holder"] == "bob"


def test_update_claim_with_fields_is_one_step(ops: OpRunner) -> None:
    ops("create", title="A")
    issue = as_actor(ops, "w1")("update", id="bd-1", claim=True, priority=0, notes="on it")
    assert issue["claim"]["holder"] == "w1" and issue["priority"] == 0
    refused(as_actor(ops, "w2"), "update", id="bd-1", claim=True, priority=4)
    refused(ops, "update", code="validation", id="bd-1", claim=True, status="open")
    refused(ops, "update", code="validation", id="bd-1", lease="1h", title="x")


def test_tokens_only_grow_and_are_never_reused(ops: OpRunner) -> None:
    for n in range(3):
        ops("create", title=f"T{n}")
    as_actor(ops, "w1")
    tokens = [ops("claim", id="bd-1")["claim"]["token"]]
    ops("unclaim", id="bd-1")
    tokens.append(ops("claim", id="bd-2")["claim"]["token"])
    tokens.append(ops("claim", id="bd-1")["claim"]["token"])  # a new claim: a new token
    tokens.append(ops("claim", id="bd-3")["claim"]["token"])
    assert tokens == [1, 2, 3, 4]


# --- ready --claim ----------------------------------------------------------------------------


def test_ready_claim_takes_the_first_ready_issue_it_may_claim(ops: OpRunner) -> None:
    ops("create", title="blocker", priority=3)
    ops("create", title="blocked", priority=0, dependencies=["bd-1"])
    ops("create", title="someone else's", priority=0, assignee="bob")
    ops("create", title="mine", priority=1, assignee="w1")
    as_actor(ops, "w1")
    assert [i["id"] for i in ops("ready", limit=0)] == ["bd-3", "bd-4", "bd-1"]
    first = ops("ready_claim")
    assert [i["id"] for i in first] == ["bd-4"] and first[0]["claim"]["holder"] == "w1"
    assert [i["id"] for i in ops("ready_claim")] == ["bd-1"]
    assert ops("ready_claim") == []  # bd-2 is blocked, bd-3 is bob's
    assert [i["id"] for i in as_actor(ops, "bob")("ready_claim")] == ["bd-3"]


def test_ready_claim_honours_the_ready_filters(ops: OpRunner) -> None:
    ops("create", title="p2")
    ops("create", title="p1", priority=1)
    assert as_actor(ops, "w1")("ready_claim", priority=2)[0]["id"] == "bd-1"


# --- leases, heartbeats, expiry ---------------------------------------------------------------


def test_expired_claim_returns_to_the_queue_with_an_event(ops: OpRunner) -> None:
    ops("create", title="A")
    as_actor(ops, "w1")("claim", id="bd-1", lease="300ms")
    ops.advance(0.4)
    taken = as_actor(ops, "w2")("ready_claim")
    assert taken[0]["id"] == "bd-1" and taken[0]["claim"]["holder"] == "w2"
    expired = [e for e in ops("events", id="bd-1") if e["event_type"] == "claim_expired"]
    assert expired[0]["comment"] == "claim by w1 expired"
    error = refused(as_actor(ops, "w1"), "heartbeat", id="bd-1")
    assert "claimed by w2" in error.message


def test_heartbeat_keeps_a_lease_past_its_length(ops: OpRunner) -> None:
    ops("create", title="A")
    as_actor(ops, "w1")("claim", id="bd-1", lease="400ms")
    for _ in range(4):
        ops.advance(0.2)
        ops("heartbeat", id="bd-1")
    assert ops("show", id="bd-1")["claim"]["holder"] == "w1"  # 0.8 s > 0.4 s lease
    ops.advance(0.5)
    error = refused(ops, "heartbeat", id="bd-1")
    assert "not claimed (your claim expired at" in error.message


def test_any_write_by_the_holder_renews(ops: OpRunner) -> None:
    ops("create", title="A")
    as_actor(ops, "w1")("claim", id="bd-1", lease="400ms")
    for n in range(4):
        ops.advance(0.2)
        ops("comment_add", id="bd-1", text=f"step {n}")
    assert ops("show", id="bd-1")["claim"]["holder"] == "w1"
    before = ops("show", id="bd-1")["claim"]["expires_at"]
    as_actor(ops, "w2")("comment_add", id="bd-1", text="not the holder")
    assert ops("show", id="bd-1")["claim"]["expires_at"] == before


def test_lease_zero_never_expires_and_config_default(ops: OpRunner) -> None:
    ops("create", title="A")
    claim = as_actor(ops, "w1")("claim", id="bd-1", lease="0")["claim"]
    assert claim["expires_at"] is None
    ops("create", title="B")
    default = ops("claim", id="bd-2")["claim"]
    hours = (
        time.mktime(time.strptime(default["expires_at"][:19], "%Y-%m-%dT%H:%M:%S"))
        - time.mktime(time.strptime(default["claimed_at"][:19], "%Y-%m-%dT%H:%M:%S"))
    ) / 3600
    assert hours == pytest.approx(4)


def test_heartbeat_by_a_non_holder_changes_nothing(ops: OpRunner) -> None:
    ops("create", title="A")
    as_actor(ops, "w1")("claim", id="bd-1")
    error = refused(as_actor(ops, "w2"), "heartbeat", id="bd-1")
    assert "claimed by w1" in error.message and "not by w2" in error.message
    refused(ops, "heartbeat", code="not_found", id="bd-7")


# --- fencing ----------------------------------------------------------------------------------


def test_fenced_writes_apply_only_under_the_current_claim(ops: OpRunner) -> None:
    ops("create", title="A")
    token = as_actor(ops, "w1")("claim", id="bd-1", lease="300ms")["claim"]["token"]
    assert ops("update", id="bd-1", notes="progress", if_claimed=token)["notes"] == "progress"
    ops.advance(0.4)
    as_actor(ops, "w2")("claim", id="bd-1")
    as_actor(ops, "w1")
    error = refused(ops, "update", id="bd-1", notes="late", if_claimed=token)
    assert error.message.startswith("claim lost: bd-1 is now held by w2")
    refused(ops, "close", id="bd-1", if_claimed=token)
    refused(ops, "close", code="bad_request", id="bd-1", if_claimed="abc")
    refused(ops, "close", code="validation", id="bd-1", if_claimed=0)
    ops("unclaim", id="bd-1", force=True)
    error = refused(ops, "close", id="bd-1", if_claimed=token)
    assert "is no longer claimed" in error.message


def test_close_under_the_claim_releases_it(ops: OpRunner) -> None:
    ops("create", title="A")
    token = as_actor(ops, "w1")("claim", id="bd-1")["claim"]["token"]
    closed = ops("close", id="bd-1", reason="done", if_claimed=token)
    assert closed["status"] == "closed" and "claim" not in closed
    assert ops.count("claims") == 0


# --- release and reconciliation ---------------------------------------------------------------


def test_unclaim_by_the_holder_and_with_force(ops: OpRunner) -> None:
    ops("create", title="A")
    as_actor(ops, "w1")("claim", id="bd-1")
    error = refused(as_actor(ops, "w2"), "unclaim", id="bd-1")
    assert "claimed by w1" in error.message and "--force" in error.message
    released = as_actor(ops, "w1")("unclaim", id="bd-1")
    assert released["status"] == "open" and "assignee" not in released and "claim" not in released
    assert as_actor(ops, "w1")("unclaim", id="bd-1")["status"] == "open"  # again: no-op
    as_actor(ops, "w1")("claim", id="bd-1")
    forced = as_actor(ops, "boss")("unclaim", id="bd-1", force=True)
    assert forced["status"] == "open"
    events = ops("events", id="bd-1")
    assert events[-1]["comment"] == "released by boss (held by w1, forced)"


def test_reassigning_or_reopening_drops_the_claim(ops: OpRunner) -> None:
    ops("create", title="A")
    as_actor(ops, "w1")("claim", id="bd-1")
    moved = as_actor(ops, "lead")("update", id="bd-1", assignee="w2")
    assert "claim" not in moved and moved["assignee"] == "w2"
    assert ops.count("claims") == 0


def test_claims_stay_out_of_the_jsonl_record(ops: OpRunner) -> None:
    from bd_trio.sync.records import build_records

    ops("create", title="A")
    as_actor(ops, "w1")("claim", id="bd-1")
    record = build_records(ops.store.conn)[0]
    assert "claim" not in record and record["assignee"] == "w1"


def test_stale_lists_idle_in_progress_work(ops: OpRunner) -> None:
    ops("create", title="claimed")
    ops("create", title="by hand")
    ops("create", title="open")
    as_actor(ops, "w1")("claim", id="bd-1", lease="0")
    ops("update", id="bd-2", status="in_progress", assignee="w9")
    assert ops("stale") == []
    time.sleep(0.05)
    found = ops("stale", hours=0.00001)
    assert {(i["id"], i["holder"], i["stale_reason"]) for i in found} == {
        ("bd-1", "w1", "no activity"),
        ("bd-2", "w9", "no activity"),
    }
    refused(ops, "stale", code="validation", hours=-1)


# --- the CLI, both backends -------------------------------------------------------------------


def test_cli_update_claim_one_winner_and_messages(bd: BdRunner) -> None:
    bd("create", "A").ok()
    won = bd("update", "bd-1", "--claim", "--actor", "w1", "--json").ok().json()
    assert won[0]["claim"]["holder"] == "w1" and won[0]["status"] == "in_progress"
    human = bd("update", "bd-1", "--claim", "--actor", "w1")
    assert human.ok().stdout.startswith("Claimed bd-1: A (w1, token 1, until ")
    lost = bd("update", "bd-1", "--claim", "--actor", "w3")
    assert lost.exit_code == 1
    assert "bd-1 is claimed by w1 until " in lost.stderr
    assert bd("show", "bd-1", "--json").ok().json()[0]["claim"]["holder"] == "w1"
    shown = bd("show", "bd-1").ok().stdout
    assert "Claimed by: w1, token 1" in shown


def test_cli_multi_id_claim_reports_each(bd: BdRunner) -> None:
    bd("create", "A").ok()
    bd("create", "B").ok()
    bd("update", "bd-2", "--claim", "--actor", "other").ok()
    run = bd("update", "bd-1", "bd-2", "bd-9", "--claim", "--actor", "w1", "--json")
    assert run.exit_code == 1
    assert [i["id"] for i in run.json()] == ["bd-1"]
    assert "bd-2 is claimed by other" in run.stderr and "bd-9 not found" in run.stderr


def test_cli_ready_claim(bd: BdRunner) -> None:
    bd("create", "first", "-p", "1").ok()
    bd("create", "second", "-p", "2").ok()
    human = bd("ready", "--claim", "--actor", "w1").ok()
    assert human.stdout.startswith("Claimed bd-1: first")
    data = bd("ready", "--claim", "--lease", "15m", "--actor", "w2", "--json").ok().json()
    assert [i["id"] for i in data] == ["bd-2"] and data[0]["claim"]["holder"] == "w2"
    assert bd("ready", "--claim", "--json", "--actor", "w3").ok().json() == []
    assert "No ready work" in bd("ready", "--claim", "--actor", "w3").ok().stdout
    listed = bd("list", "--json").ok().json()
    assert {i["id"]: i["claim"]["holder"] for i in listed} == {"bd-1": "w1", "bd-2": "w2"}


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["update", "bd-1", "--claim", "--lease", "5x"], "--lease"),
        (["ready", "--claim", "--lease", "5x"], "--lease"),
        (["update", "bd-1", "-s", "closed", "--if-claimed", "x7"], "--if-claimed"),
        (["close", "bd-1", "--if-claimed", "seven"], "--if-claimed"),
        (["heartbeat", "bd-1", "--lease=forever"], "--lease"),
    ],
)
def test_cli_bad_flag_values_exit_2_naming_the_flag(
    bd: BdRunner, argv: list[str], flag: str
) -> None:
    bd("create", "A").ok()
    before = bd("show", "bd-1", "--json").ok().json()
    run = bd(*argv)
    assert run.exit_code == 2, run
    assert flag in run.stderr
    assert bd("show", "bd-1", "--json").ok().json() == before


@pytest.mark.parametrize(
    "argv",
    [
        ["update", "bd-1", "--unclaim", "--claim"],
        ["update", "bd-1", "--force", "-p", "1"],
        ["update", "bd-1", "--lease", "1h", "-p", "1"],
        ["ready", "--lease", "1h"],
    ],
)
def test_cli_flags_that_do_not_go_together(bd: BdRunner, argv: list[str]) -> None:
    bd("create", "A").ok()
    run = bd(*argv)
    assert run.exit_code == 2 and "goes" in run.stderr
    assert bd("show", "bd-1", "--json").ok().json()[0]["status"] == "open"


def test_cli_fencing_heartbeat_unclaim(bd: BdRunner) -> None:
    bd("create", "A").ok()
    token = bd("update", "bd-1", "--claim", "--actor", "w1", "--json").ok().json()[0]["claim"]
    token = token["token"]
    beat = bd("heartbeat", "bd-1", "--actor", "w1").ok()
    assert beat.stdout.startswith("Renewed bd-1: w1, token")
    other = bd("heartbeat", "bd-1", "--actor", "w2")
    assert other.exit_code == 1 and "claimed by w1" in other.stderr
    bd("update", "bd-1", "--unclaim", "--force", "--actor", "boss").ok()
    bd("update", "bd-1", "--claim", "--actor", "w2").ok()
    late = bd("close", "bd-1", "--if-claimed", str(token), "--actor", "w1")
    assert late.exit_code == 1
    assert "claim lost: bd-1 is now held by w2" in late.stderr
    assert bd("show", "bd-1", "--json").ok().json()[0]["status"] == "in_progress"
    not_holder = bd("update", "bd-1", "--unclaim", "--actor", "w1")
    assert not_holder.exit_code == 1 and "only the holder" in not_holder.stderr
    released = bd("update", "bd-1", "--unclaim", "--actor", "w2").ok()
    assert "Released bd-1: open" in released.stdout


def test_cli_expiry_in_both_modes(bd: BdRunner) -> None:
    """Direct mode expires claims in the next command; the daemon sweeps within a second."""
    bd("create", "A").ok()
    bd("update", "bd-1", "--claim", "--lease", "300ms", "--actor", "w1").ok()
    assert bd("show", "bd-1", "--json").ok().json()[0]["status"] == "in_progress"
    # No sleep: wait for the expiry itself (the daemon's sweep commits it; direct mode wakes
    # when the lease is due and expires it in that command).
    assert [i["id"] for i in bd("ready", "--wait", "30s", "--json").ok().json()] == ["bd-1"]
    issue = bd("show", "bd-1", "--json").ok().json()[0]
    assert issue["status"] == "open" and "assignee" not in issue and "claim" not in issue
    assert [i["id"] for i in bd("ready", "--json").ok().json()] == ["bd-1"]


def test_cli_stale(bd: BdRunner) -> None:
    bd("create", "A").ok()
    bd("update", "bd-1", "--claim", "--lease", "0", "--actor", "w1").ok()
    assert "No stale issues" in bd("stale").ok().stdout
    time.sleep(0.05)
    data = bd("stale", "--hours", "0.00001", "--json").ok().json()
    assert [(i["id"], i["holder"]) for i in data] == [("bd-1", "w1")]
    human = bd("stale", "--hours", "0.00001").ok().stdout
    assert "Stale issues (1)" in human and "held by w1" in human


def test_claimed_issue_travels_as_status_and_assignee(
    bd: BdRunner, repo: Path, settle: object
) -> None:
    bd("create", "A").ok()
    bd("update", "bd-1", "--claim", "--actor", "w1").ok()
    settle()  # type: ignore[operator]
    line = jsonl_lines(repo)[0]
    assert line["status"] == "in_progress" and line["assignee"] == "w1"
    assert "claim" not in line
    assert json.loads((repo / ".beads" / "config.json").read_text()).get("claim_lease") is None


def test_config_sets_the_default_lease(bd: BdRunner, repo: Path) -> None:
    config_path = repo / ".beads" / "config.json"
    config = json.loads(config_path.read_text())
    config_path.write_text(json.dumps({**config, "claim_lease": "90s"}))
    time.sleep(0.6)  # the daemon looks at config.json at most twice a second
    bd("create", "A").ok()
    claim = bd("update", "bd-1", "--claim", "--json").ok().json()[0]["claim"]
    seconds = time.mktime(time.strptime(claim["expires_at"][:19], "%Y-%m-%dT%H:%M:%S")) - (
        time.mktime(time.strptime(claim["claimed_at"][:19], "%Y-%m-%dT%H:%M:%S"))
    )
    assert seconds == pytest.approx(90, abs=1)
    config_path.write_text(json.dumps({**config, "claim_lease": "soon"}))
    time.sleep(0.6)
    run = bd("create", "B")
    assert run.exit_code == 1 and "claim_lease" in run.stderr and "config.json" in run.stderr


# --- the other ways in: Python clients, JSON-lines RPC, batches --------------------------------


def _daemon(repo: Path) -> DaemonThread:
    _in_process("direct")("init", "--prefix", "bd", "--quiet").ok()
    return DaemonThread(repo).start()


def test_blocking_client_claim_methods(repo: Path) -> None:
    daemon = _daemon(repo)
    try:
        with (
            BlockingClient(daemon.workspace.socket_path, actor="w1") as w1,
            BlockingClient(daemon.workspace.socket_path, actor="w2") as w2,
        ):
            w1.create("A")
            w1.create("B")
            (mine,) = w1.ready(claim=True, lease="10m")
            assert mine["id"] == "bd-1" and mine["claim"]["holder"] == "w1"
            with pytest.raises(BdError) as info:
                w2.claim("bd-1")
            assert info.value.code == "conflict" and "claimed by w1" in info.value.message
            assert w2.claim("bd-2", lease=60)["claim"]["holder"] == "w2"
            assert w1.heartbeat("bd-1")["claim"]["token"] == mine["claim"]["token"]
            with pytest.raises(BdError):
                w2.heartbeat("bd-1")
            w1.update("bd-1", notes="half way", if_claimed=mine["claim"]["token"])
            assert w2.unclaim("bd-2")["status"] == "open"
            closed = w1.close_issue("bd-1", reason="done", if_claimed=mine["claim"]["token"])
            assert closed["status"] == "closed"
            assert w1.stale(hours=0) == []
    finally:
        daemon.stop()


def test_async_client_claims(repo: Path) -> None:
    import trio

    from bd_trio.client.asyncclient import AsyncClient

    daemon = _daemon(repo)

    async def main() -> list[str]:
        winners: list[str] = []
        async with AsyncClient(daemon.workspace.socket_path, actor="seed") as seed:
            issue = await seed.create("contested")

        async def racer(name: str) -> None:
            async with AsyncClient(daemon.workspace.socket_path, actor=name) as agent:
                try:
                    await agent.claim(issue["id"])
                    winners.append(name)
                except BdError as exc:
                    assert exc.code == "conflict"

        async with trio.open_nursery() as nursery:
            for n in range(8):
                nursery.start_soon(racer, f"a{n}")
        return winners

    try:
        assert len(trio.run(main)) == 1
    finally:
        daemon.stop()


def test_jsonrpc_and_batch_carry_the_claim_operations(repo: Path) -> None:
    import socket

    daemon = _daemon(repo)
    try:
        with BlockingClient(daemon.workspace.socket_path, actor="w1") as w1:
            w1.create("A")
            w1.create("B")
            w1.claim("bd-1")
            result = w1.batch(
                [
                    {"op": "claim", "args": {"id": "bd-2"}},
                    {"op": "claim", "args": {"id": "bd-1"}},  # mine already: renewed
                    {"op": "heartbeat", "args": {"id": "bd-2"}},
                ]
            )
            assert result["ok"] and len(result["results"]) == 3
        with BlockingClient(daemon.workspace.socket_path, actor="w2") as w2:
            w2.create("C")
            result = w2.batch(
                [
                    {"op": "claim", "args": {"id": "bd-3"}},
                    {"op": "claim", "args": {"id": "bd-1"}},  # w1's: stops the batch
                    {"op": "create", "args": {"title": "never"}},
                ]
            )
            assert not result["ok"] and len(result["results"]) == 2
            assert "claimed by w1" in result["results"][1]["error"]["message"]
            assert w2.list_issues(title="never") == []
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(daemon.workspace.socket_path))
            stream = sock.makefile("rwb")
            for line in (
                {"operation": "ready_claim", "args": {}, "actor": "w3"},
                {"operation": "claim", "args": {"id": "bd-2"}, "actor": "w3"},
                {"operation": "unclaim", "args": {"id": "bd-2", "force": True}, "actor": "w3"},
            ):
                stream.write(json.dumps(line).encode() + b"\n")
            stream.flush()
            answers = [json.loads(stream.readline()) for _ in range(3)]
        assert answers[0] == {"success": True, "data": []}
        assert not answers[1]["success"] and "claimed by w1" in answers[1]["error"]
        assert answers[2]["success"] and answers[2]["data"]["status"] == "open"
    finally:
        daemon.stop()
