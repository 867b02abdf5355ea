"""Services and backends of the communication area: strategy, campaigns, activities with reach,
messages to consenting returnees (preview, send in batches, idempotence, delivery status)."""

import datetime
import http.server
import json
import threading

import pytest

from reintegra.audit.models import AuditEvent
from reintegra.core.errors import Conflict, NotAllowed, StaleVersion, ValidationFailed
from reintegra.outreach import backends
from reintegra.outreach.models.communication import CommunicationStrategy, Delivery, mask_address
from reintegra.outreach.selectors.communication import (
    home_communication,
    message_preview,
    reach_summary,
)
from reintegra.outreach.services import communication as services
from reintegra.outreach.tests.fixtures_communication import (  # noqa: F401 (fixtures)
    activity,
    message_file_fixture,
    returnees_fixture,
    sent_lines,
    sms,
)

TODAY = datetime.date.today()


def audited(action: str, target) -> bool:
    return AuditEvent.objects.filter(
        action=action, target_type=target._meta.model_name, target_id=target.pk
    ).exists()


def strategy(user, office, **kwargs):
    defaults = {
        "title": "Safe return 2026",
        "starts_on": TODAY.replace(month=1, day=1),
        "objectives": "Inform potential returnees.",
        "audiences": ["RETURNEES", "COMMUNITIES"],
        "channels": ["RADIO", "SMS"],
        "key_messages": [{"text": "Support exists", "audience": "RETURNEES"}],
    }
    return services.strategy_create(actor=user, office=office, **{**defaults, **kwargs})


# --- strategy -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_focal_point_writes_a_strategy_and_it_is_audited(users, offices):
    s = strategy(users["fp.comms"], offices["DKR"])
    assert s.status == "DRAFT" and s.key_messages[0]["audience"] == "RETURNEES"
    assert audited("communication_strategy.created", s)


@pytest.mark.django_db
def test_putting_a_strategy_in_force_archives_the_previous_one(users, offices):
    fp = users["fp.comms"]
    old = strategy(fp, offices["DKR"], status="IN_FORCE")
    new = strategy(fp, offices["DKR"], title="Second")
    new = services.strategy_update(actor=fp, strategy=new, version=new.version, status="IN_FORCE")
    old.refresh_from_db()
    assert old.status == "ARCHIVED" and new.status == "IN_FORCE"
    assert CommunicationStrategy.objects.filter(status="IN_FORCE").count() == 1
    assert audited("communication_strategy.archived", old)
    assert audited("communication_strategy.updated", new)


@pytest.mark.django_db
def test_a_strategy_edit_on_a_stale_version_changes_nothing(users, offices):
    fp = users["fp.comms"]
    s = strategy(fp, offices["DKR"])
    services.strategy_update(actor=fp, strategy=s, version=1, title="Renamed")
    with pytest.raises(StaleVersion):
        services.strategy_update(actor=fp, strategy=s, version=1, title="Other")
    s.refresh_from_db()
    assert s.title == "Renamed" and s.version == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": " "}, "title"),
        ({"objectives": ""}, "objectives"),
        ({"audiences": ["ALIENS"]}, "audiences"),
        ({"channels": ["PIGEON"]}, "channels"),
        ({"key_messages": [{"text": "Hi", "audience": ""}]}, "key_messages"),
        ({"ends_on": datetime.date(2000, 1, 1)}, "ends_on"),
    ],
)
def test_a_strategy_with_bad_fields_is_refused(users, offices, fields, field):
    with pytest.raises(ValidationFailed) as err:
        strategy(users["fp.comms"], offices["DKR"], **fields)
    assert err.value.field == field


@pytest.mark.django_db
def test_a_coordinator_cannot_write_the_strategy(users, offices):
    with pytest.raises(ValidationFailed):
        strategy(users["coord.national"], offices["DKR"])


# --- campaigns and activities -------------------------------------------------------------------


