"""info, migrate, repair-deps, doctor, prime: the handlers (declared in cli/table.py)."""

from __future__ import annotations

import os
import stat
from typing import Any

from bd_trio import __version__
from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, fail, out
from bd_trio.cli.session import backend, call
from bd_trio.errors import BdError


def info(schema: bool = False) -> None:
    """The workspace and its database (--schema: the tables and their columns)."""
    with backend() as be:
        data = call(be, "info", {})
    if not schema:
        data.pop("tables")
    if g.current.json:
        emit_json(data)
        return
    out(
        f"Database schema version {data['schema_version']}, prefix {data['prefix']}-, "
        f"id mode {data['id_mode']}: {data['issue_count']} issues, "
        f"{data['tombstone_count']} deleted"
    )
    for table, columns in data.get("tables", {}).items():
        out(f"  {table}: {', '.join(columns)}")


def migrate(inspect: bool = False) -> None:
    """Schema migrations (bd applies them itself when it opens a database; --inspect shows
    where the schema stands)."""
    with backend() as be:
        data = call(be, "migrate_inspect", {})
    if g.current.json:
        emit_json(data)
        return
    out(
        f"Schema version {data['current_version']} (latest {data['latest_version']}): "
        + ("up to date" if not data["needs_migration"] else f"pending {data['pending']}")
    )


def repair_deps(fix: bool = False) -> None:
    """Dependencies on issues that do not exist; --fix removes them."""
    with backend() as be:
        data = call(be, "repair_deps", {"fix": fix})
    if g.current.json:
        emit_json(data)
        return
    for orphan in data["orphaned"]:
        out(
            f"  {orphan['issue_id']} -> {orphan['depends_on_id']} ({orphan['type']}): "
            f"{orphan['problem']}"
        )
    out(f"{data['count']} orphaned dependencies" + (f", {data['fixed']} removed" if fix else ""))


FILE_CHECKS = ("jsonl", "daemon", "merge_driver", "permissions")


def doctor(
    check: str | None = None, fix: bool = False, yes: bool = False, clean: bool = False
) -> None:
    """Check the database, issues.jsonl, the daemon, git's merge driver and permissions."""
    from bd_trio.backend.daemon import DaemonBackend

    results: list[dict[str, Any]] = []
    with backend() as be:
        if check is None or check not in FILE_CHECKS:
            args: dict[str, Any] = {"fix": fix, "clean": clean and yes}
            if check is not None:
                args["check"] = check
            try:
                results.extend(be.call("doctor", args)["checks"])
            except BdError as exc:
                if "file" not in exc.details:  # not a refused issues.jsonl
                    fail(exc)
                # The database checks wait for the file: the jsonl check below says why.
                results.append(
                    _check("database", False, "not checked while issues.jsonl is refused")
                )
        if check is None or check in FILE_CHECKS:
            workspace = _workspace()
            exported = call(be, "export_lines", {})
            daemon_mode = isinstance(be, DaemonBackend)
        else:
            workspace = None
    if workspace is not None:
        wanted = FILE_CHECKS if check is None else (check,)
        if "jsonl" in wanted:
            results.append(_jsonl_check(workspace, exported, daemon_mode))
        if "daemon" in wanted:
            results.append(_daemon_check(workspace))
        if "merge_driver" in wanted:
            results.append(_merge_driver_check(workspace, fix))
        if "permissions" in wanted:
            results.append(_permissions_check(workspace, fix))
    ok = all(r["ok"] for r in results)
    if g.current.json:
        emit_json({"ok": ok, "checks": results})
    else:
        for r in results:
            mark = "ok " if r["ok"] else "FAIL"
            out(f"[{mark}] {r['name']}: {r['detail']}" + (f" ({r['fixed']})" if r["fixed"] else ""))
        out("All checks passed" if ok else "Some checks failed")
    if not ok:
        raise SystemExit(1)


def _workspace() -> Any:
    from bd_trio.workspace import discover

    return discover(g.current.db)


def _check(name: str, ok: bool, detail: str, fixed: str | None = None) -> dict[str, Any]:
    return {"name": name, "ok": ok, "detail": detail, "fixed": fixed}


