"""Pages of community profiles and community-based projects.

Names live in the app's namespace (community).
"""

from django.urls import path

from reintegra.community.views import projects as views

urlpatterns = [
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/status/", views.project_status, name="project_status"),
    path("projects/<int:pk>/checklist/", views.project_checklist, name="project_checklist"),
    path(
        "projects/<int:pk>/participants/returnee/",
        views.project_returnee_add,
        name="project_returnee_add",
    ),
    path(
        "projects/<int:pk>/participants/members/",
        views.project_members_add,
        name="project_members_add",
    ),
    path(
        "projects/<int:pk>/participants/remove/",
        views.project_participant_remove,
        name="project_participant_remove",
    ),
    path("projects/<int:pk>/activities/", views.project_activity_add, name="project_activity_add"),
    path(
        "projects/<int:pk>/activities/done/",
        views.project_activity_done,
        name="project_activity_done",
    ),
    path("projects/<int:pk>/reports/", views.project_report_add, name="project_report_add"),
    path(
        "projects/<int:pk>/indicators/", views.project_indicator_add, name="project_indicator_add"
    ),
    path(
        "projects/<int:pk>/measurements/",
        views.project_measurement_add,
        name="project_measurement_add",
    ),
    path("profiles/", views.profile_list, name="profiles"),
    path("profiles/new/", views.profile_new, name="profile_new"),
    path("profiles/<int:pk>/", views.profile_detail, name="profile"),
    path("profiles/<int:pk>/edit/", views.profile_edit, name="profile_edit"),
]
