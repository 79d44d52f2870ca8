"""Global flags, accepted anywhere on the command line (`bd create T -p 1 --json`).

They are taken out of argv before typer parses the rest, so every command accepts them in
any position without declaring them. Parsing stops at `--`. The set is current Go bd's
(`bd --help`), so tools written for it (beads-ui puts `--sandbox` first on every call) work
unchanged; HELP below says what each does here, and docs/CLI.md is generated from it.
"""

from __future__ import annotations

from bd_trio.actor import default_actor

# Flags without a value: every spelling -> the GlobalOptions attribute it sets.
FLAGS = {
    "--json": "json",
    "--no-daemon": "no_daemon",
    "--no-auto-flush": "no_auto_flush",
    "--no-auto-import": "no_auto_import",
    "--sandbox": "sandbox",
    "--readonly": "readonly",
    "--allow-stale": "allow_stale",
    "--quiet": "quiet",
    "-q": "quiet",
    "--verbose": "verbose",
    "-v": "verbose",
}
VALUED = {"--db": "db", "--actor": "actor", "--lock-timeout": "lock_timeout"}
METAVARS = {"--db": "PATH", "--actor": "NAME", "--lock-timeout": "DURATION"}
# What `bd --help` and docs/CLI.md say of each (keyed by the long spelling).
HELP = {
    "--json": "JSON on stdout (anywhere on the line)",
    "--db": "Database path (else $BEADS_DB, else search)",
    "--actor": "Who acts (else $BD_ACTOR, $USER)",
    "--no-daemon": "Open the database directly",
    "--no-auto-flush": "Do not export JSONL",
    "--no-auto-import": "Do not import JSONL",
    "--sandbox": "Sandbox mode (as bd): no daemon (neither used nor started), no JSONL import "
    "or export, lock timeout 100ms unless --lock-timeout is given; only the command's own "
    "write changes the database",
    "--readonly": "Refuse every operation that would write (exit 1, nothing changed); no "
    "JSONL import or export either",
    "--allow-stale": "Accepted for bd's sake; a no-op here: bd refuses to read a database "
    "older than issues.jsonl unless given this, bd-trio imports the newer file instead "
    "(--no-auto-import skips that)",
    "--lock-timeout": "How long direct mode waits for SQLite's write lock (bd's busy "
    "timeout: 30s, 100ms, 0 = fail at once; default 30s). The daemon never waits on a lock",
    "--quiet": "Errors only: no notices, warnings or progress on stderr",
    "--verbose": "Debug output on stderr: which backend serves the command, each operation "
    "and its time",
}
DEFAULT_LOCK_TIMEOUT_S = 30.0
SANDBOX_LOCK_TIMEOUT_S = 0.1  # bd's sandbox default


class GlobalOptions:
    # A plain class, not a dataclass: importing dataclasses costs a CLI call ~5 ms.
    __slots__ = (
        "actor",
        "allow_stale",
        "db",
        "json",
        "lock_timeout",
        "no_auto_flush",
        "no_auto_import",
        "no_daemon",
        "quiet",
        "readonly",
        "sandbox",
        "verbose",
    )

    def __init__(self) -> None:
        self.json = False
        self.db: str | None = None
        self.actor: str | None = None
        self.no_daemon = False
        self.no_auto_flush = False
        self.no_auto_import = False
        self.sandbox = False
        self.readonly = False
        self.allow_stale = False
        self.quiet = False
        self.verbose = False
        self.lock_timeout: str | None = None

    def resolved_actor(self) -> str:
        return default_actor(self.actor)

    def lock_timeout_s(self) -> float:
        """The busy timeout of direct mode, in seconds (checked by `extract`)."""
        if self.lock_timeout is not None:
            seconds = _seconds(self.lock_timeout)
            assert seconds is not None  # extract refused anything else
            return seconds
        return SANDBOX_LOCK_TIMEOUT_S if self.sandbox else DEFAULT_LOCK_TIMEOUT_S

    def direct_only(self) -> bool:
        return self.no_daemon or self.sandbox

    def auto_import(self) -> bool:
        return not (self.no_auto_import or self.sandbox or self.readonly)

    def auto_flush(self) -> bool:
        return not (self.no_auto_flush or self.sandbox or self.readonly)


class GlobalFlagError(Exception):
    pass


def _seconds(text: str) -> float | None:
    # Imported here: only a line with --lock-timeout pays for it.
    from bd_trio.model.durations import parse_duration

    return parse_duration(text)


def extract(argv: list[str]) -> tuple[GlobalOptions, list[str]]:
    opts = GlobalOptions()
    rest: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--":
            rest.extend(argv[index:])
            break
        if token in FLAGS:
            setattr(opts, FLAGS[token], True)
        elif token in VALUED:
            if index + 1 >= len(argv):
                raise GlobalFlagError(f"option {token} requires a value")
            index += 1
            setattr(opts, VALUED[token], argv[index])
        elif token.split("=", 1)[0] in VALUED and "=" in token:
            name, value = token.split("=", 1)
            setattr(opts, VALUED[name], value)
        else:
            rest.append(token)
        index += 1
    if opts.lock_timeout is not None and _seconds(opts.lock_timeout) is None:
        raise GlobalFlagError(
            f"--lock-timeout {opts.lock_timeout!r} is not a duration: use e.g. 30s, 100ms, 1m, "
            "or 0 to fail at once when the database is locked"
        )
    return opts, rest


def spellings() -> dict[str, list[str]]:
    """Each attribute's spellings, long first (`bd --help`, docs/CLI.md)."""
    by_attr: dict[str, list[str]] = {}
    for flag, attr in {**FLAGS, **VALUED}.items():
        by_attr.setdefault(attr, []).append(flag)
    return by_attr


# The options of the command being run (set by main before typer dispatches).
current = GlobalOptions()
