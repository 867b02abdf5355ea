"""Hand-over of a pre-departure case from Rabat (host country) to an origin-country office:
request on the case page, the incoming list, the minimal summary, accept and refuse."""

import pytest
from django.urls import reverse

from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.cases import services
from reintegra.cases.models import Case, Handover

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_setup")]


def request_data(offices, case: Case, **extra: object) -> dict[str, object]:
    consent = case.person.consents.get()
    data = {
        "to_office": offices["TAM"].pk,
        "consent": consent.pk,
        "sections": ["NOTES", "TASKS"],
        "message": "Arrives on Tuesday's flight",
    }
    data.update(extra)
    return data


@pytest.fixture
def handover(offices, users, rabat_case) -> Handover:
    """A pending hand-over of the Rabat case to Tambacounda, with a counselling note."""
    services.note_add(actor=users["cm.rabat"], case=rabat_case, body="Counselled on debts at home")
    return services.handover_request(
        actor=users["cm.rabat"],
        case=rabat_case,
        to_office=offices["TAM"],
        consent=rabat_case.person.consents.get(),
        sections=["IDENTITY", "NOTES"],
        message="Arrives on Tuesday's flight",
    )


def decide_url(name: str, handover: Handover) -> str:
    return reverse(f"cases:{name}", args=[handover.pk])


# --- request ------------------------------------------------------------------------------------


def test_the_host_case_manager_requests_a_hand_over_with_identity_always_included(
    client_for, offices, rabat_case
):
    client = client_for("cm.rabat")
    page = client.get(reverse("cases:detail", args=[rabat_case.pk])).content.decode()
    assert reverse("cases:handover", args=[rabat_case.pk]) in page
    # Host offices hand over; they do not register on arrival.
    assert reverse("cases:transition", args=[rabat_case.pk]) not in page

    response = client.post(
        reverse("cases:handover", args=[rabat_case.pk]), request_data(offices, rabat_case)
    )
    assert response.status_code == 302
    handover = Handover.objects.get(case=rabat_case)
    assert handover.status == "PENDING"
    assert handover.to_office == offices["TAM"]
    assert handover.sections == ["IDENTITY", "NOTES", "TASKS"]
    assert AuditEvent.objects.filter(action="handover.requested", case_id=rabat_case.pk).exists()
    page = client.get(reverse("cases:detail", args=[rabat_case.pk])).content.decode()
    assert "waiting for acceptance" in page


def test_a_hand_over_needs_a_consent(client_for, offices, rabat_case):
    response = client_for("cm.rabat").post(
        reverse("cases:handover", args=[rabat_case.pk]),
        request_data(offices, rabat_case, consent=""),
    )
    assert response.status_code == 422
    assert not Handover.objects.exists()


def test_a_host_office_is_not_a_receiving_office(client_for, offices, rabat_case):
    response = client_for("cm.rabat").post(
        reverse("cases:handover", args=[rabat_case.pk]),
        request_data(offices, rabat_case, to_office=offices["RBT"].pk),
    )
    assert response.status_code == 422
    assert not Handover.objects.exists()


def test_a_second_request_while_one_waits_is_refused(client_for, offices, handover, rabat_case):
    response = client_for("cm.rabat").post(
        reverse("cases:handover", args=[rabat_case.pk]), request_data(offices, rabat_case)
    )
    assert response.status_code == 409
    assert "already waiting" in response.content.decode()
    assert Handover.objects.count() == 1


def test_an_origin_office_case_cannot_be_handed_over(client_for, offices, tamba_case):
    response = client_for("cm.tamba").post(
        reverse("cases:handover", args=[tamba_case.pk]), {"to_office": offices["KLD"].pk}
    )
    assert response.status_code == 403


def test_the_origin_office_cannot_request_a_hand_over_of_a_case_it_does_not_see(
    client_for, offices, rabat_case
):
    response = client_for("cm.tamba").post(
        reverse("cases:handover", args=[rabat_case.pk]), request_data(offices, rabat_case)
    )
    assert response.status_code == 404
    assert not Handover.objects.exists()


# --- incoming list and summary ------------------------------------------------------------------


def test_the_receiving_office_sees_the_hand_over_in_its_incoming_list(
    client_for, handover, rabat_case
):
    for username in ("coord.tamba", "cm.tamba", "coord.national"):
        html = client_for(username).get(reverse("cases:handovers")).content.decode()
        assert rabat_case.number in html, username
        assert decide_url("handover_detail", handover) in html, username
    html = client_for("cm.kolda").get(reverse("cases:handovers")).content.decode()
    assert rabat_case.number not in html


