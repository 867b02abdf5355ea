"""Pages of retention rules, anonymisation, legal holds, consent-withdrawal cascades.

Names live in the app's namespace (privacy).
"""

from django.urls import path

from reintegra.privacy.views import retention as views

urlpatterns = [
    path("retention/rules/", views.retention_rules, name="retention_rules"),
    path("retention/rules/<int:pk>/edit/", views.retention_rule_edit, name="retention_rule_edit"),
    path("retention/holds/", views.legal_hold_list, name="legal_hold_list"),
    path("retention/holds/place/", views.legal_hold_place, name="legal_hold_place"),
    path("retention/holds/<int:pk>/lift/", views.legal_hold_lift, name="legal_hold_lift"),
]
