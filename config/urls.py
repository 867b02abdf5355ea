from django.urls import include, path

from reintegra.reports.api_root import api

urlpatterns = [
    path("", include("reintegra.reports.urls")),
    path("people/", include("reintegra.people.urls")),
    path("cases/", include("reintegra.cases.urls")),
    path("providers/", include("reintegra.providers.urls")),
    path("instruments/", include("reintegra.instruments.urls")),
    path("monitoring/", include("reintegra.monitoring.urls")),
    path("referrals/", include("reintegra.referrals.urls")),
    path("r/", include("reintegra.referrals.public_urls")),
    path("plans/", include("reintegra.plans.urls")),
    path("finance/", include("reintegra.finance.urls")),
    path("community/", include("reintegra.community.urls")),
    path("outreach/", include("reintegra.outreach.urls")),
    path("safeguarding/", include("reintegra.safeguarding.urls")),
    path("privacy/", include("reintegra.privacy.urls")),
    path("openrosa/", include("reintegra.instruments.collect_urls")),
    path("console/", include("reintegra.access.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]

handler403 = "reintegra.core.views.forbidden"
handler404 = "reintegra.core.views.not_found"
handler500 = "reintegra.core.views.server_error"
