"""The community profile instrument (kind COMMUNITY) is filled from the community profiles,
never on a case: it is listed with the programme's instruments but not offered on a case, to
ODK Collect, to the API's responses or to the imports."""

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reintegra.accounts.services import api_token_issue
from reintegra.core.errors import ValidationFailed
from reintegra.instruments import imports, services
from reintegra.instruments.choices import InstrumentKind
from reintegra.instruments.models import Response
from reintegra.instruments.selectors import case_instrument_list
from reintegra.instruments.shipped import SHIPPED_DIR

pytestmark = pytest.mark.django_db


def basic(username: str) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:reintegra-demo".encode()).decode()
    return {"Authorization": f"Basic {raw}", "X-OpenRosa-Version": "1.0"}


def test_the_shipped_community_profile_is_of_the_community_kind(shipped):
    instrument = shipped["community_profile"]
    assert instrument.kind == InstrumentKind.COMMUNITY
    with translation.override("en"):
        assert instrument.get_kind_display() == "Community profile"
    spec = instrument.current.form
    assert spec.languages == ["en", "fr"] and not spec.case_field
    names = {q.name for q in spec.walk()}
    assert {
        "returnees_count",
        "non_migrants_count",
        "participants_notes",
        "needs",
        "resources",
        "impact_of_returns",
        "migration_drivers",
        "reintegration_barriers",
        "resilience_sources",
    } <= names
    assert instrument not in case_instrument_list()
    assert set(case_instrument_list()) == {i for i in shipped.values() if i != instrument}


def test_any_upload_of_the_community_profile_form_is_of_the_community_kind(users):
    version = services.instrument_upload(
        actor=users["me.officer"],
        data=(SHIPPED_DIR / "community_profile.xlsx").read_bytes(),
        filename="community_profile.xlsx",
        kind="SURVEY",
    )
    assert version.instrument.kind == InstrumentKind.COMMUNITY


def test_a_case_is_not_offered_the_community_profile(client_for, shipped, tamba_case):
    client = client_for("cm.tamba")
    panel = client.get(
        reverse("instruments:case_panel", args=[tamba_case.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "Satisfaction survey" in panel
    assert f'value="{shipped["community_profile"].pk}"' not in panel
    assert "Community profile" not in panel
    started = client.post(
        reverse("instruments:start", args=[tamba_case.pk]),
        {"instrument": shipped["community_profile"].pk},
    )
    assert started.status_code == 302
    assert started["Location"] == reverse("cases:detail", args=[tamba_case.pk])
    assert not Response.objects.exists()
    with pytest.raises(ValidationFailed) as err:
        services.response_start(
            actor=tamba_case.lead, case=tamba_case, instrument=shipped["community_profile"]
        )
    assert err.value.code == "not_for_cases"


def test_the_instruments_page_still_lists_it(client_for, shipped):
    page = client_for("me.officer").get(reverse("instruments:list")).content.decode()
    assert f'href="{reverse("instruments:detail", args=[shipped["community_profile"].pk])}"' in page
    detail = client_for("me.officer").get(
        reverse("instruments:detail", args=[shipped["community_profile"].pk])
    )
    assert detail.status_code == 200
    assert "Import data collected with KoBo or ODK" not in detail.content.decode()


def test_odk_collect_is_not_offered_the_community_profile(shipped, tamba_case):
    client = Client()
    listing = client.get("/openrosa/formList", headers=basic("cm.tamba"))
    assert listing.status_code == 200
    assert b"<formID>satisfaction_survey</formID>" in listing.content
    assert b"community_profile" not in listing.content
    form = client.get("/openrosa/forms/community_profile/form.xml", headers=basic("cm.tamba"))
    assert form.status_code == 404


def test_the_api_records_no_case_response_to_it(users, shipped, tamba_case):
    client = Client(headers={"Authorization": f"Bearer {api_token_issue(actor=users['cm.tamba'])}"})
    body = {
        "case": tamba_case.pk,
        "instrument": shipped["community_profile"].pk,
        "answers": {"returnees_count": 3, "non_migrants_count": 4, "needs": "Water"},
    }
    response = client.post("/api/responses", json.dumps(body), "application/json")
    assert response.status_code == 422, response.content
    assert not Response.objects.exists()


def test_it_is_not_imported(client_for, users, shipped, tamba_case):
    instrument = shipped["community_profile"]
    with pytest.raises(ValidationFailed) as err:
        imports.import_create(
            actor=users["me.officer"], instrument=instrument, data=b"a,b\n1,2\n", filename="e.csv"
        )
    assert err.value.code == "not_for_cases"
    page = client_for("me.officer").post(
        reverse("instruments:import", args=[instrument.pk]),
        {"file": SimpleUploadedFile("export.csv", b"a,b\n1,2\n")},
    )
    assert page.status_code == 422
    assert not Response.objects.exists()
