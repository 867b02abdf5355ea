"""Pages and API of the access operations: the case's access card, grant, revoke, break
glass, the review list; 403 when not allowed, 404 out of scope, form errors, 422."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reintegra.access import services
from reintegra.access.models import AccessGrant
from reintegra.access.tests.fixtures_access_ops import *  # noqa: F403 - the fixtures
from reintegra.access.tests.fixtures_access_ops import SECRET
from reintegra.accounts.services import api_token_issue

pytestmark = pytest.mark.django_db


def api_for(user):
    return Client(headers={"Authorization": f"Bearer {api_token_issue(actor=user)}"})


def grant_data(users, **changes):
    data = {
        "user": users["cm.kolda"].pk,
        "tier": "PROTECTION",
        "level": "3",
        "reason": "Stand-in while the focal point is away",
        "ends_on": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
    }
    data.update(changes)
    return data


JUSTIFICATION = "The returnee called at night reporting a threat from the recruiter"


# --- pages -----------------------------------------------------------------------------------


def test_the_case_page_loads_the_access_card(client_for, tamba_case):
    page = client_for("coord.tamba").get(reverse("cases:detail", args=[tamba_case.pk]))
    assert reverse("cases:access_panel", args=[tamba_case.pk]) in page.content.decode()
    panel = client_for("coord.tamba").get(
        reverse("cases:access_panel", args=[tamba_case.pk]), headers={"HX-Request": "true"}
    )
    html = panel.content.decode()
    assert panel.status_code == 200
    assert 'action="' + reverse("cases:grant_add", args=[tamba_case.pk]) in html
    assert 'action="' + reverse("cases:break_glass", args=[tamba_case.pk]) in html
    # A case manager sees no form.
    html = client_for("cm.tamba").get(reverse("cases:access_panel", args=[tamba_case.pk]))
    assert html.status_code == 200
    assert reverse("cases:grant_add", args=[tamba_case.pk]) not in html.content.decode()


def test_a_coordinator_grants_and_revokes_on_the_case_page(client_for, users, tamba_case):
    coord = client_for("coord.tamba")
    response = coord.post(reverse("cases:grant_add", args=[tamba_case.pk]), grant_data(users))
    assert response.status_code == 302
    g = AccessGrant.objects.get()
    kolda = client_for("cm.kolda")
    page = kolda.get(reverse("cases:detail", args=[tamba_case.pk]))
    assert page.status_code == 200 and SECRET in page.content.decode()
    panel = kolda.get(reverse("cases:access_panel", args=[tamba_case.pk]))
    assert "You have been granted access to the Protection section" in panel.content.decode()
    html = coord.get(reverse("cases:access_panel", args=[tamba_case.pk])).content.decode()
    assert "cm.kolda" in html and reverse("cases:grant_revoke", args=[g.pk]) in html
    assert coord.post(reverse("cases:grant_revoke", args=[g.pk])).status_code == 302
    assert kolda.get(reverse("cases:detail", args=[tamba_case.pk])).status_code == 404


def test_bad_grant_input_shows_form_errors(client_for, users, tamba_case):
    coord = client_for("coord.tamba")
    url = reverse("cases:grant_add", args=[tamba_case.pk])
    response = coord.post(url, grant_data(users, ends_on="not a date", tier="NOPE"))
    assert response.status_code == 400
    far = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
    response = coord.post(url, grant_data(users, ends_on=far))
    assert response.status_code == 400
    assert "at most 90 days" in response.content.decode()
    assert not AccessGrant.objects.exists()


def test_grant_and_break_glass_pages_refuse_others(client_for, users, tamba_case, kolda_case):
    cm = client_for("cm.tamba")
    assert (
        cm.post(reverse("cases:grant_add", args=[tamba_case.pk]), grant_data(users)).status_code
        == 403
    )
    assert (
        cm.post(
            reverse("cases:break_glass", args=[tamba_case.pk]),
            {"tier": "PROTECTION", "justification": JUSTIFICATION},
        ).status_code
        == 403
    )
    coord = client_for("coord.tamba")
    assert (
        coord.post(reverse("cases:grant_add", args=[kolda_case.pk]), grant_data(users)).status_code
        == 404
    )
    assert coord.get(reverse("cases:access_panel", args=[kolda_case.pk])).status_code == 404
    assert client_for("cm.tamba").get(reverse("cases:break_glass_list")).status_code == 403


def test_break_glass_on_the_page_then_review(client_for, users, tamba_case):
    coord = client_for("coord.tamba")
    detail = reverse("cases:detail", args=[tamba_case.pk])
    assert SECRET not in coord.get(detail).content.decode()
    url = reverse("cases:break_glass", args=[tamba_case.pk])
    response = coord.post(url, {"tier": "PROTECTION", "justification": "urgent"})
    assert response.status_code == 400 and not AccessGrant.objects.exists()
    response = coord.post(url, {"tier": "PROTECTION", "justification": JUSTIFICATION})
    assert response.status_code == 302
    assert SECRET in coord.get(detail).content.decode()
    panel = coord.get(reverse("cases:access_panel", args=[tamba_case.pk])).content.decode()
    assert "Break-glass access to the Protection section is open" in panel
    g = AccessGrant.objects.get()
    national = client_for("coord.national")
    listing = national.get(reverse("cases:break_glass_list")).content.decode()
    assert tamba_case.number in listing and JUSTIFICATION in listing
    assert reverse("cases:break_glass_review", args=[g.pk]) in listing
    # Not one's own review.
    own = coord.post(
        reverse("cases:break_glass_review", args=[g.pk]), {"comment": "ok", "version": g.version}
    )
    assert own.status_code == 403
    response = national.post(
        reverse("cases:break_glass_review", args=[g.pk]),
        {"comment": "Justified, threat confirmed", "version": g.version},
    )
    assert response.status_code == 302
    g.refresh_from_db()
    assert g.reviewed_by == users["coord.national"] and g.review_comment
    reviewed = national.get(reverse("cases:break_glass_list") + "?status=reviewed")
    assert "Justified, threat confirmed" in reviewed.content.decode()
    assert (
        client_for("coord.national")
        .get(reverse("cases:break_glass_list") + "?status=x&page=x")
        .status_code
        == 200
    )


# --- API -------------------------------------------------------------------------------------


def api_grant(users, **changes):
    data = {
        "user_id": users["cm.kolda"].pk,
        "tier": "PROTECTION",
        "level": "READ",
        "reason": "Stand-in while the focal point is away",
        "ends_on": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
    }
    data.update(changes)
    return data


def test_api_grant_revoke(users, tamba_case, kolda_case):
    coord = api_for(users["coord.tamba"])
    url = f"/api/cases/{tamba_case.pk}/grants"
    response = coord.post(url, api_grant(users), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user"]["id"] == users["cm.kolda"].pk and body["is_current"]
    kolda = api_for(users["cm.kolda"])
    assert kolda.get(f"/api/cases/{tamba_case.pk}").status_code == 200
    # Invalid input: 422 with a code, never a 500.
    for bad in (
        {"tier": "CASE"},
        {"level": "ADMIN"},
        {"ends_on": "2000-01-01"},
        {"user_id": 0},
        {"user_id": 999999},
        {"reason": "x"},
    ):
        answer = coord.post(url, api_grant(users, **bad), content_type="application/json")
        assert answer.status_code == 422, (bad, answer.content)
        assert answer.json()["code"]
    assert (
        api_for(users["cm.tamba"])
        .post(url, api_grant(users), content_type="application/json")
        .status_code
        == 403
    )
    assert (
        coord.post(
            f"/api/cases/{kolda_case.pk}/grants", api_grant(users), content_type="application/json"
        ).status_code
        == 404
    )
    assert api_for(users["coord.national"]).delete(f"/api/grants/{body['id']}").status_code == 200
    assert kolda.get(f"/api/cases/{tamba_case.pk}").status_code == 404
    assert coord.delete(f"/api/grants/{body['id']}").status_code == 409
    assert api_for(users["cm.tamba"]).delete(f"/api/grants/{body['id']}").status_code == 404


def test_api_break_glass_list_and_review(users, tamba_case):
    coord = api_for(users["coord.tamba"])
    url = f"/api/cases/{tamba_case.pk}/break-glass"
    short = coord.post(
        url, {"tier": "PROTECTION", "justification": "hm"}, content_type="application/json"
    )
    assert short.status_code == 422
    response = coord.post(
        url, {"tier": "PROTECTION", "justification": JUSTIFICATION}, content_type="application/json"
    )
    assert response.status_code == 201
    g = response.json()
    assert g["kind"] == "BREAK_GLASS" and g["level"] == "READ"
    national = api_for(users["coord.national"])
    listing = national.get("/api/break-glass").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == g["id"]
    assert api_for(users["cm.tamba"]).get("/api/break-glass").status_code == 403
    assert national.get("/api/break-glass?status=nope").status_code == 422
    review = f"/api/break-glass/{g['id']}/review"
    stale = national.post(review, {"comment": "ok", "version": 99}, content_type="application/json")
    assert stale.status_code == 409
    own = coord.post(review, {"comment": "ok", "version": 1}, content_type="application/json")
    assert own.status_code == 403
    done = national.post(
        review, {"comment": "Justified", "version": 1}, content_type="application/json"
    )
    assert (
        done.status_code == 200 and done.json()["reviewed_by"]["id"] == users["coord.national"].pk
    )
    assert national.get("/api/break-glass?status=reviewed").json()["count"] == 1


def test_a_grant_given_by_service_shows_in_the_api_list_only_for_break_glass(users, tamba_case):
    services.grant_create(
        actor=users["coord.tamba"],
        case=tamba_case,
        user=users["cm.kolda"],
        tier="MEDICAL",
        level=3,
        reason="Stand-in for the medical focal point",
        ends_on=timezone.localdate(),
    )
    assert api_for(users["coord.national"]).get("/api/break-glass?status=all").json()["count"] == 0
