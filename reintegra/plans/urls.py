from django.urls import path

from reintegra.plans import views

app_name = "plans"
urlpatterns = [
    path("approvals/", views.approvals, name="approvals"),
    path("setup/", views.setup, name="setup"),
    path("setup/catalogue/load/", views.catalogue_load, name="catalogue_load"),
    path("setup/types/", views.type_add, name="type_add"),
    path("setup/types/<int:pk>/", views.type_edit, name="type_edit"),
    path("setup/options/", views.option_add, name="option_add"),
    path("setup/lines/", views.line_add, name="line_add"),
    path("setup/lines/<int:pk>/", views.line_edit, name="line_edit"),
    path("case/<int:case_id>/", views.case_panel, name="case"),
    path("case/<int:case_id>/start/", views.plan_start, name="start"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/update/", views.plan_update, name="update"),
    path("<int:pk>/measures/", views.measure_add, name="measure_add"),
    path("<int:pk>/measures/<int:measure_id>/remove/", views.measure_remove, name="measure_remove"),
    path(
        "<int:pk>/measures/<int:measure_id>/referral/",
        views.measure_referral,
        name="measure_referral",
    ),
    path("<int:pk>/items/", views.item_add, name="item_add"),
    path("<int:pk>/items/<int:item_id>/remove/", views.item_remove, name="item_remove"),
    path("<int:pk>/transition/", views.plan_transition, name="transition"),
]
