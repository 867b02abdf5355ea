"""Pages of feedback and complaints, the programme adjustment log and its report.

Names live in the app's namespace (outreach).
"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
