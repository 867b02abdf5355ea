"""The service map: keeping providers, staleness, the directory, the API."""

import datetime
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from reintegra.accounts.services import api_token_issue
from reintegra.audit.models import AuditEvent
from reintegra.core.errors import StaleVersion, ValidationFailed
from reintegra.core.pagination import paginate
from reintegra.providers import services
from reintegra.providers.models import Provider
from reintegra.providers.permissions import can_edit_provider
from reintegra.providers.selectors import ProviderFilters, provider_list, stale_providers

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(users, offices) -> Provider:
    provider = services.provider_create(
        actor=users["cm.kolda"],
        office=offices["KLD"],
        name="Centre de santé de Kolda",
        kind="PUBLIC",
        region="Kolda",
        commune="Kolda",
        catchment_regions=["Kolda"],
        languages="French, Pulaar",
        response_days=3,
    )
    services.service_add(
        actor=users["cm.kolda"], provider=provider, category="HEALTH_PRIMARY", name="Consultations"
    )
    return provider


def test_a_provider_is_added_verified_and_audited(clinic, users):
    assert clinic.last_verified_on == datetime.date.today()
    assert clinic.verified_by == users["cm.kolda"] and not clinic.is_stale
    assert AuditEvent.objects.filter(action="provider.created", target_id=str(clinic.pk)).exists()


def test_an_edit_on_a_stale_version_changes_nothing(clinic, users):
    services.provider_update(actor=users["cm.kolda"], provider=clinic, version=1, phone="33 1")
    with pytest.raises(StaleVersion):
        services.provider_update(actor=users["cm.kolda"], provider=clinic, version=1, phone="2")
    clinic.refresh_from_db()
    assert clinic.phone == "33 1" and clinic.version == 2
    updated = AuditEvent.objects.get(action="provider.updated", target_id=str(clinic.pk))
    assert updated.changes == {"phone": ["", "33 1"]}


def test_bad_details_are_refused(users, offices):
    with pytest.raises(ValidationFailed):
        services.provider_create(
            actor=users["cm.kolda"], office=offices["KLD"], name=" ", kind="PUBLIC"
        )
    with pytest.raises(ValidationFailed):
        services.provider_create(
            actor=users["cm.kolda"],
            office=offices["KLD"],
            name="X",
            kind="PUBLIC",
            agreement_start=datetime.date(2026, 5, 1),
            agreement_end=datetime.date(2026, 1, 1),
        )


def test_a_provider_goes_stale_after_the_configured_days_and_verifying_renews_it(
    clinic, users, settings
):
    settings.REINTEGRA_PROVIDER_STALE_DAYS = 180
    with time_machine.travel(datetime.date.today() + datetime.timedelta(days=179), tick=False):
        assert not Provider.objects.get(pk=clinic.pk).is_stale
    with time_machine.travel(datetime.date.today() + datetime.timedelta(days=181), tick=False):
        stale = Provider.objects.get(pk=clinic.pk)
        assert stale.is_stale
        assert stale_providers(users["cm.kolda"]) == [stale]
        assert list(provider_list(ProviderFilters(stale=True))) == [stale]
        services.provider_verify(actor=users["cm.kolda"], provider=stale)
        assert not Provider.objects.get(pk=clinic.pk).is_stale
        assert AuditEvent.objects.filter(action="provider.verified").count() == 1
        assert stale_providers(users["cm.kolda"]) == []


def test_the_directory_filters_by_category_place_and_language(clinic, users, offices):
    services.provider_create(
        actor=users["coord.tamba"],
        office=offices["TAM"],
        name="Atelier Tamba",
        kind="PRIVATE",
        catchment_regions=["Tambacounda"],
        languages="Wolof",
    )
    names = lambda f: [p.name for p in provider_list(f)]  # noqa: E731
    assert names(ProviderFilters(category="HEALTH_PRIMARY")) == ["Centre de santé de Kolda"]
    assert names(ProviderFilters(region="Tambacounda")) == ["Atelier Tamba"]
    assert names(ProviderFilters(language="pulaar")) == ["Centre de santé de Kolda"]
    assert names(ProviderFilters(query="sante")) == ["Centre de santé de Kolda"]


def test_a_search_matching_two_services_counts_the_provider_once(clinic, users):
    services.service_add(
        actor=users["cm.kolda"], provider=clinic, category="HEALTH_PRIMARY", name="Consultations 2"
    )
    page = paginate(provider_list(ProviderFilters(query="Consultations")))
    assert [p.name for p in page.items] == ["Centre de santé de Kolda"]
    assert page.count == 1


def test_who_keeps_a_provider(clinic, users):
    assert can_edit_provider(users["cm.kolda"], clinic)  # social work, Kolda
    assert can_edit_provider(users["coord.national"], clinic)
    assert can_edit_provider(users["fp.medical"], clinic)  # only health services
    assert not can_edit_provider(users["cm.tamba"], clinic)  # economic, Tambacounda
    assert not can_edit_provider(users["finance"], clinic)


def test_the_social_work_case_manager_adds_a_provider_from_the_page(client_for, offices):
    client = client_for("cm.kolda")
    response = client.post(
        reverse("providers:new"),
        {
            "office": offices["KLD"].pk,
            "name": "Centre de formation",
            "kind": "NON_PROFIT",
            "agreement": "NONE",
            "response_days": 5,
            "catchment_regions": "Kolda, Sédhiou",
        },
    )
    provider = Provider.objects.get(name="Centre de formation")
    assert response["Location"] == reverse("providers:detail", args=[provider.pk])
    assert provider.catchment_regions == ["Kolda", "Sédhiou"]
    page = client.get(reverse("providers:list") + "?region=Sédhiou").content.decode()
    assert "Centre de formation" in page
    assert client_for("cm.tamba").get(reverse("providers:new")).status_code == 403


