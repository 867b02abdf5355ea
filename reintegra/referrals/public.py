"""The provider's page, opened from a referral link without an account: it shows only what was
shared and lets the provider acknowledge, accept or decline, and record the service outcome.
Every opening and every answer is audited; an expired or revoked link says so and shows
nothing else."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from reintegra.core.errors import ServiceError
from reintegra.referrals import selectors, services, sharing
from reintegra.referrals.choices import TRANSITIONS, State
from reintegra.referrals.forms import TransitionForm

# What a provider may do through its link (closing and cancelling stay with the programme).
PROVIDER_MOVES = (State.ACCEPTED, State.DECLINED, State.DELIVERED, State.NOT_DELIVERED)


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "referrals/link_gone.html", status=410)


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = selectors.link_resolve(token)
    except selectors.LinkGone:
        return _gone(request)
    referral = link.referral
    if request.method == "POST":
        services.link_use(link=link, action="referral.link_answered")
        form = TransitionForm(request.POST)
        to = form.data.get("to", "")
        if not form.is_valid() or to not in (services.ACKNOWLEDGED, *PROVIDER_MOVES):
            messages.error(request, _("The answer could not be read. Try again."))
            return redirect("referral_link:respond", token=token)
        try:
            if to == services.ACKNOWLEDGED:
                services.referral_acknowledge(actor=None, referral=referral, via_link=link)
            else:
                services.referral_transition(
                    actor=None,
                    referral=referral,
                    to=to,
                    version=form.cleaned_data["version"],
                    note=form.cleaned_data["note"],
                    via_link=link,
                )
        except ServiceError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("Thank you: your answer was recorded."))
        return redirect("referral_link:respond", token=token)
    services.link_use(link=link)
    moves = [m for m in TRANSITIONS.get(referral.state, ()) if m in PROVIDER_MOVES]
    context = {
        "referral": referral,
        "shared": sharing.labelled(referral.shared),
        "moves": moves,
        "can_acknowledge": referral.state == State.SENT and referral.acknowledged_at is None,
        "link": link,
    }
    response = render(request, "referrals/respond.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
