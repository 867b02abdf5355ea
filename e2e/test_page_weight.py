"""Journey 6: once the static files are cached, a case page costs at most 100 KB: the browser
downloads the HTML document and nothing else (hashed static files come from its cache)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Page, Response, expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData

BUDGET = 100 * 1024

# The Tambacounda case with the most notes and events: the heaviest page a coordinator opens.
HEAVIEST_TAMBACOUNDA_CASE = """
    SELECT c.id, c.number
    FROM cases_case c JOIN accounts_office o ON o.id = c.office_id
    WHERE o.code = 'TAM'
    ORDER BY (SELECT count(*) FROM cases_note n WHERE n.case_id = c.id)
           + (SELECT count(*) FROM cases_caseevent e WHERE e.case_id = c.id) DESC, c.id
    LIMIT 1
"""

RESOURCES = """() => performance.getEntriesByType('resource').map(e => ({
    name: e.name, type: e.initiatorType, transfer: e.transferSize,
    body: e.encodedBodySize}))"""
DOCUMENT = """() => { const e = performance.getEntriesByType('navigation')[0];
    return {transfer: e.transferSize, body: e.encodedBodySize, decoded: e.decodedBodySize}; }"""


def visit(page: Page, path: str, number: str) -> list[Response]:
    """Open the page; the responses the browser saw while loading it."""
    responses: list[Response] = []

    def seen(response: Response) -> None:
        responses.append(response)

    page.on("response", seen)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    page.wait_for_load_state("load")
    page.remove_listener("response", seen)
    return responses


def test_a_case_page_weighs_at_most_100_kb_once_static_files_are_cached(
    browsing: Browsing, demo_data: DemoData
) -> None:
    case = demo_data.row(HEAVIEST_TAMBACOUNDA_CASE)
    path = f"/cases/{case['id']}/"
    page = browsing.signed_in("coord.tamba")

    # First visit: the static files arrive, with a long cache lifetime.
    first = visit(page, path, case["number"])
    statics = [r for r in first if "/static/" in r.url]
    assert statics, "the case page loads no static file"
    for response in statics:
        cache = response.headers.get("cache-control", "")
        assert "max-age=" in cache and "no-cache" not in cache, (
            f"{response.url} is not cacheable: Cache-Control {cache!r}"
        )

    # Second visit, same browser: only the document travels.
    second = visit(page, path, case["number"])

    document = next(r for r in second if r.request.resource_type == "document")
    html_bytes = len(document.body())
    assert html_bytes <= BUDGET, f"the case page HTML is {html_bytes / 1024:.1f} KB"

    resources = page.evaluate(RESOURCES)
    downloaded = [r for r in resources if r["transfer"] > 0]
    assert not [r for r in downloaded if "/static/" in r["name"]], (
        f"static files downloaded again: {downloaded}"
    )
    network = [
        r.url
        for r in second
        if r.request.resource_type != "document"
        and not r.from_service_worker
        and "/static/" in r.url
        and r.status not in (200, 304)
    ]
    assert not network, f"static files failed on the second visit: {network}"

    navigation = page.evaluate(DOCUMENT)
    total = navigation["transfer"] + sum(r["transfer"] for r in resources)
    assert total <= BUDGET, (
        f"the second visit transferred {total / 1024:.1f} KB "
        f"(document {navigation['transfer']} B, other {downloaded})"
    )
