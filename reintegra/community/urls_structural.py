"""Pages of stakeholders, agreements, capacity building, coordination mechanisms and SOPs.

Names live in the app's namespace (community).
"""

from django.urls import path

from reintegra.community.views import structural as views

urlpatterns = [
    path("stakeholders/", views.stakeholder_list, name="stakeholder_list"),
    path("stakeholders/new/", views.stakeholder_new, name="stakeholder_new"),
    path("stakeholders/<int:pk>/", views.stakeholder_detail, name="stakeholder_detail"),
    path("stakeholders/<int:pk>/edit/", views.stakeholder_edit, name="stakeholder_edit"),
    path(
        "stakeholders/<int:pk>/contacts/add/",
        views.stakeholder_contact_add,
        name="stakeholder_contact_add",
    ),
    path(
        "stakeholders/<int:pk>/contacts/remove/",
        views.stakeholder_contact_remove,
        name="stakeholder_contact_remove",
    ),
    path(
        "stakeholders/<int:pk>/engagements/add/",
        views.stakeholder_engagement_add,
        name="stakeholder_engagement_add",
    ),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_new, name="agreement_new"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/terminate/", views.agreement_terminate, name="agreement_terminate"),
    path("agreements/<int:pk>/document/", views.agreement_document, name="agreement_document"),
    path("capacity-building/", views.capacity_list, name="capacity_list"),
    path("capacity-building/new/", views.capacity_new, name="capacity_new"),
    path("capacity-building/<int:pk>/", views.capacity_detail, name="capacity_detail"),
    path("capacity-building/<int:pk>/edit/", views.capacity_edit, name="capacity_edit"),
    path("mechanisms/", views.mechanism_list, name="mechanism_list"),
    path("mechanisms/new/", views.mechanism_new, name="mechanism_new"),
    path("mechanisms/<int:pk>/", views.mechanism_detail, name="mechanism_detail"),
    path("mechanisms/<int:pk>/edit/", views.mechanism_edit, name="mechanism_edit"),
    path(
        "mechanisms/<int:pk>/meetings/add/",
        views.mechanism_meeting_add,
        name="mechanism_meeting_add",
    ),
    path("mechanisms/<int:pk>/sops/add/", views.mechanism_sop_add, name="mechanism_sop_add"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/actions/add/", views.meeting_action_add, name="meeting_action_add"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("sops/", views.sop_list, name="sop_list"),
    path("sops/new/", views.sop_new, name="sop_new"),
    path("sops/<int:pk>/document/", views.sop_document, name="sop_document"),
]
