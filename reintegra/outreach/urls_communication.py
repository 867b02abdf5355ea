"""Pages of communication strategy, activities and campaigns, messages to consenting returnees.

Names live in the app's namespace (outreach).
"""

from django.urls import URLPattern, path

from reintegra.outreach.views import communication as views

urlpatterns: list[URLPattern] = [
    path("strategy/", views.strategy, name="strategy"),
    path("strategy/new/", views.strategy_new, name="strategy_new"),
    path("strategy/<int:pk>/", views.strategy_detail, name="strategy_detail"),
    path("strategy/<int:pk>/edit/", views.strategy_edit, name="strategy_edit"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("activities/", views.activities, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("reach/", views.reach, name="reach"),
    path("messages/", views.message_list, name="messages"),
    path("messages/new/", views.message_new, name="message_new"),
    path("messages/<int:pk>/", views.message_detail, name="message_detail"),
    path("messages/<int:pk>/progress/", views.message_progress, name="message_progress"),
    path("messages/<int:pk>/send/", views.message_send, name="message_send"),
]
