"""`bd` as a real subprocess: the representative commands, end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import BdRunner, jsonl_lines, run_bd_process, subprocess_env


def test_session_of_an_agent(bd_proc: BdRunner, repo: Path) -> None:
    epic = bd_proc("create", "Ship v1", "-t", "epic", "-p", "0", "--json").ok().json()
    task = bd_proc("create", "Write parser", "--json").ok().json()
    bd_proc("dep", "add", task["id"], epic["id"], "-t", "parent-child").ok()
    blocker = bd_proc("create", "Design schema", "-p", "1", "--json").ok().json()
    bd_proc("dep", "add", task["id"], blocker["id"]).ok()
    ready = [i["id"] for i in bd_proc("ready", "--json").ok().json()]
    assert ready == [epic["id"], blocker["id"]]
    bd_proc("update", blocker["id"], "-s", "in_progress", "--json").ok()
    bd_proc("close", blocker["id"], "-r", "done").ok()
    ready = [i["id"] for i in bd_proc("ready", "--json").ok().json()]
    assert ready == [epic["id"], task["id"]]
    bd_proc("label", "add", task["id"], "backend").ok()
    shown = bd_proc("show", task["id"], "--json").ok().json()[0]
    assert shown["labels"] == ["backend"]
    assert {d["id"] for d in shown["dependencies"]} == {epic["id"], blocker["id"]}
    assert "Found 3 issues:" in bd_proc("list").ok().stdout
    human = bd_proc("show", task["id"]).ok().stdout
    assert f"{task['id']}: Write parser" in human and "Depends on (2):" in human
    exported = bd_proc("export").ok().stdout
    assert exported == (repo / ".beads" / "issues.jsonl").read_text()
    assert [r["id"] for r in jsonl_lines(repo)] == ["bd-1", "bd-2", "bd-3"]


def test_json_goes_to_stdout_only_and_errors_to_stderr(bd_proc: BdRunner) -> None:
    run = bd_proc("show", "bd-77", "--json")
    assert run.exit_code == 1
    assert json.loads(run.stdout) == []
    assert "bd-77 not found" in run.stderr
    usage = bd_proc("create", "--priority")
    assert usage.exit_code == 2


def test_import_from_stdin_and_python_dash_m(bd_proc: BdRunner, repo: Path) -> None:
    line = json.dumps({"id": "bd-3", "title": "imported", "created_at": "2020-01-01T00:00:00Z"})
    run = bd_proc("import", "--json", input=line + "\n")
    assert run.ok().json()["created"] == 1
    assert "Import complete: 1 created" in run.stderr
    assert bd_proc("create", "after", "--json").ok().json()["id"] == "bd-4"


def test_fresh_clone_with_only_jsonl_and_config_is_usable(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    origin.mkdir()
    run_bd_process(origin, "init", "--prefix", "pr", "-q").ok()
    run_bd_process(origin, "create", "shared issue").ok()
    clone = tmp_path / "clone"
    (clone / ".beads").mkdir(parents=True)
    for name in ("issues.jsonl", "config.json"):
        (clone / ".beads" / name).write_bytes((origin / ".beads" / name).read_bytes())
    listed = run_bd_process(clone, "list", "--json").ok().json()
    assert [i["title"] for i in listed] == ["shared issue"]
    assert run_bd_process(clone, "create", "next", "--json").ok().json()["id"] == "pr-2"


def _modules_after(cwd: Path, code: str) -> set[str]:
    probe = (
        f"import sys\n{code}\nprint(','.join(sorted({{m.split('.')[0] for m in sys.modules}})))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=subprocess_env(),
        check=True,
    )
    return set(proc.stdout.strip().splitlines()[-1].split(","))


def test_cli_never_imports_trio(repo: Path) -> None:
    run_bd_process(repo, "init", "-q").ok()
    everything = _modules_after(
        repo,
        "import pkgutil, importlib, bd_trio.cli.commands as c\n"
        "from bd_trio.cli.typerapp import build_app; build_app()\n"
        "for m in pkgutil.iter_modules(c.__path__):\n"
        "    importlib.import_module(f'{c.__name__}.{m.name}')",
    )
    assert "trio" not in everything
    # A direct-mode call loads neither trio nor the CBOR codec it does not need.
    ready = _modules_after(
        repo,
        "from bd_trio.cli.main import main\n"
        "try:\n    main(['ready', '--json', '--no-daemon'])\nexcept SystemExit:\n    pass",
    )
    assert "bd_trio" in ready
    assert not {"trio", "cbor2"} & ready
