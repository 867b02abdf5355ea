from django.urls import path

from reintegra.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("visits/", views.visit_list, name="visits"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/record/", views.visit_start, name="visit_start"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
