from django.urls import path

from reintegra.providers import views

app_name = "providers"
urlpatterns = [
    path("", views.provider_index, name="list"),
    path("new/", views.provider_new, name="new"),
    path("map/", views.provider_map, name="map"),
    path("import/", views.directory_import, name="import"),
    path("export.<str:fmt>", views.directory_export, name="export"),
    path("<int:pk>/", views.provider_detail, name="detail"),
    path("<int:pk>/edit/", views.provider_edit, name="edit"),
    path("<int:pk>/verify/", views.provider_verify, name="verify"),
    path("<int:pk>/services/add/", views.service_add, name="service_add"),
    path("<int:pk>/services/withdraw/", views.service_withdraw, name="service_withdraw"),
]
