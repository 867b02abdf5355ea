from django.urls import include, path

app_name = "privacy"

urlpatterns = [
    path("", include("reintegra.privacy.urls_requests")),
    path("", include("reintegra.privacy.urls_retention")),
]
