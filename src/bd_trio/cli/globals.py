"""Global flags, accepted anywhere on the command line (`bd create T -p 1 --json`).

They are taken out of argv before typer parses the rest, so every command accepts them in
any position without declaring them. Parsing stops at `--`.
"""

from __future__ import annotations

from bd_trio.actor import default_actor

FLAGS = {
    "--json": "json",
    "--no-daemon": "no_daemon",
    "--no-auto-flush": "no_auto_flush",
    "--no-auto-import": "no_auto_import",
}
VALUED = {"--db": "db", "--actor": "actor"}
# What `bd --help` says of each (typerapp.py declares them from this, for the help only).
HELP = {
    "--json": "JSON on stdout (anywhere on the line)",
    "--db": "Database path (else $BEADS_DB, else search)",
    "--actor": "Who acts (else $BD_ACTOR, $USER)",
    "--no-daemon": "Open the database directly",
    "--no-auto-flush": "Do not export JSONL",
    "--no-auto-import": "Do not import JSONL",
}


class GlobalOptions:
    # A plain class, not a dataclass: importing dataclasses costs a CLI call ~5 ms.
    __slots__ = ("actor", "db", "json", "no_auto_flush", "no_auto_import", "no_daemon")

    def __init__(self) -> None:
        self.json = False
        self.db: str | None = None
        self.actor: str | None = None
        self.no_daemon = False
        self.no_auto_flush = False
        self.no_auto_import = False

    def resolved_actor(self) -> str:
        return default_actor(self.actor)


class GlobalFlagError(Exception):
    pass


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
    return opts, rest


# The options of the command being run (set by main before typer dispatches).
current = GlobalOptions()
