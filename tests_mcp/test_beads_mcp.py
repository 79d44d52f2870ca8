"""The latest beads-mcp (1.3.2, from PyPI) drives bd-trio unchanged: every method of its CLI
client, in direct mode and through a daemon, and every tool of its real stdio MCP server.

Run by `nox -s mcp` (which installs beads-mcp 1.3.2 beside bd-trio), not by the main suite.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from beads_mcp.bd_client import BdCliClient
from beads_mcp.models import (
    AddCommentParams,
    AddDependencyParams,
    AddNoteParams,
    BlockedParams,
    ClaimIssueParams,
    CloseIssueParams,
    CreateIssueParams,
    ListCommentsParams,
    ListIssuesParams,
    ReadyWorkParams,
    ReopenIssueParams,
    ShowIssueParams,
    UpdateIssueParams,
)

BD = shutil.which("bd") or str(Path(sys.executable).with_name("bd"))


def bd(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BD, *args], cwd=cwd, capture_output=True, text=True, check=True, env=os.environ.copy()
    )


@pytest.fixture(params=["direct", "daemon"])
def workspace(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    repo = tmp_path / "repo"
    repo.mkdir()
    bd(repo, "init", "--prefix", "mcp", "-q")
    if request.param == "daemon":
        bd(repo, "daemon", "start")
    yield repo
    if request.param == "daemon":
        bd(repo, "daemon", "stop")


async def drive_the_client(repo: Path) -> dict[str, str]:
    """Every method of beads-mcp's BdCliClient; the name of each with what it got."""
    client = BdCliClient(bd_path=BD, working_dir=str(repo), actor="mcp-agent")
    seen: dict[str, str] = {}
    await client._check_version()
    seen["version"] = "ok"
    epic = await client.create(
        CreateIssueParams(title="Epic", issue_type="epic", priority=1, labels=["plan"])
    )
    child = await client.create(
        CreateIssueParams(
            title="Child",
            description="do it",
            labels=["plan", "web"],
            deps=[f"parent-child:{epic.id}"],
            assignee=None,
        )
    )
    blocker = await client.create(CreateIssueParams(title="Blocker", priority=0))
    seen["create"] = f"{epic.id} {child.id} {blocker.id}"
    await client.add_dependency(AddDependencyParams(issue_id=child.id, depends_on_id=blocker.id))
    await client.add_dependency(
        AddDependencyParams(issue_id=blocker.id, depends_on_id=epic.id, dep_type="tracks")
    )
    seen["add_dependency"] = "blocks, tracks"
    ready = await client.ready(ReadyWorkParams(limit=10))
    assert child.id not in [i.id for i in ready] and blocker.id in [i.id for i in ready]
    filtered = await client.ready(
        ReadyWorkParams(
            issue_type="task",
            labels=["plan"],
            labels_any=["web", "x"],
            unassigned=True,
            sort_policy="hybrid",
            parent_id=epic.id,
            priority=None,
        )
    )
    assert [i.id for i in filtered] == []  # the child is blocked
    seen["ready"] = f"{len(ready)} ready"
    listed = await client.list_issues(ListIssuesParams(status="open", labels=["plan"], limit=50))
    assert {i.id for i in listed} == {epic.id, child.id}
    unassigned = await client.list_issues(ListIssuesParams(unassigned=True, query="Bl"))
    assert [i.id for i in unassigned] == [blocker.id]
    seen["list_issues"] = f"{len(listed)} listed"
    shown = await client.show(ShowIssueParams(issue_id=child.id))
    assert {d.id for d in shown.dependencies} == {epic.id, blocker.id}
    seen["show"] = shown.id
    claimed = await client.claim(ClaimIssueParams(issue_id=blocker.id))
    assert claimed.status == "in_progress" and claimed.assignee == "mcp-agent"
    seen["claim"] = claimed.assignee or ""
    updated = await client.update(
        UpdateIssueParams(issue_id=blocker.id, notes="working", priority=1, title="Blocker!")
    )
    assert updated.title == "Blocker!" and updated.priority == 1
    seen["update"] = updated.title
    await client.add_comment(AddCommentParams(issue_id=blocker.id, text="first comment"))
    comments = await client.list_comments(ListCommentsParams(issue_id=blocker.id))
    assert [c.text for c in comments] == ["first comment"]
    seen["add_comment, list_comments"] = comments[0].id
    await client.add_note(AddNoteParams(issue_id=blocker.id, text="a note"))
    assert "a note" in ((await client.show(ShowIssueParams(issue_id=blocker.id))).notes or "")
    seen["add_note"] = "appended"
    blocked = await client.blocked(BlockedParams())
    assert [b.id for b in blocked] == [child.id] and blocked[0].blocked_by == [blocker.id]
    assert [b.id for b in await client.blocked(BlockedParams(parent_id=epic.id))] == [child.id]
    seen["blocked"] = child.id
    closed = await client.close(CloseIssueParams(issue_id=blocker.id, reason="done"))
    assert closed[0].status == "closed"
    seen["close"] = closed[0].id
    reopened = await client.reopen(ReopenIssueParams(issue_ids=[blocker.id], reason="again"))
    assert reopened[0].status == "open"
    seen["reopen"] = reopened[0].id
    stats = await client.stats()
    assert stats.summary.total_issues == 3
    seen["stats"] = f"{stats.summary.total_issues} issues"
    assert "bd" in await client.quickstart()
    seen["quickstart"] = "ok"
    schema = await client.get_schema_info()
    assert "issues" in schema["tables"]
    seen["get_schema_info"] = f"v{schema['schema_version']}"
    migration = await client.inspect_migration()
    assert migration["needs_migration"] is False
    seen["inspect_migration"] = "up to date"
    assert (await client.repair_deps(fix=True))["count"] == 0
    seen["repair_deps"] = "0 orphaned"
    assert (await client.detect_pollution())["ok"] is True
    seen["detect_pollution"] = "clean"
    assert (await client.validate())["ok"] is True
    seen["validate"] = "ok"
    return seen


