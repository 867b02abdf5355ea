"""Pages of the communication area: who may use them, forms with good and bad input, the
message preview and send, and that the focal point never sees case narratives."""

import datetime
import re

import pytest
from django.urls import reverse

from reintegra.outreach.models.communication import Activity, CommunicationStrategy, Message
from reintegra.outreach.services import communication as services
from reintegra.outreach.tests.fixtures_communication import (  # noqa: F401 (fixtures)
    activity,
    message_file_fixture,
    returnees_fixture,
    sent_lines,
    sms,
)

TODAY = datetime.date.today()
LIST_PAGES = ["strategy", "campaigns", "activities", "reach"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_PAGES)
def test_communication_readers_see_the_list_pages_and_others_are_refused(client_for, name):
    url = reverse(f"outreach:{name}")
    for username in ("fp.comms", "coord.tamba", "me.officer"):
        assert client_for(username).get(url).status_code == 200, username
    # Case managers list the activities they logged (none here).
    refused = ("fp.protection", "finance", "sysadmin")
    assert client_for("cm.tamba").get(url).status_code == (200 if name == "activities" else 403)
    for username in refused:
        assert client_for(username).get(url).status_code == 403, username


@pytest.mark.django_db
def test_messages_are_for_the_focal_point_and_coordinators_only(client_for):
    url = reverse("outreach:messages")
    assert client_for("fp.comms").get(url).status_code == 200
    assert client_for("coord.tamba").get(url).status_code == 200
    assert client_for("me.officer").get(url).status_code == 403


@pytest.mark.django_db
def test_the_focal_point_writes_a_strategy_on_the_page(client_for, offices):
    client = client_for("fp.comms")
    response = client.post(
        reverse("outreach:strategy_new"),
        {
            "office": offices["DKR"].pk,
            "title": "Safe return",
            "starts_on": TODAY.isoformat(),
            "objectives": "Inform communities of return.",
            "audiences": ["RETURNEES", "COMMUNITIES"],
            "channels": ["RADIO"],
            "status": "IN_FORCE",
            "message_1": "Support exists for those who return",
            "message_audience_1": "POTENTIAL_RETURNEES",
        },
    )
    strategy = CommunicationStrategy.objects.get()
    assert response.status_code == 302
    assert strategy.status == "IN_FORCE"
    assert strategy.key_messages == [
        {"text": "Support exists for those who return", "audience": "POTENTIAL_RETURNEES"}
    ]
    page = client_for("me.officer").get(reverse("outreach:strategy")).content.decode()
    assert "Safe return" in page


@pytest.mark.django_db
def test_a_strategy_form_with_bad_input_shows_errors(client_for, offices):
    response = client_for("fp.comms").post(
        reverse("outreach:strategy_new"),
        {
            "office": offices["DKR"].pk,
            "title": "x",
            "starts_on": "not a date",
            "objectives": "y",
            "status": "IN_FORCE",
            "message_1": "A message without audience",
        },
    )
    assert response.status_code == 422
    assert not CommunicationStrategy.objects.exists()
    assert "Choose the audience of this message." in response.content.decode()


