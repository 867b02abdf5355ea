"""Journey: the Content-Security-Policy holds in a real browser. A case manager and a
coordinator go through busy pages (home, cases, a case with its htmx panels, the service map,
plans, a form) and the browser reports no policy violation: no script, style or image the
policy blocks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import ConsoleMessage, Page, expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing

VIOLATION = re.compile(r"Content Security Policy|Refused to (load|apply|execute)", re.I)


def _watch(page: Page) -> list[str]:
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if VIOLATION.search(message.text):
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return violations


def test_busy_pages_raise_no_content_security_policy_violation(browsing: Browsing) -> None:
    page = browsing.signed_in("cm.tamba")
    violations = _watch(page)
    response = page.goto("/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy

    page.goto("/cases/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.locator("a[href^='/cases/']").filter(has_text=re.compile(r"TAM-")).first.click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/"))
    page.wait_for_load_state("networkidle")
    for path in ("/providers/", "/providers/map/", "/plans/", "/people/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    # The map draws its markers (Leaflet: script and styles from our own origin).
    page.goto("/providers/map/")
    expect(page.locator("#provider-map .leaflet-marker-icon").first).to_be_visible()
    # htmx is loaded and did not inject its indicator <style> element.
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False

    coordinator = browsing.signed_in("coord.tamba")
    violations += _watch(coordinator)
    for path in ("/", "/cases/", "/plans/"):
        coordinator.goto(path)
        coordinator.wait_for_load_state("networkidle")
    assert violations == []

    # The watch does see a violation: an inline <style> injected on purpose is refused.
    control = _watch(coordinator)
    coordinator.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<style>body { color: red; }</style>')"
    )
    coordinator.wait_for_timeout(500)
    assert control, "the browser reported no violation for an inline <style>"
