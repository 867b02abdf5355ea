"""The demo programme loader and the scale benchmark's generator and runner."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from reintegra.audit import chain
from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.cases.choices import EventKind, HandoverStatus, Stage
from reintegra.cases.models import Case, CaseEvent, Handover, Note, Task
from reintegra.cases.selectors import cases_without_plan, handovers_incoming, overdue_tasks
from reintegra.demo.programme import programme_load
from reintegra.people import services as people
from reintegra.people.models import Consent, Returnee


@pytest.mark.django_db
def test_demo_load_builds_a_programme_in_every_stage_and_a_second_load_keeps_it(users):
    loaded, summary = programme_load()

    assert loaded
    from reintegra.providers.models import Provider
    from reintegra.providers.selectors import stale_providers

    assert Provider.objects.count() == 8
    assert [p.name for p in stale_providers(users["cm.kolda"])] == ["Mutuelle de santé Kolda"]
    assert 280 <= summary["returnees"] <= 320
    assert all(summary["cases_by_stage"][stage] > 0 for stage in Stage.values)
    offices = summary["cases_by_office"]
    assert 120 <= offices["TAM"] <= 150 and 100 <= offices["KLD"] <= 125
    assert 30 <= offices["RBT"] <= 45 and offices["DKR"] > 0
    # Waiting hand-overs from Rabat: two or more for Tambacounda, one or more for Kolda.
    assert handovers_incoming(users["cm.tamba"]).count() >= 2
    assert handovers_incoming(users["cm.kolda"]).count() >= 1
    accepted = Handover.objects.filter(status=HandoverStatus.ACCEPTED, to_office__code="TAM")
    assert accepted.exists()
    assert CaseEvent.objects.filter(
        case__in=accepted.values("case"), kind=EventKind.HANDED_OVER
    ).exists()
    assert Handover.objects.filter(status=HandoverStatus.REFUSED).count() == 1
    # What cm.tamba's home shows: cases without a plan a month after arrival, overdue tasks.
    month_ago = timezone.localdate() - timedelta(days=30)
    late = cases_without_plan(users["cm.tamba"]).filter(
        stage__in=[Stage.REGISTERED, Stage.ASSESSMENT], arrived_on__lt=month_ago
    )
    assert late.exists()
    assert overdue_tasks(users["cm.tamba"]).exists()
    assert Task.objects.filter(completed_at__isnull=False).exists()
    assert Task.objects.filter(due_on__gte=timezone.localdate(), completed_at=None).exists()
    assert Case.objects.filter(lead=users["cm.psy"]).count() >= 15
    assert Case.objects.filter(closed_on__isnull=False).exclude(closure_reason="").exists()
    assert Consent.objects.filter(withdrawn_on__isnull=False).exists()
    assert Note.objects.filter(tier="PSYCHOSOCIAL", author=users["cm.psy"]).exists()
    # Mostly men, as in the programme's caseload; the timeline goes back over a year.
    men = Returnee.objects.filter(sex="M").count()
    assert 0.7 <= men / summary["returnees"] <= 0.9
    oldest = CaseEvent.objects.order_by("at").first()
    assert oldest.at < timezone.now() - timedelta(days=365)
    # Written through the services: audited, and the chains are intact.
    assert AuditEvent.objects.filter(action="case.opened").count() == summary["cases"]
    assert list(chain.verify(AuditEvent)) == []
    assert list(chain.verify(AccessEvent)) == []

    loaded_again, again = programme_load()

    assert not loaded_again
    assert {k: v for k, v in again.items() if k != "audit_events"} == {
        k: v for k, v in summary.items() if k != "audit_events"
    }


@pytest.mark.django_db
def test_the_demo_command_prints_a_summary_and_keeps_existing_data(offices, users):
    people.returnee_register(
        actor=users["cm.tamba"],
        office=offices["TAM"],
        given_names="Moussa",
        family_name="Diallo",
        sex="M",
    )
    out = StringIO()

    call_command("demo", "load", stdout=out)

    assert "kept the data" in out.getvalue()
    assert "returnees: 1" in out.getvalue()
    assert Returnee.objects.count() == 1


@pytest.mark.django_db
def test_bench_generate_builds_a_proportionate_programme_with_an_intact_access_chain(
    programme,
):
    out = StringIO()

    call_command("bench", "generate", "--returnees", "300", "--batch", "120", stdout=out)

    assert Returnee.objects.count() == 300
    cases = Case.objects.count()
    assert 330 <= cases <= 400
    # Older closed cases and newer ones: some people have two.
    assert Returnee.objects.filter(cases__isnull=False).distinct().count() == 300
    assert Case.objects.filter(stage=Stage.CLOSED).count() >= cases // 4
    assert Case.objects.filter(stage=Stage.PRE_DEPARTURE).exists()
    assert 1.5 <= Note.objects.count() / cases <= 4
    assert 6 <= CaseEvent.objects.count() / cases <= 14
    assert Case.objects.filter(lead__isnull=True).count() < cases // 10
    assert AccessEvent.objects.count() == 900
    assert list(chain.verify(AccessEvent)) == []
    # The database's own id sequences continue above the generated rows.
    person = people.returnee_register(
        actor=programme[1]["cm.tamba"],
        office=programme[0]["TAM"],
        given_names="Awa",
        family_name="Sow",
        sex="F",
    )
    assert person.pk > 300
    assert "returnees 300" in out.getvalue()


@pytest.mark.django_db
def test_bench_generate_refuses_a_database_with_returnees(offices, users):
    people.returnee_register(
        actor=users["cm.tamba"],
        office=offices["TAM"],
        given_names="Fatou",
        family_name="Ba",
        sex="F",
    )

    with pytest.raises(CommandError, match="already holds returnees"):
        call_command("bench", "generate", "--returnees", "10", stdout=StringIO())


@pytest.mark.django_db
def test_bench_run_measures_the_pages_and_prints_a_table(programme):
    call_command("bench", "generate", "--returnees", "150", stdout=StringIO())
    out = StringIO()

    call_command("bench", "run", "--repeat", "2", stdout=out)

    text = out.getvalue()
    assert "Engine:" in text
    assert "| Measure | Path | Queries |" in text
    for measure in ("Case list — case manager", "Person search", "Case detail"):
        assert measure in text
    assert list(chain.verify(AccessEvent)) == []


@pytest.mark.django_db
def test_bench_floors_return_the_rows_and_total_the_selectors_return(programme):
    """The floor is only a floor if it fetches what the page shows: same rows, same order."""
    from bench import run as bench_run
    from reintegra.accounts.models import User
    from reintegra.cases.selectors import CaseFilters, case_list_for_user
    from reintegra.core.pagination import paginate
    from reintegra.people.selectors import returnee_list_for_user

    call_command("bench", "generate", "--returnees", "400", stdout=StringIO())
    cm = User.objects.get(username="cm.tamba")
    coord = User.objects.get(username="coord.national")
    fragment = bench_run.NAME_FRAGMENT
    pairs = [
        (bench_run.floor_case_list_cm(cm), case_list_for_user(cm, CaseFilters(stage="OPEN"))),
        (
            bench_run.floor_case_list_coordinator(coord),
            case_list_for_user(coord, CaseFilters(stage=bench_run.COORDINATOR_STAGE, sort="name")),
        ),
        (bench_run.floor_person_search(cm), returnee_list_for_user(cm, query=fragment)),
        (bench_run.floor_person_search(coord), returnee_list_for_user(coord, query=fragment)),
    ]
    for statements, queryset in pairs:
        [(sql, params)] = statements
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        page = paginate(queryset, 1)
        assert rows, sql
        assert [row[0] for row in rows] == [obj.pk for obj in page.items]
        assert rows[0][-1] == page.count


@pytest.mark.django_db
def test_bench_responses_fill_the_programme_and_the_measures_run(programme):
    from bench import instruments as bench_instruments

    call_command("bench", "generate", "--returnees", "150", stdout=StringIO())
    counts = bench_instruments.generate_responses(400, log=lambda line: None)

    from reintegra.instruments.models import Response

    assert counts["reintegration_sustainability"] == 200
    assert Response.objects.filter(status="SUBMITTED").count() == sum(
        n for code, n in counts.items() if code != "visits"
    )
    assert all(r.composite is None or 0 <= r.composite <= 1 for r in Response.objects.all()[:100])
    from reintegra.instruments.models import ScoreRow

    assert ScoreRow.objects.count() == Response.objects.count()
    dashboard = bench_instruments.measure_dashboard(1)
    assert [row["measure"] for row in dashboard] == [
        "M&E dashboard — me.officer (computed)",
        "M&E dashboard — me.officer (cached)",
        "M&E dashboard — coord.national (computed)",
        "M&E dashboard — coord.national (cached)",
    ]
    imported = bench_instruments.measure_import(rows=30)
    assert imported["status"] == "DONE" and imported["imported"] == 30
    assert Response.objects.filter(source="IMPORT").count() == 0  # rolled back
