"""Pages of subject-access requests and exports, password-protected exports.

Names live in the app's namespace (privacy).
"""

from django.urls import URLPattern, path

from reintegra.privacy.views import requests as views

urlpatterns: list[URLPattern] = [
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/move/", views.request_move, name="request_move"),
    path("requests/<int:pk>/export/", views.request_export, name="request_export"),
    path("requests/<int:pk>/export.zip", views.request_download, name="request_download"),
]
