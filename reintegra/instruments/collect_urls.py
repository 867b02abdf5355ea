from django.urls import path

from reintegra.instruments import collect

app_name = "openrosa"
urlpatterns = [
    path("formList", collect.form_list, name="form_list"),
    path("forms/<slug:code>/form.xml", collect.form_xml, name="form"),
    path("forms/<slug:code>/manifest", collect.manifest, name="manifest"),
    path("submission", collect.submission, name="submission"),
]
