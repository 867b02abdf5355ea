"""Instrument uploads and responses through the services (the real database)."""

import pytest

from reintegra.audit.models import AuditEvent
from reintegra.cases.choices import EventKind
from reintegra.cases.models import CaseEvent, Task
from reintegra.core.errors import Conflict, StaleVersion, ValidationFailed
from reintegra.instruments import services
from reintegra.instruments.choices import InstrumentKind
from reintegra.instruments.models import Instrument, InstrumentVersion, Response
from reintegra.instruments.shipped import SHIPPED
from reintegra.instruments.tests.conftest import SAT_ITEMS, satisfaction, screening
from reintegra.instruments.xlsform import build_xlsform

pytestmark = pytest.mark.django_db


def small_form(weight_b: float = 1, form_id: str = "mini", tier: str = "CASE") -> bytes:
    return build_xlsform(
        {
            "survey": [
                ["type", "name", "label", "required", "dimension", "weight"],
                ["text", "case_number", "Case number", "yes", "", ""],
                ["select_one lvl", "a", "A", "yes", "d", 1],
                ["select_one lvl", "b", "B", "yes", "d", weight_b],
            ],
            "choices": [
                ["list_name", "name", "label", "score"],
                ["lvl", "low", "Low", 0],
                ["lvl", "high", "High", 2],
            ],
            "settings": [
                ["form_id", "form_title", "tier", "case_field"],
                [form_id, "Mini", tier, "case_number"],
            ],
        }
    )


def test_an_upload_creates_the_instrument_and_a_second_adds_a_version(users):
    me = users["me.officer"]
    data = small_form()  # a workbook carries its save time: keep the bytes uploaded
    first = services.instrument_upload(actor=me, data=data, filename="mini.xlsx")
    second = services.instrument_upload(actor=me, data=small_form(3), filename="mini.xlsx")

    instrument = Instrument.objects.get(code="mini")
    assert (first.number, second.number) == (1, 2)
    assert instrument.current == second
    assert first.form.question("b").weight == 1 and second.form.question("b").weight == 3
    assert bytes(first.xlsform) == data
    assert AuditEvent.objects.filter(action="instrument.version_added").count() == 2


def test_a_bad_xlsform_is_refused_with_every_problem_and_changes_nothing(users):
    bad = build_xlsform(
        {
            "survey": [
                ["type", "name", "label", "dimension", "weight"],
                ["select_one lvl", "a", "A", "d", "heavy"],
                ["integer", "a", "Again", "", ""],
            ],
            "choices": [["list_name", "name", "label", "score"], ["lvl", "x", "X", "many"]],
        }
    )
    with pytest.raises(ValidationFailed) as caught:
        services.instrument_upload(actor=users["me.officer"], data=bad, filename="bad.xlsx")

    texts = [e["text"] for e in caught.value.errors]
    assert any("weight" in t and "row 2" in t for t in texts)
    assert any("score" in t and "choices" in t for t in texts)
    assert caught.value.code == "invalid_xlsform"
    assert not Instrument.objects.exists() and not InstrumentVersion.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(users):
    with pytest.raises(ValidationFailed):
        services.instrument_upload(actor=users["me.officer"], data=b"%PDF-1.4", filename="x.xlsx")
    assert not Instrument.objects.exists()


def test_a_new_version_must_keep_the_form_id(users):
    me = users["me.officer"]
    version = services.instrument_upload(actor=me, data=small_form(), filename="mini.xlsx")
    with pytest.raises(ValidationFailed, match="form_id"):
        services.instrument_upload(
            actor=me,
            data=small_form(form_id="other"),
            filename="other.xlsx",
            instrument=version.instrument,
        )


def test_the_shipped_instruments_load_once_in_both_languages(shipped, users):
    assert set(shipped) == {
        "vulnerability_screening",
        "needs_skills_assessment",
        "reintegration_sustainability",
        "satisfaction_survey",
        "monitoring_visit",
        "community_profile",
    }
    assert len(shipped) == len(SHIPPED) == 6
    assert shipped["vulnerability_screening"].tier == "PROTECTION"
    assert shipped["community_profile"].kind == InstrumentKind.COMMUNITY
    assert shipped["community_profile"].name_fr == "Profil communautaire"
    assert shipped["satisfaction_survey"].name_fr == "Enquête de satisfaction"
    for instrument in shipped.values():
        assert instrument.current.form.languages == ["en", "fr"]
    assert services.shipped_load(actor=users["me.officer"]) == []


def test_a_draft_is_saved_then_submitted_with_its_scores_on_the_timeline(
    shipped, users, tamba_case
):
    cm = users["cm.tamba"]
    draft = services.response_start(
        actor=cm, case=tamba_case, instrument=shipped["satisfaction_survey"]
    )
    assert draft.answers["case_number"] == tamba_case.number
    assert AuditEvent.objects.filter(action="response.started", target_id=str(draft.pk)).exists()
    saved = services.response_save(
        actor=cm, response=draft, answers={"sat_return": "satisfied"}, version=draft.version
    )
    saved_event = AuditEvent.objects.get(action="response.saved", target_id=str(draft.pk))
    assert "sat_return" in saved_event.changes["questions"][1]
    answers = satisfaction(tamba_case, sat_return="very_satisfied", sat_economic="not_applicable")

    done = services.response_submit(
        actor=cm, response=saved, answers=answers, version=saved.version
    )

    # Six scored items: one at 5 (1.0) and five at 4 (0.75); "not applicable" is left out.
    assert done.status == "SUBMITTED"
    assert done.scores["dimensions"]["satisfaction"] == pytest.approx((1 + 5 * 0.75) / 6)
    assert done.composite == pytest.approx((1 + 5 * 0.75) / 6)
    event = CaseEvent.objects.get(case=tamba_case, kind=EventKind.RESPONSE_SUBMITTED)
    assert event.data["response_id"] == done.pk and "/100" in event.summary
    assert AuditEvent.objects.filter(action="response.submitted", target_id=str(done.pk)).exists()


