"""THE declaration of every `bd` command: name, arguments, options, help, handler, JSON shape.

Adding an option is one edit here (and the handler's keyword argument). The fast parser
(`fastparse.py`, no typer), the typer app (`typerapp.py`: help, usage errors) and the command
reference (docs/CLI.md, checked by a test) are derived from this table, and
tests/test_cli_parsers.py runs a corpus of command lines through both parsers and requires
the same calls and the same usage errors.
"""

from __future__ import annotations

from bd_trio.cli.declare import Arg, Command, Group, Opt
from bd_trio.model.enums import DEFAULT_TYPE, IssueType, Status

# The values create/update accept, from the model's enums (bd 0.12's and upstream's built-in
# ones); a filter also takes any other value a file brought (a custom status or type).
TYPES = "|".join(IssueType)
STATUSES = "|".join(Status)
_OTHERS = "or any other a file brought"

# Options several commands share.
PRIORITY = Opt("prio", ("--priority", "-p"), help="0-4 or P0-P4 (0 is highest)")
TYPE = Opt("issue_type", ("--type", "-t"), help=TYPES)
ASSIGNEE = Opt("assignee", ("--assignee", "-a"))
TITLE = Opt("title", ("--title",))
DESCRIPTION = Opt("description", ("--description", "-d"))
DESIGN = Opt("design", ("--design",))
ACCEPTANCE = Opt("acceptance", ("--acceptance", "--acceptance-criteria"))
NOTES = Opt("notes", ("--notes",))
EXTERNAL_REF = Opt("external_ref", ("--external-ref",))
LEASE = Opt(
    "lease",
    ("--lease",),
    "lease",
    help="Lease length: 90s, 15m, 4h, 0 = never expires (default: claim_lease in "
    "config.json, else 4h)",
)
IF_CLAIMED = Opt(
    "if_claimed",
    ("--if-claimed",),
    "int",
    metavar="TOKEN",
    help="Apply only while the claim with this token is the current one (fencing)",
)
PARENT = Opt("parent", ("--parent",), help="Only descendants of this issue (parent-child)")
IDS = Arg("ids", "ID...", many=True)
SEARCH = Opt(
    "search",
    ("--search",),
    "list",
    help="Accepted for Go bd's scripts; no effect: the registry knows every daemon",
)
DAEMON_TARGET = Arg("target", "WORKSPACE|PID")
# What orchestrators filter ready/list on, and set on create/update (Go bd's flags).
METADATA = Opt(
    "metadata",
    ("--metadata",),
    "list",
    help="key=value (repeatable; true/false/null/numbers typed), or a JSON object or "
    "@file.json (the whole metadata)",
)
META_FILTERS = (
    Opt(
        "exclude_type",
        ("--exclude-type",),
        "list",
        help="Leave out these types (repeatable, or a,b)",
    ),
    Opt(
        "metadata_field",
        ("--metadata-field",),
        "list",
        help="Only issues whose metadata KEY is VALUE: KEY=VALUE (repeatable: all must hold)",
    ),
    Opt("has_metadata_key", ("--has-metadata-key",), help="Only issues with this metadata key"),
    Opt(
        "include_ephemeral",
        ("--include-ephemeral",),
        "flag",
        False,
        help="Include ephemeral issues (left out by default)",
    ),
)
AUTHOR = Opt(
    "author",
    ("--author", "-a"),
    help="Who wrote the comment (default: the actor); beads-ui sends git's user.name",
)
ISSUE_JSON = "the Issue object"
ISSUES_JSON = "array of Issue"

