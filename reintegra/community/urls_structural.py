"""Pages of stakeholders, agreements, capacity building, coordination mechanisms and SOPs.

Names live in the app's namespace (community).
"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
