"""Pages of community profiles and community-based projects.

Names live in the app's namespace (community).
"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
