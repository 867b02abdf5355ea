"""Pages of feedback and complaints, the programme adjustment log and its report.

Names live in the app's namespace (outreach).
"""

from django.urls import URLPattern, path

from reintegra.outreach.views import feedback as views

urlpatterns: list[URLPattern] = [
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/new/", views.feedback_new, name="feedback_new"),
    path("feedback/report/", views.feedback_report, name="feedback_report"),
    path(
        "feedback/report/<str:key>.<str:fmt>",
        views.feedback_report_export,
        name="feedback_report_export",
    ),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<int:pk>/recorded/", views.feedback_recorded, name="feedback_recorded"),
    path("feedback/<int:pk>/<str:action>/", views.feedback_transition, name="feedback_transition"),
    path("adjustments/", views.adjustment_list, name="adjustment_list"),
    path("adjustments/new/", views.adjustment_new, name="adjustment_new"),
    path("adjustments/<int:pk>/", views.adjustment_detail, name="adjustment_detail"),
    path("adjustments/<int:pk>/edit/", views.adjustment_edit, name="adjustment_edit"),
]
