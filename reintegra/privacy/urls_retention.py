"""Pages of retention rules, anonymisation, legal holds, consent-withdrawal cascades.

Names live in the app's namespace (privacy).
"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
