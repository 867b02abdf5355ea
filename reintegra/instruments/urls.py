from django.urls import path

from reintegra.instruments import views

app_name = "instruments"
urlpatterns = [
    path("", views.instrument_index, name="list"),
    path("upload/", views.instrument_upload, name="upload"),
    path("<int:pk>/", views.instrument_detail, name="detail"),
    path("<int:pk>/versions/<int:number>.xlsx", views.version_download, name="download"),
    path("<int:pk>/responses.<str:fmt>", views.instrument_export, name="export"),
    path("<int:pk>/import/", views.instrument_import, name="import"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/valid-rows/", views.import_valid_rows, name="import_valid"),
    path("cases/<int:case_id>/", views.case_panel, name="case_panel"),
    path("cases/<int:case_id>/start/", views.response_start, name="start"),
    path("responses/<int:pk>/", views.response_detail, name="response"),
    path("responses/<int:pk>/refresh/", views.response_refresh, name="refresh"),
    path("responses/<int:pk>/discard/", views.response_discard, name="discard"),
]