def test_the_receiving_side_sees_a_minimal_summary_without_the_notes(
    client_for, users, handover, rabat_case
):
    response = client_for("coord.tamba").get(decide_url("handover_detail", handover))
    html = response.content.decode()
    assert response.status_code == 200
    for expected in (
        rabat_case.number,
        "Awa KEITA",
        "Female",
        "SN",
        "Rabat",
        "Identity and contacts",
        "Counselling notes",
        "Case management",
        "Tuesday",
    ):
        assert expected in html, expected
    assert "debts at home" not in html
    assert "+221 77 123 45 67" not in html
    # The receiving side does not reach the case itself until it accepts.
    assert reverse("cases:detail", args=[rabat_case.pk]) not in html
    assert decide_url("handover_accept", handover) in html
    assert decide_url("handover_refuse", handover) in html
    assert AccessEvent.objects.filter(
        action="handover.viewed", actor=users["coord.tamba"], case_id=rabat_case.pk
    ).exists()
    assert (
        client_for("coord.tamba").get(reverse("cases:detail", args=[rabat_case.pk])).status_code
        == 404
    )


def test_offices_not_concerned_do_not_see_the_hand_over(client_for, handover):
    for username in ("cm.kolda", "me.officer", "fp.comms"):
        response = client_for(username).get(decide_url("handover_detail", handover))
        assert response.status_code == 404, username


def test_the_sending_side_sees_the_hand_over_but_cannot_decide_it(client_for, handover):
    client = client_for("cm.rabat")
    html = client.get(decide_url("handover_detail", handover)).content.decode()
    assert decide_url("handover_accept", handover) not in html
    assert client.post(decide_url("handover_accept", handover)).status_code == 403
    assert client.post(decide_url("handover_refuse", handover), {"reason": "x"}).status_code == 403
    handover.refresh_from_db()
    assert handover.status == "PENDING"


# --- accept -------------------------------------------------------------------------------------


def test_the_tambacounda_coordinator_accepts_and_the_case_moves_there(
    client_for, offices, users, handover, rabat_case
):
    client = client_for("coord.tamba")
    response = client.post(
        decide_url("handover_accept", handover), {"lead": users["cm.tamba"].pk, "note": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[rabat_case.pk])
    case = Case.objects.get(pk=rabat_case.pk)
    assert case.office == offices["TAM"]
    assert case.stage == "REGISTERED"
    assert case.lead == users["cm.tamba"]
    assert AuditEvent.objects.filter(action="handover.accepted", case_id=case.pk).exists()

    for username in ("coord.tamba", "cm.tamba"):
        html = client_for(username).get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "Hand-over requested" in html, username
        assert "Handed over" in html, username
    # The host office's assignment ended with the hand-over.
    assert client_for("cm.rabat").get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert (
        rabat_case.number
        not in client_for("coord.tamba").get(reverse("cases:handovers")).content.decode()
    )


def test_a_case_manager_who_accepts_becomes_the_lead(client_for, users, handover, rabat_case):
    response = client_for("cm.tamba").post(decide_url("handover_accept", handover), {})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[rabat_case.pk])
    assert Case.objects.get(pk=rabat_case.pk).lead == users["cm.tamba"]


def test_a_decided_hand_over_cannot_be_decided_again(client_for, handover):
    client = client_for("cm.tamba")
    client.post(decide_url("handover_accept", handover), {})
    assert client.post(decide_url("handover_accept", handover), {}).status_code == 403
    assert AuditEvent.objects.filter(action="handover.accepted").count() == 1


def test_only_case_managers_of_the_receiving_office_can_be_chosen_as_lead(
    client_for, users, handover, rabat_case
):
    response = client_for("coord.tamba").post(
        decide_url("handover_accept", handover), {"lead": users["cm.kolda"].pk}
    )
    assert response.status_code == 422
    assert Case.objects.get(pk=rabat_case.pk).office.code == "RBT"


# --- refuse -------------------------------------------------------------------------------------


def test_refusing_keeps_the_case_at_rabat(client_for, users, handover, rabat_case):
    response = client_for("cm.tamba").post(
        decide_url("handover_refuse", handover), {"reason": "Not our region of return"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:handovers")
    handover.refresh_from_db()
    assert handover.status == "REFUSED"
    case = Case.objects.get(pk=rabat_case.pk)
    assert case.office.code == "RBT"
    assert case.stage == "PRE_DEPARTURE"
    assert AuditEvent.objects.filter(action="handover.refused", case_id=case.pk).exists()
    html = client_for("cm.rabat").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Hand-over refused" in html
    # A new hand-over can be requested.
    assert reverse("cases:handover", args=[case.pk]) in html


def test_refusing_needs_a_reason_next_to_its_field(client_for, handover):
    response = client_for("cm.tamba").post(decide_url("handover_refuse", handover), {"reason": ""})
    html = response.content.decode()
    assert response.status_code == 422
    field = html[html.index('id="id_refuse_reason"') :]
    assert "errorlist" in field[: field.index("</div>")]
    handover.refresh_from_db()
    assert handover.status == "PENDING"
