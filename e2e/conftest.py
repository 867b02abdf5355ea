"""Browser journeys: Playwright drives Debian's Chromium against a real `runserver`.

The server runs in a subprocess on a fresh SQLite database in a temporary data directory, with
the demo programme loaded (REINTEGRA_DEMO=1: personas, password `reintegra-demo`, no MFA).
These tests never touch pytest-django's test database: they must not request `db`,
`transactional_db` or the `django_db` marker (a guard below fails any test that does).

Run with `make e2e` (or `.venv/bin/pytest e2e`); every test here is marked `e2e` automatically.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

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


@pytest.fixture(scope="session")
def e2e_data_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="reintegra-e2e-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="session")
def live_server_url(e2e_data_dir: Path) -> Iterator[str]:
    """Base URL (no trailing slash) of a demo server on a fresh SQLite database."""
    env = _server_env(e2e_data_dir)
    _manage(env, "migrate", "--noinput")
    _manage(env, "demo", "load")
    # DEBUG is off: pages use the hashed-name manifest, so collect into <data dir>/static.
    _manage(env, "collectstatic", "--noinput", "-v", "0")
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


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A fresh browser context (cookies, storage) per test."""
    context = browser.new_context(base_url=base_url, locale="en-GB")
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    page.close()
    if errors:
        pytest.fail(f"JavaScript errors on the page: {errors}")


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