@pytest.mark.django_db
def test_the_strategy_edit_form_shows_the_current_values(client_for, users, offices):
    strategy = services.strategy_create(
        actor=users["fp.comms"],
        office=offices["DKR"],
        title="Safe return",
        starts_on=TODAY,
        objectives="Inform",
        key_messages=[{"text": "Support exists", "audience": "RETURNEES"}],
    )
    page = client_for("fp.comms").get(reverse("outreach:strategy_edit", args=[strategy.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Safe return"' in html and 'value="Support exists"' in html
    assert (
        client_for("coord.national")
        .get(reverse("outreach:strategy_edit", args=[strategy.pk]))
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_a_stale_strategy_edit_answers_409_with_a_message(client_for, users, offices):
    fp = users["fp.comms"]
    strategy = services.strategy_create(
        actor=fp, office=offices["DKR"], title="A", starts_on=TODAY, objectives="B"
    )
    services.strategy_update(actor=fp, strategy=strategy, version=1, title="Changed")
    response = client_for("fp.comms").post(
        reverse("outreach:strategy_edit", args=[strategy.pk]),
        {
            "title": "Mine",
            "starts_on": TODAY.isoformat(),
            "objectives": "B",
            "status": "DRAFT",
            "version": 1,
        },
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    strategy.refresh_from_db()
    assert strategy.title == "Changed"


@pytest.mark.django_db
def test_the_focal_point_logs_an_activity_with_reach_on_the_page(client_for, users, offices):
    campaign = services.campaign_create(
        actor=users["fp.comms"], office=offices["DKR"], title="Radio series", starts_on=TODAY
    )
    response = client_for("fp.comms").post(
        reverse("outreach:activity_new"),
        {
            "office": offices["TAM"].pk,
            "campaign": campaign.pk,
            "kind": "COMMUNITY_DIALOGUE",
            "title": "Dialogue in Goudiry",
            "held_on": TODAY.isoformat(),
            "region": "Tambacounda",
            "audience": "COMMUNITIES",
            "reach_F_18_24": "14",
            "reach_M_60plus": "3",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.reached == 17 and activity.campaign == campaign
    detail = client_for("coord.tamba").get(response["Location"])
    assert detail.status_code == 200
    assert "17 people reached" in detail.content.decode()
    assert (
        client_for("coord.tamba")
        .get(reverse("outreach:campaign_detail", args=[campaign.pk]))
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_an_activity_form_with_bad_input_shows_errors(client_for, offices):
    response = client_for("fp.comms").post(
        reverse("outreach:activity_new"),
        {
            "office": offices["TAM"].pk,
            "kind": "RADIO",
            "title": "Radio",
            "held_on": (TODAY + datetime.timedelta(days=5)).isoformat(),
            "audience": "COMMUNITIES",
            "reach_F_18_24": "-4",
        },
    )
    assert response.status_code == 422
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_the_activity_list_filters_by_type_and_region(client_for, users, offices):
    fp = users["fp.comms"]
    activity(fp, offices["TAM"], title="Tamba session")
    activity(fp, offices["KLD"], title="Kolda radio", kind="RADIO", region="Kolda")
    client = client_for("fp.comms")
    page = client.get(reverse("outreach:activities"), {"kind": "RADIO"}).content.decode()
    assert "Kolda radio" in page and "Tamba session" not in page
    page = client.get(reverse("outreach:activities"), {"region": "tambacounda"}).content.decode()
    assert "Tamba session" in page and "Kolda radio" not in page
    # Bad filter values are ignored, not a 500.
    assert (
        client.get(reverse("outreach:activities"), {"since": "x", "campaign": "y"}).status_code
        == 200
    )


@pytest.mark.django_db
def test_compose_preview_and_send_an_sms_on_the_pages(
    client_for, users, offices, returnees, message_file, django_capture_on_commit_callbacks
):
    client = client_for("fp.comms")
    response = client.post(
        reverse("outreach:message_new"),
        {
            "office": offices["DKR"].pk,
            "channel": "SMS",
            "body": "Information session on Friday.",
            "region": "Tambacounda",
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    preview = client.get(response["Location"]).content.decode()
    assert "1 returnee will receive it" in preview
    assert "2 skipped: no valid communication consent" in preview
    # The people skipped are counted, never listed.
    assert "Coumba" not in preview and "Dieynaba" not in preview
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("outreach:message_send", args=[message.pk]), {"version": message.version}
        )
    assert sent.status_code == 302
    page = client.get(reverse("outreach:message_detail", args=[message.pk])).content.decode()
    assert "Awa DIALLO" in page and "+221 77 *** ** 12" in page
    assert "123 45" not in page and "Coumba" not in page
    assert len(sent_lines(message_file)) == 1
    progress = client.get(reverse("outreach:message_progress", args=[message.pk]))
    assert progress.status_code == 200 and "hx-get" not in progress.content.decode()


@pytest.mark.django_db
def test_a_too_long_sms_is_refused_on_the_page(client_for, offices):
    response = client_for("fp.comms").post(
        reverse("outreach:message_new"),
        {"office": offices["DKR"].pk, "channel": "SMS", "body": "x" * 600},
    )
    assert response.status_code == 422
    assert "An SMS is 480 characters at most" in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_sending_message_page_polls_its_progress(client_for, users, offices, returnees):
    fp = users["fp.comms"]
    message = sms(fp, offices["DKR"], region="")
    # The worker has not run yet (on-commit callbacks are not executed in this test).
    services.message_send(actor=fp, message=message)
    page = client_for("fp.comms").get(reverse("outreach:message_detail", args=[message.pk]))
    html = page.content.decode()
    assert 'hx-trigger="every 2s"' in html
    # No inline script (CSP): every script is a file.
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None


@pytest.mark.django_db
def test_the_focal_point_never_sees_case_narratives(
    client_for, users, offices, returnees, message_file, django_capture_on_commit_callbacks
):
    fp = users["fp.comms"]
    message = sms(fp, offices["DKR"], region="")
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(actor=fp, message=message)
    client = client_for("fp.comms")
    narrative = "Secret counselling narrative"
    case_number = returnees["case"].number
    urls = [
        reverse("outreach:message_detail", args=[message.pk]),
        reverse("outreach:message_progress", args=[message.pk]),
        reverse("outreach:messages"),
        f"/api/outreach/messages/{message.pk}",
        "/api/outreach/messages",
    ]
    for url in urls:
        body = client.get(url).content.decode()
        assert narrative not in body, url
        assert case_number not in body, url
        assert "Awa" in body or url.endswith(("messages", "progress/", "messages/")), url


@pytest.mark.django_db
def test_the_home_section_shows_the_strategy_activities_and_messages(users, offices, returnees):
    from django.template.loader import render_to_string

    from reintegra.outreach.selectors.communication import home_communication

    fp = users["fp.comms"]
    services.strategy_create(
        actor=fp,
        office=offices["DKR"],
        title="Safe return",
        starts_on=TODAY,
        objectives="Inform",
        status="IN_FORCE",
    )
    activity(fp, offices["TAM"], title="Goudiry session")
    sms(fp, offices["DKR"], body="Meeting on Friday")
    html = render_to_string(
        "outreach/communication/_home.html", {"communication": home_communication(fp)}
    )
    assert "Safe return" in html and "Goudiry session" in html and "Meeting on Friday" in html
    assert "20 people reached" in html
    me = render_to_string(
        "outreach/communication/_home.html",
        {"communication": home_communication(users["me.officer"])},
    )
    assert "Goudiry session" in me and "Meeting on Friday" not in me


@pytest.mark.django_db
def test_a_case_manager_logs_an_activity_they_ran_and_sees_only_theirs(client_for, users, offices):
    other = activity(users["fp.comms"], offices["TAM"], title="Focal point session")
    client = client_for("cm.tamba")
    form = client.get(reverse("outreach:activity_new"))
    assert form.status_code == 200
    response = client.post(
        reverse("outreach:activity_new"),
        {
            "office": offices["TAM"].pk,
            "kind": "INFO_SESSION",
            "title": "Session with returnees of Bakel",
            "held_on": TODAY.isoformat(),
            "audience": "RETURNEES",
            "reach_M_25_59": "6",
        },
    )
    assert response.status_code == 302
    mine = Activity.objects.get(title="Session with returnees of Bakel")
    assert mine.author == users["cm.tamba"] and mine.reached == 6
    listing = client.get(reverse("outreach:activities")).content.decode()
    assert "Session with returnees of Bakel" in listing and "Focal point session" not in listing
    assert client.get(reverse("outreach:activity_edit", args=[mine.pk])).status_code == 200
    assert client.get(reverse("outreach:activity_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("outreach:reach")).status_code == 403
    # Another case manager of the office does not edit it; the focal point does.
    assert (
        client_for("cm.psy").get(reverse("outreach:activity_edit", args=[mine.pk])).status_code
        == 404
    )
    assert (
        client_for("fp.comms").get(reverse("outreach:activity_edit", args=[mine.pk])).status_code
        == 200
    )