@pytest.mark.django_db
def test_an_activity_keeps_its_reach_by_sex_and_age_and_its_total(users, offices):
    fp = users["fp.comms"]
    campaign = services.campaign_create(
        actor=fp, office=offices["DKR"], title="Radio series", starts_on=TODAY
    )
    a = activity(fp, offices["TAM"], campaign=campaign)
    assert a.reached == 20
    assert {(r.sex, r.age_band, r.count) for r in a.reach.all()} == {
        ("F", "18-24", 12),
        ("M", "25-59", 8),
    }
    assert audited("activity.logged", a) and audited("campaign.created", campaign)
    a = services.activity_update(
        actor=fp, activity=a, version=a.version, reach=[{"sex": "X", "age_band": "60+", "count": 3}]
    )
    assert a.reached == 3 and a.reach.count() == 1
    event = AuditEvent.objects.get(action="activity.updated", target_id=a.pk)
    assert event.changes["reached"] == [20, 3]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"kind": "CIRCUS"}, "kind"),
        ({"audience": "NOBODY"}, "audience"),
        ({"held_on": TODAY + datetime.timedelta(days=3)}, "held_on"),
        ({"reach": [{"sex": "F", "age_band": "99", "count": 1}]}, "reach"),
        ({"reach": [{"sex": "F", "age_band": "60+", "count": -1}]}, "reach"),
        (
            {
                "reach": [
                    {"sex": "F", "age_band": "60+", "count": 1},
                    {"sex": "F", "age_band": "60+", "count": 2},
                ]
            },
            "reach",
        ),
    ],
)
def test_an_activity_with_bad_fields_is_refused(users, offices, fields, field):
    with pytest.raises(ValidationFailed) as err:
        activity(users["fp.comms"], offices["TAM"], **fields)
    assert err.value.field == field


@pytest.mark.django_db
def test_an_activity_edit_on_a_stale_version_is_refused(users, offices):
    fp = users["fp.comms"]
    a = activity(fp, offices["TAM"])
    services.activity_update(actor=fp, activity=a, version=a.version, title="New title")
    with pytest.raises(StaleVersion):
        services.activity_update(actor=fp, activity=a, version=1, title="Other")


@pytest.mark.django_db
def test_the_focal_point_and_case_managers_log_activities_in_their_scope(users, offices):
    with pytest.raises(ValidationFailed):
        activity(users["coord.tamba"], offices["TAM"])
    with pytest.raises(ValidationFailed):
        activity(users["cm.kolda"], offices["TAM"])
    a = activity(users["fp.comms"], offices["TAM"])
    with pytest.raises(NotAllowed):
        services.activity_update(actor=users["coord.tamba"], activity=a, version=1, title="x")
    with pytest.raises(NotAllowed):
        services.activity_update(actor=users["cm.tamba"], activity=a, version=1, title="x")
    own = activity(users["cm.tamba"], offices["TAM"])
    own = services.activity_update(actor=users["cm.tamba"], activity=own, version=1, title="y")
    assert own.title == "y" and audited("activity.updated", own)


@pytest.mark.django_db
def test_reach_totals_follow_the_scope_of_the_reader(users, offices):
    fp = users["fp.comms"]
    activity(fp, offices["TAM"])
    activity(fp, offices["KLD"], kind="RADIO", reach={("F", "0-17"): 5})
    national = reach_summary(fp)
    assert national["total"] == 25 and national["activities"] == 2
    assert dict(national["by_sex"])["Female"] == 17
    tamba = reach_summary(users["coord.tamba"])
    assert tamba["total"] == 20 and tamba["activities"] == 1
    assert reach_summary(users["cm.tamba"])["total"] == 0
    assert home_communication(users["me.officer"])["month_reached"] == 25
    assert home_communication(users["cm.tamba"]) is None


# --- messages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_counts_recipients_and_skipped_people(users, offices, returnees):
    message = sms(users["fp.comms"], offices["DKR"])
    # Awa consented with a phone; Binta consented without one; Coumba never consented and
    # Dieynaba withdrew; Fanta lives in Kolda (another region).
    assert message_preview(users["fp.comms"], message) == {
        "recipients": 1,
        "skipped_consent": 2,
        "skipped_address": 1,
        "audience": 4,
    }
    everyone = sms(users["fp.comms"], offices["DKR"], region="")
    assert message_preview(users["fp.comms"], everyone)["recipients"] == 2