def test_a_submission_missing_a_required_answer_changes_nothing(shipped, users, tamba_case):
    cm = users["cm.tamba"]
    draft = services.response_start(
        actor=cm, case=tamba_case, instrument=shipped["satisfaction_survey"]
    )
    answers = satisfaction(tamba_case)
    del answers[SAT_ITEMS[0]]

    with pytest.raises(ValidationFailed) as caught:
        services.response_submit(actor=cm, response=draft, answers=answers, version=draft.version)

    assert [e["loc"] for e in caught.value.errors] == [[SAT_ITEMS[0]]]
    draft.refresh_from_db()
    assert draft.status == "DRAFT" and draft.scores == {}
    assert not CaseEvent.objects.filter(kind=EventKind.RESPONSE_SUBMITTED).exists()


def test_a_stale_version_is_refused(shipped, users, tamba_case):
    cm = users["cm.tamba"]
    draft = services.response_start(
        actor=cm, case=tamba_case, instrument=shipped["satisfaction_survey"]
    )
    services.response_save(actor=cm, response=draft, answers={}, version=draft.version)
    with pytest.raises(StaleVersion):
        services.response_save(actor=cm, response=draft, answers={"x": 1}, version=draft.version)


def test_another_case_number_is_refused(shipped, users, tamba_case, kolda_case):
    cm = users["cm.tamba"]
    draft = services.response_start(
        actor=cm, case=tamba_case, instrument=shipped["satisfaction_survey"]
    )
    answers = satisfaction(tamba_case, case_number=kolda_case.number)
    with pytest.raises(ValidationFailed, match="not this case"):
        services.response_submit(actor=cm, response=draft, answers=answers, version=draft.version)


@pytest.mark.parametrize(
    ("rating", "groups", "flagged"),
    [("low", ("none",), False), ("high", ("none",), True), ("low", ("trafficking",), True)],
)
def test_a_screening_raises_the_protection_flag_and_tasks_the_focal_point(
    shipped, users, tamba_case, rating, groups, flagged
):
    response, created = services.response_record(
        actor=users["cm.tamba"],
        case=tamba_case,
        version=shipped["vulnerability_screening"].current,
        answers=screening(tamba_case, rating, groups),
        source="API",
    )
    tamba_case.refresh_from_db()
    assert created and response.tier == "PROTECTION"
    assert tamba_case.has_protection_flag is flagged
    tasks = Task.objects.filter(case=tamba_case)
    assert tasks.exists() is flagged
    if flagged:
        assert tasks.get().assignee == users["fp.protection"]


def test_a_response_is_stored_once_per_instance_id(shipped, users, tamba_case, kolda_case):
    version = shipped["satisfaction_survey"].current
    kwargs = {"version": version, "source": "ODK", "instance_id": "uuid:0001"}
    first, created = services.response_record(
        actor=users["cm.tamba"], case=tamba_case, answers=satisfaction(tamba_case), **kwargs
    )
    again, created_again = services.response_record(
        actor=users["cm.tamba"], case=tamba_case, answers=satisfaction(tamba_case), **kwargs
    )
    assert created and not created_again and again.pk == first.pk
    assert Response.objects.count() == 1
    with pytest.raises(Conflict):
        services.response_record(
            actor=users["cm.kolda"], case=kolda_case, answers=satisfaction(kolda_case), **kwargs
        )


def test_rescoring_applies_a_new_versions_weights_to_the_raw_answers(users, tamba_case):
    me = users["me.officer"]
    version = services.instrument_upload(actor=me, data=small_form(), filename="mini.xlsx")
    response, _ = services.response_record(
        actor=users["cm.tamba"],
        case=tamba_case,
        version=version,
        answers={"case_number": tamba_case.number, "a": "high", "b": "low"},
        source="API",
    )
    assert response.composite == pytest.approx(0.5)
    newer = services.instrument_upload(actor=me, data=small_form(3), filename="mini.xlsx")

    count = services.responses_rescore(actor=me, instrument=version.instrument)

    response.refresh_from_db()
    assert count == 1
    assert response.composite == pytest.approx(1 / 4)
    assert response.scored_with == newer
    assert AuditEvent.objects.filter(action="instrument.rescored").count() == 1
    assert response.instrument_version == version  # the answers keep their version


def test_a_submitted_response_cannot_be_changed_or_discarded(shipped, users, tamba_case):
    cm = users["cm.tamba"]
    response, _ = services.response_record(
        actor=cm,
        case=tamba_case,
        version=shipped["satisfaction_survey"].current,
        answers=satisfaction(tamba_case),
        source="API",
    )
    with pytest.raises(Conflict):
        services.response_save(actor=cm, response=response, answers={}, version=response.version)
    with pytest.raises(Conflict):
        services.response_discard(actor=cm, response=response, version=response.version)


def test_a_draft_is_discarded_and_the_discard_audited(shipped, users, tamba_case):
    cm = users["cm.tamba"]
    draft = services.response_start(
        actor=cm, case=tamba_case, instrument=shipped["satisfaction_survey"]
    )

    services.response_discard(actor=cm, response=draft, version=draft.version)

    assert not Response.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action="response.discarded", target_id=str(draft.pk)).exists()
