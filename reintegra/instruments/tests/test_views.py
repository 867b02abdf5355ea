"""The instrument pages: the library and uploads, and filling in a response from a case."""

import csv
import io

import pytest
import pyzipper
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reintegra.instruments import services
from reintegra.instruments.models import Instrument, Response
from reintegra.instruments.shipped import SHIPPED_DIR
from reintegra.instruments.tests.conftest import SAT_ITEMS, satisfaction, screening

pytestmark = pytest.mark.django_db


def posted(answers: dict, **extra) -> dict:
    data = {k: v for k, v in answers.items()}
    data.update(extra)
    return data


def test_the_me_officer_uploads_an_xlsform_from_the_library(client_for):
    client = client_for("me.officer")
    page = client.get(reverse("instruments:list")).content.decode()
    assert 'action="/instruments/upload/"' in page

    data = (SHIPPED_DIR / "satisfaction_survey.xlsx").read_bytes()
    response = client.post(
        reverse("instruments:upload"),
        {"file": SimpleUploadedFile("satisfaction_survey.xlsx", data), "kind": "SURVEY"},
    )

    instrument = Instrument.objects.get(code="satisfaction_survey")
    assert response.status_code == 302
    assert response["Location"] == reverse("instruments:detail", args=[instrument.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "sat_return" not in detail  # labels, not names
    assert "Overall" in detail or "overall" in detail


def test_a_bad_upload_lists_each_problem_and_stores_nothing(client_for):
    from reintegra.instruments.xlsform import build_xlsform

    bad = build_xlsform(
        {
            "survey": [
                ["type", "name", "label", "weight", "dimension"],
                ["select_one x", "q", "Q", "-1", "d"],
            ],
            "choices": [["list_name", "name", "label", "score"], ["x", "a", "A", "1"]],
        }
    )
    response = client_for("me.officer").post(
        reverse("instruments:upload"), {"file": SimpleUploadedFile("bad.xlsx", bad)}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "survey, row 2, column weight" in html
    assert not Instrument.objects.exists()


def test_case_managers_see_the_library_but_may_not_upload(client_for, shipped):
    client = client_for("cm.tamba")
    page = client.get(reverse("instruments:list")).content.decode()
    assert "Satisfaction survey" in page and 'action="/instruments/upload/"' not in page
    data = (SHIPPED_DIR / "monitoring_visit.xlsx").read_bytes()
    response = client.post(
        reverse("instruments:upload"), {"file": SimpleUploadedFile("m.xlsx", data)}
    )
    assert response.status_code == 403


def test_the_version_downloads_as_the_uploaded_workbook(client_for, shipped):
    instrument = shipped["satisfaction_survey"]
    response = client_for("cm.tamba").get(reverse("instruments:download", args=[instrument.pk, 1]))
    assert response.status_code == 200
    assert response.content == (SHIPPED_DIR / "satisfaction_survey.xlsx").read_bytes()


def test_a_case_manager_fills_a_survey_from_the_case(client_for, shipped, tamba_case):
    client = client_for("cm.tamba")
    panel = client.get(
        reverse("instruments:case_panel", args=[tamba_case.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "Satisfaction survey" in panel and "No assessment or survey yet." in panel

    started = client.post(
        reverse("instruments:start", args=[tamba_case.pk]),
        {"instrument": shipped["satisfaction_survey"].pk},
    )
    draft = Response.objects.get()
    assert started["Location"] == reverse("instruments:response", args=[draft.pk])
    page = client.get(started["Location"]).content.decode()
    assert 'name="sat_return"' in page and 'type="radio"' in page

    incomplete = satisfaction(tamba_case)
    del incomplete[SAT_ITEMS[-1]]
    refused = client.post(
        started["Location"], posted(incomplete, action="submit", version=draft.version)
    )
    assert refused.status_code == 422
    assert 'id="f-sat_expectations-error"' in refused.content.decode()
    draft.refresh_from_db()
    assert draft.status == "DRAFT"

    done = client.post(
        started["Location"],
        posted(satisfaction(tamba_case), action="submit", version=draft.version),
    )
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "SUBMITTED" and draft.composite == pytest.approx(0.75)
    page = client.get(started["Location"]).content.decode()
    assert "75/100" in page and 'name="sat_return"' not in page
    panel = client.get(
        reverse("instruments:case_panel", args=[tamba_case.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "75/100" in panel


def test_skip_logic_follows_the_answers_on_refresh(client_for, shipped, tamba_case):
    client = client_for("cm.tamba")
    draft = services.response_start(
        actor=client_for and tamba_case.lead,
        case=tamba_case,
        instrument=shipped["vulnerability_screening"],
    )
    url = reverse("instruments:refresh", args=[draft.pk])
    low = client.post(url, {"intervention_rating": "low"}, headers={"HX-Request": "true"})
    high = client.post(url, {"intervention_rating": "high"}, headers={"HX-Request": "true"})

    assert 'name="referral_protection"' not in low.content.decode()
    assert 'name="referral_protection"' in high.content.decode()
    assert "<html" not in high.content.decode()  # a fragment for htmx
    draft.refresh_from_db()
    assert "intervention_rating" not in draft.answers  # refreshing saves nothing


def test_a_repeat_instance_is_added_and_removed(client_for, shipped, tamba_case):
    client = client_for("cm.tamba")
    draft = services.response_start(
        actor=tamba_case.lead, case=tamba_case, instrument=shipped["needs_skills_assessment"]
    )
    repeat = next(q for q in draft.instrument_version.form.walk() if q.type == "repeat")
    url = reverse("instruments:refresh", args=[draft.pk])

    added = client.post(
        url, {"repeat_action": f"add:{repeat.name}"}, headers={"HX-Request": "true"}
    )
    html = added.content.decode()
    assert f'name="{repeat.name}__count" value="1"' in html
    child = repeat.children[0].name
    assert f'name="{repeat.name}__0__{child}"' in html

    removed = client.post(
        url,
        {f"{repeat.name}__count": "1", "repeat_action": f"remove:{repeat.name}__0"},
        headers={"HX-Request": "true"},
    )
    assert f'name="{repeat.name}__count" value="0"' in removed.content.decode()


def test_a_screening_is_protection_data_once_submitted(client_for, shipped, users, tamba_case):
    cm = client_for("cm.tamba")
    draft = services.response_start(
        actor=users["cm.tamba"], case=tamba_case, instrument=shipped["vulnerability_screening"]
    )
    url = reverse("instruments:response", args=[draft.pk])
    assert cm.get(url).status_code == 200  # the author continues the draft

    answers = screening(tamba_case, "high")
    done = cm.post(url, posted(answers, action="submit", version=draft.version))

    assert done.status_code == 302
    assert cm.get(url).status_code == 404
    assert client_for("fp.protection").get(url).status_code == 200
    assert client_for("coord.tamba").get(url).status_code == 404
    panel = cm.get(
        reverse("instruments:case_panel", args=[tamba_case.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "Restricted entry" in panel


def test_out_of_scope_responses_are_not_found(client_for, shipped, users, kolda_case):
    response, _ = services.response_record(
        actor=users["cm.kolda"],
        case=kolda_case,
        version=shipped["satisfaction_survey"].current,
        answers=satisfaction(kolda_case),
        source="API",
    )
    assert (
        client_for("cm.tamba").get(reverse("instruments:response", args=[response.pk])).status_code
        == 404
    )
    assert (
        client_for("me.officer")
        .get(reverse("instruments:response", args=[response.pk]))
        .status_code
        == 200
    )


def _csv(response) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _protected(page: str) -> tuple[str, str]:
    """The password and the download link of a password-protected download page."""
    import html
    import re

    password = re.search(r'id="protected-password">([^<]+)<', page).group(1)
    link = html.unescape(re.search(r'id="protected-download" href="([^"]+)"', page).group(1))
    return password, link


def test_exports_are_pseudonymised_for_the_me_officer(client_for, shipped, users, tamba_case):
    from reintegra.instruments.tests.conftest import satisfaction as answers

    services.response_record(
        actor=users["cm.tamba"],
        case=tamba_case,
        version=shipped["satisfaction_survey"].current,
        answers=answers(tamba_case),
        source="API",
    )
    instrument = shipped["satisfaction_survey"]
    me = _csv(
        client_for("me.officer").get(reverse("instruments:export", args=[instrument.pk, "csv"]))
    )
    assert "_pseudonym" in me[0] and "_person" not in me[0] and "case_number" not in me[0]
    assert tamba_case.number not in str(me) and "DIALLO" not in str(me)
    assert me[1][me[0].index("score_composite")] == "0.75"

    # With names (a coordinator's export): a password-protected ZIP, the password shown once.
    coordinator = client_for("coord.tamba")
    page = coordinator.get(reverse("instruments:export", args=[instrument.pk, "csv"]))
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    password, link = _protected(page.content.decode())
    archive = coordinator.get(link)
    assert archive["Content-Type"] == "application/zip"
    with pyzipper.AESZipFile(io.BytesIO(archive.content)) as opened:
        opened.setpassword(password.encode())
        (inner,) = opened.namelist()
        coord = list(csv.reader(io.StringIO(opened.read(inner).decode())))
    assert tamba_case.number in coord[1] and "Moussa DIALLO" in coord[1]
    assert b"DIALLO" not in archive.content
    # The link works once.
    assert coordinator.get(link)["Content-Type"].startswith("text/html")

    hxl = _csv(
        client_for("me.officer").get(reverse("instruments:export", args=[instrument.pk, "hxl"]))
    )
    assert hxl[1][0].startswith("#")
    import hxl as libhxl

    dataset = libhxl.data(hxl)
    assert "#indicator" in [c.tag for c in dataset.columns] and len(list(dataset)) == 1
    xlsx = client_for("me.officer").get(reverse("instruments:export", args=[instrument.pk, "xlsx"]))
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    assert (
        client_for("cm.tamba")
        .get(reverse("instruments:export", args=[instrument.pk, "csv"]))
        .status_code
        == 403
    )
