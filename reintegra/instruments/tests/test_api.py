"""The instruments API: uploads, reads, and responses recorded by clients."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from reintegra.accounts.services import api_token_issue
from reintegra.instruments.models import Instrument, Response
from reintegra.instruments.shipped import SHIPPED_DIR
from reintegra.instruments.tests.conftest import satisfaction

pytestmark = pytest.mark.django_db


def api(users, username: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(actor=users[username])}"})


def post_json(client: Client, path: str, body: dict):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_an_xlsform_is_uploaded_and_read_back(users):
    client = api(users, "me.officer")
    with (SHIPPED_DIR / "satisfaction_survey.xlsx").open("rb") as handle:
        created = client.post("/api/instruments", {"file": handle, "kind": "SURVEY"})
    body = created.json()
    assert created.status_code == 201
    assert body["code"] == "satisfaction_survey" and body["kind"] == "SURVEY"
    assert body["current"]["number"] == 1 and body["languages"] == ["en", "fr"]
    assert body["dimensions"][0]["name"] == "satisfaction"

    listed = api(users, "cm.tamba").get("/api/instruments").json()
    assert listed["count"] == 1
    detail = api(users, "cm.tamba").get(f"/api/instruments/{body['id']}").json()
    names = [q["name"] for q in detail["questions"]]
    assert names[0] == "case_number"


def test_a_bad_xlsform_answers_422_with_each_problem(users):
    response = api(users, "me.officer").post(
        "/api/instruments", {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")}
    )
    body = response.json()
    assert response.status_code == 422
    assert body["code"] == "invalid_xlsform" and body["errors"]
    assert not Instrument.objects.exists()


def test_a_case_manager_may_not_upload(users):
    with (SHIPPED_DIR / "satisfaction_survey.xlsx").open("rb") as handle:
        response = api(users, "cm.tamba").post("/api/instruments", {"file": handle})
    assert response.status_code == 403


def test_a_response_is_recorded_scored_and_stored_once(users, shipped, tamba_case):
    client = api(users, "cm.tamba")
    body = {
        "instrument": shipped["satisfaction_survey"].pk,
        "case": tamba_case.pk,
        "answers": satisfaction(tamba_case),
        "instance_id": "uuid:42",
    }
    created = post_json(client, "/api/responses", body)
    again = post_json(client, "/api/responses", body)

    assert created.status_code == 201 and again.status_code == 200
    assert created.json()["composite"] == pytest.approx(0.75)
    assert again.json()["id"] == created.json()["id"]
    assert Response.objects.count() == 1
    read = client.get(f"/api/responses/{created.json()['id']}").json()
    assert read["answers"]["sat_return"] == "satisfied"
    assert client.get(f"/api/responses?case={tamba_case.pk}").json()["count"] == 1


def test_bad_answers_answer_422_naming_each_question(users, shipped, tamba_case):
    answers = satisfaction(tamba_case, sat_return="delighted", survey_date="yesterday")
    del answers["sat_social"]
    answers["nonsense"] = "x"
    body = {
        "instrument": shipped["satisfaction_survey"].pk,
        "case": tamba_case.pk,
        "answers": answers,
    }
    unknown = post_json(api(users, "cm.tamba"), "/api/responses", body)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == [
        "answers",
        "nonsense",
    ]
    del answers["nonsense"]
    response = post_json(api(users, "cm.tamba"), "/api/responses", body)
    locs = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert response.status_code == 422
    assert ("answers", "sat_return") in locs and ("answers", "survey_date") in locs
    assert not Response.objects.exists()


def test_responses_are_scoped_by_case_and_tier(users, shipped, tamba_case, kolda_case):
    kolda = api(users, "cm.kolda")
    body = {
        "instrument": shipped["satisfaction_survey"].pk,
        "case": kolda_case.pk,
        "answers": satisfaction(kolda_case),
    }
    created = post_json(kolda, "/api/responses", body).json()
    tamba = api(users, "cm.tamba")
    assert tamba.get(f"/api/responses/{created['id']}").status_code == 404
    assert tamba.get("/api/responses").json()["count"] == 0
    body["case"] = kolda_case.pk
    assert post_json(tamba, "/api/responses", body).status_code == 404
    assert api(users, "me.officer").get("/api/responses").json()["count"] == 1
