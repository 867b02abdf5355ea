from django.urls import path

from reintegra.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_new, name="new"),
    path("duplicates/", views.person_duplicates, name="duplicates"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/household/add/", views.household_add, name="household_add"),
    path("<int:pk>/documents/add/", views.document_add, name="document_add"),
    path("<int:pk>/consents/add/", views.consent_add, name="consent_add"),
    path(
        "<int:pk>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
]
