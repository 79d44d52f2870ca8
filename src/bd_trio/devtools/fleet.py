"""A fleet of clones racing one remote, for the test suite and the benchmarks.

`Fleet.create(base, n, daemons)` makes a bare remote and `n` clones of it (the first `daemons`
of them served by a real daemon with auto-sync on), `race(rounds)` starts one agent process
per clone, all released at the same instant; each agent does `rounds` times: create an issue,
update an issue it knows (often one another clone made), `bd sync`. Then `converge()` has
every clone sync (all at once, in passes) until all hold the same issues.jsonl, and `check()`
says whether every issue made is there exactly once in every clone.

Everything is real: git, `bd` processes (`python -m bd_trio`), daemons on their sockets.
Run an agent by hand: `python -m bd_trio.devtools.fleet CLONE ROUNDS START_AT`.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GIT_ENV = {
    "GIT_AUTHOR_NAME": "fleet",
    "GIT_AUTHOR_EMAIL": "fleet@example.com",
    "GIT_COMMITTER_NAME": "fleet",
    "GIT_COMMITTER_EMAIL": "fleet@example.com",
    "NO_COLOR": "1",
}
# The daemons' auto-sync interval in a race: half a second per clone (at least 2 s), the
# arrangement the README recommends (one remote takes a push in about that time here).
SECONDS_PER_CLONE = 0.5
CONVERGE_PASSES = 6


def env(clone: Path | None = None, daemon: bool = False) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k not in ("BEADS_DB", "BD_SOCKET")}
    out.update(GIT_ENV)
    if clone is not None:
        out["BD_ACTOR"] = clone.name
    out["BD_REQUIRE_DAEMON" if daemon else "BD_NO_DAEMON"] = "1"
    return out


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env(), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {cwd}: {proc.stderr}")
    return proc.stdout


def bd(cwd: Path, *args: str, daemon: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bd_trio", *args],
        cwd=cwd,
        env=env(cwd, daemon),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@dataclass
class Fleet:
    base: Path
    remote: Path
    clones: list[Path]
    daemons: int  # the first `daemons` clones have a daemon
    results: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        base: Path,
        n: int,
        daemons: int,
        auto_sync: str | None = None,
        id_mode: str = "sequential",
    ) -> Fleet:
        auto_sync = auto_sync or f"{max(2.0, SECONDS_PER_CLONE * n):g}s"
        base.mkdir(parents=True, exist_ok=True)
        remote = base / "remote.git"
        git(base, "init", "-q", "--bare", "-b", "main", str(remote))
        seed = base / "seed"
        git(base, "clone", "-q", str(remote), str(seed))
        (seed / "README").write_text("fleet\n")
        git(seed, "add", "README")
        git(seed, "commit", "-q", "-m", "start")
        git(seed, "push", "-q", "origin", "HEAD:main")
        for args in (("init", "--prefix", "bd", "--id-mode", id_mode, "-q"), ("sync",)):
            done = bd(seed, *args)
            if done.returncode != 0:
                raise RuntimeError(f"bd {args}: {done.stderr}")
        clones = []
        for i in range(n):
            path = base / f"c{i:02d}"
            git(base, "clone", "-q", str(remote), str(path))
            clones.append(path)
        fleet = cls(base, remote, clones, daemons)
        for path in clones[:daemons]:
            started = bd(path, "daemon", "start", "--auto-sync", auto_sync, daemon=False)
            if started.returncode != 0:
                fleet.stop()
                raise RuntimeError(f"daemon start in {path}: {started.stderr}")
        return fleet

    def has_daemon(self, clone: Path) -> bool:
        return self.clones.index(clone) < self.daemons

    def stop(self) -> None:
        for path in self.clones[: self.daemons]:
            bd(path, "daemon", "stop")

    def race(self, rounds: int) -> list[dict[str, Any]]:
        """Every clone's agent at once; the result of each `bd sync` they ran."""
        start_at = time.time() + 0.5 + 0.05 * len(self.clones)  # all started by then
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bd_trio.devtools.fleet",
                    str(path),
                    str(rounds),
                    repr(start_at),
                    "daemon" if self.has_daemon(path) else "direct",
                ],
                cwd=path,
                env=env(path),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for path in self.clones
        ]
        results: list[dict[str, Any]] = []
        for path, proc in zip(self.clones, procs, strict=True):
            stdout, stderr = proc.communicate(timeout=900)
            if proc.returncode != 0:
                raise RuntimeError(f"agent in {path} failed: {stderr}")
            results.extend(json.loads(line) for line in stdout.splitlines() if line.strip())
        self.results.extend(results)
        return results

    def converge(self) -> tuple[float, int, list[dict[str, Any]]]:
        """Every clone syncs (all at once) until all hold the same issues.jsonl: seconds it
        took, passes made, and each of those syncs' results."""
        started = time.perf_counter()
        results: list[dict[str, Any]] = []
        for passes in range(1, CONVERGE_PASSES + 1):
            procs = [
                subprocess.Popen(
                    [sys.executable, "-m", "bd_trio", "sync", "--json"],
                    cwd=path,
                    env=env(path, self.has_daemon(path)),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for path in self.clones
            ]
            for path, proc in zip(self.clones, procs, strict=True):
                stdout, stderr = proc.communicate(timeout=600)
                results.append(_sync_result(path, proc.returncode, stdout, stderr, 0.0))
            if self.identical():
                return time.perf_counter() - started, passes, results
        return time.perf_counter() - started, CONVERGE_PASSES, results

    def files(self) -> list[bytes]:
        return [(path / ".beads" / "issues.jsonl").read_bytes() for path in self.clones]

    def identical(self) -> bool:
        return len(set(self.files())) == 1

    def check(self, rounds: int) -> dict[str, Any]:
        """Every issue made is in every clone exactly once (by its title), no id twice."""
        expected = {f"{path.name} #{r}" for path in self.clones for r in range(rounds)}
        problems = []
        for path, data in zip(self.clones, self.files(), strict=True):
            titles: dict[str, int] = {}
            ids: dict[str, int] = {}
            for line in data.decode().splitlines():
                record = json.loads(line)
                if record.get("tombstone"):
                    continue
                titles[record["title"]] = titles.get(record["title"], 0) + 1
                ids[record["id"]] = ids.get(record["id"], 0) + 1
            missing = expected - set(titles)
            doubled = [t for t, count in titles.items() if count > 1]
            doubled += [i for i, count in ids.items() if count > 1]
            if missing or doubled:
                problems.append(f"{path.name}: missing {sorted(missing)}, twice {doubled}")
        return {"issues": len(expected), "exactly_once": not problems, "problems": problems}


def _sync_result(
    clone: Path, code: int, stdout: str, stderr: str, seconds: float
) -> dict[str, Any]:
    result: dict[str, Any] = {"clone": clone.name, "ok": code == 0, "seconds": seconds}
    if code == 0:
        summary = json.loads(stdout)
        result.update(attempts=summary["attempts"], rejected=summary["rejected"],
                      pushed=summary["pushed"])  # fmt: skip
    else:
        result["error"] = stderr.strip()[-500:]
    return result


def agent(clone: Path, rounds: int, start_at: float, daemon: bool) -> None:
    """One clone's work: create, update, sync, `rounds` times; a JSON line per sync."""
    rng = random.Random(clone.name)
    time.sleep(max(0.0, start_at - time.time()))
    for r in range(rounds):
        made = bd(clone, "create", f"{clone.name} #{r}", "--json", daemon=daemon)
        if made.returncode != 0:
            raise SystemExit(f"create failed in {clone}: {made.stderr}")
        try:  # a daemon exports after a quiet moment: the file may not be there yet
            lines = (clone / ".beads" / "issues.jsonl").read_text().splitlines()
        except FileNotFoundError:
            lines = []
        known = [
            json.loads(line)["id"]
            for line in lines
            if line.strip() and not json.loads(line).get("tombstone")
        ]
        if known:
            target = rng.choice(known)
            bd(clone, "update", target, "--notes", f"{clone.name} round {r}", daemon=daemon)
        started = time.perf_counter()
        done = bd(clone, "sync", "--json", daemon=daemon)
        seconds = time.perf_counter() - started
        result = _sync_result(clone, done.returncode, done.stdout, done.stderr, seconds)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    agent(Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4] == "daemon")
