from django.urls import include, path

app_name = "outreach"

urlpatterns = [
    path("", include("reintegra.outreach.urls_communication")),
    path("", include("reintegra.outreach.urls_feedback")),
]
