"""beads-ui 0.12.0 (npm) drives bd-trio in a real Chromium: `nox -s ui`.

The session installs beads-ui into a cache directory and Chromium + chromedriver from Debian
when they are missing (noxfile.py), then this test starts beads-ui's server (what `bdui start`
spawns, in the foreground here so the test owns it) on a free port, in a workspace of ours,
with `BD_BIN` pointing at our `bd`: once with no daemon (every call direct), once with a
daemon serving the CLI (beads-ui's own calls carry `--sandbox`, so they go direct beside it).
Selenium drives the system Chromium through the system chromedriver.

Screenshots of the three views go to $BD_UI_OUTPUT (the session's output directory).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

BD = str(Path(sys.executable).parent / "bd")
WAIT_S = 20.0  # a change must reach the page within this (watcher debounce + a refresh)


def beads_ui_dir() -> Path:
    found = Path(os.environ.get("BEADS_UI_DIR", "")) / "node_modules" / "beads-ui"
    if not (found / "server" / "index.js").exists():
        pytest.skip("beads-ui is not installed: run `nox -s ui` (it installs it)")
    return found


def output_dir() -> Path:
    out = Path(os.environ.get("BD_UI_OUTPUT", "ui-output"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Workspace:
    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env

    def bd(self, *args: str) -> Any:
        done = subprocess.run(
            [BD, *args, "--json"],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, f"bd {' '.join(args)}: {done.stderr}"
        return json.loads(done.stdout) if done.stdout.strip() else None

    def issue(self, issue_id: str) -> dict[str, Any]:
        shown = self.bd("show", issue_id)
        return shown[0] if isinstance(shown, list) else shown


@pytest.fixture(params=["direct", "daemon"])
def workspace(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    root = tmp_path / "project"
    root.mkdir()
    home = tmp_path / "home"  # beads-ui keeps a registry under ~/.beads: not the user's
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "BD_ACTOR": "tester",
        "GIT_AUTHOR_NAME": "tester",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "tester",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    for name in ("BEADS_DB", "BD_NO_DAEMON", "BD_REQUIRE_DAEMON", "BD_AUTO_START"):
        env.pop(name, None)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=env)
    ws = Workspace(root, env)
    ws.bd("init", "--prefix", "ui")
    if request.param == "daemon":
        ws.bd("daemon", "start")
        env["BD_REQUIRE_DAEMON"] = "1"  # the test's own CLI calls go through it, or fail
    try:
        yield ws
    finally:
        if request.param == "daemon":
            subprocess.run([BD, "daemon", "stop"], cwd=root, env=env, capture_output=True)


def seed(ws: Workspace) -> dict[str, str]:
    """One issue per board column, and an epic with a closed and an open child."""
    ids = {}
    ids["blocker"] = ws.bd("create", "Design the schema", "-p", "1")["id"]
    ids["blocked"] = ws.bd("create", "Write the migration", "-p", "2")["id"]
    ws.bd("dep", "add", ids["blocked"], ids["blocker"])
    ids["working"] = ws.bd("create", "Hash passwords", "-p", "1")["id"]
    ws.bd("update", ids["working"], "--status", "in_progress", "--assignee", "tester")
    ids["done"] = ws.bd("create", "Pick a framework", "-p", "3")["id"]
    ws.bd("close", ids["done"], "--reason", "Chose trio")
    ids["epic"] = ws.bd("create", "Login epic", "-t", "epic", "-p", "1")["id"]
    for child in ("working", "done"):
        ws.bd("dep", "add", ids[child], ids["epic"], "--type", "parent-child")
    return ids


@pytest.fixture
def ui(workspace: Workspace) -> Iterator[str]:
    """beads-ui's server on a free port in the workspace; its URL."""
    package = beads_ui_dir()
    port = free_port()
    env = {**workspace.env, "BD_BIN": BD, "PORT": str(port), "HOST": "127.0.0.1"}
    env.pop("BD_REQUIRE_DAEMON", None)  # beads-ui's calls are --sandbox: direct by design
    log = (workspace.root.parent / "bdui.log").open("w")
    server = subprocess.Popen(
        ["node", str(package / "server" / "index.js"), "--port", str(port)],
        cwd=workspace.root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    text = (workspace.root.parent / "bdui.log").read_text()
                    pytest.fail(f"beads-ui did not start: {text}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[WebDriver]:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1700,1000",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(what: str, check: Callable[[], Any], timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except (WebDriverException, AssertionError, KeyError) as exc:
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} ({last})")


def no_error_dialog(driver: WebDriver) -> None:
    shown = [
        e.text
        for e in driver.find_elements(By.CSS_SELECTOR, "dialog, .fatal-error")
        if e.is_displayed()
    ]
    assert not shown, f"error dialog: {shown}"
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "Failed to load" not in body, body[:500]


def open_view(driver: WebDriver, url: str, view: str) -> WebElement:
    driver.get(f"{url}/#/{view}")
    return wait_for(
        f"the {view} view",
        lambda: next(
            (s for s in driver.find_elements(By.CSS_SELECTOR, f"#{view}-root") if s.is_displayed()),
            None,
        ),
    )


def card_column(driver: WebDriver, issue_id: str) -> str | None:
    cards = driver.find_elements(By.CSS_SELECTOR, f'.board-card[data-issue-id="{issue_id}"]')
    if not cards:
        return None
    column = cards[0].find_element(By.XPATH, "ancestor::section[contains(@class,'board-column')]")
    return column.get_attribute("id")


def test_beads_ui_drives_bd(browser: WebDriver, workspace: Workspace, ui: str) -> None:
    ids = seed(workspace)
    shots = output_dir()
    mode = "daemon" if workspace.env.get("BD_REQUIRE_DAEMON") else "direct"

    # Issues: every issue listed, no error.
    open_view(browser, ui, "issues")
    wait_for("the issue list", lambda: ids["epic"] in browser.find_element(By.ID, "list-root").text)
    listed = browser.find_element(By.ID, "list-root").text
    for issue_id in ids.values():
        assert issue_id in listed
    no_error_dialog(browser)
    browser.save_screenshot(str(shots / f"issues-{mode}.png"))

    # Epics: the epic with one of its two children closed.
    epics = open_view(browser, ui, "epics")
    wait_for("the epic's progress", lambda: "Login epic" in epics.text and "1/2" in epics.text)
    wait_for("the epic's children", lambda: "Hash passwords" in epics.text)
    no_error_dialog(browser)
    browser.save_screenshot(str(shots / f"epics-{mode}.png"))

    # Board: each issue in its column.
    open_view(browser, ui, "board")
    expected = {
        "blocked": "blocked-col",
        "blocker": "ready-col",
        "epic": "ready-col",
        "working": "in-progress-col",
        "done": "closed-col",
    }
    for key, column in expected.items():
        wait_for(f"{key} in {column}", lambda i=ids[key], c=column: card_column(browser, i) == c)
    no_error_dialog(browser)
    browser.save_screenshot(str(shots / f"board-{mode}.png"))

    # An issue made with the CLI (through the daemon in daemon mode) shows up by itself.
    made = workspace.bd("create", "Filed by an agent", "-p", "0")["id"]
    wait_for("the CLI's issue on the board", lambda: card_column(browser, made) == "ready-col")

    # Drag a card from Ready to In progress: the status reaches the database.
    browser.execute_script(
        """
        const [id, target] = arguments;
        const dt = new DataTransfer();
        dt.setData('text/plain', id);
        const body = document.querySelector('#' + target + ' .board-column__body');
        body.dispatchEvent(new DragEvent('dragover', {bubbles: true, dataTransfer: dt}));
        body.dispatchEvent(new DragEvent('drop', {bubbles: true, dataTransfer: dt}));
        """,
        made,
        "in-progress-col",
    )
    wait_for("the dropped status", lambda: workspace.issue(made)["status"] == "in_progress")
    wait_for("the card in In progress", lambda: card_column(browser, made) == "in-progress-col")

    # "New issue" in the UI: stored.
    browser.find_element(By.ID, "new-issue-btn").click()
    title = wait_for("the new-issue form", lambda: browser.find_element(By.ID, "new-title"))
    title.send_keys("Made in the browser")
    Select(browser.find_element(By.ID, "new-type")).select_by_value("bug")
    browser.find_element(By.ID, "new-description").send_keys("Typed into beads-ui")
    browser.find_element(By.ID, "btn-create").click()
    stored = wait_for(
        "the browser's issue in the database",
        lambda: [i for i in workspace.bd("list") if i["title"] == "Made in the browser"],
    )
    assert stored[0]["issue_type"] == "bug"
    assert stored[0]["description"] == "Typed into beads-ui"
    new_id = stored[0]["id"]

    # An inline status change in the issue list reaches the database.
    open_view(browser, ui, "issues")
    row_select = (
        f"//div[@id='list-root']//tr[.//*[normalize-space()='{new_id}']]"
        "//select[contains(@class,'badge--status')]"
    )
    select = wait_for("the new issue's row", lambda: browser.find_element(By.XPATH, row_select))
    Select(select).select_by_value("in_progress")
    wait_for("the inline status", lambda: workspace.issue(new_id)["status"] == "in_progress")
    no_error_dialog(browser)


def detail(driver: WebDriver, url: str, issue_id: str) -> WebElement:
    """The issue's detail (beads-ui opens it as a dialog over the list)."""
    driver.get(f"{url}/#/issues?issue={issue_id}")
    driver.refresh()  # a page of its own, even when it showed this issue already
    return wait_for(
        "the issue's detail",
        lambda: next(
            (
                e
                for e in driver.find_elements(By.ID, "issue-dialog")
                if e.is_displayed() and issue_id in e.text and "Properties" in e.text
            ),
            None,
        ),
    )


def test_beads_ui_edits_an_issue(browser: WebDriver, workspace: Workspace, ui: str) -> None:
    """The detail view's inline edits: title, label, comment, then delete. After each step
    the detail is opened afresh and must show it. (Why not wait on the open page: beads-ui
    takes `bd show --json`'s array, as Go bd prints it, for the issue itself, and shows the
    change only once its subscription pushes the issue again, which may have happened just
    before: a race of beads-ui's own, with Go bd too.)"""
    issue_id = workspace.bd("create", "Edit me", "-p", "2")["id"]
    detail(browser, ui, issue_id)

    def find(how: str, what: str) -> WebElement:
        return wait_for(what, lambda: detail_root(browser, issue_id).find_element(how, what))

    find(By.CSS_SELECTOR, ".detail-title [aria-label='Edit title']").click()
    field = find(By.CSS_SELECTOR, "h2 input")
    field.clear()
    field.send_keys("Edited in the browser")
    find(By.XPATH, ".//h2//button[normalize-space()='Save']").click()
    wait_for("the title", lambda: workspace.issue(issue_id)["title"] == "Edited in the browser")
    reopened = detail(browser, ui, issue_id)
    wait_for("the title shown", lambda: "Edited in the browser" in reopened.text)

    find(By.CSS_SELECTOR, ".labels input[placeholder='Label']").send_keys("frontend")
    add = find(By.XPATH, ".//div[contains(@class,'labels')]//button[.='Add']")
    add.click()
    wait_for("the label", lambda: workspace.issue(issue_id)["labels"] == ["frontend"])
    reopened = detail(browser, ui, issue_id)
    wait_for("the label shown", lambda: "frontend" in reopened.text)

    find(By.CSS_SELECTOR, ".comment-input textarea").send_keys("Looks right")
    add = find(By.XPATH, ".//button[normalize-space()='Add Comment']")
    wait_for("the comment button enabled", add.is_enabled)  # once the page re-rendered
    add.click()
    wait_for(
        "the comment",
        lambda: [c["text"] for c in workspace.bd("comments", issue_id)] == ["Looks right"],
    )
    reopened = detail(browser, ui, issue_id)
    wait_for("the comment shown", lambda: "Looks right" in reopened.text)
    no_error_dialog_except_detail(browser)

    find(By.CSS_SELECTOR, ".delete-issue-btn").click()
    wait_for("the delete confirmation", lambda: browser.find_element(By.ID, "delete-confirm-btn"))
    browser.find_element(By.ID, "delete-confirm-btn").click()
    wait_for(
        "the deletion",
        lambda: issue_id not in {i["id"] for i in workspace.bd("list", "--status", "all")},
    )


def detail_root(driver: WebDriver, issue_id: str) -> WebElement:
    (shown,) = [
        e
        for e in driver.find_elements(By.ID, "issue-dialog")
        if e.is_displayed() and issue_id in e.text
    ]
    return shown


def no_error_dialog_except_detail(driver: WebDriver) -> None:
    """The detail itself is a dialog: no error one besides it."""
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "Failed to load" not in body and "Command failed" not in body, body[:500]
