"""ODK Collect / KoBoCollect against the OpenRosa server: every persona × the form list, a form,
a submission in scope and out of scope; Basic credentials; duplicates stored once."""

import base64
import copy
import datetime
import xml.etree.ElementTree as ET

import pytest
from defusedxml import ElementTree as SafeET
from django.test import Client

from reintegra.accounts.services import api_token_issue
from reintegra.demo.personas import PERSONAS
from reintegra.instruments.models import Response
from reintegra.instruments.openrosa import xform_for
from reintegra.instruments.permissions import can_collect
from reintegra.instruments.tests.conftest import SAT_ITEMS

pytestmark = pytest.mark.django_db
XF = "http://www.w3.org/2002/xforms"
H = "http://www.w3.org/1999/xhtml"
PASSWORD = "reintegra-demo"


def basic(username: str, secret: str = PASSWORD) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}", "X-OpenRosa-Version": "1.0"}


def instance(version, case_number: str, instance_id: str, answer: str = "satisfied") -> bytes:
    """What ODK Collect posts for the shipped satisfaction survey."""
    html = SafeET.fromstring(xform_for(version.form, str(version.number)))
    root = copy.deepcopy(next(iter(html.find(f"{{{H}}}head/{{{XF}}}model/{{{XF}}}instance"))))

    def put(path: str, value: str) -> None:
        element = root.find("/".join(f"{{{XF}}}{p}" for p in path.split("/")))
        assert element is not None, path
        element.text = value

    put("case_number", case_number)
    put("survey_date", datetime.date.today().isoformat())
    for item in SAT_ITEMS:
        put(f"satisfaction/{item}", answer)
    put("meta/instanceID", instance_id)
    return ET.tostring(root, encoding="utf-8")


def submit(client: Client, headers: dict[str, str], xml: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("submission.xml", xml, content_type="text/xml")
    return client.post("/openrosa/submission", {"xml_submission_file": upload}, headers=headers)


def test_without_credentials_the_client_is_asked_to_sign_in(shipped):
    for path in ("/openrosa/formList", "/openrosa/forms/satisfaction_survey/form.xml"):
        response = Client().get(path)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Basic ")
        assert response["X-OpenRosa-Version"] == "1.0"
    assert Client().get("/openrosa/formList", headers=basic("cm.tamba", "wrong")).status_code == 401


@pytest.mark.parametrize("username", [p.username for p in PERSONAS])
def test_every_persona_gets_the_forms_it_may_fill_and_submits_only_in_scope(
    username, users, shipped, tamba_case
):
    client = Client()
    headers = basic(username)
    listing = client.get("/openrosa/formList", headers=headers)
    assert listing.status_code == 200
    may = can_collect(users[username], "CASE")
    assert (b"<formID>satisfaction_survey</formID>" in listing.content) is may

    version = shipped["satisfaction_survey"].current
    form = client.get("/openrosa/forms/satisfaction_survey/form.xml", headers=headers)
    assert form.status_code == (200 if may else 404)

    response = submit(client, headers, instance(version, tamba_case.number, f"uuid:{username}"))
    expected = 201 if username == "cm.tamba" else (400 if may else 404)
    assert response.status_code == expected, response.content
    assert Response.objects.filter(instance_id=f"uuid:{username}").exists() is (expected == 201)


def test_a_submission_is_scored_on_its_case_and_stored_once(shipped, tamba_case):
    client = Client()
    version = shipped["satisfaction_survey"].current
    xml = instance(version, tamba_case.number, "uuid:collect-1", "very_satisfied")

    head = client.head("/openrosa/submission", headers=basic("cm.tamba"))
    first = submit(client, basic("cm.tamba"), xml)
    again = submit(client, basic("cm.tamba"), xml)

    assert head.status_code == 204 and int(head["X-OpenRosa-Accept-Content-Length"]) > 0
    assert first.status_code == 201 and again.status_code == 202
    stored = Response.objects.get()
    assert stored.case == tamba_case and stored.source == "ODK" and stored.composite == 1.0
    assert b"submit_success" in first.content


def test_an_api_token_signs_in_a_user_whose_password_alone_is_not_enough(
    shipped, users, tamba_case, settings
):
    settings.DEMO_MODE = False  # coordinators must use two-factor authentication
    settings.MFA_REQUIRED_ROLES = ["COORDINATOR", "SYSADMIN"]
    coordinator = users["coord.tamba"]
    assert Client().get("/openrosa/formList", headers=basic("coord.tamba")).status_code == 401
    token = api_token_issue(actor=coordinator)
    listing = Client().get("/openrosa/formList", headers=basic("coord.tamba", token))
    assert listing.status_code == 200
    assert Client().get("/openrosa/formList", headers=basic("cm.tamba", token)).status_code == 401


def test_bad_submissions_are_refused_with_a_reason(shipped, tamba_case):
    client = Client()
    version = shipped["satisfaction_survey"].current
    cases = [
        (b"<not xml", 400),
        (b'<!DOCTYPE x [<!ENTITY e "x">]><data id="satisfaction_survey"/>', 400),
        (instance(version, "TAM-0000-999999", "uuid:nope"), 400),
        (instance(version, tamba_case.number, "uuid:bad", "ecstatic"), 400),
    ]
    for xml, status in cases:
        response = submit(client, basic("cm.tamba"), xml)
        assert response.status_code == status, xml[:40]
        assert b"submit_error" in response.content
    assert not Response.objects.exists()
