"""init, version, quickstart: the handlers (declared in cli/table.py)."""

from __future__ import annotations

from pathlib import Path

from bd_trio import INTERFACE_VERSION, __version__
from bd_trio.backend.direct import DirectBackend
from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, fail, note, out
from bd_trio.errors import BdError
from bd_trio.locate import BEADS_DIR, DB_NAME
from bd_trio.store import Store
from bd_trio.store.meta import set_config
from bd_trio.workspace import Workspace, create_at, default_prefix


def init(prefix: str | None = None, quiet: bool = False, id_mode: str | None = None) -> None:
    """Create .beads/ here (or take over an existing one from a clone)."""
    opts = g.current
    if opts.readonly:
        fail(
            BdError(
                "validation",
                "read-only mode: init would create or change .beads/, and --readonly refuses "
                "every write; nothing was changed",
            )
        )
    db_path = Path(opts.db).expanduser().resolve() if opts.db else Path.cwd() / BEADS_DIR / DB_NAME
    existing = Workspace(db_path.parent, db_path)
    current = existing.load_config() if existing.config_path.exists() else None
    chosen_prefix = prefix or (current.prefix if current else default_prefix(existing.root))
    chosen_mode = id_mode or (current.id_mode if current else "sequential")
    workspace = create_at(db_path, chosen_prefix, chosen_mode)
    store = Store(workspace.db_path)
    try:
        with store.transaction() as conn:
            set_config(conn, "prefix", chosen_prefix)
            set_config(conn, "id_mode", chosen_mode)
    finally:
        store.close()
    # A clone brings issues.jsonl along: load it now.
    backend = DirectBackend(workspace, actor=opts.resolved_actor(), auto_import=opts.auto_import())
    try:
        stats = backend.call("stats", {})
    finally:
        backend.close()
    for notice in backend.notices:
        note(notice)
    if opts.json:
        emit_json(
            {
                "database": str(workspace.db_path),
                "prefix": chosen_prefix,
                "id_mode": chosen_mode,
                "issues": stats["total_issues"],
            }
        )
        return
    if quiet or opts.quiet:
        return
    out("bd initialized successfully!")
    out(f"  Database: {workspace.db_path}")
    out(f"  Issue prefix: {chosen_prefix}")
    out(f"  Id mode: {chosen_mode}")
    if stats["total_issues"]:
        out(f"  Issues: {stats['total_issues']} (imported from {workspace.jsonl_path.name})")
    out(
        f"Issues will be named {chosen_prefix}-1, {chosen_prefix}-2, ..."
        if chosen_mode == "sequential"
        else f"Issues will be named {chosen_prefix}-<hash>"
    )


def version() -> None:
    """Print the bd interface level and the bd-trio version."""
    if g.current.json:
        emit_json(
            {"version": INTERFACE_VERSION, "interface": INTERFACE_VERSION, "bd_trio": __version__}
        )
        return
    out(f"bd version {INTERFACE_VERSION} (bd-trio {__version__})")


QUICKSTART = """\
bd - issue tracking that coding agents use as their memory

  bd init --prefix proj            create .beads/ in this repository
  bd create "Fix login" -p 1 -t bug
  bd ready --json                  what can be worked on now (no open blockers)
  bd ready --claim --json          take the next ready issue: you alone get it
  bd update proj-1 --claim         claim one issue (exit 1 names who holds it)
  bd heartbeat proj-1              keep your claim alive while you work (lease: 4h)
  bd dep add proj-2 proj-1         proj-2 depends on proj-1 (proj-1 blocks proj-2)
  bd dep add proj-3 proj-9 -t parent-child   proj-3 is a child of epic proj-9
  bd close proj-1 -r "Fixed in abc123"   (--if-claimed TOKEN: only if still yours)
  bd show proj-2 --json            details, dependencies, comments
  bd blocked / bd stats / bd list -s open

Agents: always pass --json and parse stdout; messages go to stderr; exit 1 means failure.
Issues live in .beads/issues.jsonl: commit it with your code so other machines see them.
Global flags anywhere: --json --db PATH --actor NAME --no-daemon --no-auto-flush
--no-auto-import. Priorities: 0 (highest) to 4. Types: bug feature task epic chore.
"""


def quickstart() -> None:
    """A short guide for agents."""
    out(QUICKSTART.rstrip())