@pytest.mark.django_db
def test_the_audience_can_be_narrowed_to_open_cases_and_stays_in_scope(users, offices, returnees):
    fp = users["fp.comms"]
    open_only = sms(fp, offices["DKR"], region="", only_open_cases=True)
    assert message_preview(fp, open_only)["audience"] == 1
    # coord.tamba's message reaches Tambacounda only, even without a region.
    tamba = sms(users["coord.tamba"], offices["TAM"], region="")
    assert message_preview(users["coord.tamba"], tamba)["recipients"] == 1
    with pytest.raises(ValidationFailed):
        sms(users["coord.tamba"], offices["DKR"])
    with pytest.raises(ValidationFailed):
        sms(fp, offices["DKR"], target_office=offices["RBT"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"channel": "PIGEON"}, "channel"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 481}, "body"),
        ({"channel": "EMAIL", "subject": ""}, "subject"),
    ],
)
def test_a_bad_message_is_refused(users, offices, fields, field):
    with pytest.raises(ValidationFailed) as err:
        sms(users["fp.comms"], offices["DKR"], **fields)
    assert err.value.field == field


@pytest.mark.django_db
def test_a_case_manager_cannot_write_to_returnees(users, offices):
    with pytest.raises(ValidationFailed):
        sms(users["cm.tamba"], offices["TAM"])


@pytest.mark.django_db
def test_sending_goes_only_to_consenting_returnees_and_records_each_delivery(
    users, offices, returnees, message_file, django_capture_on_commit_callbacks
):
    fp = users["fp.comms"]
    message = sms(fp, offices["DKR"], region="")
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(actor=fp, message=message, version=message.version)
    message.refresh_from_db()
    assert message.status == "SENT"
    assert (message.total, message.sent, message.failed) == (2, 2, 0)
    assert (message.skipped_consent, message.skipped_address) == (2, 1)
    people = set(message.deliveries.values_list("person_id", flat=True))
    assert people == {returnees["awa"].pk, returnees["fanta"].pk}
    lines = sent_lines(message_file)
    assert sorted(line["to"] for line in lines) == ["+221 70 111 22 33", "+221 77 123 45 12"]
    assert all(line["body"] == message.body for line in lines)
    assert audited("message.send_started", message) and audited("message.sent", message)
    assert AuditEvent.objects.filter(
        action="message.delivery_sent", person_id=returnees["awa"].pk
    ).exists()
    # Nothing about the address or the text in the audit trail.
    trail = json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert "123 45 12" not in trail and "Friday" not in trail


@pytest.mark.django_db
def test_sending_twice_does_not_send_twice(
    users, offices, returnees, message_file, django_capture_on_commit_callbacks
):
    fp = users["fp.comms"]
    message = sms(fp, offices["DKR"], region="")
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(actor=fp, message=message)
    with pytest.raises(Conflict):
        services.message_send(actor=fp, message=message)
    assert len(sent_lines(message_file)) == 2


@pytest.mark.django_db
def test_a_crashed_send_is_resumed_without_sending_again(
    users, offices, returnees, message_file, django_capture_on_commit_callbacks
):
    fp = users["fp.comms"]
    message = sms(fp, offices["DKR"], region="")
    # The send starts but the worker never runs (the callbacks are not executed).
    with django_capture_on_commit_callbacks(execute=False):
        services.message_send(actor=fp, message=message)
    message.refresh_from_db()
    assert message.status == "SENDING" and message.sent == 0
    # One delivery went out before the crash.
    first = message.deliveries.order_by("pk").first()
    Delivery.objects.filter(pk=first.pk).update(status="SENT", provider_reference="ref-1")
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(actor=fp, message=message)
    message.refresh_from_db()
    assert message.status == "SENT"
    assert len(sent_lines(message_file)) == 1
    assert audited("message.send_resumed", message)


@pytest.mark.django_db
def test_a_failing_backend_marks_the_deliveries_failed(
    users, offices, returnees, settings, django_capture_on_commit_callbacks
):
    settings.REINTEGRA_MESSAGE_BACKENDS = {"SMS": "reintegra.outreach.backends.SmsGatewayBackend"}
    settings.REINTEGRA_SMS_GATEWAY_URL = ""
    fp = users["fp.comms"]
    message = sms(fp, offices["DKR"], region="")
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(actor=fp, message=message)
    message.refresh_from_db()
    assert (message.status, message.sent, message.failed) == ("SENT", 0, 2)
    assert set(message.deliveries.values_list("error", flat=True)) == {
        "no SMS gateway is configured"
    }