COMMANDS: tuple[Command | Group, ...] = (
    Command(
        "init",
        "setup.init",
        "Create .beads/ here (or take over an existing one from a clone).",
        opts=(
            Opt("prefix", ("--prefix", "-p"), help="Id prefix (default: the directory's name)"),
            # -q alone is the global --quiet (the same meaning); declared here too so that
            # grouped short flags (-qp proj) keep working.
            Opt("quiet", ("--quiet", "-q"), "flag", False, help="Print nothing"),
            Opt("id_mode", ("--id-mode",), help="sequential (default) or hash"),
        ),
        json='{"database", "prefix", "id_mode", "issues"}',
    ),
    Command(
        "create",
        "issues.create",
        "Create an issue (or several from a Markdown plan with -f).",
        args=(Arg("title_arg", "[TITLE]", required=False, help="Issue title"),),
        opts=(
            Opt("title", ("--title",), help="Issue title (instead of TITLE)"),
            DESCRIPTION,
            DESIGN,
            ACCEPTANCE,
            NOTES,
            PRIORITY.replace(help="0-4 or P0-P4 (default 2)"),
            TYPE.replace(help=f"{TYPES} (default {DEFAULT_TYPE})"),
            ASSIGNEE,
            Opt("labels", ("--labels", "-l"), "list", help="a,b (repeatable)"),
            Opt("issue_id", ("--id",), help="Explicit id (e.g. bd-42)"),
            EXTERNAL_REF,
            Opt("deps", ("--deps",), help="type:id,... (type defaults to blocks)"),
            Opt("file", ("--file", "-f"), "path", help="Create issues from a Markdown plan"),
            Opt(
                "parent",
                ("--parent",),
                help="Child of this issue (parent-child); in hash id mode its id is PARENT.N",
            ),
            Opt(
                "from_template",
                ("--from-template",),
                metavar="NAME",
                help="Start from a template (`bd template list`); flags given override it",
            ),
            METADATA,
            Opt(
                "ephemeral",
                ("--ephemeral",),
                "flag",
                False,
                help="Ephemeral: left out of ready and list unless --include-ephemeral",
            ),
        ),
        json=f"{ISSUE_JSON} (labels included); with -f, an array of them",
    ),
    Command(
        "show",
        "issues.show",
        "Show issues with their dependencies, dependents and comments.",
        args=(IDS,),
        json=f"{ISSUES_JSON}, each with labels, dependencies and dependents (Issue objects with "
        "dependency_type) and comments",
    ),
    Command(
        "update",
        "issues.update",
        "Update fields of issues; only the flags given change anything. --claim takes the "
        "issue for you (exactly one caller wins), --unclaim releases it.",
        args=(IDS,),
        opts=(
            Opt("status", ("--status", "-s"), help=STATUSES),
            PRIORITY,
            TITLE,
            DESCRIPTION,
            ASSIGNEE,
            DESIGN,
            NOTES,
            ACCEPTANCE,
            EXTERNAL_REF,
            TYPE,
            Opt(
                "claim",
                ("--claim",),
                "flag",
                False,
                help="Claim it: in progress, assigned to you (one winner)",
            ),
            LEASE,
            Opt("unclaim", ("--unclaim",), "flag", False, help="Release the claim: back to open"),
            Opt(
                "force", ("--force",), "flag", False, help="With --unclaim: release anyone's claim"
            ),
            IF_CLAIMED,
            METADATA.replace(
                help="key=value: set that key (repeatable); a JSON object or @file.json: "
                "replace the whole metadata"
            ),
            Opt(
                "set_metadata",
                ("--set-metadata",),
                "list",
                metavar="KEY=VALUE",
                help="Set one metadata key, keep the others (repeatable)",
            ),
            Opt(
                "unset_metadata",
                ("--unset-metadata",),
                "list",
                metavar="KEY",
                help="Remove one metadata key (repeatable)",
            ),
        ),
        json=f"{ISSUES_JSON} (with claim while claimed)",
    ),
    Command(
        "close",
        "issues.close",
        "Close issues (with --if-claimed: only while that claim is current).",
        args=(IDS,),
        opts=(Opt("reason", ("--reason", "-r"), default="Closed"), IF_CLAIMED),
        json=ISSUES_JSON,
    ),
    Command(
        "reopen",
        "issues.reopen",
        "Reopen closed issues.",
        args=(IDS,),
        opts=(Opt("reason", ("--reason", "-r")),),
        json=ISSUES_JSON,
    ),
    Command(
        "heartbeat",
        "issues.heartbeat",
        "Renew your claims' leases (the holder only).",
        args=(IDS,),
        opts=(LEASE,),
        json=f"{ISSUES_JSON} with their renewed claim",
    ),
    Command(
        "list",
        "queries.list_issues",
        "List issues, highest priority first, newest first within a priority.",
        opts=(
            Opt(
                "status",
                ("--status", "-s"),
                help=f"{STATUSES} {_OTHERS}; several as a,b, or 'all'",
            ),
            PRIORITY,
            ASSIGNEE,
            TYPE.replace(help=f"{TYPES} {_OTHERS}"),
            Opt("label", ("--label", "-l"), "list", help="Has all of these"),
            Opt("label_any", ("--label-any",), "list", help="Has any of these"),
            Opt("title", ("--title",), help="Title contains (any case)"),
            Opt("ids", ("--id",), help="Only these ids: a,b"),
            Opt("limit", ("--limit", "-n"), "int", 0, help="At most N (0 = all)"),
            Opt("no_assignee", ("--no-assignee",), "flag", False, help="Only unassigned issues"),
            PARENT,
            *META_FILTERS,
            Opt(
                "tree",
                ("--tree",),
                "bool",
                help="Human output as a parent-child tree (as --pretty); --no-tree or "
                "--tree=false: the flat list (the default, as bd 0.12). JSON is the same array",
            ),
            Opt("pretty", ("--pretty",), "flag", False, help="The tree (as --tree)"),
            Opt("flat", ("--flat",), "flag", False, help="The flat list (the default)"),
        ),
        json=f"{ISSUES_JSON} with labels ([] when empty), whatever the tree flags",
    ),
    Command(
        "ready",
        "queries.ready",
        "Open issues with nothing blocking them: what to work on next. With --claim: claim "
        "the first one you may take (all the filters apply), in one step.",
        opts=(
            Opt("limit", ("--limit", "-n"), "int", 10, help="At most N (0 = all)"),
            PRIORITY,
            ASSIGNEE,
            Opt(
                "claim",
                ("--claim",),
                "flag",
                False,
                help="Claim the first one you may take (one winner per issue)",
            ),
            LEASE,
            TYPE.replace(help=f"Only this type: {TYPES} {_OTHERS}"),
            Opt("label", ("--label", "-l"), "list", help="Has all of these"),
            Opt("label_any", ("--label-any",), "list", help="Has any of these"),
            Opt("unassigned", ("--unassigned",), "flag", False, help="Only unassigned issues"),
            Opt("sort", ("--sort",), help="priority (default), oldest, or hybrid"),
            PARENT,
            Opt(
                "wait",
                ("--wait",),
                metavar="DURATION",
                help="Nothing ready? Wait up to DURATION (30s, 5m) for work, woken by the "
                "change that made it ready; then [] (exit 0)",
            ),
            *META_FILTERS,
        ),
        json=f"{ISSUES_JSON}; with --claim, the one claimed issue in an array, or []",
    ),
    Command(
        "watch",
        "feed.watch",
        "Print each change as it is committed, oldest first, until interrupted (--once: the "
        "first changes, then exit). --since CURSOR resumes after a change already seen; "
        "--since 0 replays every change this database kept.",
        opts=(
            Opt("since", ("--since",), "int", metavar="CURSOR", help="Start after this cursor"),
            Opt("once", ("--once",), "flag", False, help="Wait for changes, print them, exit"),
        ),
        json='one object a line per change: {"cursor", "id", "event", "actor", "at", ...}',
    ),
    Command(
        "search",
        "queries.search",
        "Issues whose title, description or notes hold these words, best matches first.",
        args=(Arg("query", "QUERY...", many=True),),
        opts=(
            Opt("limit", ("--limit", "-n"), "int", 20, help="At most N"),
            Opt("status", ("--status", "-s"), help=f"Only this status: {STATUSES} {_OTHERS}"),
        ),
        json=ISSUES_JSON,
    ),
    Command(
        "blocked",
        "queries.blocked",
        "Issues waiting on open blockers.",
        opts=(PARENT,),
        json=f"{ISSUES_JSON} + blocked_by_count, blocked_by",
    ),
    Command(
        "stats",
        "queries.stats",
        "Counts of issues by state.",
        json='{"total_issues", "open_issues", "in_progress_issues", "closed_issues", '
        '"blocked_issues", "ready_issues", "average_lead_time_hours", "summary": {the same, '
        '"tombstone_issues"}, "recent_activity": {"hours_tracked", "issues_created", '
        '"issues_closed", "issues_updated", "issues_reopened", "total_changes"}}',
    ),
    Command(
        "stale",
        "queries.stale",
        "In-progress issues whose claim expired or with no activity for --hours.",
        opts=(Opt("hours", ("--hours",), "float", 24.0, help="Idle for at least this many hours"),),
        json=f"{ISSUES_JSON} + stale_reason, holder, idle_hours",
    ),
    Group(
        "dep",
        "Manage dependencies (A depends on B: B blocks A).",
        (
            Command(
                "add",
                "deps.add",
                "ISSUE depends on DEPENDS_ON.",
                args=(Arg("issue_id", "ISSUE"), Arg("depends_on_id", "DEPENDS_ON")),
                opts=(
                    Opt(
                        "dep_type",
                        ("--type", "-t"),
                        default="blocks",
                        help="blocks|related|parent-child|discovered-from",
                    ),
                ),
                json='{"status": "added", "issue_id", "depends_on_id", "type"}',
            ),
            Command(
                "remove",
                "deps.remove",
                "Remove the dependency of ISSUE on DEPENDS_ON.",
                args=(Arg("issue_id", "ISSUE"), Arg("depends_on_id", "DEPENDS_ON")),
                json='{"status": "removed", "issue_id", "depends_on_id"}',
            ),
            Command(
                "relate",
                "deps.relate",
                "Link two issues both ways as relates-to (see also; nothing waits).",
                args=(Arg("id1", "ID1"), Arg("id2", "ID2")),
                json='{"id1", "id2", "related": true}',
            ),
            Command(
                "unrelate",
                "deps.unrelate",
                "Remove the relates-to link between two issues, both ways.",
                args=(Arg("id1", "ID1"), Arg("id2", "ID2")),
                json='{"id1", "id2", "unrelated": true}',
            ),
            Command(
                "tree",
                "deps.tree",
                "What ID depends on, as a tree (root first).",
                args=(Arg("issue_id", "ID"),),
                opts=(Opt("max_depth", ("--max-depth", "-d"), "int", 50),),
                json=f"{ISSUES_JSON} + depth, dependency_type, truncated",
            ),
            Command(
                "cycles",
                "deps.cycles",
                "Report dependency cycles (imports can bring them in; dep add refuses them).",
                json="array of cycles, each an array of Issue",
            ),
        ),
    ),
    Group(
        "epic",
        "Epics: progress of their children, closing the finished ones.",
        (
            Command(
                "status",
                "epics.status",
                "Open epics with their children closed of total (parent-child), highest "
                "priority first.",
                opts=(
                    Opt(
                        "eligible_only",
                        ("--eligible-only",),
                        "flag",
                        False,
                        help="Only epics whose children are all closed",
                    ),
                ),
                json='array of {"epic": Issue, "total_children", "closed_children", '
                '"eligible_for_close"}',
            ),
            Command(
                "close-eligible",
                "epics.close_eligible",
                "Close the open epics that have children, all of them closed (reason: All "
                "children completed).",
                opts=(
                    Opt(
                        "dry_run",
                        ("--dry-run",),
                        "flag",
                        False,
                        help="Show what would be closed; change nothing",
                    ),
                ),
                json='{"closed": [ids], "count"}; with --dry-run, the epic status array of '
                "the eligible ones",
            ),
        ),
    ),
    Group(
        "label",
        "Manage labels.",
        (
            Command(
                "add",
                "labels.add",
                "Add LABEL to each issue.",
                args=(Arg("args", "ID... LABEL", many=True),),
                json='array of {"issue_id", "label", "status"}',
            ),
            Command(
                "remove",
                "labels.remove",
                "Remove LABEL from each issue.",
                args=(Arg("args", "ID... LABEL", many=True),),
                json='array of {"issue_id", "label", "status"}',
            ),
            Command(
                "list",
                "labels.list_labels",
                "Labels of one issue.",
                args=(Arg("issue_id", "ID"),),
                json='array of label texts, e.g. ["a", "b"]',
            ),
            Command(
                "list-all",
                "labels.list_all",
                "Every label in use, with how many issues carry it.",
                json='array of {"label", "count"}',
            ),
        ),
    ),
    Command(
        "comments",
        "comments.comments",
        "List the comments of an issue, or add one (`comments add ID TEXT`).",
        args=(Arg("args", "ID | add ID [TEXT]", many=True),),
        opts=(
            Opt("file", ("--file", "-f"), "path", help="Read the comment text from a file"),
            AUTHOR,
        ),
        json='array of Comment {"id", "issue_id", "author", "text", "created_at"}; with add, '
        "the new Comment",
    ),
    Command(
        "comment",
        "comments.comment",
        "Add a comment to an issue (newer spelling of `comments add`).",
        args=(Arg("issue_id", "ID"), Arg("text", "TEXT...", many=True, required=False)),
        opts=(
            Opt("file", ("--file", "-f"), "path", help="Read the comment text from a file"),
            AUTHOR,
        ),
        json="the new Comment",
    ),
    Command(
        "note",
        "comments.note",
        "Append TEXT to an issue's notes.",
        args=(Arg("issue_id", "ID"), Arg("text", "TEXT...", many=True)),
        json=ISSUE_JSON,
    ),
    Command(
        "export",
        "transfer.export",
        "Write issues as JSONL (one object per line, sorted by id).",
        opts=(
            Opt("output", ("--output", "-o"), "path", help="File (default: stdout)"),
            Opt("status", ("--status", "-s")),
        ),
        json="(JSONL, always)",
    ),
    Command(
        "import",
        "transfer.import_",
        "Import JSONL: new ids are created, changed issues updated (newer wins).",
        opts=(
            Opt("input_path", ("--input", "-i"), "path", help="File (default: stdin)"),
            Opt("dry_run", ("--dry-run",), "flag", False, help="Report what would change"),
            Opt("skip_existing", ("--skip-existing",), "flag", False, help="Never update issues"),
            Opt(
                "strict",
                ("--strict",),
                "flag",
                False,
                help="Fail on dependencies to unknown ids",
            ),
        ),
        json='{"created", "updated", "unchanged", "skipped", "collisions", "warnings", "dry_run"}',
    ),
    Command(
        "batch",
        "batch.batch",
        "Run operations in order; stop at the first failure (--atomic: undo all on failure; "
        "--continue-on-error: run them all).",
        opts=(
            Opt("file", ("--file", "-f"), "path", help="Operations file (default stdin)"),
            Opt("atomic", ("--atomic",), "flag", False, help="All or nothing (one transaction)"),
            Opt(
                "continue_on_error",
                ("--continue-on-error",),
                "flag",
                False,
                help="Run every operation; report each failure in its place",
            ),
        ),
        json='{"results": [{"op", "ok", "data" | "error"}], "ok", "atomic", "rolled_back"}',
    ),
    Command(
        "sync",
        "syncing.sync",
        "Exchange issues with the remote through git: import, export, commit the .beads/ files, "
        "pull and merge per issue, push.",
        opts=(
            Opt("message", ("--message", "-m"), help="Commit message"),
            Opt("no_pull", ("--no-pull",), "flag", False, help="Do not pull"),
            Opt("no_push", ("--no-push",), "flag", False, help="Do not push"),
            Opt("dry_run", ("--dry-run",), "flag", False, help="Import and export only"),
            Opt(
                "status",
                ("--status",),
                "flag",
                False,
                help="Change nothing; show what a sync would do (unpushed commits, the "
                "remote ahead as of the last fetch, issues not yet exported or committed)",
            ),
            Opt(
                "timeout",
                ("--timeout",),
                metavar="DURATION",
                help="Keep retrying a push that others' pushes got ahead of (fetch, merge, "
                "push, with jittered backoff) until this much time has passed (default: 60s)",
            ),
        ),
        json='with --status: {"branch", "remote", "remote_branch", "remote_known", "ahead", '
        '"behind", "unpushed_commits", "remote_commits", "jsonl_uncommitted", "dirty_issues", '
        '"would"}; else {"committed", "remote", "pulled", "pushed", "created", "updated", '
        '"deleted", "renumbered": {old: new}, "resolved_conflict", "attempts", "rejected", '
        '"elapsed_s", "steps"}',
    ),
    Command(
        "delete",
        "syncing.delete",
        "Delete issues for good (a tombstone carries the deletion to other clones). Without "
        "--force: show what would go and change nothing.",
        args=(IDS,),
        opts=(Opt("force", ("--force",), "flag", False, help="Really delete"),),
        json='{"deleted", "issues": [{"id", "title", "status", "depends_on", "dependents"}]}',
    ),
    Command(
        "merge-driver",
        "syncing.merge_driver",
        "The git merge driver of issues.jsonl (git runs it; bd registers it in each clone).",
        args=(Arg("base", "BASE"), Arg("ours", "OURS"), Arg("theirs", "THEIRS")),
    ),
    Group(
        "daemon",
        "Run the per-repository daemon.",
        (
            Command(
                "start",
                "daemon.start",
                "Start the daemon (detached unless --foreground).",
                opts=(
                    Opt(
                        "foreground",
                        ("--foreground",),
                        "flag",
                        False,
                        help="Stay attached; log to stderr",
                    ),
                    Opt(
                        "flush_debounce",
                        ("--flush-debounce",),
                        "float",
                        1.0,
                        help="Seconds of quiet before exporting JSONL",
                    ),
                    Opt(
                        "auto_commit",
                        ("--auto-commit",),
                        "flag",
                        False,
                        help="git commit each export",
                    ),
                    Opt(
                        "auto_push",
                        ("--auto-push",),
                        "flag",
                        False,
                        help="git push after each commit",
                    ),
                    Opt(
                        "auto_sync",
                        ("--auto-sync",),
                        "lease",
                        metavar="INTERVAL",
                        help="bd sync by itself every INTERVAL (e.g. 60s) and shortly after "
                        "writes (default: sync_interval in config.json)",
                    ),
                ),
                json="the health object",
            ),
            Command(
                "stop",
                "daemon.stop",
                "Stop the daemon gracefully (queued writes finish, JSONL is exported).",
                json='{"stopped", "pid"}',
            ),
            Command(
                "status",
                "daemon.status",
                "Is the daemon running? (--json: its health object)",
                json='the health object, or {"status": "stopped"}',
            ),
            Command(
                "restart",
                "daemon.restart",
                "Stop the daemon if it runs, then start it.",
                opts=(
                    Opt("flush_debounce", ("--flush-debounce",), "float", 1.0),
                    Opt("auto_commit", ("--auto-commit",), "flag", False),
                    Opt("auto_push", ("--auto-push",), "flag", False),
                ),
                json="the health object",
            ),
        ),
    ),
    # --- i16b: `bd daemons`, `bd template` (agent plugins' commands) ---------------------
    Group(
        "daemons",
        "Every bd daemon of this user, in any workspace (a per-user registry: "
        "$BD_DAEMON_REGISTRY, else $XDG_RUNTIME_DIR/bd-trio/daemons, else "
        "~/.cache/bd-trio/daemons).",
        (
            Command(
                "list",
                "daemons.list_daemons",
                "The running daemons: workspace, PID, version, uptime (stale entries pruned).",
                opts=(
                    SEARCH,
                    Opt(
                        "no_cleanup",
                        ("--no-cleanup",),
                        "flag",
                        False,
                        help="Keep stale registry entries",
                    ),
                ),
                json='array of {"pid", "workspace_path", "beads_dir", "database_path", '
                '"socket_path", "log_path", "version", "started_at", "options", "alive", '
                '"uptime_seconds", "queue_depth", and Go bd\'s "WorkspacePath", "DatabasePath", '
                '"SocketPath", "PID", "Version", "UptimeSeconds", "Alive", "Error", ...}',
            ),
            Command(
                "health",
                "daemons.health",
                "Check every daemon: healthy, stale, version_mismatch or unresponsive (exit 1 "
                "when any is not healthy).",
                opts=(SEARCH,),
                json='{"total", "healthy", "stale", "mismatched", "unresponsive", "daemons": '
                '[{"workspace", "socket_path", "pid", "version", "status", "issue"?}]}',
            ),
            Command(
                "logs",
                "daemons.logs",
                "Show a daemon's log (by workspace path or PID).",
                args=(DAEMON_TARGET,),
                opts=(
                    Opt("lines", ("--lines", "-n"), "int", 50, help="Last N lines"),
                    Opt("follow", ("--follow", "-f"), "flag", False, help="Follow (like tail -f)"),
                ),
                json='{"workspace", "log_path", "content"}',
            ),
            Command(
                "stop",
                "daemons.stop",
                "Stop a daemon gracefully (by workspace path or PID).",
                args=(DAEMON_TARGET,),
                json='{"workspace", "pid", "stopped"}',
            ),
            Command(
                "restart",
                "daemons.restart",
                "Stop a daemon and start it again with the options it ran with.",
                args=(DAEMON_TARGET,),
                opts=(SEARCH,),
                json='{"workspace", "action": "restarted", "pid"}',
            ),
            Command(
                "killall",
                "daemons.killall",
                "Stop every running daemon.",
                opts=(
                    SEARCH,
                    Opt(
                        "force",
                        ("--force",),
                        "flag",
                        False,
                        help="SIGKILL a daemon that does not stop within 3 s",
                    ),
                ),
                json='{"stopped", "failed", "failures"?: [{"workspace", "pid", "error"}]}',
            ),
        ),
    ),
    Group(
        "template",
        "Issue templates: built-in (epic, bug, feature) and your own in .beads/templates/ "
        "(YAML); use one with `bd create --from-template NAME TITLE`.",
        (
            Command(
                "list",
                "templates.list_templates",
                "Every template (yours override built-ins of the same name).",
                json='array of {"name", "description", "type", "priority", "labels", "design", '
                '"acceptance_criteria", "source"}',
            ),
            Command(
                "show",
                "templates.show",
                "One template's fields.",
                args=(Arg("name", "NAME"),),
                json='{"name", "description", "type", "priority", "labels", "design", '
                '"acceptance_criteria", "source"}',
            ),
            Command(
                "create",
                "templates.create",
                "Write .beads/templates/NAME.yaml to edit (from the built-in of that name if "
                "there is one).",
                args=(Arg("name", "NAME"),),
                json='{"name", "path"}',
            ),
        ),
    ),
    Command(
        "version",
        "setup.version",
        "Print the bd interface level and the bd-trio version.",
        json='{"version", "interface", "bd_trio"}',
    ),
    Command("quickstart", "setup.quickstart", "A short guide for agents."),
    Command(
        "prime",
        "admin.prime",
        "Context for an agent at the start of a session: the workflow, the ready queue, your "
        "claims, how to file discovered work.",
        json='{"prefix", "workflow": [text], "ready": [Issue], "claimed": [Issue]}',
    ),
    Command(
        "info",
        "admin.info",
        "The workspace's database: schema version, prefix, id mode, counts.",
        opts=(Opt("schema", ("--schema",), "flag", False, help="With tables and columns"),),
        json='{"schema_version", "prefix", "id_mode", "issue_count", "tombstone_count", "tables"?}',
    ),
    Command(
        "migrate",
        "admin.migrate",
        "Schema migrations (applied when bd opens a database); --inspect shows where it stands.",
        opts=(Opt("inspect", ("--inspect",), "flag", False, help="Show, change nothing"),),
        json='{"current_version", "latest_version", "pending", "needs_migration", "migrations"}',
    ),
    Command(
        "repair-deps",
        "admin.repair_deps",
        "Dependencies on issues that do not exist; --fix removes them.",
        opts=(Opt("fix", ("--fix",), "flag", False, help="Remove them"),),
        json='{"orphaned": [{"issue_id", "depends_on_id", "type", "problem"}], "count", "fixed"}',
    ),
    Command(
        "doctor",
        "admin.doctor",
        "Check the database (integrity, foreign keys, dependencies, cycles, claims, counters, "
        "the counts kept for stats and blocked), "
        "issues.jsonl, the daemon and its version, git's merge driver, permissions. "
        "--check=validate: the database checks; --check=pollution: issues of another prefix.",
        opts=(
            Opt("check", ("--check",), help="One check, or validate, or pollution"),
            Opt("fix", ("--fix",), "flag", False, help="Repair what can be repaired safely"),
            Opt("yes", ("--yes",), "flag", False, help="Confirm --clean"),
            Opt("clean", ("--clean",), "flag", False, help="With --yes: delete polluting issues"),
        ),
        json='{"ok", "checks": [{"name", "ok", "detail", "fixed"}]}',
    ),
)


def find(name: str) -> Command | Group | None:
    for entry in COMMANDS:
        if entry.name == name:
            return entry
    return None
