"""Journey: the social-work case manager adds a provider and one of its services to the
service map, then finds it in the directory by the place it serves."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

if TYPE_CHECKING:
    from e2e.conftest import Browsing


def test_the_social_work_case_manager_adds_a_provider(browsing: Browsing) -> None:
    page = browsing.signed_in("cm.kolda")
    page.goto("/providers/")
    expect(page.get_by_role("heading", name="Service map", level=1)).to_be_visible()
    # A provider of the demo not verified for over a year is marked.
    row = page.get_by_role("row").filter(has_text="Mutuelle de santé Kolda")
    expect(row).to_contain_text("Not verified recently")

    page.get_by_role("link", name="Add a provider").click()
    page.get_by_label("Kept by the office").select_option(label="Kolda")
    page.get_by_label("Name", exact=True).fill("Atelier de menuiserie Sédhiou")
    page.get_by_label("Kind").select_option(label="Private")
    page.get_by_label("Regions served").fill("Sédhiou, Kolda")
    page.get_by_label("Languages").fill("French, Mandinka")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/providers/\d+/$"))
    expect(page.get_by_text("Provider added.")).to_be_visible()
    page.locator("summary", has_text="Add a service").click()
    page.get_by_label("Category").select_option(label="Technical and vocational training (TVET)")
    page.get_by_label("Service", exact=True).fill("Carpentry apprenticeship")
    page.get_by_role("button", name="Add the service").click()
    expect(page.get_by_text("Service added.")).to_be_visible()

    page.goto("/providers/?region=Sédhiou&category=TVET")
    expect(page.get_by_role("link", name="Atelier de menuiserie Sédhiou")).to_be_visible()


def test_the_map_shows_the_located_providers_without_tiles(browsing: Browsing) -> None:
    page = browsing.signed_in("cm.tamba")
    page.goto("/providers/map/")
    expect(page.get_by_role("heading", name="Providers on the map")).to_be_visible()
    markers = page.locator("#provider-map .leaflet-marker-icon")
    expect(markers.first).to_be_visible()
    # The demo's eight providers, one without coordinates (other journeys may add more).
    assert markers.count() >= 7
    expect(page.get_by_text(re.compile(r"\d+ providers? ha(s|ve) no coordinates"))).to_be_visible()
