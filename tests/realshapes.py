"""Records in the shapes real issues.jsonl files hold (synthesized after the files written by
Go bd 0.x-1.x, beads_rust `br` and their peers in public repositories; see README "Real
files"). One line per shape; tests/test_realfiles.py imports them all and checks each."""

from __future__ import annotations

# name -> one line, exactly as a tool wrote it (key order, spacing, escapes, timestamps).
SHAPES: dict[str, str] = {
    # Go bd 0.9-0.2x, sqlite era: compact, id first, Z timestamps with nanoseconds
    "go-0.x": (
        '{"id":"bd-1","title":"Fix <script> & escaping","description":"a \\u003cb\\u003e",'
        '"status":"open","priority":1,"issue_type":"bug","created_at":'
        '"2025-10-14T19:34:56.123456789Z","updated_at":"2025-10-15T08:00:00Z",'
        '"labels":["backend"],"dependencies":[{"issue_id":"bd-1","depends_on_id":"bd-2",'
        '"type":"blocks","created_at":"2025-10-14T19:35:00Z","created_by":"alice"}]}'
    ),
    # a plain target for the dependency above
    "go-closed-offset": (
        '{"id":"bd-2","title":"Closed with a reason","description":"","status":"closed",'
        '"priority":2,"issue_type":"task","created_at":"2025-10-14T12:00:00-07:00",'
        '"updated_at":"2025-10-14T13:00:00.5-07:00","closed_at":"2025-10-14T13:00:00.5-07:00",'
        '"close_reason":"Done in abc123","owner":"alice@example.com","created_by":"alice"}'
    ),
    # Go bd 1.x export: _type first, counts, omitempty description, hash id, hooked
    "go-1.x": (
        '{"_type":"issue","id":"bd-a3f8","title":"Agent hook","status":"hooked",'
        '"priority":0,"issue_type":"agent","assignee":"polecat","owner":"bob@example.com",'
        '"created_at":"2026-01-02T03:04:05.678+01:00","created_by":"bob",'
        '"updated_at":"2026-01-02T03:04:05.678+01:00","started_at":"2026-01-02T03:04:05+01:00",'
        '"source_system":"gastown","metadata":{"rig":"x","files":["a.go"]},'
        '"dependency_count":0,"dependent_count":1,"comment_count":0}'
    ),
    # hierarchical children nested to any depth, br's parent_child spelling
    "child": (
        '{"id":"bd-a3f8.1","title":"Child","status":"deferred","priority":2,'
        '"issue_type":"task","created_at":"2026-01-03T00:00:00Z","updated_at":'
        '"2026-01-03T00:00:00Z","defer_until":"2099-01-01T00:00:00Z","dependencies":'
        '[{"issue_id":"bd-a3f8.1","depends_on_id":"bd-a3f8","type":"parent_child",'
        '"created_at":"2026-01-03T00:00:00Z"}]}'
    ),
    "grandchild": (
        '{"id":"bd-a3f8.1.2","title":"Grandchild","status":"pinned","priority":3,'
        '"issue_type":"molecule","created_at":"2026-01-03T00:00:01Z",'
        '"updated_at":"2026-01-03T00:00:01Z","pinned":true,"mol_type":"swarm"}'
    ),
    # beads_rust: prefix with `_`, hierarchical, its own keys
    "br": (
        '{"id":"beads_rust-0v1.1","title":"br issue","description":"from br","status":'
        '"open","priority":2,"issue_type":"feature","created_at":"2026-01-05T10:00:00.000000Z",'
        '"updated_at":"2026-01-05T10:00:00.000000Z","source_repo":".","content_hash":'
        '"9f86d081884c7d659a2feaa0c55ad015","labels":[],"dependencies":[],"comments":[]}'
    ),
    # compound id, uppercase prefix, custom status and type, wisp fields
    "wisp": (
        '{"id":"bd-wisp-x1y","title":"Wisp","status":"review","priority":4,'
        '"issue_type":"merge-request","created_at":"2026-01-06T00:00:00Z",'
        '"updated_at":"2026-01-06T00:00:00Z","ephemeral":true,"wisp_type":"patrol"}'
    ),
    "upper": (
        '{"id":"ABC-7","title":"Upper prefix","status":"open","priority":2,'
        '"issue_type":"event","created_at":"2026-01-06T00:00:00Z","updated_at":'
        '"2026-01-06T00:00:00Z","comments":[{"id":"c1","issue_id":"ABC-7","author":"x",'
        '"text":"hi","created_at":"2026-01-06T00:00:01Z"}]}'
    ),
    # a file someone reformatted with spaces (the beads repository has such versions)
    "spaced": (
        '{"id": "proj.sub-12", "title": "Spaced out", "status": "open", "priority": 2, '
        '"issue_type": "chore", "created_at": "2026-01-07T00:00:00Z", '
        '"updated_at": "2026-01-07T00:00:00Z", "parent": "proj.sub-1", "agent_state": "idle"}'
    ),
    # upstream's soft-deletion
    "tombstone-status": (
        '{"id":"bd-9","title":"Gone","status":"tombstone","priority":2,"issue_type":"task",'
        '"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-08T00:00:00Z",'
        '"deleted_at":"2026-01-08T00:00:00Z","deleted_by":"carol","delete_reason":"dup",'
        '"original_type":"task"}'
    ),
    # not issues: kept as lines
    "memory": '{"_type":"memory","key":"deploy-notes","value":"use make \\u003cship\\u003e"}',
    "unknown-object": '{"note":"not an issue at all","n":1}',
}
