"""Pages of communication strategy, activities and campaigns, messages to consenting returnees.

Names live in the app's namespace (outreach).
"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