def _jsonl_check(workspace: Any, exported: list[str], daemon_mode: bool) -> dict[str, Any]:
    from bd_trio.sync import jsonl, lines

    path = workspace.jsonl_path
    try:
        on_disk = lines.read_file(path)
        if "".join(line + "\n" for line in exported).encode("utf-8") == on_disk:
            return _check("jsonl", True, "issues.jsonl matches the database")
        jsonl.parse(lines.decode(on_disk, str(path)), str(path))
    except FileNotFoundError:
        return _check("jsonl", not exported, "issues.jsonl missing" if exported else "no issues")
    except BdError as exc:  # bd refuses to import it: fix it (or git checkout it)
        return _check("jsonl", False, f"cannot be imported: {exc.message}")
    when = "the daemon exports within seconds" if daemon_mode else "the next change exports it"
    return _check(
        "jsonl",
        daemon_mode,  # the daemon's export may simply be pending (debounce)
        f"issues.jsonl differs from the database ({when}; bd sync brings both in step)",
    )


def _daemon_check(workspace: Any) -> dict[str, Any]:
    from bd_trio.backend import launcher

    health = launcher.health(workspace)
    if health is None:
        return _check("daemon", True, "no daemon running (direct mode)")
    same = health.get("version") == __version__
    detail = (
        f"daemon {health['pid']} runs bd-trio {health.get('version')} (this CLI: {__version__})"
    )
    return _check("daemon", same, detail + ("" if same else ": restart it (bd daemon restart)"))


def _merge_driver_check(workspace: Any, fix: bool) -> dict[str, Any]:
    from bd_trio.sync import gitsetup

    config = gitsetup.git_config_path(workspace.root)
    if config is None:
        return _check("merge_driver", True, "not a git repository")
    attributes = workspace.beads_dir / ".gitattributes"
    registered = gitsetup.SECTION in config.read_text(encoding="utf-8", errors="replace") and (
        attributes.is_file() and gitsetup.ATTRIBUTES.strip() in attributes.read_text()
    )
    if registered:
        return _check("merge_driver", True, "issues.jsonl merge driver registered")
    if fix:
        gitsetup.ensure_merge_driver(workspace.root, workspace.beads_dir)
        return _check("merge_driver", True, "was not registered", "registered it")
    return _check("merge_driver", False, "issues.jsonl merge driver not registered (--fix)")


def _permissions_check(workspace: Any, fix: bool) -> dict[str, Any]:
    problems = []
    fixes = []
    mode = stat.S_IMODE(os.stat(workspace.beads_dir).st_mode)
    socket_here = workspace.socket_path.parent == workspace.beads_dir
    if mode & 0o077 and socket_here and workspace.socket_path.exists():
        problems.append(f".beads/ is {oct(mode)} (0700 keeps the socket private)")
        if fix:
            os.chmod(workspace.beads_dir, 0o700)
            fixes.append(".beads/ set to 0700")
    socket = workspace.socket_path
    if socket.exists():
        socket_mode = stat.S_IMODE(os.stat(socket).st_mode)
        if socket_mode & 0o077:
            problems.append(f"the socket is {oct(socket_mode)} (should be 0600)")
            if fix:
                os.chmod(socket, 0o600)
                fixes.append("socket set to 0600")
    return _check(
        "permissions",
        not problems or bool(fix),
        "; ".join(problems)
        or (".beads/ and the socket are private" if socket.exists() else "no daemon socket"),
        ", ".join(fixes) or None,
    )


PRIME = """\
# bd: your issue tracker ({prefix}-)
Workflow: `bd ready --claim --json` takes the next ready issue (yours alone); work on it;
`bd heartbeat ID` while it takes long; `bd close ID -r "what you did" --if-claimed TOKEN`.
Found something else to do? `bd create "title" -t bug --deps discovered-from:ID --json`.
Stuck? `bd update ID --notes "why"` or `bd update ID --unclaim` to give it back.
"""


def prime() -> None:
    """Context for an agent at the start of a session: the workflow, the head of the ready
    queue, your claims, how to file discovered work."""
    with backend() as be:
        ready = call(be, "ready", {"limit": 5})
        mine = [
            issue
            for issue in call(
                be, "list", {"status": "in_progress", "assignee": g.current.resolved_actor()}
            )
        ]
        prefix = call(be, "info", {})["prefix"]
    if g.current.json:
        emit_json(
            {
                "prefix": prefix,
                "workflow": PRIME.format(prefix=prefix).splitlines()[1:],
                "ready": ready,
                "claimed": mine,
            }
        )
        return
    out(PRIME.format(prefix=prefix).rstrip())
    out()
    if mine:
        out(f"Yours ({len(mine)} in progress):")
        for issue in mine:
            claim = issue.get("claim")
            token = f" token {claim['token']}" if claim else ""
            out(f"  {issue['id']}: {issue['title']}{token}")
    out(f"Ready ({len(ready)} shown):" if ready else "Nothing ready.")
    for issue in ready:
        out(f"  {issue['id']} [P{issue['priority']}] {issue['title']}")
