from django.urls import path

from reintegra.access import views

app_name = "console"
urlpatterns = [
    path("", views.console_index, name="index"),
    path("offices/", views.offices, name="offices"),
    path("offices/<int:pk>/", views.office_edit, name="office_edit"),
    path("users/", views.users, name="users"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/roles/", views.role_assign, name="role_assign"),
    path(
        "users/<int:pk>/roles/<int:assignment_id>/revoke/",
        views.role_revoke,
        name="role_revoke",
    ),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("access-policy/", views.policy, name="policy"),
]
