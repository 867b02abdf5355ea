"""The home page. No app_name here: the page is the plain URL name `home` (LOGIN_REDIRECT_URL,
base.html); the nested include also makes it reachable as `reports:home`."""

from django.urls import include, path

from reintegra.reports import views

namespaced = ([path("", views.home, name="home")], "reports")

urlpatterns = [
    path("", views.home, name="home"),
    path("", include(namespaced)),
]
