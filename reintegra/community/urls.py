from django.urls import include, path

app_name = "community"

urlpatterns = [
    path("", include("reintegra.community.urls_projects")),
    path("", include("reintegra.community.urls_structural")),
]