def test_every_client_method(workspace: Path) -> None:
    seen = asyncio.run(drive_the_client(workspace))
    print(json.dumps(seen, indent=1))
    assert len(seen) >= 20


def test_init_through_the_client(tmp_path: Path) -> None:
    from beads_mcp.models import InitParams

    repo = tmp_path / "fresh"
    repo.mkdir()
    client = BdCliClient(bd_path=BD, working_dir=str(repo), actor="mcp-agent")
    out = asyncio.run(client.init(InitParams(prefix="fresh")))
    assert "fresh" in out
    assert (repo / ".beads" / "config.json").is_file()


async def drive_the_server(repo: Path) -> dict[str, Any]:
    from fastmcp import Client
    from fastmcp.client.transports import StdioTransport

    env = {
        **os.environ,
        "BEADS_PATH": BD,
        "BEADS_WORKING_DIR": str(repo),
        "BEADS_ACTOR": "mcp-server",
    }
    transport = StdioTransport(
        command=sys.executable, args=["-m", "beads_mcp"], env=env, cwd=str(repo)
    )
    results: dict[str, Any] = {}
    async with Client(transport) as client:
        tools = {tool.name for tool in await client.list_tools()}
        results["tools"] = sorted(tools)

        async def call(name: str, **args: Any) -> Any:
            result = await client.call_tool(name, {**args, "workspace_root": str(repo)})
            results[name] = "ok"
            return result.data if hasattr(result, "data") else result

        await call("create", title="From the server", priority=1)
        await call("create", title="Second", labels=["x"])
        await call("ready")
        await call("list")
        await call("show", issue_id="mcp-1")
        await call("claim", issue_id="mcp-2")
        await call("update", issue_id="mcp-2", notes="busy")
        await call("dep", issue_id="mcp-1", depends_on_id="mcp-2")
        await call("comment", issue_id="mcp-1", text="hello")
        await call("comments", issue_id="mcp-1")
        await call("note", issue_id="mcp-1", text="noted")
        await call("blocked")
        await call("stats")
        await call("close", issue_id="mcp-2")
        await call("reopen", issue_ids=["mcp-2"])
        for action in ("validate", "repair", "schema", "migration", "pollution", "debug"):
            await client.call_tool("admin", {"action": action, "workspace_root": str(repo)})
        results["admin"] = "ok"
        await client.call_tool("discover_tools", {})
        results["discover_tools"] = "ok"
        await client.call_tool("get_tool_info", {"tool_name": "create"})
        results["get_tool_info"] = "ok"
        await client.call_tool("context", {"workspace_root": str(repo)})
        results["context"] = "ok"
    return results


def test_every_tool_of_the_stdio_server(workspace: Path) -> None:
    results = asyncio.run(drive_the_server(workspace))
    print(json.dumps(results, indent=1))
    untested = set(results["tools"]) - set(results)
    assert not untested, f"tools not called: {untested}"
