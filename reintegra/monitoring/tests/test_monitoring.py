"""Monitoring visits: scheduled when a case reaches monitoring, completed by the monitoring
form (from the visit page, ODK or an import), listed in scope, and the M&E dashboard."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from reintegra.accounts.services import api_token_issue
from reintegra.audit.models import AuditEvent
from reintegra.cases import services as cases
from reintegra.cases.choices import Stage
from reintegra.instruments import services as instruments
from reintegra.instruments.models import Response
from reintegra.instruments.tests.conftest import open_case
from reintegra.monitoring import services
from reintegra.monitoring.models import Visit
from reintegra.monitoring.services import add_months

pytestmark = pytest.mark.django_db


def to_monitoring(case, actor):
    for stage in (Stage.ASSESSMENT, Stage.PLANNING, Stage.ASSISTANCE, Stage.MONITORING):
        case = cases.case_transition(actor=actor, case=case, to_stage=stage)
    return case


@pytest.fixture
def monitored(users, offices, shipped):
    cm = users["cm.tamba"]
    return to_monitoring(open_case(cm, offices["TAM"]), cm)


def test_reaching_monitoring_plans_visits_at_3_6_and_12_months(monitored):
    today = timezone.localdate()
    visits = list(Visit.objects.filter(case=monitored).order_by("months"))
    assert [(v.months, v.due_on) for v in visits] == [(m, add_months(today, m)) for m in (3, 6, 12)]
    assert all(v.status == "PLANNED" and v.office_id == monitored.office_id for v in visits)
    assert AuditEvent.objects.filter(action="visit.scheduled", case_id=monitored.pk).count() == 3


def test_the_offsets_are_a_setting(settings, users, offices, shipped):
    settings.REINTEGRA_MONITORING_MONTHS = (1, 2)
    case = to_monitoring(open_case(users["cm.tamba"], offices["TAM"]), users["cm.tamba"])
    assert sorted(case.visits.values_list("months", flat=True)) == [1, 2]


def test_add_months_keeps_the_day_or_the_end_of_month():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 15)


def _form_spec_answers(shipped, case, day):
    """Valid answers to the shipped monitoring form, checked by its own engine."""
    import random

    from reintegra.demo.assessments import random_answers

    spec = shipped["monitoring_visit"].current.form
    answers = random_answers(random.Random(1), spec, case, day, 0.5)
    assert answers is not None
    return answers


def test_a_monitoring_form_completes_the_visit_that_is_due(monitored, users, shipped):
    first = Visit.objects.filter(case=monitored).order_by("due_on").first()
    day = first.due_on
    response, _ = instruments.response_record(
        actor=users["cm.tamba"],
        case=monitored,
        version=shipped["monitoring_visit"].current,
        answers=_form_spec_answers(shipped, monitored, timezone.localdate()),
        source="ODK",
        collected_on=day,
    )
    first.refresh_from_db()
    assert first.status == "DONE" and first.response == response and first.done_on == day
    assert AuditEvent.objects.filter(action="visit.done", target_id=str(first.pk)).exists()
    assert Visit.objects.filter(case=monitored, status="PLANNED").count() == 2


def test_a_monitoring_form_long_before_any_visit_completes_none(monitored, users, shipped):
    instruments.response_record(
        actor=users["cm.tamba"],
        case=monitored,
        version=shipped["monitoring_visit"].current,
        answers=_form_spec_answers(shipped, monitored, timezone.localdate()),
        source="API",
    )
    assert not Visit.objects.filter(status="DONE").exists()


def test_recording_a_visit_from_its_page(monitored, client_for, shipped):
    visit = Visit.objects.filter(case=monitored).order_by("due_on").first()
    client = client_for("cm.tamba")
    page = client.get(reverse("monitoring:visit", args=[visit.pk])).content.decode()
    assert "Record the visit" in page

    started = client.post(reverse("monitoring:visit_start", args=[visit.pk]))
    visit.refresh_from_db()
    assert started["Location"] == reverse("instruments:response", args=[visit.response_id])
    assert visit.follow_up.instrument.code == "reintegration_sustainability"
    assert AuditEvent.objects.filter(action="visit.started", target_id=str(visit.pk)).exists()

    answers = _form_spec_answers(shipped, monitored, timezone.localdate())
    data = {k: v for k, v in answers.items()}
    data.update(action="submit", version=visit.response.version)
    done = client.post(started["Location"], data)
    assert done.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "DONE"


def test_visits_are_scoped_and_the_home_page_lists_them(monitored, client_for, users, offices):
    Visit.objects.filter(case=monitored).update(
        due_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    visit = Visit.objects.filter(case=monitored).first()
    home = client_for("me.officer").get(reverse("home")).content.decode()
    assert monitored.number in home and "overdue" in home
    assert (
        client_for("cm.kolda").get(reverse("monitoring:visit", args=[visit.pk])).status_code == 404
    )
    listing = client_for("cm.kolda").get(reverse("monitoring:visits")).content.decode()
    assert monitored.number not in listing
    assert client_for("finance").get(reverse("monitoring:visits")).status_code == 403


def test_a_visit_is_cancelled_with_a_reason(monitored, users):
    visit = Visit.objects.filter(case=monitored).first()
    from reintegra.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.visit_cancel(actor=users["coord.tamba"], visit=visit, reason=" ")
    services.visit_cancel(actor=users["coord.tamba"], visit=visit, reason="Moved to Dakar")
    visit.refresh_from_db()
    assert visit.status == "CANCELLED"
    cancelled = AuditEvent.objects.get(action="visit.cancelled", target_id=str(visit.pk))
    assert cancelled.changes["reason"] == [None, "Moved to Dakar"]


def test_the_dashboard_shows_scores_by_office_and_exports_each_figure(
    monitored, client_for, users, shipped
):
    import random

    from reintegra.demo.assessments import random_answers

    spec = shipped["reintegration_sustainability"].current.form
    for bias in (0.2, 0.8):
        answers = random_answers(random.Random(3), spec, monitored, timezone.localdate(), bias)
        instruments.response_record(
            actor=users["cm.tamba"],
            case=monitored,
            version=shipped["reintegration_sustainability"].current,
            answers=answers,
            source="API",
        )
    client = client_for("me.officer")
    page = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "Mean scores by office" in page and "Tambacounda" in page
    assert "Baseline to latest follow-up" in page
    export = client.get(reverse("monitoring:dashboard") + "?export=offices")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][0] == "Office" and rows[1][0] == "Tambacounda" and rows[1][1] == "2"
    composite = [r.composite for r in Response.objects.filter(composite__isnull=False)]
    assert float(rows[1][-1]) == pytest.approx(round(sum(composite) / 2 * 100, 1))
    assert client_for("cm.tamba").get(reverse("monitoring:dashboard")).status_code == 403


def test_the_api_lists_visits_in_scope(monitored, users):
    from django.test import Client

    token = api_token_issue(actor=users["me.officer"])
    client = Client(headers={"Authorization": f"Bearer {token}"})
    body = client.get("/api/monitoring/visits?when=all").json()
    assert body["count"] == 3 and body["items"][0]["case_number"] == monitored.number
    kolda = Client(headers={"Authorization": f"Bearer {api_token_issue(actor=users['cm.kolda'])}"})
    assert kolda.get("/api/monitoring/visits?when=all").json()["count"] == 0
    assert json.loads(kolda.get("/api/monitoring/visits?when=bogus").content)["count"] == 0


def test_the_dashboard_is_cached_until_a_response_is_submitted(
    monitored, client_for, users, shipped, django_capture_on_commit_callbacks
):
    from reintegra.instruments.tests.conftest import satisfaction

    def count() -> str:
        export = client.get(reverse("monitoring:dashboard") + "?export=counts")
        rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
        return dict(rows[1:]).get("Satisfaction survey", "0")

    client = client_for("me.officer")
    assert count() == "0"
    with django_capture_on_commit_callbacks(execute=True):
        instruments.response_record(
            actor=users["cm.tamba"],
            case=monitored,
            version=shipped["satisfaction_survey"].current,
            answers=satisfaction(monitored),
            source="API",
        )
    assert count() == "1"


def test_the_dashboard_figures_match_the_scores(monitored, users, shipped, offices):
    """Baseline-to-latest change and the means by assistance, computed in SQL, checked against
    the stored scores."""
    import random

    from reintegra.demo.assessments import random_answers
    from reintegra.monitoring.selectors import dashboard

    cm = users["cm.tamba"]
    other = to_monitoring(open_case(cm, offices["TAM"], "Awa", "Ndiaye"), cm)
    survey = shipped["reintegration_sustainability"]
    spec = survey.current.form
    stored = []
    for case, biases in ((monitored, (0.1, 0.9)), (other, (0.5,))):
        for bias in biases:
            answers = random_answers(random.Random(7), spec, case, timezone.localdate(), bias)
            response, _ = instruments.response_record(
                actor=cm, case=case, version=survey.current, answers=answers, source="API"
            )
            stored.append(response)
    visit = _form_spec_answers(shipped, monitored, timezone.localdate())
    visit["assistance_received"] = ["cash"]
    instruments.response_record(
        actor=cm,
        case=monitored,
        version=shipped["monitoring_visit"].current,
        answers=visit,
        source="API",
    )

    figures = {f.key: f for f in dashboard(users["me.officer"], survey, "en")}

    first, latest, only = stored
    composite = figures["change"].rows[-1]
    assert composite[:2] == ["Composite", 1]
    assert composite[2] == round(first.composite * 100, 1)
    assert composite[3] == round(latest.composite * 100, 1)
    assistance = {row[0]: row[1:] for row in figures["assistance"].rows}
    cash = next(label for label in assistance if label.lower().startswith("cash"))
    assert assistance[cash] == [1, round(latest.composite * 100, 1)]
    assert assistance["None recorded"] == [1, round(only.composite * 100, 1)]
    offices_row = figures["offices"].rows[0]
    mean = (first.composite + latest.composite + only.composite) / 3
    assert offices_row[1] == 3 and offices_row[-1] == round(mean * 100, 1)


def test_the_dashboard_works_without_a_monitoring_form(client_for, users, offices):
    """No monitoring-visit instrument loaded: no assistance figure rows, no error."""
    from reintegra.instruments import services as instrument_services
    from reintegra.instruments.tests.test_services import small_form

    instrument_services.instrument_upload(
        actor=users["me.officer"], data=small_form(), filename="mini.xlsx"
    )
    response = client_for("me.officer").get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