def test_stale_providers_show_on_the_keepers_home_page(clinic, client_for):
    Provider.objects.filter(pk=clinic.pk).update(last_verified_on=datetime.date(2020, 1, 1))
    assert (
        "Centre de santé de Kolda" in client_for("cm.kolda").get(reverse("home")).content.decode()
    )
    assert "Providers to verify" not in client_for("cm.tamba").get(reverse("home")).content.decode()


def test_the_api_lists_creates_and_patches_providers(clinic, users, offices):
    client = Client(headers={"Authorization": f"Bearer {api_token_issue(actor=users['cm.kolda'])}"})
    listing = client.get("/api/providers?category=HEALTH_PRIMARY").json()
    assert listing["count"] == 1 and listing["items"][0]["services"][0]["name"] == "Consultations"
    created = client.post(
        "/api/providers",
        data=json.dumps({"name": "Mutuelle", "kind": "NON_PROFIT", "office_id": offices["KLD"].pk}),
        content_type="application/json",
    )
    assert created.status_code == 201
    body = {"version": clinic.version, "phone": "+221 33 996 11 11"}
    patched = client.patch(
        f"/api/providers/{clinic.pk}", data=json.dumps(body), content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["phone"] == "+221 33 996 11 11"
    stale = client.patch(
        f"/api/providers/{clinic.pk}", data=json.dumps(body), content_type="application/json"
    )
    assert stale.status_code == 409
    wrong_office = client.post(
        "/api/providers",
        data=json.dumps({"name": "X", "kind": "PUBLIC", "office_id": offices["TAM"].pk}),
        content_type="application/json",
    )
    assert wrong_office.status_code == 422


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_directory_exports_and_loads_back(clinic, client_for, users):
    client = client_for("cm.kolda")
    exported = _csv(client.get(reverse("providers:export", args=["csv"])))
    assert exported.splitlines()[0].startswith("provider,kind,office")
    assert "Centre de santé de Kolda,PUBLIC,KLD" in exported
    header = exported.splitlines()[0].split(",")
    added = {
        "provider": "Atelier Kolda",
        "kind": "PRIVATE",
        "office": "KLD",
        "catchment_regions": "Kolda; Sédhiou",
        "agreement": "NONE",
        "response_days": "4",
        "service_category": "TVET",
        "service": "Soudure",
        "open_to": "F",
        "min_age": "18",
        "max_age": "35",
    }
    edited = exported.replace("Consultations", "Consultations prénatales") + (
        ",".join(added.get(column, "") for column in header) + "\r\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("providers:import"),
        {"file": SimpleUploadedFile("d.csv", edited.encode())},
    )
    assert response.status_code == 302
    atelier = Provider.objects.get(name="Atelier Kolda")
    assert atelier.catchment_regions == ["Kolda", "Sédhiou"] and atelier.response_days == 4
    assert clinic.services.filter(name="Consultations prénatales").exists()
    soudure = atelier.services.get()
    assert (soudure.for_sex, soudure.min_age, soudure.max_age) == ("F", 18, 35)
    assert soudure.open_to == "Women only, 18–35 years"
    again = _csv(client.get(reverse("providers:export", args=["csv"])))
    assert "Soudure,,F,18,35," in again
    xlsx = client.get(reverse("providers:export", args=["xlsx"]))
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_a_directory_with_a_bad_row_changes_nothing(clinic, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    header = "provider,kind,office,service_category,service\r\n"
    rows = "Nouveau,PUBLIC,KLD,TVET,Menuiserie\r\nAutre,SPACESHIP,TAM,NOPE,\r\n"
    header = header.replace("\r\n", ",min_age\r\n")
    rows = rows.replace("\r\nAutre", ",\r\nAutre").replace("NOPE,\r\n", "NOPE,,abc\r\n")
    response = client_for("cm.kolda").post(
        reverse("providers:import"),
        {"file": SimpleUploadedFile("d.csv", (header + rows).encode())},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "row 3" in html and "SPACESHIP" in html and "TAM" in html and "abc" in html
    assert not Provider.objects.filter(name="Nouveau").exists()


def test_the_map_page_embeds_the_located_providers(clinic, client_for, users):
    services.provider_update(
        actor=users["cm.kolda"], provider=clinic, version=None, latitude=12.89, longitude=-14.94
    )
    services.provider_create(
        actor=users["cm.kolda"], office=clinic.office, name="Sans adresse", kind="PUBLIC"
    )
    page = client_for("cm.tamba").get(reverse("providers:map")).content.decode()
    data = page[page.index('id="map-data"') :]
    markers = json.loads(data[data.index(">") + 1 : data.index("</script>")])
    assert [m["name"] for m in markers] == ["Centre de santé de Kolda"]
    assert markers[0]["lat"] == 12.89 and markers[0]["url"].endswith(f"/{clinic.pk}/")
    assert "1 provider has no coordinates" in page
    assert "vendor/leaflet/leaflet.js" in page


def test_a_withdrawn_service_leaves_the_directory_and_is_audited(clinic, client_for):
    service = clinic.services.get()
    response = client_for("cm.kolda").post(
        reverse("providers:service_withdraw", args=[clinic.pk]), {"service": service.pk}
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert not service.is_active
    assert list(provider_list(ProviderFilters(category="HEALTH_PRIMARY"))) == []
    assert AuditEvent.objects.filter(action="service.added", target_id=str(service.pk)).exists()
    assert AuditEvent.objects.filter(action="service.withdrawn", target_id=str(service.pk)).exists()
