"""Browser journeys: Playwright drives Debian's Chromium against a real `runserver`.

The server runs in a subprocess on a fresh SQLite database in a temporary data directory, with
the demo programme loaded (REINTEGRA_DEMO=1: personas, password `reintegra-demo`, no MFA).
The migrated demo is built once per version of the code (and per day) in the temporary
directory and copied for each run, so every run starts from the pristine demo (see
_prepare_data_dir; REINTEGRA_E2E_FRESH=1 forces a rebuild).
Journeys act through the browser only; `demo_data` reads the demo database to pick records.
Each test gets fresh browser contexts (`browsing.signed_in("cm.tamba")`); on failure every open
page is saved as a full-page screenshot in test-results/.

These tests never touch pytest-django's test database: they must not request `db`,
`transactional_db` or the `django_db` marker (a guard below fails any test that does).

Run with `make e2e` (or `REINTEGRA_ALLOW_INSECURE_KEY=1 .venv/bin/pytest e2e`); every test here is
marked `e2e` automatically.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this process; pytest-django's own fixtures would
# otherwise trip Django's async-safety check.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("REINTEGRA_ALLOW_INSECURE_KEY", "1")

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
CHROMIUM = os.environ.get("REINTEGRA_E2E_CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "reintegra-demo"
SERVER_START_TIMEOUT = 60.0
DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _no_test_database(request: pytest.FixtureRequest) -> None:
    """e2e tests talk to the server over HTTP only; the pytest-django test DB is not theirs."""
    used = DB_FIXTURES.intersection(request.fixturenames)
    if used or request.node.get_closest_marker("django_db"):
        pytest.fail(
            "e2e tests must not use the test database "
            f"(fixtures: {sorted(used) or '-'}); drive the server through the browser"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # A fresh embedded database and no external services, whatever the caller's shell says.
        if not key.startswith("REINTEGRA_")
        and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "REINTEGRA_DEMO": "1",
            "REINTEGRA_DATA_DIR": str(data_dir),
            "REINTEGRA_LOG_LEVEL": os.environ.get("REINTEGRA_E2E_LOG_LEVEL", "WARNING"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(  # noqa: S603
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"runserver exited with {process.returncode}:\n{log.read_text()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310
                return
        except urllib.error.HTTPError:
            return  # It answers (a redirect to sign in, a 404…): it is up.
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.2)
    raise RuntimeError(
        f"runserver did not answer within {SERVER_START_TIMEOUT}s:\n{log.read_text()[-4000:]}"
    )


def _demo_key() -> str:
    """What the prepared demo data depends on: the code that writes it, the static files, and
    the day (the demo's dates are relative to the day it is loaded)."""
    digest = hashlib.sha256(date.today().isoformat().encode())
    files: list[Path] = []
    for top in ("reintegra", "config"):
        files += [p for p in (ROOT / top).rglob("*.py") if "tests" not in p.parts]
    files += [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    files += [ROOT / "manage.py", ROOT / "uv.lock"]
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _build_demo(target: Path) -> None:
    """Migrate, load the demo programme and collect the static files into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    env = _server_env(target)
    log = target / "collectstatic.log"
    with log.open("wb") as out:
        # DEBUG is off: pages use the hashed-name manifest, so collect into <data dir>/static.
        # It needs no database: run it while the demo loads.
        collect = subprocess.Popen(  # noqa: S603
            [str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _manage(env, "migrate", "--noinput")
        _manage(env, "demo", "load")
    finally:
        returncode = collect.wait(timeout=600)
    if returncode != 0:
        raise RuntimeError(f"collectstatic failed ({returncode}):\n{log.read_text()[-4000:]}")


def _prepare_data_dir(data_dir: Path) -> None:
    """A fresh copy of the migrated demo programme in `data_dir`.

    Loading the demo takes a minute or more, so the prepared data directory is kept in the
    temporary directory under a key of the code it depends on (see _demo_key) and copied for
    each run: every run still starts from the pristine demo. REINTEGRA_E2E_FRESH=1 rebuilds.
    """
    cache_root = Path(tempfile.gettempdir())
    cache = cache_root / f"reintegra-e2e-demo-{_demo_key()}"
    if os.environ.get("REINTEGRA_E2E_FRESH") == "1" or not (cache / "ready").exists():
        build = Path(tempfile.mkdtemp(prefix="reintegra-e2e-build-", dir=cache_root))
        try:
            _build_demo(build)
            (build / "ready").touch()
            shutil.rmtree(cache, ignore_errors=True)
            build.rename(cache)
        except OSError:
            if not (cache / "ready").exists():  # Not another session's build winning the race.
                raise
        finally:
            shutil.rmtree(build, ignore_errors=True)
        for old in cache_root.glob("reintegra-e2e-demo-*"):
            if old != cache:
                shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(cache, data_dir, dirs_exist_ok=True)


@pytest.fixture(scope="session")
def e2e_data_dir() -> Iterator[Path]:
    reused = os.environ.get("REINTEGRA_E2E_DATA_DIR")
    if reused:  # A demo server already running on this data directory (see live_server_url).
        yield Path(reused)
        return
    with tempfile.TemporaryDirectory(prefix="reintegra-e2e-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="session")
def live_server_url(e2e_data_dir: Path) -> Iterator[str]:
    """Base URL (no trailing slash) of a demo server on a fresh SQLite database.

    While writing journeys, REINTEGRA_E2E_BASE_URL=http://127.0.0.1:8000 (with
    REINTEGRA_E2E_DATA_DIR=<its data dir>) drives a demo server you started yourself instead.
    """
    reused = os.environ.get("REINTEGRA_E2E_BASE_URL")
    if reused:
        yield reused.rstrip("/")
        return
    env = _server_env(e2e_data_dir)
    _prepare_data_dir(e2e_data_dir)
    port = _free_port()
    log = e2e_data_dir / "runserver.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [str(PYTHON), "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base_url}/accounts/login/", process, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server_url: str) -> str:
    return live_server_url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


RESULTS_DIR = ROOT / "test-results"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so fixtures know whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    return any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


class Browsing:
    """The browser contexts of one test: each `new_page()` is a fresh context (cookies, storage).

    On failure every page still open is saved to test-results/<test>-<n>.png (full page) with
    its URL, so a red journey shows where it stopped. JavaScript errors fail the test.
    """

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.pages: list[Page] = []
        self.js_errors: list[str] = []

    def new_context(self, **options: Any) -> BrowserContext:
        options.setdefault("locale", "en-GB")
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(30_000)
        self.contexts.append(context)
        return context

    def new_page(self, context: BrowserContext | None = None, **options: Any) -> Page:
        page = (context or self.new_context(**options)).new_page()
        page.on("pageerror", lambda exc: self.js_errors.append(f"{page.url}: {exc}"))
        # data-confirm asks window.confirm(): the journeys say yes.
        page.on("dialog", lambda dialog: dialog.accept())
        self.pages.append(page)
        return page

    def signed_in(self, username: str, **options: Any) -> Page:
        """A fresh context signed in as `username` (on the home page)."""
        page = self.new_page(**options)
        sign_in(page, self.base_url, username)
        return page

    def screenshots(self, name: str) -> list[Path]:
        RESULTS_DIR.mkdir(exist_ok=True)
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:120]
        saved = []
        for number, page in enumerate(self.pages, start=1):
            if page.is_closed():
                continue
            path = RESULTS_DIR / f"{slug}-{number}.png"
            try:
                page.screenshot(path=str(path), full_page=True, timeout=10_000)
                path.with_suffix(".url").write_text(page.url + "\n")
                saved.append(path)
            except Exception as exc:  # noqa: BLE001 - a screenshot must not hide the failure
                print(f"screenshot of {page.url} failed: {exc}")  # noqa: T201
        return saved

    def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):  # closing after a crash
                context.close()


@pytest.fixture
def browsing(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Browsing]:
    session = Browsing(browser, base_url)
    try:
        yield session
        if _failed(request):
            for path in session.screenshots(request.node.name):
                print(f"screenshot: {path}")  # noqa: T201
    finally:
        session.close()
    if session.js_errors and not _failed(request):
        pytest.fail(f"JavaScript errors on the page: {session.js_errors}")


@pytest.fixture
def context(browsing: Browsing) -> BrowserContext:
    """A fresh browser context (cookies, storage) per test."""
    return browsing.new_context()


@pytest.fixture
def page(browsing: Browsing, context: BrowserContext) -> Page:
    return browsing.new_page(context)


def sign_in(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    with page.expect_navigation() as navigation:
        page.click("form.login-form button[type=submit]")
    response = navigation.value
    if response is not None and response.status >= 500:
        raise AssertionError(f"sign-in as {username}: the server answered {response.status}")
    if "/accounts/login/" in page.url:
        errors = page.locator(".form-errors, .errorlist").all_inner_texts()
        raise AssertionError(f"sign-in as {username} failed on {page.url}: {errors}")
    # Signed in: the top bar shows the user's name and the sign-out button.
    page.wait_for_selector(".user-name")


@pytest.fixture
def login(base_url: str) -> Callable[..., None]:
    """`login(page, base_url, "cm.tamba")` signs in through the form and waits for the home page.

    The `base_url` argument may be omitted: `login(page, username="cm.tamba")`.
    """

    def _login(
        page: Page,
        url: str | None = None,
        username: str | None = None,
        password: str = DEMO_PASSWORD,
    ) -> None:
        if username is None:  # login(page, "cm.tamba")
            if url is None:
                raise TypeError("login() needs a username")
            url, username = base_url, url
        sign_in(page, url or base_url, username, password)

    return _login


class DemoData:
    """Read-only SQL on the server's demo database, to pick records for a journey.

    Journeys act only through the browser; this only finds, for example, a returnee cm.tamba can
    see or a pre-departure case of Rabat that has not been handed over yet.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            connection.row_factory = sqlite3.Row
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def row(self, sql: str, *params: Any) -> sqlite3.Row:
        rows = self.rows(sql, *params)
        if not rows:
            pytest.fail(f"the demo data has no row for: {' '.join(sql.split())} {params}")
        return rows[0]


@pytest.fixture(scope="session")
def demo_data(live_server_url: str, e2e_data_dir: Path) -> DemoData:
    path = e2e_data_dir / "reintegra.sqlite3"
    if not path.exists():
        pytest.skip(f"no SQLite demo database at {path}")
    return DemoData(path)
