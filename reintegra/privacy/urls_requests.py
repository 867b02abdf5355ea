"""Pages of subject-access requests and exports, password-protected exports.

Names live in the app's namespace (privacy).
"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
