"""Journey 5: on a phone (390 × 844) the case list and the case page fit the screen: the page
never scrolls sideways (wide tables scroll inside their own wrapper)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing, DemoData

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# The Tambacounda case with the longest story (most notes and timeline events).
BUSIEST_TAMBACOUNDA_CASE = """
    SELECT c.id, c.number
    FROM cases_case c JOIN accounts_office o ON o.id = c.office_id
    WHERE o.code = 'TAM' AND c.stage != 'CLOSED'
    ORDER BY (SELECT count(*) FROM cases_caseevent e WHERE e.case_id = c.id) DESC, c.id
    LIMIT 1
"""


def overflow(page: Page) -> dict[str, object]:
    """The page's horizontal overflow, and the elements that stick out past the viewport."""
    return page.evaluate(
        """() => {
            const width = window.innerWidth;
            const culprits = [];
            for (const el of document.querySelectorAll('body *')) {
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.right <= width + 1) continue;
                // Inside a scrolling wrapper is fine: the wrapper itself is what counts.
                let parent = el.parentElement, clipped = false;
                while (parent && parent !== document.body) {
                    const style = getComputedStyle(parent);
                    if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) {
                        clipped = true; break;
                    }
                    parent = parent.parentElement;
                }
                if (!clipped) {
                    const cls = typeof el.className === 'string' ? el.className : '';
                    culprits.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
                        `${cls ? '.' + cls.trim().split(/\\s+/).join('.') : ''} ` +
                        `right=${Math.round(box.right)}`);
                }
                if (culprits.length >= 8) break;
            }
            return {
                scrollWidth: document.documentElement.scrollWidth,
                innerWidth: width,
                culprits: culprits,
            };
        }"""
    )


def expect_no_sideways_scroll(page: Page, what: str) -> None:
    result = overflow(page)
    assert result["scrollWidth"] <= result["innerWidth"] + 1, (  # type: ignore[operator]
        f"{what} scrolls sideways at {result['innerWidth']}px: scrollWidth "
        f"{result['scrollWidth']}; sticking out: {result['culprits']}"
    )


def test_the_case_list_and_the_case_page_fit_a_phone_screen(
    browsing: Browsing, demo_data: DemoData
) -> None:
    case = demo_data.row(BUSIEST_TAMBACOUNDA_CASE)
    page = browsing.signed_in("coord.tamba", **PHONE)
    expect_no_sideways_scroll(page, "the home page")

    page.goto("/cases/")
    expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()
    expect(page.locator("#case-results tbody tr").first).to_be_visible()
    expect_no_sideways_scroll(page, "the case list")
    # The table may be wider than the phone: it scrolls within its wrapper.
    wrapper = page.locator("#case-results .table-wrap")
    assert wrapper.evaluate("el => getComputedStyle(el).overflowX") in {"auto", "scroll"}

    page.goto(f"/cases/{case['id']}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case["number"])
    expect_no_sideways_scroll(page, "the case page")

    # With every form unfolded (note, task, stage, hand-over…) it still fits.
    for summary in page.locator("details > summary").all():
        if summary.is_visible():
            summary.click()
    expect_no_sideways_scroll(page, "the case page with its forms open")