@pytest.mark.django_db
def test_a_coordinator_out_of_scope_cannot_send(users, offices, returnees):
    message = sms(users["fp.comms"], offices["DKR"])
    with pytest.raises(NotAllowed):
        services.message_send(actor=users["coord.tamba"], message=message)


@pytest.mark.django_db
def test_a_gateway_report_marks_a_delivery_delivered_or_failed(
    users, offices, returnees, message_file, django_capture_on_commit_callbacks
):
    fp = users["fp.comms"]
    message = sms(fp, offices["DKR"], region="")
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(actor=fp, message=message)
    one, two = message.deliveries.order_by("pk")
    services.delivery_report(actor=None, reference=one.provider_reference, status="DELIVERED")
    services.delivery_report(
        actor=None, reference=two.provider_reference, status="FAILED", error="Unreachable"
    )
    one.refresh_from_db()
    message.refresh_from_db()
    assert one.status == "DELIVERED" and one.delivered_at is not None
    assert (message.sent, message.failed) == (1, 1)
    assert services.delivery_report(actor=None, reference="unknown", status="DELIVERED") is None


# --- backends -----------------------------------------------------------------------------------


class Gateway(http.server.BaseHTTPRequestHandler):
    """A tiny SMS gateway: accepts the token "secret", fails numbers ending in 0."""

    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        if self.headers.get("Authorization") != "Bearer secret":
            self.send_response(401)
            self.end_headers()
            return
        Gateway.received.append(body)
        status, answer = (500, {}) if body["to"].endswith("0") else (200, {"id": "gw-42"})
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep the test output quiet (and free of numbers)
        pass


@pytest.fixture
def gateway():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received = []
    yield f"http://127.0.0.1:{server.server_address[1]}/send"
    server.shutdown()
    server.server_close()


def test_the_sms_gateway_backend_posts_json_with_the_token(gateway):
    backend = backends.SmsGatewayBackend(url=gateway, token="secret", timeout=5)
    assert backend.send("SMS", "+221771234512", "", "Hello") == "gw-42"
    assert Gateway.received == [{"channel": "SMS", "to": "+221771234512", "text": "Hello"}]


def test_the_sms_gateway_backend_turns_errors_into_failed_deliveries(gateway):
    with pytest.raises(backends.DeliveryFailed, match="HTTP 500"):
        backends.SmsGatewayBackend(url=gateway, token="secret").send("SMS", "+2210", "", "Hi")
    with pytest.raises(backends.DeliveryFailed, match="HTTP 401"):
        backends.SmsGatewayBackend(url=gateway, token="wrong").send("SMS", "+2211", "", "Hi")
    with pytest.raises(backends.DeliveryFailed, match="unreachable"):
        backends.SmsGatewayBackend(url="http://127.0.0.1:9/", token="x", timeout=2).send(
            "SMS", "+2211", "", "Hi"
        )


@pytest.mark.django_db
def test_the_smtp_backend_sends_an_email(mailoutbox):
    reference = backends.SmtpBackend().send("EMAIL", "awa@example.org", "News", "Hello")
    assert reference.startswith("mail-")
    assert mailoutbox[0].to == ["awa@example.org"] and mailoutbox[0].subject == "News"


def test_the_backend_of_a_channel_comes_from_the_settings(settings, tmp_path):
    settings.REINTEGRA_MESSAGE_FILE = str(tmp_path / "m.jsonl")
    settings.REINTEGRA_MESSAGE_BACKENDS = {"EMAIL": "reintegra.outreach.backends.SmtpBackend"}
    assert isinstance(backends.backend_for("EMAIL"), backends.SmtpBackend)
    file_backend = backends.backend_for("SMS")
    assert isinstance(file_backend, backends.FileBackend)
    assert file_backend.send("SMS", "+221", "", "Hi").startswith("file-")
    assert json.loads((tmp_path / "m.jsonl").read_text())["to"] == "+221"


def test_addresses_are_masked_on_pages():
    assert mask_address("+221 77 123 45 12") == "+221 77 *** ** 12"
    assert mask_address("771234512") == "77*****12"
    assert mask_address("awa.diallo@example.org") == "a***@example.org"
